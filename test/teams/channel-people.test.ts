import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter, type TeamsAdapter } from '../../src/adapters/teams/app.js';
import { TeamsChannelPeople } from '../../src/adapters/teams/channel-people.js';
import { TeamsSendPacer } from '../../src/adapters/teams/send-pacer.js';
import { loadConfig } from '../../src/config.js';
import type { ChannelRef } from '../../src/core/platform.js';
import { buildSurvey } from '../support/factories.js';
import { channelMessage, postActivity } from '../support/teams-activities.js';
import { makeTeamsMembers } from '../support/teams-connector-state.js';
import { startTeamsStandIns, type TeamsStandIns } from '../support/teams-stand-ins.js';
import { createTestContext, type TestContext } from '../support/test-context.js';
import { APP_ID, CHANNEL_ID, PLACE, TEAM_ID } from './teams-harness.js';

// The dashboard's owner picker on Teams: the people of a team channel by name, from the Bot Connector's paged
// member list (stand-in: pages of 50–500, continuation tokens), in a turn the bot starts through the channel's
// stored conversation reference, keyed on the AAD object id like every Teams person in the app.

describe("a Teams channel's people for the owner picker", () => {
  let teams: TeamsStandIns;
  let ctx: TestContext;
  let adapter: TeamsAdapter;
  let server: Server;
  let channel: ChannelRef;

  beforeAll(async () => {
    [teams, ctx] = await Promise.all([startTeamsStandIns({ appId: APP_ID }), createTestContext({ surveys: [buildSurvey()] })]);
    const members = makeTeamsMembers(8, { tenantId: teams.tenantId });
    teams.connector.setTeam(TEAM_ID, { name: 'Payments', channels: [{ id: CHANNEL_ID, name: 'payments' }] });
    teams.connector.setMembers(CHANNEL_ID, members, { tenantId: teams.tenantId });
    const config = loadConfig({ DATA_DIR: ctx.dir, RESPONDENT_KEY_SECRET: 'respondent-secret-for-the-teams-tests-0123', ...teams.settings });
    if (!config.ok || !config.config.teams) throw new Error(config.ok ? 'Teams is not configured' : config.problems.join('; '));
    adapter = createTeamsAdapter({ ctx, config: config.config.teams, log: ctx.log, onAnswerRecorded: () => undefined, credentialsFactory: teams.credentials });
    server = createServer(adapter.requestListener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // The bot keeps the channel's conversation reference from any activity there, such as a mention.
    const botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
    const said = await postActivity(botUrl, channelMessage({ appId: APP_ID, serviceUrl: teams.connector.serviceUrl, tenantId: teams.tenantId, from: members[0]!, ...PLACE, command: 'help' }), await teams.channelToken());
    expect(said.status).toBe(200);
    channel = { platform: 'teams', workspaceId: teams.tenantId, channelId: CHANNEL_ID };
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await teams?.close();
    await ctx?.close();
  });

  const pageCalls = () => teams.connector.callsTo('pagedmembers');

  it('lists the members by name, keyed on their AAD object id, in one request for a small channel', async () => {
    const before = pageCalls().length;
    const people = await adapter.channelPeople(channel);
    expect(people).toEqual({ people: makeTeamsMembers(8).map((member) => ({ userId: member.aadObjectId, name: member.name })), incomplete: null });
    const calls = pageCalls().slice(before);
    expect(calls.map((call) => [call.conversationId, call.query.pageSize, call.status])).toEqual([[CHANNEL_ID, '200', 200]]);
  });

  it('offers the first 200 of a larger channel and says it holds more', async () => {
    teams.connector.setMembers(CHANNEL_ID, makeTeamsMembers(230, { tenantId: teams.tenantId }), { tenantId: teams.tenantId });
    const before = pageCalls().length;
    const people = await adapter.channelPeople(channel);
    expect(people?.people).toHaveLength(200);
    expect(people?.people.at(-1)).toEqual({ userId: makeTeamsMembers(200).at(-1)!.aadObjectId, name: 'Member 200' });
    expect(people?.incomplete).toBe('too-many');
    expect(pageCalls().length - before).toBe(1);
  });

  it('follows continuation tokens across pages when the list may be longer than a page', async () => {
    teams.connector.setMembers(CHANNEL_ID, makeTeamsMembers(530, { tenantId: teams.tenantId }), { tenantId: teams.tenantId });
    const auth = new ConfigurationBotFrameworkAuthentication({ ...teams.settings }, teams.credentials);
    const listing = new TeamsChannelPeople(new CloudAdapter(auth), APP_ID, ctx, new TeamsSendPacer(), ctx.log, 1000);
    const before = pageCalls().length;
    const people = await listing.channelPeople(channel);
    expect([people?.people.length, people?.incomplete]).toEqual([530, null]);
    expect(new Set(people?.people.map((person) => person.userId)).size).toBe(530);
    // Teams caps a page at 500 members: the rest came with the continuation token.
    expect(pageCalls().slice(before).map((call) => [call.query.pageSize, call.query.continuationToken !== undefined])).toEqual([
      ['500', false],
      ['500', true],
    ]);
  });

  it('answers null when Teams will not list the members, or the app is not in the channel', async () => {
    teams.connector.failNext(403, undefined, 'pagedmembers');
    expect(await adapter.channelPeople(channel)).toBeNull();
    expect(ctx.lines.some((line) => line.includes("could not ask Teams who is in a team's channel"))).toBe(true);
    expect(await adapter.channelPeople({ ...channel, channelId: '19:elsewhere@thread.tacv2' })).toBeNull();
    expect(await adapter.channelPeople({ platform: 'slack', workspaceId: 'T1', channelId: 'C1' })).toBeNull();
  });
});
