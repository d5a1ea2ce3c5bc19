import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_UNCERTAIN_RESENDS } from '../../src/core/outbox.js';
import { respondentKey } from '../../src/core/respondent-key.js';
import { periodOfRoundKey } from '../../src/core/schedule.js';
import { INDEFINITE_PAUSE } from '../../src/core/team.js';
import { OutboxDrainer } from '../../src/scheduler/outbox-drainer.js';
import { recordAnswerBatched } from '../../src/services/answer-batch.js';
import { applyRetention, forgetMe } from '../../src/services/privacy-service.js';
import { closedRoundOutcome, computeOrgDigest, shuffled, teamReport } from '../../src/services/report-service.js';
import { closeDueRounds, closeOpenRound, openRound, recordAnswer, recordComment } from '../../src/services/round-service.js';
import { openStore } from '../../src/storage/open-store.js';
import { buildSurvey, DAY } from '../support/factories.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';
import { answerAs, CLI_ACTOR, engineDb, roundOrigin, setUpTeam, storedComments } from '../support/seed.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const survey = buildSurvey();
let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext({ surveys: [survey], now: '2026-03-02T09:30:00Z' });
});
afterEach(async () => {
  await ctx.close();
});

async function openFor(name: string) {
  const team = await setUpTeam(ctx, name);
  const opened = await openRound(ctx, team, { origin: 'ad-hoc' });
  if (opened.kind !== 'opened') throw new Error(opened.kind);
  return { team, round: opened.round };
}

async function deliveryKinds(filter?: Parameters<TestContext['store']['listDeliveries']>[0]): Promise<string[]> {
  return (await ctx.store.listDeliveries(filter)).map((delivery) => delivery.kind);
}

/**
 * Makes the database itself refuse to store answers of one respondent (a trigger), as a full disk or a
 * broken row would: a real engine failure in the middle of a batch, not a thrown test double.
 */
async function refuseAnswersOf(key: string): Promise<void> {
  const target = engineDb(ctx.store);
  if (target.engine === 'sqlite') {
    target.db.$client.exec(`create trigger refuse_one before insert on answers when new.respondent_key = '${key}' begin select raise(abort, 'refused for the test'); end`);
    return;
  }
  await target.db.$client.query(`create function refuse_one() returns trigger language plpgsql as $$ begin if new.respondent_key = '${key}' then raise exception 'refused for the test'; end if; return new; end $$`);
  await target.db.$client.query('create trigger refuse_one before insert on answers for each row execute function refuse_one()');
}

describe('a round from open to result', () => {
  it('records answers under respondent keys, lets people change them, and freezes the tally at close', async () => {
    const { team, round } = await openFor('Payments');
    await answerAs(ctx, round.id, ['2', '3', '3', 'unknown']);
    const changed = await recordAnswer(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U1' }, round.id, '4', await roundOrigin(ctx, round.id));
    expect(changed).toMatchObject({ kind: 'recorded', changed: true, option: { level: 4 } });
    const keys = await ctx.store.answerKeys(round.id);
    expect(keys).toHaveLength(4);
    expect(keys).not.toContain('U1');
    expect(keys).toContain(respondentKey(ctx.respondentSecret, { platform: 'slack', workspaceId: 'T1', userId: 'U1' }));

    ctx.clock.advance(4 * DAY);
    const closed = await closeDueRounds(ctx);
    expect(closed.map((r) => r.id)).toEqual([round.id]);
    expect((await ctx.store.findRound(round.id))?.tally).toEqual({ respondents: 4, unknown: 1, levelCounts: [0, 0, 2, 1] });
    expect((await recordAnswer(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U9' }, round.id, '1', await roundOrigin(ctx, round.id))).kind).toBe('round-closed');
    // Four answered, below the comment threshold: the result gives that count and the mean, nothing more.
    expect(await closedRoundOutcome(ctx, (await ctx.store.findRound(round.id))!)).toMatchObject({ kind: 'figure', value: 3.3, respondents: 4, agreement: null });

    const report = await teamReport(ctx, team, { withComments: false });
    expect(report.kind === 'report' && report.report.aspects[0]?.status).toMatchObject({ kind: 'level', figure: { value: 3.3 } });
    expect(await deliveryKinds({ roundId: round.id })).toEqual(['round-opened', 'round-closed', 'round-result']);
  });

  it('refuses answers after the close time even before the tick has closed the round', async () => {
    const { round } = await openFor('Payments');
    ctx.clock.set(round.closesAt);
    expect(await recordAnswer(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U1' }, round.id, '1', await roundOrigin(ctx, round.id))).toMatchObject({ kind: 'round-closed' });
    expect(await ctx.store.countAnswers(round.id)).toBe(0);
  });

  it('keeps one open round per team and one scheduled round per period; a lead may still ask again', async () => {
    const { team, round } = await openFor('Payments');
    expect((await openRound(ctx, team, { origin: 'ad-hoc' })).kind).toBe('already-open');
    expect((await closeOpenRound(ctx, team)).kind).toBe('closed');
    // The schedule never doubles a period…
    const scheduled = await openRound(ctx, team, { origin: 'scheduled' });
    expect(scheduled).toMatchObject({ kind: 'period-taken' });
    if (scheduled.kind === 'period-taken') expect(scheduled.nextOpensAt.toISOString()).toBe('2026-03-09T09:00:00.000Z');
    // …but a lead's ask opens an extra round of the same period.
    const again = await openRound(ctx, team, { origin: 'ad-hoc' });
    expect(again.kind).toBe('opened');
    if (again.kind === 'opened') {
      expect(again.round.periodKey.startsWith(`${round.periodKey}~`)).toBe(true);
      expect(periodOfRoundKey(again.round.periodKey)).toBe(round.periodKey);
    }
    expect((await closeOpenRound(ctx, team)).kind).toBe('closed');
    expect((await openRound(ctx, team, { origin: 'scheduled' })).kind).toBe('period-taken');
    expect((await closeOpenRound(ctx, team)).kind).toBe('none-open');
  });

  it('asks about the requested aspect and rejects unknown ones', async () => {
    const team = await setUpTeam(ctx, 'Payments');
    expect(await openRound(ctx, team, { origin: 'ad-hoc', aspectId: 'nope' })).toMatchObject({ kind: 'unknown-aspect', known: ['investment', 'adoption', 'interfaces'] });
    expect(await openRound(ctx, team, { origin: 'ad-hoc', aspectId: 'adoption' })).toMatchObject({ kind: 'opened', round: { question: { aspectId: 'adoption' } } });
  });

  it('lets authors edit and remove comments until close', async () => {
    const { team, round } = await openFor('Payments');
    const author = { platform: 'slack' as const, workspaceId: 'T1', userId: 'U1' };
    const origin = await roundOrigin(ctx, round.id);
    expect((await recordComment(ctx, author, round.id, 'first thought', origin)).kind).toBe('saved');
    expect((await recordComment(ctx, author, round.id, 'second thought', origin)).kind).toBe('saved');
    expect(await recordComment(ctx, author, round.id, 'x'.repeat(1001), origin)).toMatchObject({ kind: 'too-long', max: 1000 });
    await answerAs(ctx, round.id, ['1', '2', '3', '4', '2']);
    await closeOpenRound(ctx, team);
    expect((await ctx.store.closedRoundComments(team.id)).map((comment) => comment.text)).toEqual(['second thought']);
    expect(await recordComment(ctx, author, round.id, '', origin)).toMatchObject({ kind: 'round-closed' });
    const lead = await teamReport(ctx, team, { withComments: true });
    expect(lead.kind === 'report' && lead.report.comments).toEqual([{ aspectId: 'investment', aspectName: 'Investment', texts: ['second thought'] }]);
  });
});

describe('answers clicked at the same moment', () => {
  const user = (id: string) => ({ platform: 'slack' as const, workspaceId: 'T1', userId: id });

  it('are all stored in click order, and readable by another connection once settled', async () => {
    const { round } = await openFor('Payments');
    const origin = await roundOrigin(ctx, round.id);
    const clicks = Array.from({ length: 40 }, (_, index) => recordAnswerBatched(ctx, user(`U${index % 30}`), round.id, String(1 + (index % 4)), origin));
    const outcomes = await Promise.all(clicks);
    expect(outcomes.every((outcome) => outcome.kind === 'recorded')).toBe(true);
    // U0 clicked option 1 and then, ten clicks later in the same batch, option 3: the later click wins.
    expect(outcomes[30]).toMatchObject({ kind: 'recorded', changed: true });
    // A connection of its own (a read-only SQLite file handle, or another PostgreSQL pool) sees them committed.
    const reader = await openStore(ctx.storage.target, { readOnly: true });
    try {
      expect(await reader.countAnswers(round.id)).toBe(30);
      const key = respondentKey(ctx.respondentSecret, user('U0'));
      expect(await reader.findAnswer(round.id, key)).toMatchObject({ optionId: '3', changes: 1 });
    } finally {
      await reader.close();
    }
  });

  it('keeps the others when one answer in the batch fails to store', async () => {
    const { round } = await openFor('Payments');
    const origin = await roundOrigin(ctx, round.id);
    const failing = respondentKey(ctx.respondentSecret, user('U2'));
    await refuseAnswersOf(failing);
    const settled = await Promise.allSettled(['U1', 'U2', 'U3'].map((id) => recordAnswerBatched(ctx, user(id), round.id, '2', origin)));
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await ctx.store.countAnswers(round.id)).toBe(2);
    expect(await ctx.store.findAnswer(round.id, failing)).toBeNull();
  });

  it('refuses a click after the close time like a single answer does', async () => {
    const { round } = await openFor('Payments');
    ctx.clock.advance(5 * DAY);
    await expect(recordAnswerBatched(ctx, user('U1'), round.id, '1', await roundOrigin(ctx, round.id))).resolves.toMatchObject({ kind: 'round-closed' });
    expect(await ctx.store.countAnswers(round.id)).toBe(0);
  });
});

describe('the comment shuffle', () => {
  it('returns every comment once, in orders that vary from report to report', () => {
    const items = Array.from({ length: 8 }, (_, index) => `comment ${index}`);
    const orders = new Set<string>();
    for (let run = 0; run < 40; run += 1) {
      const order = shuffled(items);
      expect([...order].sort()).toEqual([...items].sort());
      orders.add(order.join('|'));
    }
    // 40 draws from 8! orders: a fixed or stored order would give one.
    expect(orders.size).toBeGreaterThan(30);
  });
});

describe("a new team's report", () => {
  it('says when the first scheduled round closes, before any round was asked', async () => {
    const team = await setUpTeam(ctx, 'Fresh');
    const result = await teamReport(ctx, team, { withComments: false });
    expect(result.kind === 'report' && result.report.firstCloseAt?.toISOString()).toBe('2026-03-13T09:00:00.000Z');
    // Once a round is open, its own close time is the one that counts.
    const opened = await openRound(ctx, team, { origin: 'ad-hoc' });
    const again = await teamReport(ctx, team, { withComments: false });
    expect(opened.kind).toBe('opened');
    expect(again.kind === 'report' && again.report.firstCloseAt?.getTime()).toBe(opened.kind === 'opened' && opened.round.closesAt.getTime());
  });
});

describe('privacy operations', () => {
  it('forget-me erases answers and open comments but leaves closed tallies and closed comments (and so every view) as they were', async () => {
    const { team, round } = await openFor('Payments');
    await answerAs(ctx, round.id, ['1', '2', '3', '3', '4']);
    const me = { platform: 'slack' as const, workspaceId: 'T1', userId: 'U1' };
    const origin = await roundOrigin(ctx, round.id);
    await recordComment(ctx, me, round.id, 'mine', origin);
    await recordComment(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U2' }, round.id, 'theirs', origin);
    expect((await storedComments(ctx.store, round.id)).map((row) => row.respondentKey)).toEqual([respondentKey(ctx.respondentSecret, me), respondentKey(ctx.respondentSecret, { ...me, userId: 'U2' })]);
    ctx.clock.advance(60_000);
    await closeOpenRound(ctx, team);
    // At close the comments lost their keys and their times became the close time.
    const closedAt = (await ctx.store.findRound(round.id))!.closedAt!;
    expect(closedAt.getTime()).toBe(ctx.clock.now().getTime());
    expect(await storedComments(ctx.store, round.id)).toEqual([
      { respondentKey: null, text: 'mine', createdAt: closedAt, updatedAt: closedAt },
      { respondentKey: null, text: 'theirs', createdAt: closedAt, updatedAt: closedAt },
    ]);
    const before = await teamReport(ctx, team, { withComments: true });
    expect(before.kind === 'report' && before.report.comments?.[0]?.texts.length).toBe(2);
    expect(await forgetMe(ctx, me, CLI_ACTOR)).toEqual({ answers: 1, comments: 0 });
    expect(await ctx.store.answersOfRespondent(respondentKey(ctx.respondentSecret, me))).toEqual([]);
    const after = await teamReport(ctx, team, { withComments: true });
    const sorted = (result: typeof before) => (result.kind === 'report' ? { ...result.report, comments: result.report.comments?.map((group) => ({ ...group, texts: [...group.texts].sort() })) } : null);
    expect(sorted(after)).toEqual(sorted(before));
    const audit = await ctx.store.recentAudit();
    expect(audit.map((row) => row.action)).toContain('respondent.forget');
  });

  it('retention deletes old answers once their rounds left every window, keeping tallies', async () => {
    const team = await setUpTeam(ctx, 'Payments');
    const roundIds: number[] = [];
    for (let week = 0; week < 5; week += 1) {
      const opened = await openRound(ctx, team, { origin: 'ad-hoc', aspectId: 'investment' });
      if (opened.kind !== 'opened') throw new Error(opened.kind);
      roundIds.push(opened.round.id);
      await answerAs(ctx, opened.round.id, ['1', '2', '3']);
      await closeOpenRound(ctx, team);
      ctx.clock.advance(7 * DAY);
    }
    ctx.clock.advance(400 * DAY);
    const removed = await applyRetention(ctx, 365);
    // The last three rounds still make up the investment level, so only the first two lose their answers.
    expect(removed).toEqual({ rounds: 2, answers: 6, comments: 0 });
    const answered = await Promise.all(roundIds.map(async (roundId) => ({ roundId, answers: await ctx.store.countAnswers(roundId) })));
    expect(answered.map((entry) => entry.answers)).toEqual([0, 0, 3, 3, 3]);
    expect((await ctx.store.findRound(roundIds[0]!))?.tally?.respondents).toBe(3);
  });
});

describe('outbox', () => {
  it('posts the round, then edits it and replies in its thread, each exactly once', async () => {
    const messenger = new ScriptedMessenger();
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]));
    const { team, round } = await openFor('Payments');
    await answerAs(ctx, round.id, ['2', '3', '3']);
    await closeOpenRound(ctx, team);
    await drainer.drain();
    await drainer.drain();
    expect(messenger.sent.map((sent) => sent.message.kind)).toEqual(['round-opened', 'round-closed', 'round-result']);
    const [opened, closed, result] = messenger.sent;
    expect(closed?.context.replaces).toBe('msg-1');
    expect(result?.context.threadOf).toBe('msg-1');
    expect(opened?.message.kind === 'round-opened' && opened.message.round.options).toHaveLength(5);
  });

  it('waits for Retry-After on a rate limit and sends afterwards', async () => {
    const messenger = new ScriptedMessenger().then({ kind: 'retry', reason: 'ratelimited', retryAfterMs: 30_000 });
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]));
    await openFor('Payments');
    expect(await drainer.drain()).toMatchObject({ sent: 0, retried: 1 });
    ctx.clock.advance(29_000);
    expect(await drainer.drain()).toMatchObject({ sent: 0 });
    ctx.clock.advance(1_000);
    expect(await drainer.drain()).toMatchObject({ sent: 1 });
    expect(messenger.sent).toHaveLength(1);
  });

  it('pauses a team whose channel is gone, once, without retrying', async () => {
    const messenger = new ScriptedMessenger().then({ kind: 'failed', reason: 'channel_not_found', pauseTeam: true });
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]));
    const { team } = await openFor('Payments');
    expect(await drainer.drain()).toMatchObject({ failed: 1 });
    ctx.clock.advance(DAY);
    expect(await drainer.drain()).toMatchObject({ sent: 0, failed: 0 });
    expect((await ctx.store.findTeamById(team.id))?.pausedUntil).toBe(INDEFINITE_PAUSE);
    expect(ctx.lines.filter((line) => line.includes('cannot post to this channel'))).toHaveLength(1);
  });

  it('drops result posts when the round message never made it', async () => {
    const messenger = new ScriptedMessenger().then({ kind: 'failed', reason: 'is_archived', pauseTeam: true });
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]));
    const { team } = await openFor('Payments');
    await drainer.drain();
    await closeOpenRound(ctx, team);
    await drainer.drain();
    expect(messenger.sent).toHaveLength(0);
    expect((await ctx.store.listDeliveries()).map((delivery) => [delivery.kind, delivery.status])).toEqual([
      ['round-opened', 'failed'],
      ['round-closed', 'cancelled'],
      ['round-result', 'cancelled'],
    ]);
  });

  it('posts the result on its own when the round message was given up after interrupted sends', async () => {
    const messenger = new ScriptedMessenger();
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]));
    const { team, round } = await openFor('Payments');
    // The process dies mid-send again and again, and recovery gives the post up: it may exist, its ts is lost.
    const opening = (await ctx.store.listDeliveries({ roundId: round.id }))[0]!;
    let abandoned = 0;
    for (let interruption = 0; interruption <= MAX_UNCERTAIN_RESENDS && abandoned === 0; interruption += 1) {
      expect((await ctx.store.claimDueDeliveries(ctx.clock.now(), ['slack'], 10)).map((delivery) => delivery.id)).toEqual([opening.id]);
      await ctx.store.markDeliverySending(opening.id);
      abandoned = (await ctx.store.recoverInterruptedDeliveries(ctx.clock.now())).abandoned.length;
    }
    expect(await ctx.store.findDeliveryById(opening.id)).toMatchObject({ kind: 'round-opened', status: 'failed', resends: MAX_UNCERTAIN_RESENDS, messageRef: null });
    await answerAs(ctx, round.id, ['2', '3', '3']);
    await closeOpenRound(ctx, team);
    await drainer.drain();
    expect(messenger.sent.map((sent) => [sent.message.kind, sent.context.threadOf, sent.context.replaces])).toEqual([['round-result', null, null]]);
    expect((await ctx.store.listDeliveries()).map((delivery) => [delivery.kind, delivery.status])).toEqual([
      ['round-opened', 'failed'],
      ['round-closed', 'cancelled'],
      ['round-result', 'sent'],
    ]);
    expect(ctx.lines.filter((line) => line.includes('posting it on its own'))).toHaveLength(1);
  });

  it('keeps the channel size the platform reports with a round, and the digest turns it into a response rate', async () => {
    const messenger = new ScriptedMessenger().then({ kind: 'sent', messageRef: 'posted', audience: 10 });
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]));
    const { team, round } = await openFor('Payments');
    await drainer.drain();
    expect((await ctx.store.findTeamById(team.id))?.memberCount).toBe(10);
    await answerAs(ctx, round.id, ['1', '2', '2', '3', 'unknown']);
    await closeOpenRound(ctx, team);
    ctx.clock.advance(DAY);
    const section = (await computeOrgDigest(ctx, ctx.clock.now(), undefined)).sections[0];
    expect(section?.participation).toMatchObject({ respondents: 5, responseRate: 0.5 });
  });

  it("leaves other platforms' deliveries alone", async () => {
    const teams = new ScriptedMessenger('teams');
    const drainer = new OutboxDrainer(ctx, new Map([['teams', teams]]));
    await openFor('Payments');
    expect(await drainer.drain()).toMatchObject({ sent: 0 });
    expect(await ctx.store.listDeliveries({ status: 'pending' })).toHaveLength(1);
  });
});

describe('stopping the outbox', () => {
  it('finishes the send under way, starts no other, and leaves the rest pending for the next process', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => undefined;
    const onWire = new Promise<void>((resolve) => {
      started = resolve;
    });
    const platform = new ScriptedMessenger();
    // The first send stays on the wire until the test lets it finish, like a slow platform call.
    const slow = {
      platform: 'slack' as const,
      send: async (...args: Parameters<ScriptedMessenger['send']>) => {
        await args[2].beginSend();
        if (platform.sent.length === 0) {
          started();
          await held;
        }
        return platform.send(...args);
      },
    };
    const drainer = new OutboxDrainer(ctx, new Map([['slack', slow]]), { concurrency: 1 });
    for (const name of ['One', 'Two', 'Three']) await openFor(name);
    const draining = drainer.drain();
    await onWire;
    expect((await ctx.store.listDeliveries()).map((delivery) => delivery.status)).toEqual(['sending', 'claimed', 'claimed']);
    const stopped = drainer.stop();
    release();
    await stopped;
    await draining;
    expect(platform.sent).toHaveLength(1);
    expect((await ctx.store.listDeliveries()).map((delivery) => [delivery.status, delivery.attempts])).toEqual([
      ['sent', 1],
      ['pending', 0],
      ['pending', 0],
    ]);
    expect(await drainer.drain()).toMatchObject({ sent: 0 });
  });
});

describe('rate limits across a workspace', () => {
  it('holds every send to the workspace until Retry-After, instead of earning more 429s', async () => {
    let calls = 0;
    const messenger = new ScriptedMessenger().then(() => {
      calls += 1;
      return { kind: 'retry', reason: 'ratelimited', retryAfterMs: 10_000 };
    });
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]), { concurrency: 1 });
    for (const name of ['One', 'Two', 'Three']) await openFor(name);
    expect(await drainer.drain()).toMatchObject({ sent: 0, retried: 1, waiting: 2 });
    expect(calls).toBe(1);
    ctx.clock.advance(10_000);
    expect(await drainer.drain()).toMatchObject({ sent: 3 });
    const delivered = await ctx.store.listDeliveries();
    expect(delivered.map((delivery) => delivery.status)).toEqual(['sent', 'sent', 'sent']);
    // Only the send that met the 429 counts an attempt; the held ones were never tried early.
    expect(delivered.map((delivery) => delivery.attempts).sort()).toEqual([1, 1, 2]);
  });
});
