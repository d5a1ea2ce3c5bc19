import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEFINITE_PAUSE, type Team } from '../../src/core/team.js';
import { closeOpenRound, enqueueRoundDelivery, openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import type { Round } from '../../src/core/round.js';
import type { TeamsConversation } from '../../src/storage/records.js';
import { eventually } from '../slack/slack-harness.js';
import { makeTeamsMembers, type TeamsMember } from '../support/teams-connector-state.js';
import type { ChannelPlace } from '../support/teams-activities.js';
import { CHANNEL_ID, cardText, startTeamsHarness, TEAM_ID, type TeamsHarness } from './teams-harness.js';

/** The sentence a failed turn started by a person gets; never posted for the bot's own sends. */
const APOLOGY = 'That did not go through';

interface DeliveryRow {
  readonly status: string;
  readonly attempts: number;
  readonly message_ref: string | null;
  readonly last_error: string | null;
}

let h: TeamsHarness;
let learned: TeamsConversation;
beforeAll(async () => {
  h = await startTeamsHarness();
  await h.say(h.admin, 'help');
  const conversation = await h.server.ctx.store.findConversation(h.teams.tenantId, CHANNEL_ID);
  if (!conversation) throw new Error('the bot did not keep the channel reference');
  learned = conversation;
});
afterAll(async () => h.close());

/** A team in a channel of its own, whose reference the bot holds as if it had seen an activity there. */
async function teamInChannel(name: string, members: readonly TeamsMember[] = h.members): Promise<{ team: Team; place: ChannelPlace }> {
  const channelId = `19:${name.toLowerCase()}-channel@thread.tacv2`;
  h.teams.connector.setMembers(channelId, members, { tenantId: h.teams.tenantId });
  await h.server.ctx.store.rememberConversation({ ...learned, conversationId: channelId, reference: { ...learned.reference, conversation: { ...learned.reference.conversation, id: channelId } }, at: new Date() });
  const created = await setupTeam(h.server.ctx, { platform: 'teams', workspaceId: h.teams.tenantId, userId: h.admin.aadObjectId }, { name, channel: { platform: 'teams', workspaceId: h.teams.tenantId, channelId }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
  if (created.kind !== 'created') throw new Error(created.kind);
  return { team: created.team, place: { teamId: TEAM_ID, channelId, teamName: 'Payments' } };
}

async function open(team: Team): Promise<number> {
  const opened = await openRound(h.server.ctx, team, { origin: 'ad-hoc' });
  if (opened.kind !== 'opened') throw new Error(opened.kind);
  return (await h.server.ctx.store.findOpenRound(team.id))!.id;
}

async function delivery(roundId: number, kind: string): Promise<DeliveryRow | undefined> {
  const found = (await h.server.ctx.store.listDeliveries({ roundId })).find((candidate) => candidate.kind === kind);
  return found && { status: found.status, attempts: found.attempts, message_ref: found.messageRef, last_error: found.lastError };
}

/** The bot's own posts to the channel itself; a command's answer goes to its thread ("<channel>;messageid=…"). */
function postsTo(channelId: string, since: number) {
  return h.teams.connector.calls.slice(since).filter((call) => call.route === 'reply' && call.conversationId === channelId);
}

describe('a proactive send the connector refuses', () => {
  it('is retried after 502 and 504, and the card arrives without any apology in the channel', async () => {
    const { team } = await teamInChannel('Gateway');
    const channelId = team.channel.channelId;
    // botbuilder's client retries 5xx three times itself: the fourth failure is what reaches the bot.
    for (const status of [502, 504, 502, 504]) h.teams.connector.failNext(status, undefined, { route: 'reply', conversationId: channelId });
    const before = h.teams.connector.calls.length;
    const roundId = await open(team);
    await eventually('the round card', () => h.teams.connector.topLevel(channelId).find((activity) => cardText(activity).includes('Platform pulse')), 45_000);
    expect(postsTo(channelId, before).map((call) => call.status)).toEqual([502, 504, 502, 504, 201]);
    expect(h.teams.connector.activities(channelId)).toHaveLength(1);
    expect(h.teams.connector.activities(channelId).filter((activity) => cardText(activity).includes(APOLOGY))).toEqual([]);
    // The connector has the card a moment before the bot has recorded its answer.
    await eventually('the delivery to be recorded as sent', async () => (await delivery(roundId, 'round-opened'))?.status === 'sent', 10_000);
    expect(await delivery(roundId, 'round-opened')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(h.lines.some((line) => line.includes('delivery will be retried') && line.includes('HTTP 504'))).toBe(true);
  }, 60_000);

  it('pauses the team at once when the bot is no longer in the channel (403), and posts nothing else', async () => {
    const { team } = await teamInChannel('Removed');
    const channelId = team.channel.channelId;
    h.teams.connector.removeBot(channelId, 'uninstalled');
    const before = h.teams.connector.calls.length;
    const roundId = await open(team);
    await eventually('the team to be paused', async () => (await h.server.ctx.store.findTeamById(team.id))?.pausedUntil === INDEFINITE_PAUSE, 20_000);
    expect(await delivery(roundId, 'round-opened')).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringContaining('403') as unknown });
    // One attempt at the card, no second attempt at an apology.
    expect(postsTo(channelId, before).map((call) => call.status)).toEqual([403]);
  });

  it('does not pause the team when the card it updates at close was deleted (404 on the activity)', async () => {
    const { team } = await teamInChannel('Deleted');
    const channelId = team.channel.channelId;
    const roundId = await open(team);
    const card = await eventually('the round card', () => h.teams.connector.topLevel(channelId)[0]);
    h.teams.connector.activity(channelId, card.id)!.deleted = true;
    expect((await closeOpenRound(h.server.ctx, team)).kind).toBe('closed');
    await eventually('the closed-card update to be given up', async () => (await delivery(roundId, 'round-closed'))?.status === 'failed', 20_000);
    expect(await delivery(roundId, 'round-closed')).toMatchObject({ attempts: 1, last_error: 'the message to update no longer exists' });
    expect((await h.server.ctx.store.findTeamById(team.id))?.pausedUntil).toBeNull();
  });
});

describe('a private reply', () => {
  it("falls back to a view only the asker sees when their 1:1 chat refuses the message, and never claims it was sent", async () => {
    const personal = h.teams.connector.personalConversationId(h.admin.id);
    await h.say(h.admin, 'digest preview');
    await eventually('the digest in the 1:1 chat', () => h.teams.connector.activities(personal).find((activity) => cardText(activity).includes('Platform maturity · week')));
    h.teams.connector.removeBot(personal, 'blocked');
    const before = h.teams.connector.activities(CHANNEL_ID).length;
    expect((await h.say(h.admin, 'digest preview')).status).toBe(200);
    const since = h.teams.connector.activities(CHANNEL_ID).slice(before).map((activity) => cardText(activity));
    expect(since).toHaveLength(1);
    expect(since[0]).toContain('A private reply for');
    expect(since[0]).toContain(`"userIds":["${h.admin.id}"]`);
    expect(since.join('\n')).not.toContain('I sent you the answer in our private chat');
    expect(since.join('\n')).not.toContain(APOLOGY);
  });
});

describe('private nudges', () => {
  /** A channel of its own people, a round with three of them answered through the card, nudges on. */
  async function roundWithAnswers(name: string): Promise<{ team: Team; roundId: number; waiting: TeamsMember[]; answered: TeamsMember[] }> {
    const members = makeTeamsMembers(7, { prefix: name.toLowerCase(), tenantId: h.teams.tenantId });
    const { team, place } = await teamInChannel(name, members);
    await h.server.ctx.store.setTeamOptions(team.id, { nudgeNonRespondents: true });
    const roundId = await open(team);
    const card = await eventually('the round card', () => h.teams.connector.topLevel(team.channel.channelId)[0]);
    const answered = members.slice(0, 3);
    for (const member of answered) expect((await h.send(h.clickActivity(member, 'answer', { roundId, optionId: '3' }, card.id, place))).status).toBe(200);
    return { team, roundId, waiting: members.slice(3), answered };
  }

  const nudgesTo = (member: TeamsMember) => h.teams.connector.activities(h.teams.connector.personalConversationId(member.id)).filter((activity) => cardText(activity).includes('waiting for your answer'));

  it('retries a member whose 1:1 message fails (412, then 429 with Retry-After) in place and nudges everyone waiting exactly once', async () => {
    const { team, roundId, waiting, answered } = await roundWithAnswers('Nudged');
    const blocked = waiting.at(-1)!;
    h.teams.connector.removeBot(h.teams.connector.personalConversationId(blocked.id), 'blocked');
    // The first member waiting is nudged before anything fails, so a retry of the whole delivery would show.
    // 412 is not retried by botbuilder's client; the 429s outlast its own three retries.
    h.teams.connector.failNext(412, undefined, { route: 'create', bodyIncludes: waiting[1]!.id });
    for (let i = 0; i < 4; i += 1) h.teams.connector.failNext(429, 1, { route: 'create', bodyIncludes: waiting[2]!.id });
    await enqueueRoundDelivery(h.server.ctx.store, team, await findOpenRoundOf(team), 'nudge', new Date());
    await eventually('the nudges to be sent', async () => (await delivery(roundId, 'nudge'))?.status === 'sent', 45_000);
    expect(h.teams.connector.pendingFailures).toBe(0);
    for (const member of waiting.slice(0, -1)) expect(nudgesTo(member), member.name).toHaveLength(1);
    for (const member of [...answered, blocked]) expect(nudgesTo(member), member.name).toHaveLength(0);
    expect(await delivery(roundId, 'nudge')).toMatchObject({ attempts: 1, message_ref: `nudged-${waiting.length - 1}-of-${waiting.length}` });
    expect(h.lines.some((line) => line.includes('could not nudge a channel member privately') && line.includes('403'))).toBe(true);
  }, 60_000);

  it('gives up on a member whose 1:1 message keeps failing, with a warning, and still nudges the others', async () => {
    const { team, roundId, waiting } = await roundWithAnswers('Flaky');
    const warningsBefore = h.lines.filter((line) => line.includes('could not nudge a channel member privately')).length;
    // As many failures as the messenger tries one member: the second member waiting never gets through.
    for (let i = 0; i < 4; i += 1) h.teams.connector.failNext(412, undefined, { route: 'create', bodyIncludes: waiting[1]!.id });
    await enqueueRoundDelivery(h.server.ctx.store, team, await findOpenRoundOf(team), 'nudge', new Date());
    await eventually('the nudge delivery to finish', async () => (await delivery(roundId, 'nudge'))?.status === 'sent', 45_000);
    expect(h.teams.connector.pendingFailures).toBe(0);
    expect(waiting.map((member) => nudgesTo(member).length)).toEqual(waiting.map((_, index) => (index === 1 ? 0 : 1)));
    expect(await delivery(roundId, 'nudge')).toMatchObject({ attempts: 1, message_ref: `nudged-${waiting.length - 1}-of-${waiting.length}` });
    const warnings = h.lines.filter((line) => line.includes('could not nudge a channel member privately')).slice(warningsBefore);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('412');
  }, 60_000);
});

async function findOpenRoundOf(team: Team): Promise<Round> {
  const round = await h.server.ctx.store.findOpenRound(team.id);
  if (!round) throw new Error('no open round');
  return round;
}
