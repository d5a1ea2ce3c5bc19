import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeOpenRound, openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import type { Team } from '../../src/core/team.js';
import { blockAction, command, eventually, startSlackHarness, type SlackHarness, ADMIN, CHANNEL } from '../slack/slack-harness.js';
import { adaptiveCardAction, postActivity } from '../support/teams-activities.js';
import { makeTeamsMembers } from '../support/teams-connector-state.js';
import { startTeamsStandIns, type TeamsStandIns } from '../support/teams-stand-ins.js';
import { APP_ID, CHANNEL_ID, PLACE, TEAM_ID } from './teams-harness.js';

let slack: SlackHarness;
let teams: TeamsStandIns;
let slackTeam: Team;
let teamsTeam: Team;

beforeAll(async () => {
  teams = await startTeamsStandIns({ appId: APP_ID });
  teams.connector.setTeam(TEAM_ID, { name: 'Search', channels: [{ id: CHANNEL_ID, name: 'payments' }] });
  teams.connector.setMembers(TEAM_ID, makeTeamsMembers(6, { tenantId: teams.tenantId }), { tenantId: teams.tenantId });
  // One deployment, both platforms: the Slack harness with Teams settings added.
  slack = await startSlackHarness({ ...teams.settings }, { teamsCredentialsFactory: teams.credentials });
  const actor = { platform: 'slack', workspaceId: 'T0001', userId: ADMIN };
  const cadence = { everyWeeks: 1 as const, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 };
  const a = await setupTeam(slack.server.ctx, actor, { name: 'Payments', channel: { platform: 'slack', workspaceId: 'T0001', channelId: CHANNEL }, surveyId: 'cncf-platform-maturity', cadence });
  const b = await setupTeam(slack.server.ctx, actor, { name: 'Search', channel: { platform: 'teams', workspaceId: teams.tenantId, channelId: CHANNEL_ID }, surveyId: 'cncf-platform-maturity', cadence });
  if (a.kind !== 'created' || b.kind !== 'created') throw new Error('setup failed');
  slackTeam = a.team;
  teamsTeam = b.team;
});
afterAll(async () => {
  await slack.close();
  await teams.close();
});

describe('one organisation on Slack and Teams', () => {
  it('rounds answered on each platform feed one digest that covers both', async () => {
    const slackRound = await openRound(slack.server.ctx, slackTeam, { origin: 'ad-hoc', aspectId: 'measurement' });
    const teamsRound = await openRound(slack.server.ctx, teamsTeam, { origin: 'ad-hoc', aspectId: 'measurement' });
    if (slackRound.kind !== 'opened' || teamsRound.kind !== 'opened') throw new Error('rounds did not open');
    for (const [index, option] of ['1', '2', '2'].entries()) {
      expect((await slack.requests.interaction(blockAction(slack.slack, `U${index + 1}`, `mp_answer_${option}`, `${slackRound.round.id}:${option}`))).status).toBe(200);
    }
    const botUrl = `http://127.0.0.1:${slack.server.port}/api/messages`;
    for (const [index, option] of ['3', '4', '4'].entries()) {
      const member = makeTeamsMembers(6, { tenantId: teams.tenantId })[index]!;
      const activity = adaptiveCardAction({ appId: APP_ID, serviceUrl: teams.connector.serviceUrl, tenantId: teams.tenantId, from: member, place: PLACE, verb: 'answer', data: { roundId: teamsRound.round.id, optionId: option }, cardActivityId: '1' });
      expect((await postActivity(botUrl, activity, await teams.channelToken())).status).toBe(200);
    }
    await closeOpenRound(slack.server.ctx, slackTeam);
    await closeOpenRound(slack.server.ctx, teamsTeam);
    const responsesBefore = slack.slack.responses.length;
    const preview = await slack.requests.slashCommand(command(ADMIN, 'digest preview', { response_url: slack.slack.createResponseUrl({ channelId: CHANNEL, userId: ADMIN }) }));
    // In the acknowledgement, or (when building it outlasts Slack's 3 seconds) through the response_url.
    const acked = JSON.stringify(preview.json);
    const text = acked.includes('Working on it') ? JSON.stringify(await eventually('the digest preview', () => slack.slack.responses.slice(responsesBefore).find((response) => JSON.stringify(response.body).includes('Platform maturity'))?.body)) : acked;
    expect(text).toContain('· 2 teams');
    // Payments 1,2,2 → 1.7 and Search 3,4,4 → 3.7: the org measurement level is their mean, 2.7.
    expect(text).toContain('Measurement: *2.7*');
    await eventually('the Slack round message', () => slack.slack.messages(CHANNEL).length > 0);
  });
});
