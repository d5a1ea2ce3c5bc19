import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_UNCERTAIN_RESENDS } from '../../src/core/outbox.js';
import { snapshotQuestion } from '../../src/core/round.js';
import { openStore } from '../../src/storage/open-store.js';
import { LeaseLostError, type Fence, type NewTeam } from '../../src/storage/records.js';
import type { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { buildSurvey } from '../support/factories.js';
import { engineDb } from '../support/seed.js';
import { createTestContext, tempDir, testEngine, type TestContext } from '../support/test-context.js';

const survey = buildSurvey();
let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext({ surveys: [survey] });
});
afterEach(async () => {
  await ctx.close();
});

const cadence = { everyWeeks: 1 as const, weekday: 1, localTime: '10:00', timeZone: 'UTC', roundLengthHours: 96, anchorWeek: '2026-W10' };

function teamInput(name: string, channelId: string): NewTeam {
  return { name, channel: { platform: 'slack', workspaceId: 'T1', channelId }, surveyId: survey.id, cadence, createdAt: new Date() };
}

async function newTeam(name: string, channelId: string) {
  const result = await ctx.store.insertTeam(teamInput(name, channelId));
  if (result.kind !== 'created') throw new Error(result.kind);
  return result.team;
}

function roundInput(teamId: number, periodKey: string) {
  const aspect = survey.aspects[0]!;
  return {
    teamId,
    surveyId: survey.id,
    surveyHash: 'hash',
    question: snapshotQuestion(survey, aspect, aspect.questions[0]!),
    periodKey,
    origin: 'scheduled' as const,
    openedAt: new Date('2026-03-02T10:00:00Z'),
    closesAt: new Date('2026-03-06T10:00:00Z'),
  };
}

function newRound(teamId: number, periodKey: string) {
  return ctx.store.insertRound(roundInput(teamId, periodKey));
}

async function teamNames(): Promise<string[]> {
  return (await ctx.store.listTeams()).map((team) => team.name);
}

/** An error's message with those of its causes (drizzle wraps the engine's error in a "Failed query" one). */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) parts.push(current.message);
  return parts.join(' <- ');
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, and it succeeded');
}

describe('database', () => {
  it.skipIf(testEngine() === 'postgres')('runs in WAL mode with foreign keys and a busy timeout (SQLite)', () => {
    const client = (ctx.store as SqliteStore).db.$client;
    expect(client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(client.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(client.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
  });

  it.skipIf(testEngine() === 'sqlite')('runs transactions at READ COMMITTED and names its connections (PostgreSQL)', async () => {
    const target = engineDb(ctx.store);
    if (target.engine !== 'postgres') throw new Error('not PostgreSQL');
    // The row locks the store takes (findRoundForWrite, assertLease, claimDueDeliveries) are designed for READ COMMITTED.
    expect((await target.db.$client.query<{ transaction_isolation: string }>('show transaction_isolation')).rows).toEqual([{ transaction_isolation: 'read committed' }]);
    expect((await target.db.$client.query<{ application_name: string }>('show application_name')).rows).toEqual([{ application_name: 'maturity-pulse' }]);
  });

  it('enforces foreign keys: a round or an answer pointing at nothing is refused', async () => {
    await expect(newRound(999_999, '2026-W10')).rejects.toThrow();
    const team = await newTeam('Payments', 'C1');
    expect(await ctx.store.findOpenRound(team.id)).toBeNull();
    await expect(ctx.store.upsertAnswer({ roundId: 999_999, respondentKey: 'k1', optionId: '1', level: 1, at: new Date() })).rejects.toThrow();
    expect(await ctx.store.findAnswer(999_999, 'k1')).toBeNull();
  });

  it.skipIf(testEngine() === 'postgres')('explains an unopenable path in one sentence, without hanging on /proc (SQLite)', async () => {
    const file = path.join(ctx.dir, 'test.db', 'nested', 'x.db');
    await expect(openStore({ engine: 'sqlite', path: file })).rejects.toThrow(/^Cannot open the database at .*x\.db: /);
    await expect(openStore({ engine: 'sqlite', path: '/proc/no-such-dir/x.db' })).rejects.toThrow(/^Cannot open the database at \/proc\/no-such-dir\/x\.db/);
  });

  it.skipIf(testEngine() === 'sqlite')('explains an unreachable server or a missing database in one sentence, without the password (PostgreSQL)', async () => {
    const unreachable = await failure(openStore({ engine: 'postgres', url: 'postgres://pulse:s3cret-pw@127.0.0.1:1/pulse', poolSize: 1 }));
    expect(unreachable).toBeInstanceOf(Error);
    expect((unreachable as Error).message).toMatch(/^Cannot connect to the PostgreSQL database at .*127\.0\.0\.1:1\/pulse: /);
    expect(messages(unreachable)).not.toContain('s3cret-pw');
    if (ctx.storage.target.engine !== 'postgres') throw new Error('not PostgreSQL');
    const missing = new URL(ctx.storage.target.url);
    missing.pathname = '/no_such_database';
    await expect(openStore({ engine: 'postgres', url: missing.toString(), poolSize: 1 })).rejects.toThrow(/^Cannot connect to the PostgreSQL database at .*no_such_database: .*"no_such_database" does not exist/);
  });

  // An online copy of the file is SQLite's (SqliteStore.backup); PostgreSQL is backed up with pg_dump, outside the bot.
  it.skipIf(testEngine() === 'postgres')('backs up online to a file that opens with the same data (SQLite)', async () => {
    await newTeam('Payments', 'C1');
    const { dir, cleanup } = tempDir();
    try {
      await (ctx.store as SqliteStore).backup(path.join(dir, 'copy.db'));
      const copy = await openStore({ engine: 'sqlite', path: path.join(dir, 'copy.db') });
      try {
        expect((await copy.listTeams()).map((team) => team.name)).toEqual(['Payments']);
      } finally {
        await copy.close();
      }
    } finally {
      cleanup();
    }
  });
});

describe('invariants held by the schema', () => {
  it('one team per channel and unique names ignoring case', async () => {
    await newTeam('Payments', 'C1');
    expect((await ctx.store.insertTeam(teamInput('PAYMENTS', 'C2'))).kind).toBe('name-taken');
    expect((await ctx.store.insertTeam(teamInput('Other', 'C1'))).kind).toBe('channel-taken');
    expect(await teamNames()).toEqual(['Payments']);
  });

  it('one open round per team, one round per period', async () => {
    const team = await newTeam('Payments', 'C1');
    const first = await newRound(team.id, '2026-W10');
    expect(first.kind).toBe('opened');
    expect((await newRound(team.id, '2026-W11')).kind).toBe('already-open');
    if (first.kind !== 'opened') return;
    expect(await ctx.store.closeRound(first.round.id, new Date('2026-03-06T10:00:00Z'))).toMatchObject({ id: first.round.id, status: 'closed' });
    expect((await newRound(team.id, '2026-W10')).kind).toBe('period-taken');
    expect((await newRound(team.id, '2026-W11')).kind).toBe('opened');
  });

  it('one answer per respondent per round; the latest counts and changes are counted', async () => {
    const team = await newTeam('Payments', 'C1');
    const opened = await newRound(team.id, '2026-W10');
    if (opened.kind !== 'opened') throw new Error('not opened');
    const at = new Date('2026-03-03T10:00:00Z');
    expect(await ctx.store.upsertAnswer({ roundId: opened.round.id, respondentKey: 'k1', optionId: '1', level: 1, at })).toMatchObject({ optionId: '1', changes: 0, previousOptionId: null });
    expect(await ctx.store.upsertAnswer({ roundId: opened.round.id, respondentKey: 'k1', optionId: '3', level: 3, at })).toMatchObject({ optionId: '3', level: 3, changes: 1, previousOptionId: '1' });
    const again = await ctx.store.upsertAnswer({ roundId: opened.round.id, respondentKey: 'k1', optionId: '3', level: 3, at });
    expect(again).toMatchObject({ changes: 1, previousOptionId: '3' });
    await ctx.store.upsertAnswer({ roundId: opened.round.id, respondentKey: 'k2', optionId: 'unknown', level: null, at });
    expect(await ctx.store.countAnswers(opened.round.id)).toBe(2);
    const closed = await ctx.store.closeRound(opened.round.id, new Date('2026-03-06T10:00:00Z'));
    expect(closed?.tally).toEqual({ respondents: 2, unknown: 1, levelCounts: [0, 0, 1, 0] });
    expect(await ctx.store.closeRound(opened.round.id, new Date('2026-03-06T11:00:00Z'))).toBeNull();
    expect(await ctx.store.closedTallies(team.id, survey.id)).toHaveLength(1);
    expect((await ctx.store.answersOfRespondent('k1')).map((answer) => answer.optionId)).toEqual(['3']);
  });

  it('one delivery per target, period and kind', async () => {
    const target = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
    const intent = { target, periodKey: 'digest-2026-W10', payload: { kind: 'digest' as const, at: '2026-03-02T09:00:00.000Z' }, teamId: null, roundId: null, at: new Date() };
    expect((await ctx.store.enqueueDelivery(intent)).created).toBe(true);
    expect((await ctx.store.enqueueDelivery(intent)).created).toBe(false);
    expect(await ctx.store.listDeliveries()).toHaveLength(1);
  });

  it('a lead role needs a team, org roles must not have one, and grants are idempotent', async () => {
    const team = await newTeam('Payments', 'C1');
    const user = { platform: 'slack' as const, workspaceId: 'T1', userId: 'U1' };
    expect(await ctx.store.grantRole(user, { role: 'lead', teamId: team.id }, 'U0', new Date())).toBe(true);
    expect(await ctx.store.grantRole(user, { role: 'lead', teamId: team.id }, 'U0', new Date())).toBe(false);
    expect(await ctx.store.grantRole(user, { role: 'admin', teamId: null }, 'U0', new Date())).toBe(true);
    expect(await ctx.store.grantRole(user, { role: 'admin', teamId: null }, 'U0', new Date())).toBe(false);
    // A lead without a team reaches the database as it is, and its check refuses it.
    const other = { platform: 'slack' as const, workspaceId: 'T1', userId: 'U2' };
    expect(messages(await failure(ctx.store.grantRole(other, { role: 'lead', teamId: null }, 'x', new Date())))).toMatch(/check constraint.*roles_lead_scope_check|roles_lead_scope_check.*check constraint/i);
    expect(await ctx.store.grantsFor(other)).toEqual([]);
    expect(await ctx.store.grantsFor(user)).toHaveLength(2);
    expect(await ctx.store.revokeRole(user, { role: 'lead', teamId: team.id })).toBe(true);
    expect(await ctx.store.grantsFor(user)).toEqual([{ role: 'admin', teamId: null }]);
  });
});

/**
 * The lease's clock. SQLite takes the caller's `now` (one machine), so the test moves it by hand;
 * PostgreSQL keeps its own (`clock_timestamp()`) and ignores `now`, so there the test waits for real.
 */
function leaseClock(): { now(): Date; until(at: Date): Promise<void> } {
  if (testEngine() === 'sqlite') {
    let current = Date.now();
    return {
      now: () => new Date(current),
      until: (at) => {
        current = Math.max(current, at.getTime());
        return Promise.resolve();
      },
    };
  }
  return {
    now: () => new Date(),
    until: async (at) => {
      const wait = at.getTime() - Date.now();
      if (wait > 0) await sleep(wait);
    },
  };
}

describe('lease', () => {
  const name = 'scheduler';
  const ttlMs = 3_000;

  function taker(clock: ReturnType<typeof leaseClock>) {
    return (holder: string, takeOverFrom: string | null = null) => ctx.store.acquireLease({ name, holder, takeOverFrom, ttlMs, now: clock.now() });
  }

  it('goes to one holder at a time and passes on when it expires or is released', async () => {
    const clock = leaseClock();
    const take = taker(clock);
    const first = await take('a');
    expect(first).toMatchObject({ held: true, newlyAcquired: true, holder: 'a', token: 1 });
    expect(await take('b')).toMatchObject({ held: false, newlyAcquired: false, holder: 'a', token: 1 });
    // a renews halfway through, so it holds past its first expiry.
    await clock.until(new Date(first.expiresAt.getTime() - ttlMs / 2));
    const renewed = await take('a');
    expect(renewed).toMatchObject({ held: true, newlyAcquired: false, holder: 'a', token: 1 });
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(first.expiresAt.getTime());
    await clock.until(new Date(first.expiresAt.getTime() + 10));
    expect(await take('b')).toMatchObject({ held: false, holder: 'a', token: 1 });
    // Once the renewed lease has run out, b takes it: a new holder, a new token.
    await clock.until(new Date(renewed.expiresAt.getTime() + 10));
    const second = await take('b');
    expect(second).toMatchObject({ held: true, newlyAcquired: true, holder: 'b', token: 2 });
    // Only the holder can release it; a release keeps the row (and its token) and lets the lease expire.
    await ctx.store.releaseLease(name, 'a');
    expect(await ctx.store.readLease(name)).toEqual({ holder: 'b', expiresAt: second.expiresAt, token: 2 });
    await ctx.store.releaseLease(name, 'b');
    expect(await ctx.store.readLease(name)).toEqual({ holder: 'b', expiresAt: new Date(0), token: 2 });
    expect(await take('a')).toMatchObject({ held: true, newlyAcquired: true, holder: 'a', token: 3 });
  });

  it('raises the token only when the holder changes; takeOverFrom takes over at once, from that holder only', async () => {
    const clock = leaseClock();
    const take = taker(clock);
    expect(await ctx.store.readLease(name)).toBeNull();
    const a = await take('a');
    expect(a).toMatchObject({ held: true, token: 1 });
    expect(await take('b')).toMatchObject({ held: false, holder: 'a', token: 1 });
    // A holder that is not a's earlier incarnation cannot take it early.
    expect(await take('c', 'someone-else')).toMatchObject({ held: false, holder: 'a', token: 1 });
    // b names a as its earlier incarnation: it takes the unexpired lease at once.
    const b = await take('b', 'a');
    expect(b).toMatchObject({ held: true, newlyAcquired: true, holder: 'b', token: 2 });
    expect(a.expiresAt.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(await take('a')).toMatchObject({ held: false, newlyAcquired: false, holder: 'b', token: 2 });
    // Renewing (with or without a takeOverFrom) keeps the token.
    expect(await take('b')).toMatchObject({ held: true, newlyAcquired: false, token: 2 });
    expect(await take('b', 'a')).toMatchObject({ held: true, newlyAcquired: false, token: 2 });
    // a no longer holds it, so naming a gives c nothing.
    expect(await take('c', 'a')).toMatchObject({ held: false, holder: 'b', token: 2 });
    expect(await ctx.store.readLease(name)).toMatchObject({ holder: 'b', token: 2 });
  });

  it('lets a fenced transaction commit only under the current token; a stale one throws LeaseLostError and writes nothing', async () => {
    const take = taker(leaseClock());
    const a = await take('a');
    const aFence: Fence = { name, token: a.token };
    expect(await ctx.store.transaction(async (tx) => (await tx.insertTeam(teamInput('Before', 'C1'))).kind, { fence: aFence })).toBe('created');
    await ctx.store.assertLease(aFence);

    const b = await take('b', 'a');
    expect(b.token).toBe(a.token + 1);
    let ran = false;
    const lost = await failure(
      ctx.store.transaction(
        async (tx) => {
          ran = true;
          await tx.insertTeam(teamInput('After', 'C2'));
          await tx.enqueueDelivery({ target: { platform: 'slack', workspaceId: 'T1', channelId: 'C2' }, periodKey: 'p', payload: { kind: 'digest', at: new Date().toISOString() }, teamId: null, roundId: null, at: new Date() });
        },
        { fence: aFence },
      ),
    );
    expect(lost).toBeInstanceOf(LeaseLostError);
    expect((lost as LeaseLostError).fence).toEqual(aFence);
    expect(ran).toBe(false);
    expect(await teamNames()).toEqual(['Before']);
    expect(await ctx.store.listDeliveries()).toEqual([]);
    await expect(ctx.store.assertLease(aFence)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(ctx.store.transaction(() => Promise.resolve(), { fence: { name: 'never-taken', token: 1 } })).rejects.toBeInstanceOf(LeaseLostError);

    // Inside a transaction, a stale fence fails its savepoint only.
    const bFence: Fence = { name, token: b.token };
    const nested = await ctx.store.transaction(async (tx) => {
      await tx.insertTeam(teamInput('Outer', 'C3'));
      const inner = await failure(tx.transaction(async (savepoint) => savepoint.insertTeam(teamInput('Inner', 'C4')), { fence: aFence }));
      return inner instanceof LeaseLostError;
    }, { fence: bFence });
    expect(nested).toBe(true);
    expect((await teamNames()).sort()).toEqual(['Before', 'Outer']);
  });

  it('starts a send and moves a team\'s next check under a fence only while that lease holds, in one step', async () => {
    const take = taker(leaseClock());
    const a = await take('a');
    const now = new Date('2026-03-02T10:00:00Z');
    const enqueue = async (channelId: string) => (await ctx.store.enqueueDelivery({ target: { platform: 'slack', workspaceId: 'T1', channelId }, periodKey: 'p', payload: { kind: 'digest', at: now.toISOString() }, teamId: null, roundId: null, at: now })).delivery.id;
    const first = await enqueue('C1');
    const second = await enqueue('C2');
    const third = await enqueue('C3');
    expect(await ctx.store.claimDueDeliveries(now, ['slack'], 10)).toHaveLength(3);
    await ctx.store.markDeliverySending(first, { name, token: a.token });
    expect((await ctx.store.findDeliveryById(first))?.status).toBe('sending');
    // Already started: nothing to mark, and the lease still holds, so no error.
    await ctx.store.markDeliverySending(first, { name, token: a.token });
    const created = await ctx.store.insertTeam(teamInput('Fenced', 'C9'));
    if (created.kind !== 'created') throw new Error(created.kind);
    const later = new Date('2026-03-09T10:00:00Z');
    await ctx.store.setNextRoundCheck(created.team.id, later, { name, token: a.token });
    const dueIds = async (at: Date) => (await ctx.store.teamsDueForScheduling(at)).map((team) => team.id);
    expect(await dueIds(now)).not.toContain(created.team.id);
    expect(await dueIds(later)).toContain(created.team.id);

    await take('b', 'a');
    await expect(ctx.store.setNextRoundCheck(created.team.id, now, { name, token: a.token })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await dueIds(now)).not.toContain(created.team.id);
    await expect(ctx.store.markDeliverySending(second, { name, token: a.token })).rejects.toBeInstanceOf(LeaseLostError);
    expect((await ctx.store.findDeliveryById(second))?.status).toBe('claimed');
    await expect(ctx.store.markDeliverySending(third, { name: 'never-taken', token: 1 })).rejects.toBeInstanceOf(LeaseLostError);
    expect((await ctx.store.findDeliveryById(third))?.status).toBe('claimed');
  });

  it('makes a takeover wait for a fenced transaction under way, which then commits', async () => {
    const take = taker(leaseClock());
    const a = await take('a');
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let finish: () => void = () => undefined;
    const proceed = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const fenced = ctx.store.transaction(
      async (tx) => {
        await tx.insertTeam(teamInput('Under way', 'C1'));
        entered();
        await proceed;
        return 'committed';
      },
      { fence: { name, token: a.token } },
    );
    await inside;
    let tookOver = false;
    const takeover = take('b', 'a').then((state) => {
      tookOver = true;
      return state;
    });
    await sleep(250);
    expect(tookOver).toBe(false);
    finish();
    expect(await fenced).toBe('committed');
    expect(await takeover).toMatchObject({ held: true, newlyAcquired: true, holder: 'b', token: a.token + 1 });
    expect(await teamNames()).toEqual(['Under way']);
    await expect(ctx.store.transaction((tx) => tx.insertTeam(teamInput('Too late', 'C2')), { fence: { name, token: a.token } })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await teamNames()).toEqual(['Under way']);
  });
});

describe('deliveries', () => {
  it('are claimed once, and an interrupted send is sent again per interruption, up to a limit', async () => {
    const target = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
    const now = new Date('2026-03-02T10:00:00Z');
    const { delivery } = await ctx.store.enqueueDelivery({ target, periodKey: 'p', payload: { kind: 'digest', at: now.toISOString() }, teamId: null, roundId: null, at: now });
    expect(await ctx.store.claimDueDeliveries(now, ['slack'], 10)).toHaveLength(1);
    expect(await ctx.store.claimDueDeliveries(now, ['slack'], 10)).toHaveLength(0);
    expect(await ctx.store.claimDueDeliveries(now, ['teams'], 10)).toHaveLength(0);
    // Claimed but never started: a crash here sent nothing, so it goes back in line without a resend.
    expect((await ctx.store.recoverInterruptedDeliveries(now)).resent).toHaveLength(0);
    expect(await ctx.store.findDeliveryById(delivery.id)).toMatchObject({ status: 'pending', resends: 0, attempts: 0 });
    expect(await ctx.store.claimDueDeliveries(now, ['slack'], 10)).toHaveLength(1);
    await ctx.store.markDeliverySending(delivery.id);
    for (let interruption = 1; interruption <= MAX_UNCERTAIN_RESENDS; interruption += 1) {
      expect((await ctx.store.recoverInterruptedDeliveries(now)).resent).toHaveLength(1);
      expect(await ctx.store.findDeliveryById(delivery.id)).toMatchObject({ status: 'pending', resends: interruption });
      expect(await ctx.store.claimDueDeliveries(now, ['slack'], 10)).toHaveLength(1);
      await ctx.store.markDeliverySending(delivery.id);
    }
    expect((await ctx.store.recoverInterruptedDeliveries(now)).abandoned).toHaveLength(1);
    expect((await ctx.store.findDeliveryById(delivery.id))?.status).toBe('failed');
  });

  it('keep their message reference once sent', async () => {
    const target = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
    const now = new Date('2026-03-02T10:00:00Z');
    const { delivery } = await ctx.store.enqueueDelivery({ target, periodKey: 'p', payload: { kind: 'digest', at: now.toISOString() }, teamId: null, roundId: null, at: now });
    expect(await ctx.store.claimDueDeliveries(now, ['slack'], 10)).toHaveLength(1);
    await ctx.store.markDeliverySending(delivery.id);
    await ctx.store.markDeliverySent(delivery.id, '1700000000.000100', now);
    expect(await ctx.store.findDeliveryById(delivery.id)).toMatchObject({ status: 'sent', messageRef: '1700000000.000100' });
    expect((await ctx.store.recoverInterruptedDeliveries(now)).resent).toHaveLength(0);
  });
});
