import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Team } from '../../src/core/team.js';
import { openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { eventually } from '../slack/slack-harness.js';
import { CHANNEL_ID, startTeamsHarness, TEAM_ID, type TeamsHarness } from './teams-harness.js';

/** A Monday-morning burst: this many teams in one tenant get their round card at the same time. */
const CHANNELS = 40;

let h: TeamsHarness;
let teams: Team[];
beforeAll(async () => {
  h = await startTeamsHarness();
  // The bot learns the channel's reference from an activity there; the other channels of the same team
  // share it but for their id, as if each had seen one.
  await h.say(h.admin, 'help');
  const learned = await h.server.ctx.store.findConversation(h.teams.tenantId, CHANNEL_ID);
  if (!learned) throw new Error('the bot did not keep the channel reference');
  const channelIds = Array.from({ length: CHANNELS }, (_, index) => `19:burst-${index}@thread.tacv2`);
  h.teams.connector.setTeam(TEAM_ID, { name: 'Payments', channels: [{ id: CHANNEL_ID, name: 'payments' }, ...channelIds.map((id, index) => ({ id, name: `burst-${index}` }))] });
  const actor = { platform: 'teams', workspaceId: h.teams.tenantId, userId: h.admin.aadObjectId };
  const cadence = { everyWeeks: 1 as const, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 };
  teams = [];
  for (const [index, channelId] of channelIds.entries()) {
    h.teams.connector.setMembers(channelId, h.members, { tenantId: h.teams.tenantId });
    await h.server.ctx.store.rememberConversation({ ...learned, conversationId: channelId, reference: { ...learned.reference, conversation: { ...learned.reference.conversation, id: channelId } }, at: new Date() });
    const created = await setupTeam(h.server.ctx, actor, { name: `Burst ${index}`, channel: { platform: 'teams', workspaceId: h.teams.tenantId, channelId }, surveyId: 'cncf-platform-maturity', cadence });
    if (created.kind !== 'created') throw new Error(created.kind);
    teams.push(created.team);
  }
});
afterAll(async () => h.close());

describe('sending under Teams rate limits', () => {
  it(`posts ${CHANNELS} round cards in one tenant at once without a single 429`, async () => {
    const before = h.teams.connector.calls.length;
    for (const team of teams) expect((await openRound(h.server.ctx, team, { origin: 'ad-hoc' })).kind).toBe('opened');
    await eventually(`all ${CHANNELS} round cards`, () => teams.every((team) => h.teams.connector.topLevel(team.channel.channelId).length === 1), 60_000);
    const calls = h.teams.connector.calls.slice(before);
    // Each card needs the channel's members (for the personal views) and the post itself.
    expect(calls.filter((call) => call.method === 'POST' && call.status < 300)).toHaveLength(CHANNELS);
    expect(calls.filter((call) => call.route === 'pagedmembers' && call.status < 300)).toHaveLength(CHANNELS);
    expect(calls.filter((call) => call.status === 429).map((call) => `${call.route} ${call.conversationId ?? ''}`)).toEqual([]);
  }, 90_000);
});
