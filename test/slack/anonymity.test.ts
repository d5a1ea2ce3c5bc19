/**
 * Anonymity against a curious lead, through signed Slack requests to the real app: every point of the
 * anonymity issue that Slack shows, each asserted on what the platform was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Team } from '../../src/core/team.js';
import { closeOpenRound, openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { ADMIN, blockAction, CHANNEL, command, eventually, LEAD, moveRoundOpeningBack, rawSql, startSlackHarness, TEAM, viewSubmission, type SlackHarness } from './slack-harness.js';

let h: SlackHarness;
let payments: Team;
let random: Team;
const SECOND_CHANNEL = 'C0RANDOM';

/** Blocks as text, without the block ids Slack assigns. */
function blocksText(value: unknown): string {
  return JSON.stringify(value ?? null).replace(/,?"block_id":"[^"]*"/g, '');
}

async function setUp(name: string, channelId: string, organisationId: string | null = null): Promise<Team> {
  const created = await setupTeam(
    h.server.ctx,
    { platform: 'slack', workspaceId: TEAM, userId: ADMIN },
    { name, channel: { platform: 'slack', workspaceId: TEAM, channelId }, organisationId, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } },
  );
  if (created.kind !== 'created') throw new Error(created.kind);
  return created.team;
}

/** Opens a round now (or with the given times) and moves it out of the way of the next one. */
async function startRound(team: Team, aspectId: string, times: { at?: Date; closesAt?: Date } = {}): Promise<number> {
  const opened = await openRound(h.server.ctx, team, { origin: 'ad-hoc', aspectId, ...times });
  if (opened.kind !== 'opened') throw new Error(opened.kind);
  return opened.round.id;
}

async function finish(team: Team, roundId: number): Promise<void> {
  await closeOpenRound(h.server.ctx, team);
  await freePeriod(roundId);
}

/** Lets the next round of the team open in the same period. */
async function freePeriod(roundId: number): Promise<void> {
  await rawSql(h.server.ctx.store, "update rounds set period_key = 'done-' || id where id = ?", [roundId]);
}

async function click(user: string, roundId: number, optionId: string, channelId = CHANNEL, extra: Record<string, unknown> = {}): Promise<string> {
  const before = h.slack.responses.length;
  const base = blockAction(h.slack, user, `mp_answer_${optionId}`, `${roundId}:${optionId}`);
  const payload = { ...base, channel: { id: channelId, name: 'x' }, container: { type: 'message', channel_id: channelId, message_ts: '1.0' }, ...extra };
  expect((await h.requests.interaction(payload)).status).toBe(200);
  const receipt = await eventually(`${user}'s receipt`, () => h.slack.responses[before]);
  return JSON.stringify(receipt.body);
}

async function answerRows(roundId: number): Promise<{ respondent_key: string; option_id: string }[]> {
  const store = h.server.ctx.store;
  const rows: { respondent_key: string; option_id: string }[] = [];
  for (const key of await store.answerKeys(roundId)) {
    const answer = await store.findAnswer(roundId, key);
    if (answer) rows.push({ respondent_key: key, option_id: answer.optionId });
  }
  return rows;
}

/** The message the bot posted in a round's thread, once it is there. */
async function resultOf(channelId: string, aspectName: string): Promise<{ text: string; blocks?: unknown }> {
  const round = await eventually('the round message', () => h.slack.messages(channelId).filter((message) => message.text.startsWith(`Platform pulse · ${aspectName}`)).at(-1));
  return eventually('the result in its thread', () => h.slack.messages(channelId).find((message) => message.thread_ts === round.ts && message.ts !== round.ts && !message.text.startsWith('Halfway')));
}

async function report(user: string, channelId: string): Promise<string> {
  const reply = await h.requests.slashCommand(command(user, 'report', { channel_id: channelId }));
  expect(reply.status).toBe(200);
  return blocksText((reply.json as { blocks?: unknown }).blocks);
}

beforeAll(async () => {
  h = await startSlackHarness();
  payments = await setUp('Payments', CHANNEL);
  random = await setUp('Random', SECOND_CHANNEL);
  expect((await h.requests.slashCommand(command(ADMIN, `role add <@${LEAD}|lead> lead`))).status).toBe(200);
});
afterAll(async () => h.close());

describe('1. a small round shows its count and mean, nothing that tells its answers apart', () => {
  it('1,3,3 and 2,2,3 give the same result and the same report (before: "Views differ somewhat" against "The team mostly agrees")', async () => {
    const a = await startRound(payments, 'interfaces');
    const b = await startRound(random, 'interfaces');
    for (const [user, option] of [['U1', '1'], ['U2', '3'], ['U3', '3']] as const) await click(user, a, option);
    for (const [user, option] of [['U1', '2'], ['U2', '2'], ['U3', '3']] as const) await click(user, b, option, SECOND_CHANNEL);
    await finish(payments, a);
    await finish(random, b);
    const resultA = await resultOf(CHANNEL, 'Interfaces');
    const resultB = await resultOf(SECOND_CHANNEL, 'Interfaces');
    expect(blocksText(resultA.blocks)).toContain('2.3 of 4');
    expect(blocksText(resultA.blocks)).toBe(blocksText(resultB.blocks));
    expect(blocksText(resultA.blocks)).not.toMatch(/agree|differ/i);
    const reportA = await report('U4', CHANNEL);
    const reportB = await report('U4', SECOND_CHANNEL);
    expect(reportA).not.toMatch(/agreement/);
    expect(reportA.replace(/Payments/g, 'TEAM')).toBe(reportB.replace(/Random/g, 'TEAM'));
  });
});

describe('2. never both "answered" and "with a level" below the comment threshold', () => {
  it('the halfway reminder names everyone who answered, and a too-small result does not say how many had a level', async () => {
    // Opened now, so no tick (every second here, on the real clock) can send the reminder before both
    // clicks are in; then moved back past halfway, so the next tick sends it.
    const roundId = await startRound(payments, 'operations', { closesAt: new Date(Date.now() + 3_600_000) });
    await click('U1', roundId, '2');
    await click('U2', roundId, 'unknown');
    expect(h.slack.messages(CHANNEL).some((message) => message.text.startsWith('Halfway through'))).toBe(false);
    await moveRoundOpeningBack(h.server.ctx.store, roundId, 2 * 3_600_000);
    const reminder = await eventually('the halfway reminder', () => h.slack.messages(CHANNEL).find((message) => message.text.startsWith('Halfway through')));
    expect(reminder.text).toContain('2 answered so far; results need 3 answers with a level');
    expect(reminder.text).not.toMatch(/1 with a level/);
    await finish(payments, roundId);
    const result = await resultOf(CHANNEL, 'Operations');
    expect(result.text).toBe('Only 2 answered; results need 3 answers with a level, so this round stays private. 1 more answer next time!');
    const closed = await eventually('the closed round message', () => h.slack.messages(CHANNEL).find((message) => message.text.startsWith('Platform pulse · Operations — closed')));
    expect(closed.text).toBe('Platform pulse · Operations — closed · 2 answered');
    expect(await report('U4', CHANNEL)).toMatch(/Operations\* {2}— {2}hidden: 2 answered, results need 3/);
  });
});

describe('3. forget-me changes no view, comments included', () => {
  it('the lead sees the same comments before and after someone erases themselves, and the confirmation says why', async () => {
    const roundId = await startRound(payments, 'adoption');
    for (const user of ['U1', 'U2', 'U3', 'U4', 'U5']) await click(user, roundId, '3');
    for (const user of ['U1', 'U2']) {
      await h.requests.interaction(blockAction(h.slack, user, 'mp_comment', String(roundId)));
      const modal = await eventually(`${user}'s comment modal`, () => h.slack.views(user).filter((view) => view.view.callback_id === 'mp_comment_modal').at(-1));
      const saved = await h.requests.interaction(viewSubmission(user, 'mp_comment_modal', String(modal.view.private_metadata), { comment: { value: { type: 'plain_text_input', value: `comment by ${user}` } } }));
      expect(saved.text).toBe('');
    }
    expect((await h.requests.slashCommand(command(LEAD, 'close'))).json).toMatchObject({ text: expect.stringMatching(/^Closed the round on \*Adoption\*/) as unknown });
    const sortedComments = (text: string) => [...text.matchAll(/comment by U\d/g)].map((match) => match[0]).sort();
    const before = await report(LEAD, CHANNEL);
    expect(sortedComments(before)).toEqual(['comment by U1', 'comment by U2']);
    const asked = await h.requests.slashCommand(command('U1', 'forget-me'));
    expect(blocksText(asked.json)).toContain('Comments on closed rounds became anonymous when their round closed');
    await h.requests.interaction(blockAction(h.slack, 'U1', 'mp_forget_confirm', 'confirm'));
    const done = await eventually('the erasure confirmation', () => h.slack.responses.find((response) => JSON.stringify(response.body).includes('Done: erased')));
    expect(JSON.stringify(done.body)).toContain('0 comments');
    const after = await report(LEAD, CHANNEL);
    expect(sortedComments(after)).toEqual(sortedComments(before));
    // Comments are shuffled on every report; apart from their order the two reports are the same.
    expect(after.replace(/comment by U\d/g, 'C')).toBe(before.replace(/comment by U\d/g, 'C'));
  });
});

describe('5. a click counts only in its round\'s own channel', () => {
  it('is refused privately from another channel or workspace: 200, nothing written, a warning logged', async () => {
    const roundId = await startRound(payments, 'investment');
    const fromElsewhere = await click('U6', roundId, '4', SECOND_CHANNEL);
    expect(fromElsewhere).toContain("That button belongs to a round of another team's channel, so nothing was recorded.");
    const otherWorkspace = await click('U6', roundId, '4', CHANNEL, { team: { id: 'T0OTHER', domain: 'other' }, user: { id: 'U6', username: 'u6', team_id: 'T0OTHER' } });
    expect(otherWorkspace).toContain('nothing was recorded');
    expect(await answerRows(roundId)).toEqual([]);
    await eventually('the warning', () => h.lines.filter((line) => line.includes('refused a click on a round from outside its team channel')).length >= 2);
    // The comment button from elsewhere opens nothing.
    const viewsBefore = h.slack.callsTo('views.open').length;
    const comment = blockAction(h.slack, 'U6', 'mp_comment', String(roundId));
    await h.requests.interaction({ ...comment, channel: { id: SECOND_CHANNEL, name: 'random' }, container: { type: 'message', channel_id: SECOND_CHANNEL, message_ts: '1.0' } });
    await eventually('the refusal', () => h.slack.responses.find((response) => JSON.stringify(response.body).includes("another team's channel") && response.url === (comment['response_url'] as string)));
    expect(h.slack.callsTo('views.open').length).toBe(viewsBefore);
    // From its own channel it counts.
    expect(await click('U6', roundId, '4')).toContain('Recorded for *Investment*');
    expect(await answerRows(roundId)).toHaveLength(1);
    await finish(payments, roundId);
  });
});

describe('6. one person, one respondent across an Enterprise Grid organisation', () => {
  it('clicks from two workspaces of the organisation in a shared channel are one answer, and forget-me finds it', async () => {
    const grid = await setUp('Grid', 'C0SHARED', 'E0GRID');
    h.slack.addChannel({ id: 'C0SHARED', name: 'shared', members: ['W1'] });
    const roundId = await startRound(grid, 'measurement');
    const inWorkspace = (teamId: string) => ({ enterprise: { id: 'E0GRID', name: 'Grid' }, team: { id: teamId, domain: teamId.toLowerCase(), enterprise_id: 'E0GRID' }, user: { id: 'W1', username: 'w1', team_id: 'E0GRID' } });
    expect(await click('W1', roundId, '2', 'C0SHARED', inWorkspace('T0AAA'))).toContain('Recorded');
    expect(await click('W1', roundId, '3', 'C0SHARED', inWorkspace('T0BBB'))).toContain('Changed your answer');
    expect(await answerRows(roundId)).toEqual([expect.objectContaining({ option_id: '3' })]);
    const forget = await h.requests.slashCommand(command('W1', 'forget-me', { team_id: 'T0BBB', enterprise_id: 'E0GRID', channel_id: 'C0SHARED' }));
    expect(blocksText(forget.json)).toContain('mp_forget_confirm');
    await h.requests.interaction({ ...blockAction(h.slack, 'W1', 'mp_forget_confirm', 'confirm'), ...inWorkspace('T0AAA'), channel: { id: 'C0SHARED', name: 'shared' } });
    await eventually('the answer to be erased', async () => (await answerRows(roundId)).length === 0);
    await finish(grid, roundId);
  });
});

describe('7. a lead cannot engineer a tiny round', () => {
  it('refuses an early close while few have answered and less than half the round has passed, and says why', async () => {
    const roundId = await startRound(payments, 'interfaces');
    for (const user of ['U1', 'U2', 'U3']) await click(user, roundId, '2');
    const refused = await h.requests.slashCommand(command(LEAD, 'close'));
    expect((refused.json as { text: string }).text).toMatch(/^This round can close early once 5 people have answered, or from <!date\^\d+\^.*would make their answers easy to guess\.$/);
    const admin = await h.requests.slashCommand(command(ADMIN, 'close'));
    expect((admin.json as { text: string }).text).toMatch(/^This round can close early once 5 people have answered/);
    expect((await h.server.ctx.store.findRound(roundId))?.status).toBe('open');
    for (const user of ['U4', 'U5']) await click(user, roundId, '3');
    expect((await h.requests.slashCommand(command(LEAD, 'close'))).json).toMatchObject({ text: expect.stringMatching(/^Closed the round on \*Interfaces\* with 5 answered/) as unknown });
    await freePeriod(roundId);
  });
});

describe('8. the team is told who reads its comments', () => {
  it('announces a lead added or removed in the team channel', async () => {
    expect((await h.requests.slashCommand(command(ADMIN, 'role add <@U5|u5> lead'))).status).toBe(200);
    const added = await eventually('the announcement', () => h.slack.messages(CHANNEL).find((message) => message.text.startsWith('<@U5> is now a lead')));
    expect(added.text).toBe(`<@U5> is now a lead of *Payments* (set by <@${ADMIN}>). Leads open and close rounds and read this team's comments, which never carry names.`);
    expect((await h.requests.slashCommand(command(ADMIN, 'role remove <@U5|u5> lead'))).status).toBe(200);
    await eventually('the removal', () => h.slack.messages(CHANNEL).find((message) => message.text === `<@U5> is no longer a lead of *Payments* (changed by <@${ADMIN}>).`));
    // The outbox holds no user id: the announcement is rendered from the audit record.
    const payloads = (await h.server.ctx.store.listDeliveries()).filter((delivery) => delivery.kind === 'role-change').map((delivery) => JSON.stringify(delivery.payload));
    expect(payloads).not.toEqual([]);
    expect(payloads.join()).not.toContain('U5');
  });
});

describe('9. reach of reports', () => {
  let homeEvents = 0;
  async function home(user: string): Promise<string> {
    homeEvents += 1;
    const publishedBefore = h.slack.callsTo('views.publish').length;
    const envelope = { type: 'event_callback', team_id: TEAM, api_app_id: 'A0001', event_id: `Ev0REACH${homeEvents}`, event_time: 1, event: { type: 'app_home_opened', user, channel: h.slack.dmChannelId(user), tab: 'home' } };
    expect((await h.requests.event(envelope)).status).toBe(200);
    await eventually(`${user}'s Home tab`, () => h.slack.callsTo('views.publish').length > publishedBefore);
    return blocksText(h.slack.homeTab(user)?.view.blocks);
  }

  it('App Home shows a team\'s report to the people in its channel now, not to everyone who ever answered there', async () => {
    h.slack.addUser({ id: 'U7', name: 'u7', timeZone: 'Europe/Berlin' });
    const roundId = await startRound(payments, 'investment');
    // U7 answered, then left the channel (here: was never listed in it).
    expect(await click('U7', roundId, '2')).toContain('Recorded');
    await finish(payments, roundId);
    const left = await home('U7');
    expect(left).toContain('*Your answers*');
    expect(left).not.toContain('Payments · CNCF');
    expect(await home('U1')).toContain('Payments · CNCF');
    expect(h.slack.callsTo('users.conversations').length).toBeGreaterThanOrEqual(2);
  });

  it('only PMs and admins may send the digest to a channel, and the confirmation says who will see what', async () => {
    const member = await h.requests.slashCommand(command('U3', 'digest here', { channel_id: SECOND_CHANNEL }));
    expect((member.json as { text: string }).text).toMatch(/^Only PMs and admins can subscribe a channel to the digest\./);
    const admin = await h.requests.slashCommand(command(ADMIN, 'digest here monday 09:00 Europe/Berlin', { channel_id: 'C0DIGEST' }));
    expect((admin.json as { text: string }).text).toContain("Everyone in this channel will see it: every team's levels, trends and movers");
    expect((admin.json as { text: string }).text).toContain('never comments, and never anyone');
  });
});
