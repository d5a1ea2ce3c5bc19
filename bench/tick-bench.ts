import type Database from 'better-sqlite3';
import { anchorWeekAt } from '../src/core/schedule.js';
import { nextOpeningCheck } from '../src/core/scheduling.js';
import type { Messenger } from '../src/core/messenger.js';
import type { Platform } from '../src/core/platform.js';
import { OutboxDrainer } from '../src/scheduler/outbox-drainer.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { BENCH_NOW, createBenchContext } from './context.js';
import { describeSummary, formatMs, measure, measureAsync, summaryLine, timeOnceAsync } from './stats.js';

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

function shortSql(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 70 ? `${flat.slice(0, 67)}...` : flat;
}

/**
 * The scheduler's tick (lease, closeDueRounds, openScheduledRounds, queueHalfwayReminders, queueDueDigests,
 * drain) over 10,000 idle teams: no round due or open, every next check in the future, nothing to send.
 * The floor is the very statements one such tick runs, captured and replayed as raw prepared statements.
 */
export async function runTickBench(): Promise<void> {
  const ctx = await createBenchContext('tick');
  try {
    const { store } = ctx;
    const client = ctx.sqlite;
    const surveyIds = [...ctx.surveys.keys()].sort();
    const now = BENCH_NOW;
    const seeded = await timeOnceAsync(() =>
      store.transaction(async (tx) => {
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
      }),
    );
    console.log(`tick-idle-10000: ${TEAMS} teams (weekly and fortnightly, 7 weekdays, ${ZONES.length} zones), no rounds, no deliveries, no digest subscriptions; clock fixed at ${now.toISOString()}`);
    console.log(`  seeded through insertTeam in one transaction in ${formatMs(seeded.ms)} ms (not measured)`);

    const drainer = new OutboxDrainer(ctx, new Map<Platform, Messenger>([['slack', refusingMessenger]]));
    const scheduler = new Scheduler(ctx, drainer, { cronExpression: '* * * * *', leaseTtlMs: 90_000, retentionDays: 730, holder: { host: 'bench', slot: '0', pid: process.pid, run: 'tick' } });
    // The first tick takes the lease, applies retention (daily) and decides the teams that have no next check yet.
    const firstStart = process.hrtime.bigint();
    const first = await scheduler.tick();
    const firstMs = Number(process.hrtime.bigint() - firstStart) / 1e6;
    if (!first.held || first.openedRounds !== 0) throw new Error(`the first tick answered ${JSON.stringify(first)}`);
    console.log(`  first tick (lease taken, retention, ${UNDECIDED} teams without a next check decided): ${formatMs(firstMs)} ms, ${formatMs(firstMs / UNDECIDED)} ms per undecided team (not measured)`);

    const state = client
      .prepare<[{ now: number }], { due: number; rounds: number; deliveries: number; future: number }>(
        'SELECT (SELECT count(*) FROM teams WHERE next_round_check_at IS NULL OR next_round_check_at <= @now) AS due, (SELECT count(*) FROM rounds) AS rounds, (SELECT count(*) FROM deliveries) AS deliveries, (SELECT count(*) FROM teams WHERE next_round_check_at > @now) AS future',
      )
      .get({ now: now.getTime() })!;
    if (state.due !== 0 || state.rounds !== 0 || state.deliveries !== 0 || state.future !== TEAMS) throw new Error(`the teams are not idle: ${JSON.stringify(state)}`);
    const nextChecks = client.prepare<[], { first: number; last: number }>('SELECT min(next_round_check_at) AS first, max(next_round_check_at) AS last FROM teams').get()!;
    console.log(`  idle: 0 teams due, ${state.future} with their next check between ${new Date(nextChecks.first).toISOString()} and ${new Date(nextChecks.last).toISOString()}, 0 rounds, 0 deliveries`);

    const statements = await captureStatements(client, () => scheduler.tick());
    const transactions = new Set(statements.flatMap((statement) => (statement.tx === null ? [] : [statement.tx]))).size;
    console.log(`  one idle tick runs ${statements.length} statements, ${transactions} write transactions:`);
    for (const statement of statements) {
      const plan = statement.sql.trimStart().toLowerCase().startsWith('select')
        ? client
            .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${statement.sql}`)
            .all(...statement.params)
            .map((row) => row.detail)
            .join('; ')
        : '';
      console.log(`    ${statement.tx === null ? '    ' : `tx${statement.tx}`} ${shortSql(statement.sql)}${plan ? `  [${plan}]` : ''}`);
    }

    const tick = await measureAsync(() => scheduler.tick(), { warmup: WARMUP, iterations: ITERATIONS });
    const floor = measure(replayer(client, statements), { warmup: WARMUP, iterations: ITERATIONS });
    const dueCount = client.prepare<[number], { n: number }>('SELECT count(*) AS n FROM teams WHERE next_round_check_at <= ?');
    const count = measure(() => dueCount.get(now.getTime()), { warmup: WARMUP, iterations: ITERATIONS });
    const after = client.prepare<[], { rounds: number; deliveries: number }>('SELECT (SELECT count(*) FROM rounds) AS rounds, (SELECT count(*) FROM deliveries) AS deliveries').get()!;
    if (after.rounds !== 0 || after.deliveries !== 0) throw new Error(`an idle tick wrote ${after.rounds} rounds and ${after.deliveries} deliveries`);
    console.log(describeSummary('Scheduler.tick()        ', tick));
    console.log(describeSummary('raw-sql (same statements)', floor));
    console.log(describeSummary('raw count of due teams  ', count));
    console.log(`  aim: p95 under ${TARGET_P95_MS} ms: ${tick.p95 < TARGET_P95_MS ? 'met' : 'MISSED'}`);
    console.log(summaryLine('tick-idle-10000', tick.p95, floor.p95, 'raw-sql-p95'));
  } finally {
    await ctx.close();
  }
}
