/**
 * Anonymity against a curious lead, through Bot Framework activities with tokens from the local issuer:
 * the points of the anonymity issue that Teams shows, asserted on what reached the Bot Connector stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Team } from '../../src/core/team.js';
import { startServer } from '../../src/main.js';
import { closeOpenRound, openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { openStore } from '../../src/storage/open-store.js';
import type { Store } from '../../src/storage/store.js';
import { eventually, rawSql } from '../slack/slack-harness.js';
import { SURVEYS } from '../support/processes.js';
import { adaptiveCardAction, cardSubmit, channelMessage, postActivity, type ChannelPlace } from '../support/teams-activities.js';
import { createTestStorage, memoryLogger, tempDir } from '../support/test-context.js';
import { APP_ID, CHANNEL_ID, cardText, PLACE, startTeamsHarness, TEAM_ID, type TeamsHarness } from './teams-harness.js';

let h: TeamsHarness;
let team: Team;
const OTHER_CHANNEL: ChannelPlace = { teamId: TEAM_ID, channelId: '19:other-channel@thread.tacv2', teamName: 'Payments' };

async function answerRows(roundId: number): Promise<{ option_id: string }[]> {
  const store = h.server.ctx.store;
  const rows: { option_id: string }[] = [];
  for (const key of await store.answerKeys(roundId)) {
    const answer = await store.findAnswer(roundId, key);
    if (answer) rows.push({ option_id: answer.optionId });
  }
  return rows;
}

async function conversationsStored(store: Store): Promise<number> {
  const [row] = await rawSql<{ n: number }>(store, 'select cast(count(*) as integer) as n from teams_conversations');
  return row!.n;
}

/** Opens a round (closing the one before) and waits until its card is in the channel. */
async function startRound(aspectId: string): Promise<number> {
  await closeOpenRound(h.server.ctx, team);
  const opened = await openRound(h.server.ctx, team, { origin: 'ad-hoc', aspectId });
  if (opened.kind !== 'opened') throw new Error(opened.kind);
  await rawSql(h.server.ctx.store, "update rounds set period_key = 'round-' || id where id = ?", [opened.round.id]);
  const aspectName = opened.round.question.aspectName;
  await eventually('the round card', () => h.teams.connector.topLevel(CHANNEL_ID).find((activity) => cardText(activity).includes(`Platform pulse · ${aspectName}`)));
  return opened.round.id;
}

beforeAll(async () => {
  h = await startTeamsHarness();
  const created = await setupTeam(
    h.server.ctx,
    { platform: 'teams', workspaceId: h.teams.tenantId, userId: h.admin.aadObjectId },
    { name: 'Payments', channel: { platform: 'teams', workspaceId: h.teams.tenantId, channelId: CHANNEL_ID }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } },
  );
  if (created.kind !== 'created') throw new Error(created.kind);
  team = created.team;
  // The bot learns the channel (and so can post there) from any activity in it.
  expect((await h.say(h.admin, 'help')).status).toBe(200);
});
afterAll(async () => h.close());

describe('4. an answer from an older client names nobody in the channel', () => {
  it('answers an Action.Submit privately and posts nothing in the channel (before: "<name>: I sent you the answer in our private chat")', async () => {
    const roundId = await startRound('interfaces');
    const member = h.members[4]!;
    const channelBefore = h.teams.connector.activities(CHANNEL_ID).length;
    const submit = cardSubmit({ appId: APP_ID, serviceUrl: h.teams.connector.serviceUrl, tenantId: h.teams.tenantId, from: member, place: PLACE, data: { verb: 'answer', roundId, optionId: '3' }, cardActivityId: 'card-1' });
    expect((await h.send(submit)).status).toBe(200);
    await eventually('the answer', async () => (await answerRows(roundId)).length === 1);
    const privateChat = h.teams.connector.personalConversationId(member.id);
    await eventually('the private reply', () => h.teams.connector.activities(privateChat).find((activity) => cardText(activity).includes('Recorded')));
    // A later command's reply is a barrier: everything the submit caused was posted before it.
    await h.say(h.admin, 'help');
    await eventually('the help card', () => h.teams.connector.activities(CHANNEL_ID).slice(channelBefore).find((activity) => cardText(activity).includes('Maturity pulse commands')));
    const posted = h.teams.connector.activities(CHANNEL_ID).slice(channelBefore).map((activity) => cardText(activity));
    expect(posted.filter((text) => !text.includes('Maturity pulse commands'))).toEqual([]);
    expect(posted.join()).not.toContain(member.name);
  });
});

describe('5. actions count only in their round\'s own conversation and tenant', () => {
  it('refuses a click on the round from another channel: a private sentence, 200, nothing written, a warning logged', async () => {
    const roundId = await startRound('adoption');
    const response = await h.send(h.clickActivity(h.members[3]!, 'answer', { roundId, optionId: '2' }, 'card-2', OTHER_CHANNEL));
    expect(response.status).toBe(200);
    expect(cardText(response.body)).toContain("That card belongs to a round of another team's channel, so nothing was recorded.");
    expect(await answerRows(roundId)).toEqual([]);
    expect(h.lines.some((line) => line.includes('refused a click on a round from outside its team channel'))).toBe(true);
    // A card refresh from elsewhere shows nothing of the round either.
    const refresh = await h.send(h.clickActivity(h.members[3]!, 'refresh', { roundId }, 'card-2', OTHER_CHANNEL));
    expect(cardText(refresh.body)).not.toContain('Platform pulse');
    expect(cardText(refresh.body)).toContain('nothing was recorded');
  });

  it('refuses every activity from a tenant that is not allowed with 403, before the bot sees it', async () => {
    const roundId = await startRound('operations');
    const foreign = adaptiveCardAction({ appId: APP_ID, serviceUrl: h.teams.connector.serviceUrl, tenantId: 'another-tenant', from: h.members[5]!, place: PLACE, verb: 'answer', data: { roundId, optionId: '2' }, cardActivityId: 'card-3' });
    expect((await h.send(foreign)).status).toBe(403);
    const command = channelMessage({ appId: APP_ID, serviceUrl: h.teams.connector.serviceUrl, tenantId: 'another-tenant', from: h.members[5]!, ...PLACE, command: 'report' });
    expect((await h.send(command)).status).toBe(403);
    expect(await answerRows(roundId)).toEqual([]);
    expect(h.lines.filter((line) => line.includes('refused a Teams activity') && line.includes('TEAMS_ALLOWED_TENANT_IDS'))).toHaveLength(2);
  });
});

describe('8. the team is told who reads its comments', () => {
  it('announces a new lead in the channel by name', async () => {
    const mention = `<at>${h.lead.name}</at>`;
    const granted = await h.say(h.admin, `role add ${mention} lead`, {
      text: `<at>maturity</at> role add ${mention} lead`,
      entities: [
        { type: 'mention', mentioned: { id: `28:${APP_ID}`, name: 'maturity' }, text: '<at>maturity</at>' },
        { type: 'mention', mentioned: { id: h.lead.id, name: h.lead.name }, text: mention },
      ],
    });
    expect(granted.status).toBe(200);
    await eventually('the announcement', () => h.teams.connector.topLevel(CHANNEL_ID).find((activity) => cardText(activity).includes(`**${h.lead.name}** is now a lead of **Payments**`)));
  });
});

describe('user text in cards', () => {
  it('is escaped, so a typed Markdown link is shown as text, not a link', async () => {
    const before = h.teams.connector.activities(CHANNEL_ID).length;
    await h.say(h.members[2]!, 'report [click](https://evil.example/)');
    const reply = await eventually('the refusal', () => h.teams.connector.activities(CHANNEL_ID).slice(before).find((activity) => cardText(activity).includes('There is no aspect')));
    expect(cardText(reply)).toContain('\\\\[click\\\\]\\\\(https://evil.example/\\\\)');
    expect(cardText(reply)).not.toContain('[click](https');
  });
});

describe('TEAMS_DEV_NO_AUTH', () => {
  it('serves only activities whose serviceUrl is on this machine, and only on a database without real Teams conversations', async () => {
    const temp = tempDir('mp-teams-dev-');
    const storage = await createTestStorage(temp.dir);
    const env = { DATA_DIR: temp.dir, ...storage.env, SURVEYS_DIR: SURVEYS, PORT: '0', RESPONDENT_KEY_SECRET: 'respondent-secret-for-the-teams-tests-0123', TEAMS_DEV_NO_AUTH: '1' };
    const config = loadConfig(env);
    if (!config.ok) throw new Error(config.problems.join('; '));
    const { log, lines } = memoryLogger();
    const server = await startServer(config.config, log, () => undefined);
    try {
      const url = `http://127.0.0.1:${server.port}/api/messages`;
      const common = { appId: '', tenantId: 'dev-tenant', from: h.members[1]! };
      const far = await postActivity(url, channelMessage({ ...common, serviceUrl: 'https://smba.trafficmanager.net/emea/', ...PLACE, command: 'help' }), null);
      expect(far.status).toBe(403);
      expect(lines.some((line) => line.includes('TEAMS_DEV_NO_AUTH=1 serves only activities whose serviceUrl is on this machine'))).toBe(true);
      expect(await conversationsStored(h.server.ctx.store)).toBeGreaterThan(0);
      expect(await conversationsStored(server.ctx.store)).toBe(0);
    } finally {
      await server.stop();
    }
    // A database that real Teams traffic reached is refused outright.
    const store = await openStore(storage.target);
    await store.rememberConversation({ tenantId: 'real-tenant', conversationId: '19:real@thread.tacv2', conversationType: 'channel', msTeamId: null, userKey: null, reference: { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: '19:real@thread.tacv2' }, bot: { id: `28:${APP_ID}` } }, at: new Date('2026-12-01T00:00:00Z') });
    await store.close();
    await expect(startServer(config.config, log, () => undefined)).rejects.toThrow(/holds Teams conversations set up with real credentials; TEAMS_DEV_NO_AUTH=1 runs only on a database of its own/);
    await storage.drop();
    temp.cleanup();
  });
});
