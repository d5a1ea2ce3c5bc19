import type Database from 'better-sqlite3';
import pg, { type Pool, type QueryConfig } from 'pg';
import { anchorWeekAt } from '../src/core/schedule.js';
import { nextOpeningCheck } from '../src/core/scheduling.js';
import type { Messenger } from '../src/core/messenger.js';
import type { Platform } from '../src/core/platform.js';
import { OutboxDrainer } from '../src/scheduler/outbox-drainer.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { BENCH_NOW, createBenchContext } from './context.js';
import { seededStorage } from './seeding.js';
import { postgresPool, sqliteConnection, type BenchEngine } from './engine.js';
import { describeSummary, formatMs, measureAsync, measureEither, summaryLine } from './stats.js';

const TEAMS = 10_000;
/** Teams left with no next check, as after setup: the first tick decides them (timed once, not in the figure). */
const UNDECIDED = 1_000;
const WARMUP = 50;
const ITERATIONS = 1000;
const TARGET_P95_MS = 20;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Europe/London', 'UTC'];
// None is 09:00Z (BENCH_NOW, a Monday) in any of the zones, so no period opens at the very instant the teams are created.
const TIMES = ['08:45', '10:15', '13:20'];

type Method = 'run' | 'get' | 'all';

/** One statement a tick ran: its SQL, how it was called, with what, and in which transaction. */
interface CapturedStatement {
  readonly sql: string;
  readonly method: Method;
  readonly params: readonly unknown[];
  /** Counts outermost transactions from 1; null outside one. */
  readonly tx: number | null;
}

/** A messenger that must never be asked: an idle tick has nothing to send. */
const refusingMessenger: Messenger = {
  platform: 'slack',
  send: () => Promise.reject(new Error('an idle tick sent something')),
};

/**
 * Runs `work` with the connection's prepare and exec wrapped, and records every statement executed (drizzle
 * prepares each query it runs) with its parameters and transaction: the SQLite store opens and ends its
 * transactions with exec('BEGIN IMMEDIATE') and exec('COMMIT' / 'ROLLBACK'); savepoints inside one stay
 * part of it. Restores both afterwards.
 */
async function captureStatements(client: Database.Database, work: () => Promise<unknown>): Promise<CapturedStatement[]> {
  const captured: CapturedStatement[] = [];
  let transactions = 0;
  let current: number | null = null;
  const prepare = client.prepare;
  const exec = client.exec;
  // Own properties shadow the prototype's methods; deleting them below restores the originals.
  Object.assign(client, {
    prepare(source: string) {
      const statement = prepare.call(client, source);
      for (const method of ['run', 'get', 'all'] as const) {
        const original = statement[method] as (...params: unknown[]) => unknown;
        Object.assign(statement, {
          [method]: (...params: unknown[]) => {
            captured.push({ sql: source, method, params, tx: current });
            return original.apply(statement, params);
          },
        });
      }
      return statement;
    },
    exec(source: string) {
      const command = source.trim().toUpperCase();
      if (command.startsWith('BEGIN')) current = ++transactions;
      const result = exec.call(client, source);
      if (command === 'COMMIT' || command === 'ROLLBACK' || command === 'END') current = null;
      return result;
    },
  });
  try {
    await work();
  } finally {
    Reflect.deleteProperty(client, 'prepare');
    Reflect.deleteProperty(client, 'exec');
  }
  return captured;
}

/** The same statements as raw prepared statements (prepared once), in the same transactions: the tick's SQL alone. */
function replayer(client: Database.Database, statements: readonly CapturedStatement[]): () => unknown {
  const prepared = new Map(statements.map((statement) => [statement.sql, client.prepare(statement.sql)]));
  const execute = (statement: CapturedStatement): unknown => prepared.get(statement.sql)![statement.method](...statement.params);
  const groups: CapturedStatement[][] = [];
  for (const statement of statements) {
    const last = groups[groups.length - 1];
    if (last && statement.tx !== null && last[0]!.tx === statement.tx) last.push(statement);
    else groups.push([statement]);
  }
  const steps = groups.map((group) => (group[0]!.tx === null ? () => execute(group[0]!) : client.transaction(() => group.map(execute)).immediate.bind(null)));
  return () => steps.map((step) => step());
}

/** One statement a tick ran on PostgreSQL: its text and parameters, and in which transaction. */
interface CapturedPgStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** Counts transactions from 1; null outside one. */
  readonly tx: number | null;
}

type ClientQuery = (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Runs `work` with node-postgres' Client.prototype.query wrapped (the pool's connections are Clients, and
 * drizzle sends every statement through one), recording every statement with its parameters and the
 * transaction it ran in: drizzle begins and ends a transaction with `begin` and `commit` / `rollback` on
 * the connection it checked out; savepoints inside one stay part of it. Restores the method afterwards.
 */
async function capturePgStatements(work: () => Promise<unknown>): Promise<CapturedPgStatement[]> {
  const captured: CapturedPgStatement[] = [];
  const open = new Map<pg.Client, number>();
  let transactions = 0;
  const prototype = pg.Client.prototype as unknown as { query: ClientQuery };
  const original = prototype.query;
  prototype.query = function (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) {
    const text = typeof config === 'string' ? config : typeof config === 'object' && config !== null && 'text' in config ? String(config.text) : '';
    const params = Array.isArray(values) ? values : typeof config === 'object' && config !== null && 'values' in config && Array.isArray(config.values) ? (config.values as unknown[]) : [];
    const command = text.trim().toLowerCase();
    if (command.startsWith('begin')) open.set(this, ++transactions);
    else if (command === 'commit' || command === 'rollback') open.delete(this);
    else if (text) captured.push({ sql: text, params, tx: open.get(this) ?? null });
    return original.call(this, config, values, callback);
  };
  try {
    await work();
  } finally {
    prototype.query = original;
  }
  return captured;
}

/**
 * The same statements as raw node-postgres queries on the store's own pool, in the same transactions
 * (begin … commit on one checked-out connection), each a named (server-side prepared) statement: the
 * tick's SQL alone, without drizzle's building and mapping.
 */
function pgReplayer(pool: Pool, statements: readonly CapturedPgStatement[]): () => Promise<unknown> {
  const names = new Map<string, string>();
  const config = (statement: CapturedPgStatement): QueryConfig => {
    let name = names.get(statement.sql);
    if (name === undefined) names.set(statement.sql, (name = `bench_tick_${names.size}`));
    return { name, text: statement.sql, values: [...statement.params] };
  };
  const groups: CapturedPgStatement[][] = [];
  for (const statement of statements) {
    const last = groups[groups.length - 1];
    if (last && statement.tx !== null && last[0]!.tx === statement.tx) last.push(statement);
    else groups.push([statement]);
  }
  const steps = groups.map((group) =>
    group[0]!.tx === null
      ? () => pool.query(config(group[0]!))
      : async () => {
          const client = await pool.connect();
          try {
            await client.query('begin');
            for (const statement of group) await client.query(config(statement));
            await client.query('commit');
          } finally {
            client.release();
          }
        },
  );
  return async () => {
    for (const step of steps) await step();
  };
}

function shortSql(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 70 ? `${flat.slice(0, 67)}...` : flat;
}

/** The count of due teams as one raw prepared statement: the cheapest thing a tick could possibly do. */
function rawDueCount(ctx: Awaited<ReturnType<typeof createBenchContext>>): () => unknown {
  if (ctx.store.engine === 'sqlite') {
    const statement = sqliteConnection(ctx.store).prepare<[number], { n: number }>('SELECT count(*) AS n FROM teams WHERE next_round_check_at <= ?');
    return () => statement.get(BENCH_NOW.getTime());
  }
  const pool = postgresPool(ctx.store);
  const config: QueryConfig = { name: 'bench_due_count', text: 'SELECT count(*) AS n FROM teams WHERE next_round_check_at <= $1', values: [BENCH_NOW] };
  return () => pool.query(config);
}

/**
 * The scheduler's tick (lease, closeDueRounds, openScheduledRounds, queueHalfwayReminders, queueDueDigests,
 * drain) over 10,000 idle teams: no round due or open, every next check in the future, nothing to send.
 * The floor is the very statements one such tick runs, captured and replayed as raw prepared statements.
 */
export async function runTickBench(engine: BenchEngine): Promise<void> {
  const now = BENCH_NOW;
  const seeded = await seededStorage(engine, 'tick', { now: () => new Date(now) }, ({ store, surveys }) => {
    const surveyIds = [...surveys.keys()].sort();
    return store.transaction(async (tx) => {
      for (let index = 0; index < TEAMS; index += 1) {
        const timeZone = ZONES[index % ZONES.length]!;
        const result = await tx.insertTeam({
          name: `Idle ${String(index).padStart(5, '0')}`,
          channel: { platform: 'slack', workspaceId: 'T0IDLE', channelId: `CI${String(index).padStart(6, '0')}` },
          surveyId: surveyIds[index % surveyIds.length]!,
          cadence: { everyWeeks: index % 4 === 0 ? 2 : 1, weekday: 1 + (index % 7), localTime: TIMES[index % TIMES.length]!, timeZone, roundLengthHours: 48, anchorWeek: anchorWeekAt(now, timeZone) },
          createdAt: now,
        });
        if (result.kind !== 'created') throw new Error(`insertTeam answered ${result.kind}`);
        // What the first tick would store for a team with no rounds yet, computed here for all but UNDECIDED.
        if (index >= UNDECIDED) await tx.setNextRoundCheck(result.team.id, nextOpeningCheck({ team: result.team, latestRoundPeriod: null, openRoundClosesAt: null }, now));
      }
    });
  });
  const ctx = await createBenchContext('tick', engine, { storage: seeded.storage });
  try {
    const { store, sql } = ctx;
    console.log(`tick-idle-10000 [${engine.name}]: ${TEAMS} teams (weekly and fortnightly, 7 weekdays, ${ZONES.length} zones), no rounds, no deliveries, no digest subscriptions; clock fixed at ${now.toISOString()}`);
    console.log(`  seeded through insertTeam in one transaction on SQLite in ${formatMs(seeded.seedMs)} ms${seeded.copyMs > 0 ? `, copied into PostgreSQL by migrate --to's copy in ${formatMs(seeded.copyMs)} ms` : ''} (not measured)`);

    const drainer = new OutboxDrainer(ctx, new Map<Platform, Messenger>([['slack', refusingMessenger]]));
    const scheduler = new Scheduler(ctx, drainer, { cronExpression: '* * * * *', leaseTtlMs: 90_000, retentionDays: 730, holder: { host: 'bench', slot: '0', pid: process.pid, run: 'tick' } });
    // The first tick takes the lease, applies retention (daily) and decides the teams that have no next check yet.
    const firstStart = process.hrtime.bigint();
    const first = await scheduler.tick();
    const firstMs = Number(process.hrtime.bigint() - firstStart) / 1e6;
    if (!first.held || first.openedRounds !== 0) throw new Error(`the first tick answered ${JSON.stringify(first)}`);
    console.log(`  first tick (lease taken, retention, ${UNDECIDED} teams without a next check decided): ${formatMs(firstMs)} ms, ${formatMs(firstMs / UNDECIDED)} ms per undecided team (not measured)`);

    const state = await sql.one<{ due: number; rounds: number; deliveries: number; future: number }>(
      (d) =>
        `SELECT (SELECT ${d.int('count(*)')} FROM teams WHERE next_round_check_at IS NULL OR next_round_check_at <= ${d.at(1)}) AS due, (SELECT ${d.int('count(*)')} FROM rounds) AS rounds, (SELECT ${d.int('count(*)')} FROM deliveries) AS deliveries, (SELECT ${d.int('count(*)')} FROM teams WHERE next_round_check_at > ${d.at(2)}) AS future`,
      [now.getTime(), now.getTime()],
    );
    if (state.due !== 0 || state.rounds !== 0 || state.deliveries !== 0 || state.future !== TEAMS) throw new Error(`the teams are not idle: ${JSON.stringify(state)}`);
    const nextChecks = await sql.one<{ first: number; last: number }>((d) => `SELECT ${d.ms('min(next_round_check_at)')} AS first, ${d.ms('max(next_round_check_at)')} AS last FROM teams`);
    console.log(`  idle: 0 teams due, ${state.future} with their next check between ${new Date(nextChecks.first).toISOString()} and ${new Date(nextChecks.last).toISOString()}, 0 rounds, 0 deliveries`);

    let replay: () => unknown;
    let listing: { tx: number | null; sql: string; plan: string }[];
    if (store.engine === 'sqlite') {
      const client = sqliteConnection(store);
      const statements = await captureStatements(client, () => scheduler.tick());
      replay = replayer(client, statements);
      listing = statements.map((statement) => ({
        tx: statement.tx,
        sql: statement.sql,
        plan: statement.sql.trimStart().toLowerCase().startsWith('select')
          ? client
              .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${statement.sql}`)
              .all(...statement.params)
              .map((row) => row.detail)
              .join('; ')
          : '',
      }));
    } else {
      const pool = postgresPool(store);
      const statements = await capturePgStatements(() => scheduler.tick());
      replay = pgReplayer(pool, statements);
      listing = [];
      for (const statement of statements) {
        let plan = '';
        if (statement.sql.trimStart().toLowerCase().startsWith('select')) {
          const explained = await pool.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN (COSTS OFF) ${statement.sql}`, values: [...statement.params] });
          plan = explained.rows.map((row) => row['QUERY PLAN'].trim().replace(/^->\s*/, '')).filter((line) => !line.includes(':') && !line.startsWith('(')).join('; ');
        }
        listing.push({ tx: statement.tx, sql: statement.sql, plan });
      }
    }
    const transactions = new Set(listing.flatMap((statement) => (statement.tx === null ? [] : [statement.tx]))).size;
    console.log(`  one idle tick runs ${listing.length} statements, ${transactions} write transactions:`);
    for (const statement of listing) console.log(`    ${statement.tx === null ? '    ' : `tx${statement.tx}`} ${shortSql(statement.sql)}${statement.plan ? `  [${statement.plan}]` : ''}`);

    const tick = await measureAsync(() => scheduler.tick(), { warmup: WARMUP, iterations: ITERATIONS });
    const floor = await measureEither(replay, { warmup: WARMUP, iterations: ITERATIONS });
    const dueCount = rawDueCount(ctx);
    const count = await measureEither(dueCount, { warmup: WARMUP, iterations: ITERATIONS });
    const after = await sql.one<{ rounds: number; deliveries: number }>((d) => `SELECT (SELECT ${d.int('count(*)')} FROM rounds) AS rounds, (SELECT ${d.int('count(*)')} FROM deliveries) AS deliveries`);
    if (after.rounds !== 0 || after.deliveries !== 0) throw new Error(`an idle tick wrote ${after.rounds} rounds and ${after.deliveries} deliveries`);
    console.log(describeSummary('Scheduler.tick()        ', tick));
    console.log(describeSummary('raw-sql (same statements)', floor));
    console.log(describeSummary('raw count of due teams  ', count));
    console.log(`  aim: p95 under ${TARGET_P95_MS} ms: ${tick.p95 < TARGET_P95_MS ? 'met' : 'MISSED'}`);
    console.log(summaryLine(`tick-idle-10000 [${engine.name}]`, tick.p95, floor.p95, 'raw-sql-p95'));
  } finally {
    await ctx.close();
    await seeded.storage.drop();
  }
}
