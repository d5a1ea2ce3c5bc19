import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { respondentKey } from '../../src/core/respondent-key.js';
import { periodOfRoundKey } from '../../src/core/schedule.js';
import { INDEFINITE_PAUSE } from '../../src/core/team.js';
import { OutboxDrainer } from '../../src/scheduler/outbox-drainer.js';
import { recordAnswerBatched } from '../../src/services/answer-batch.js';
import { applyRetention, forgetMe } from '../../src/services/privacy-service.js';
import { closedRoundOutcome, computeOrgDigest, shuffled, teamReport } from '../../src/services/report-service.js';
import { closeDueRounds, closeOpenRound, openRound, recordAnswer, recordComment } from '../../src/services/round-service.js';
import { answersOfRespondent, closedRoundComments } from '../../src/storage/answer-repository.js';
import { listDeliveries } from '../../src/storage/delivery-repository.js';
import { findRound } from '../../src/storage/round-repository.js';
import { findTeamById } from '../../src/storage/team-repository.js';
import { buildSurvey, DAY } from '../support/factories.js';
import { ScriptedMessenger } from '../support/scripted-messenger.js';
import { answerAs, CLI_ACTOR, roundOrigin, setUpTeam } from '../support/seed.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const survey = buildSurvey();
let ctx: TestContext;
beforeEach(() => {
  ctx = createTestContext({ surveys: [survey], now: '2026-03-02T09:30:00Z' });
});
afterEach(() => ctx.close());

function openFor(name: string) {
  const team = setUpTeam(ctx, name);
  const opened = openRound(ctx, team, { origin: 'ad-hoc' });
  if (opened.kind !== 'opened') throw new Error(opened.kind);
  return { team, round: opened.round };
}

describe('a round from open to result', () => {
  it('records answers under respondent keys, lets people change them, and freezes the tally at close', () => {
    const { team, round } = openFor('Payments');
    answerAs(ctx, round.id, ['2', '3', '3', 'unknown']);
    const changed = recordAnswer(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U1' }, round.id, '4', roundOrigin(ctx, round.id));
    expect(changed).toMatchObject({ kind: 'recorded', changed: true, option: { level: 4 } });
    const raw = ctx.db.$client.prepare('select respondent_key from answers').all() as { respondent_key: string }[];
    expect(raw.map((row) => row.respondent_key)).not.toContain('U1');
    expect(raw.map((row) => row.respondent_key)).toContain(respondentKey(ctx.respondentSecret, { platform: 'slack', workspaceId: 'T1', userId: 'U1' }));

    ctx.clock.advance(4 * DAY);
    const closed = closeDueRounds(ctx);
    expect(closed.map((r) => r.id)).toEqual([round.id]);
    expect(findRound(ctx.db, round.id)?.tally).toEqual({ respondents: 4, unknown: 1, levelCounts: [0, 0, 2, 1] });
    expect(recordAnswer(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U9' }, round.id, '1', roundOrigin(ctx, round.id)).kind).toBe('round-closed');
    // Four answered, below the comment threshold: the result gives that count and the mean, nothing more.
    expect(closedRoundOutcome(ctx, findRound(ctx.db, round.id)!)).toMatchObject({ kind: 'figure', value: 3.3, respondents: 4, agreement: null });

    const report = teamReport(ctx, team, { withComments: false });
    expect(report.kind === 'report' && report.report.aspects[0]?.status).toMatchObject({ kind: 'level', figure: { value: 3.3 } });
    expect(listDeliveries(ctx.db, { roundId: round.id }).map((delivery) => delivery.kind)).toEqual(['round-opened', 'round-closed', 'round-result']);
  });

  it('refuses answers after the close time even before the tick has closed the round', () => {
    const { round } = openFor('Payments');
    ctx.clock.set(round.closesAt);
    expect(recordAnswer(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U1' }, round.id, '1', roundOrigin(ctx, round.id))).toMatchObject({ kind: 'round-closed' });
  });

  it('keeps one open round per team and one scheduled round per period; a lead may still ask again', () => {
    const { team, round } = openFor('Payments');
    expect(openRound(ctx, team, { origin: 'ad-hoc' }).kind).toBe('already-open');
    expect(closeOpenRound(ctx, team).kind).toBe('closed');
    // The schedule never doubles a period…
    const scheduled = openRound(ctx, team, { origin: 'scheduled' });
    expect(scheduled).toMatchObject({ kind: 'period-taken' });
    if (scheduled.kind === 'period-taken') expect(scheduled.nextOpensAt.toISOString()).toBe('2026-03-09T09:00:00.000Z');
    // …but a lead's ask opens an extra round of the same period.
    const again = openRound(ctx, team, { origin: 'ad-hoc' });
    expect(again.kind).toBe('opened');
    if (again.kind === 'opened') {
      expect(again.round.periodKey.startsWith(`${round.periodKey}~`)).toBe(true);
      expect(periodOfRoundKey(again.round.periodKey)).toBe(round.periodKey);
    }
    expect(closeOpenRound(ctx, team).kind).toBe('closed');
    expect(openRound(ctx, team, { origin: 'scheduled' }).kind).toBe('period-taken');
    expect(closeOpenRound(ctx, team).kind).toBe('none-open');
  });

  it('asks about the requested aspect and rejects unknown ones', () => {
    const team = setUpTeam(ctx, 'Payments');
    expect(openRound(ctx, team, { origin: 'ad-hoc', aspectId: 'nope' })).toMatchObject({ kind: 'unknown-aspect', known: ['investment', 'adoption', 'interfaces'] });
    expect(openRound(ctx, team, { origin: 'ad-hoc', aspectId: 'adoption' })).toMatchObject({ kind: 'opened', round: { question: { aspectId: 'adoption' } } });
  });

  it('lets authors edit and remove comments until close', () => {
    const { team, round } = openFor('Payments');
    const author = { platform: 'slack' as const, workspaceId: 'T1', userId: 'U1' };
    expect(recordComment(ctx, author, round.id, 'first thought', roundOrigin(ctx, round.id)).kind).toBe('saved');
    expect(recordComment(ctx, author, round.id, 'second thought', roundOrigin(ctx, round.id)).kind).toBe('saved');
    expect(recordComment(ctx, author, round.id, 'x'.repeat(1001), roundOrigin(ctx, round.id))).toMatchObject({ kind: 'too-long', max: 1000 });
    answerAs(ctx, round.id, ['1', '2', '3', '4', '2']);
    closeOpenRound(ctx, team);
    expect(closedRoundComments(ctx.db, team.id).map((comment) => comment.text)).toEqual(['second thought']);
    expect(recordComment(ctx, author, round.id, '', roundOrigin(ctx, round.id))).toMatchObject({ kind: 'round-closed' });
    const lead = teamReport(ctx, team, { withComments: true });
    expect(lead.kind === 'report' && lead.report.comments).toEqual([{ aspectId: 'investment', aspectName: 'Investment', texts: ['second thought'] }]);
  });
});

describe('answers clicked at the same moment', () => {
  const user = (id: string) => ({ platform: 'slack' as const, workspaceId: 'T1', userId: id });

  it('are all stored in click order, and readable by another connection once settled', async () => {
    const { round } = openFor('Payments');
    const clicks = Array.from({ length: 40 }, (_, index) => recordAnswerBatched(ctx, user(`U${index % 30}`), round.id, String(1 + (index % 4)), roundOrigin(ctx, round.id)));
    const outcomes = await Promise.all(clicks);
    expect(outcomes.every((outcome) => outcome.kind === 'recorded')).toBe(true);
    // U0 clicked option 1 and then, ten clicks later in the same batch, option 3: the later click wins.
    expect(outcomes[30]).toMatchObject({ kind: 'recorded', changed: true });
    const reader = new Database(path.join(ctx.dir, 'test.db'), { readonly: true });
    try {
      expect(reader.prepare('select count(*) as n from answers where round_id = ?').get(round.id)).toEqual({ n: 30 });
      const key = respondentKey(ctx.respondentSecret, user('U0'));
      expect(reader.prepare('select option_id from answers where round_id = ? and respondent_key = ?').get(round.id, key)).toEqual({ option_id: '3' });
    } finally {
      reader.close();
    }
  });

  it('keeps the others when one answer in the batch fails to store', async () => {
    const { round } = openFor('Payments');
    const failing = respondentKey(ctx.respondentSecret, user('U2'));
    // A real SQLite failure for one respondent, as a full disk or a broken row would give.
    ctx.db.$client.exec(`create trigger refuse_one before insert on answers when new.respondent_key = '${failing}' begin select raise(abort, 'refused for the test'); end`);
    const settled = await Promise.allSettled(['U1', 'U2', 'U3'].map((id) => recordAnswerBatched(ctx, user(id), round.id, '2', roundOrigin(ctx, round.id))));
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(answersOfRound(round.id)).toBe(2);
  });

  it('refuses a click after the close time like a single answer does', async () => {
    const { round } = openFor('Payments');
    ctx.clock.advance(5 * DAY);
    await expect(recordAnswerBatched(ctx, user('U1'), round.id, '1', roundOrigin(ctx, round.id))).resolves.toMatchObject({ kind: 'round-closed' });
  });
});

function answersOfRound(roundId: number): number {
  return (ctx.db.$client.prepare('select count(*) as n from answers where round_id = ?').get(roundId) as { n: number }).n;
}

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
  it('says when the first scheduled round closes, before any round was asked', () => {
    const team = setUpTeam(ctx, 'Fresh');
    const result = teamReport(ctx, team, { withComments: false });
    expect(result.kind === 'report' && result.report.firstCloseAt?.toISOString()).toBe('2026-03-13T09:00:00.000Z');
    // Once a round is open, its own close time is the one that counts.
    const opened = openRound(ctx, team, { origin: 'ad-hoc' });
    const again = teamReport(ctx, team, { withComments: false });
    expect(opened.kind === 'opened' && again.kind === 'report' && again.report.firstCloseAt?.getTime()).toBe(opened.kind === 'opened' && opened.round.closesAt.getTime());
  });
});

describe('privacy operations', () => {
  it('forget-me erases answers and open comments but leaves closed tallies and closed comments (and so every view) as they were', () => {
    const { team, round } = openFor('Payments');
    answerAs(ctx, round.id, ['1', '2', '3', '3', '4']);
    const me = { platform: 'slack' as const, workspaceId: 'T1', userId: 'U1' };
    recordComment(ctx, me, round.id, 'mine', roundOrigin(ctx, round.id));
    recordComment(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U2' }, round.id, 'theirs', roundOrigin(ctx, round.id));
    closeOpenRound(ctx, team);
    // At close the comments lost their keys and their times became the close time.
    const rows = ctx.db.$client.prepare('select respondent_key, created_at, updated_at from comments where round_id = ?').all(round.id) as { respondent_key: string | null; created_at: number; updated_at: number }[];
    const closedAt = findRound(ctx.db, round.id)!.closedAt!.getTime();
    expect(rows).toEqual([
      { respondent_key: null, created_at: closedAt, updated_at: closedAt },
      { respondent_key: null, created_at: closedAt, updated_at: closedAt },
    ]);
    const before = teamReport(ctx, team, { withComments: true });
    expect(before.kind === 'report' && before.report.comments?.[0]?.texts.length).toBe(2);
    expect(forgetMe(ctx, me, CLI_ACTOR)).toEqual({ answers: 1, comments: 0 });
    expect(answersOfRespondent(ctx.db, respondentKey(ctx.respondentSecret, me))).toEqual([]);
    const after = teamReport(ctx, team, { withComments: true });
    const sorted = (result: typeof before) => (result.kind === 'report' ? { ...result.report, comments: result.report.comments?.map((group) => ({ ...group, texts: [...group.texts].sort() })) } : null);
    expect(sorted(after)).toEqual(sorted(before));
    const audit = ctx.db.$client.prepare('select action from audit_log').all() as { action: string }[];
    expect(audit.map((row) => row.action)).toContain('respondent.forget');
  });

  it('retention deletes old answers once their rounds left every window, keeping tallies', () => {
    const team = setUpTeam(ctx, 'Payments');
    const roundIds: number[] = [];
    for (let week = 0; week < 5; week += 1) {
      const opened = openRound(ctx, team, { origin: 'ad-hoc', aspectId: 'investment' });
      if (opened.kind !== 'opened') throw new Error(opened.kind);
      roundIds.push(opened.round.id);
      answerAs(ctx, opened.round.id, ['1', '2', '3']);
      closeOpenRound(ctx, team);
      ctx.clock.advance(7 * DAY);
    }
    ctx.clock.advance(400 * DAY);
    const removed = applyRetention(ctx, 365);
    // The last three rounds still make up the investment level, so only the first two lose their answers.
    expect(removed).toEqual({ rounds: 2, answers: 6, comments: 0 });
    const remaining = ctx.db.$client.prepare('select distinct round_id from answers order by round_id').all() as { round_id: number }[];
    expect(remaining.map((row) => row.round_id)).toEqual(roundIds.slice(2));
    expect(findRound(ctx.db, roundIds[0]!)?.tally?.respondents).toBe(3);
  });
});

describe('outbox', () => {
  it('posts the round, then edits it and replies in its thread, each exactly once', async () => {
    const messenger = new ScriptedMessenger();
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]));
    const { team, round } = openFor('Payments');
    answerAs(ctx, round.id, ['2', '3', '3']);
    closeOpenRound(ctx, team);
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
    openFor('Payments');
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
    const { team } = openFor('Payments');
    expect(await drainer.drain()).toMatchObject({ failed: 1 });
    ctx.clock.advance(DAY);
    expect(await drainer.drain()).toMatchObject({ sent: 0, failed: 0 });
    expect(findTeamById(ctx.db, team.id)?.pausedUntil).toBe(INDEFINITE_PAUSE);
    expect(ctx.lines.filter((line) => line.includes('cannot post to this channel'))).toHaveLength(1);
  });

  it('drops result posts when the round message never made it', async () => {
    const messenger = new ScriptedMessenger().then({ kind: 'failed', reason: 'is_archived', pauseTeam: true });
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]));
    const { team } = openFor('Payments');
    await drainer.drain();
    closeOpenRound(ctx, team);
    await drainer.drain();
    expect(messenger.sent).toHaveLength(0);
    expect(listDeliveries(ctx.db).map((delivery) => [delivery.kind, delivery.status])).toEqual([
      ['round-opened', 'failed'],
      ['round-closed', 'cancelled'],
      ['round-result', 'cancelled'],
    ]);
  });

  it('posts the result on its own when the round message was given up after interrupted sends', async () => {
    const messenger = new ScriptedMessenger();
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]));
    const { team, round } = openFor('Payments');
    // As recovery leaves it after the process died mid-send again and again: the post may exist, its ts is lost.
    ctx.db.$client.prepare("update deliveries set status = 'failed', resends = 5 where kind = 'round-opened'").run();
    answerAs(ctx, round.id, ['2', '3', '3']);
    closeOpenRound(ctx, team);
    await drainer.drain();
    expect(messenger.sent.map((sent) => [sent.message.kind, sent.context.threadOf, sent.context.replaces])).toEqual([['round-result', null, null]]);
    expect(listDeliveries(ctx.db).map((delivery) => [delivery.kind, delivery.status])).toEqual([
      ['round-opened', 'failed'],
      ['round-closed', 'cancelled'],
      ['round-result', 'sent'],
    ]);
    expect(ctx.lines.filter((line) => line.includes('posting it on its own'))).toHaveLength(1);
  });

  it('keeps the channel size the platform reports with a round, and the digest turns it into a response rate', async () => {
    const messenger = new ScriptedMessenger().then({ kind: 'sent', messageRef: 'posted', audience: 10 });
    const drainer = new OutboxDrainer(ctx, new Map([['slack', messenger]]));
    const { team, round } = openFor('Payments');
    await drainer.drain();
    expect(findTeamById(ctx.db, team.id)?.memberCount).toBe(10);
    answerAs(ctx, round.id, ['1', '2', '2', '3', 'unknown']);
    closeOpenRound(ctx, team);
    ctx.clock.advance(DAY);
    const section = computeOrgDigest(ctx, ctx.clock.now(), undefined).sections[0];
    expect(section?.participation).toMatchObject({ respondents: 5, responseRate: 0.5 });
  });

  it('leaves other platforms\' deliveries alone', async () => {
    const teams = new ScriptedMessenger('teams');
    const drainer = new OutboxDrainer(ctx, new Map([['teams', teams]]));
    openFor('Payments');
    expect(await drainer.drain()).toMatchObject({ sent: 0 });
    expect(listDeliveries(ctx.db, { status: 'pending' })).toHaveLength(1);
  });
});

describe('stopping the outbox', () => {
  it('finishes the send under way, starts no other, and leaves the rest pending for the next process', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const platform = new ScriptedMessenger();
    // The first send stays on the wire until the test lets it finish, like a slow platform call.
    const slow = {
      platform: 'slack' as const,
      send: async (...args: Parameters<ScriptedMessenger['send']>) => {
        args[2].beginSend();
        if (platform.sent.length === 0) await held;
        return platform.send(...args);
      },
    };
    const drainer = new OutboxDrainer(ctx, new Map([['slack', slow]]), { concurrency: 1 });
    for (const name of ['One', 'Two', 'Three']) openFor(name);
    const draining = drainer.drain();
    await new Promise((resolve) => setImmediate(resolve));
    expect(listDeliveries(ctx.db).map((delivery) => delivery.status)).toEqual(['sending', 'claimed', 'claimed']);
    const stopped = drainer.stop();
    release();
    await stopped;
    await draining;
    expect(platform.sent).toHaveLength(1);
    expect(listDeliveries(ctx.db).map((delivery) => [delivery.status, delivery.attempts])).toEqual([
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
    for (const name of ['One', 'Two', 'Three']) openFor(name);
    expect(await drainer.drain()).toMatchObject({ sent: 0, retried: 1, waiting: 2 });
    expect(calls).toBe(1);
    ctx.clock.advance(10_000);
    expect(await drainer.drain()).toMatchObject({ sent: 3 });
    const delivered = listDeliveries(ctx.db);
    expect(delivered.map((delivery) => delivery.status)).toEqual(['sent', 'sent', 'sent']);
    // Only the send that met the 429 counts an attempt; the held ones were never tried early.
    expect(delivered.map((delivery) => delivery.attempts).sort()).toEqual([1, 1, 2]);
  });
});
