import { performance } from 'node:perf_hooks';
import { anchorWeekAt } from '../src/core/schedule.js';
import { decideOpening } from '../src/core/scheduling.js';
import type { Cadence, Team } from '../src/core/team.js';
import type { Store } from '../src/storage/store.js';
import { systemClock } from '../src/services/context.js';
import { createBenchContext } from './context.js';
import { BenchSql, createBenchStorage, type BenchEngine } from './engine.js';
import { leaseHolder, startReplicas, type Replica } from './replicas.js';
import { BENCH_TEAM_ID, describeCalls, runCleanups, StallWatch, startLiveApp, waitFor, WorkspaceStandIn } from './slack-harness.js';
import { formatMs, ratioLine, timeOnceAsync } from './stats.js';

const TEAMS = 2000;
/**
 * The stand-in's workspace limit is a token bucket that holds a minute's worth (this many posts at once) and
 * refills at this many a minute. At 6,000-12,000 a minute all 2,000 round messages would fit in the first
 * bucket and the limits would allow them at once (floor 0). 1,600 a minute lets 1,600 through at once and
 * the other 400 at 26.7 a second: the workspace limit binds, with a floor of 15 s.
 */
const WORKSPACE_POSTS_PER_MINUTE = 1600;
const TARGET_RATIO = 1.2;
/** With replicas on PostgreSQL the one sender should lose next to nothing to the others. */
const REPLICA_TARGET_RATIO = 1.1;
const REPLICAS = 3;
const DAY_MS = 24 * 60 * 60 * 1000;
const TIMEOUT_MS = 120_000;

interface SentRow {
  readonly sent_at: number;
  readonly attempts: number;
}

function channelId(index: number): string {
  return `C2K${String(index).padStart(5, '0')}`;
}

/** Seeds the teams, makes them all due at once, waits for every round message and prints the figures. */
interface Sender {
  /** What sends, for the header line. */
  readonly description: string;
  /** Called just before the teams are made due; answers a function that describes the sender's load since. */
  watch(): () => string;
}

async function openAndMeasure(name: string, store: Store, sql: BenchSql, slack: WorkspaceStandIn, channelIds: readonly string[], surveyIds: readonly string[], sender: Sender, target: number): Promise<void> {
  // Weekly at the minute just past, UTC, for 167 hours, created four weeks ago: this week's round is due
  // now and on time (not a catch-up, which may be skipped late in a week), so one tick opens all of them.
  const now = new Date();
  const createdAt = new Date(now.getTime() - 28 * DAY_MS);
  const due = new Date(now.getTime() - 60_000);
  const localTime = `${String(due.getUTCHours()).padStart(2, '0')}:${String(due.getUTCMinutes()).padStart(2, '0')}`;
  const cadence: Cadence = { everyWeeks: 1, weekday: ((due.getUTCDay() + 6) % 7) + 1, localTime, timeZone: 'UTC', roundLengthHours: 167, anchorWeek: anchorWeekAt(createdAt, 'UTC') };
  const parked = new Date(now.getTime() + 365 * DAY_MS);
  const seeded = await timeOnceAsync(() =>
    store.transaction(async (tx) => {
      const teams: Team[] = [];
      for (let index = 0; index < TEAMS; index += 1) {
        const result = await tx.insertTeam({
          name: `Open ${String(index).padStart(4, '0')}`,
          channel: { platform: 'slack', workspaceId: BENCH_TEAM_ID, channelId: channelIds[index]! },
          surveyId: surveyIds[index % surveyIds.length]!,
          cadence,
          createdAt,
        });
        if (result.kind !== 'created') throw new Error(`insertTeam answered ${result.kind}`);
        // Parked until the measured moment, so no tick picks up part of them early.
        await tx.setNextRoundCheck(result.team.id, parked);
        teams.push(result.team);
      }
      return teams;
    }),
  );
  const sample = seeded.result[0]!;
  const decision = decideOpening({ team: sample, latestRoundPeriod: null, openRoundClosesAt: null }, now);
  if (decision.kind !== 'open') throw new Error(`the seeded cadence would not open a round now (${now.toISOString()}): its round was due at ${localTime} UTC today`);
  console.log(`${name}: ${TEAMS} teams, one Slack channel each (bot a member), one workspace; ${sender.description}, tick every second, outbox concurrency 4`);
  console.log(
    `  Slack stand-in on a worker thread: chat.postMessage per channel 3 at once then 1/s; per workspace ${WORKSPACE_POSTS_PER_MINUTE}/min (bucket of ${WORKSPACE_POSTS_PER_MINUTE}, refilled at ${(WORKSPACE_POSTS_PER_MINUTE / 60).toFixed(1)}/s); 429 + Retry-After beyond`,
  );
  console.log(`  seeded ${TEAMS} teams through insertTeam in one transaction in ${formatMs(seeded.ms)} ms (not measured)`);

  // Makes every team due at once; the sender's next tick (at most a second later) finds them with one query.
  const load = sender.watch();
  const slackElu = slack.eventLoopUtilization();
  const releasedAt = Date.now();
  await sql.run((d) => `UPDATE teams SET next_round_check_at = ${d.at(1)}`, [releasedAt - 1000]);
  const countSent = (d: BenchSql['dialect']): string =>
    `SELECT ${d.int("count(*) FILTER (WHERE status = 'sent')")} AS sent, ${d.int("count(*) FILTER (WHERE status IN ('failed', 'cancelled'))")} AS failed FROM deliveries WHERE kind = 'round-opened'`;
  await waitFor(
    'every round message to be posted',
    async () => {
      const { sent, failed } = await sql.one<{ sent: number; failed: number }>(countSent);
      if (failed > 0) throw new Error(`${failed} round messages failed for good`);
      return sent >= TEAMS ? true : null;
    },
    TIMEOUT_MS,
    50,
  );
  const detectedAt = Date.now();
  const senderLoad = load();
  const standInBusy = slack.eventLoopUtilization(slackElu);

  const rounds = await sql.one<{ n: number; teams: number; first: number; last: number }>(
    (d) => `SELECT ${d.int('count(*)')} AS n, ${d.int('count(DISTINCT team_id)')} AS teams, ${d.ms('min(opened_at)')} AS first, ${d.ms('max(opened_at)')} AS last FROM rounds WHERE status = 'open'`,
  );
  const sent = await sql.all<SentRow>((d) => `SELECT ${d.ms('sent_at')} AS sent_at, attempts FROM deliveries WHERE kind = 'round-opened' AND status = 'sent' ORDER BY sent_at`);
  const otherDeliveries = (await sql.one<{ n: number }>((d) => `SELECT ${d.int('count(*)')} AS n FROM deliveries WHERE kind <> 'round-opened'`)).n;
  const tickAt = rounds.first;
  const lastSent = sent[sent.length - 1]!.sent_at;
  const totalMs = lastSent - tickAt;
  const burst = Math.min(WORKSPACE_POSTS_PER_MINUTE, TEAMS);
  const perSecond = WORKSPACE_POSTS_PER_MINUTE / 60;
  const floorMs = (1000 * Math.max(0, TEAMS - burst)) / perSecond;
  const burstEnd = sent[burst - 1]!.sent_at;
  const tailRate = (TEAMS - burst) / ((lastSent - burstEnd) / 1000);
  const attempts = new Map<number, number>();
  for (const row of sent) attempts.set(row.attempts, (attempts.get(row.attempts) ?? 0) + 1);

  console.log(`  the tick came ${formatMs(tickAt - releasedAt)} ms after the teams were made due (cron wait, not counted); it opened ${rounds.n} rounds for ${rounds.teams} teams, all at ${new Date(tickAt).toISOString()}`);
  console.log(`  first round message sent ${formatMs(sent[0]!.sent_at - tickAt)} ms after the tick; the ${burst}th (the workspace bucket) at ${formatMs(burstEnd - tickAt)} ms; the last at ${formatMs(totalMs)} ms; seen by polling at ${formatMs(detectedAt - tickAt)} ms`);
  console.log(`  sending alone (first post to last): ${formatMs((lastSent - sent[0]!.sent_at) / 1000)} s, ${((lastSent - sent[0]!.sent_at) / floorMs).toFixed(2)}x the floor; opening the rounds before it: ${formatMs((sent[0]!.sent_at - tickAt) / 1000)} s`);
  console.log(`  after the bucket: ${TEAMS - burst} posts at ${tailRate.toFixed(1)}/s against the ${perSecond.toFixed(1)}/s the workspace limit refills (${((100 * tailRate) / perSecond).toFixed(0)}%)`);
  console.log(`  attempts per round message: ${[...attempts].sort(([a], [b]) => a - b).map(([count, n]) => `${n}x ${count}`).join(', ')}; other deliveries queued: ${otherDeliveries}`);
  console.log(`  ${senderLoad}; Slack stand-in thread ${(100 * standInBusy.utilization).toFixed(0)}% busy`);

  // Every channel got exactly one round message: none missing, none doubled by a retry after a 429.
  const summary = await slack.summary();
  const channels = await slack.channels(channelIds);
  const missing = channels.filter((channel) => channel.roundMessages === 0).length;
  const doubled = channels.filter((channel) => channel.roundMessages > 1 || channel.topLevel !== channel.roundMessages).length;
  console.log(`  stand-in: ${describeCalls(summary.calls)}; channels with exactly one round message ${channels.filter((channel) => channel.roundMessages === 1 && channel.topLevel === 1).length}/${TEAMS}`);
  const problems = [
    ...(rounds.n !== TEAMS || rounds.teams !== TEAMS ? [`${rounds.n} rounds for ${rounds.teams} teams, expected ${TEAMS}`] : []),
    ...(rounds.first !== rounds.last ? [`rounds opened from ${rounds.first} to ${rounds.last}: more than one tick`] : []),
    ...(sent.length !== TEAMS ? [`${sent.length} round messages sent, expected ${TEAMS}`] : []),
    ...(missing > 0 ? [`${missing} channels without a round message`] : []),
    ...(doubled > 0 ? [`${doubled} channels with more than one message`] : []),
  ];
  if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);

  const ratio = totalMs / floorMs;
  console.log(`  floor: (${TEAMS} - ${burst} in the first bucket) / ${perSecond.toFixed(1)} per second = ${formatMs(floorMs / 1000)} s; aim within ${target}x: ${ratio <= target ? 'met' : 'MISSED'} (${ratio.toFixed(2)}x)`);
  console.log(ratioLine(name, (totalMs / 1000).toFixed(1), 's', ratio, 'limit-floor', 2));
}

/**
 * 2,000 teams, each on its own Slack channel, all due in the same tick: the real app (startServer, live
 * Slack mode, a tick every second) opens their rounds and its outbox posts the round messages to the Slack
 * stand-in, which enforces its per-channel and workspace chat.postMessage limits with 429 + Retry-After.
 * Timed from the tick (the rounds' opened_at) to the last round message recorded as sent; the floor is the
 * time the stand-in's limits allow for 2,000 posts.
 */
export async function runOpenRoundsBench(engine: BenchEngine): Promise<void> {
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const storage = await createBenchStorage(engine, 'open');
    cleanups.push(() => storage.drop());
    const channelIds = Array.from({ length: TEAMS }, (_, index) => channelId(index));
    const slack = await WorkspaceStandIn.start({ channelIds, workspacePostsPerMinute: WORKSPACE_POSTS_PER_MINUTE });
    cleanups.push(() => slack.stop());
    const real = await startLiveApp(slack.apiUrl, storage, '* * * * * *');
    cleanups.push(() => real.stop());
    const { store } = real.ctx;
    const sender: Sender = {
      description: 'real app via startServer (live Slack mode, HTTP receiver)',
      watch: () => {
        const stalls = new StallWatch();
        const elu = performance.eventLoopUtilization();
        return () => {
          const longestStallMs = stalls.stop();
          const appBusy = performance.eventLoopUtilization(elu);
          return `app event loop: ${(100 * appBusy.utilization).toFixed(0)}% busy, longest stall ${formatMs(longestStallMs)} ms (the tick opens all due rounds in one pass)`;
        };
      },
    };
    await openAndMeasure(`open-2000 [${engine.name}]`, store, new BenchSql(store), slack, channelIds, [...real.ctx.surveys.keys()].sort(), sender, TARGET_RATIO);
  } finally {
    await runCleanups('open-2000', cleanups);
  }
}

/**
 * open-2000 on PostgreSQL with three replicas (`maturity-pulse start` processes) on one database: the
 * lease holder opens the rounds and drains the outbox alone, the others stand by (their ticks only try the
 * lease). Same teams, limits and floor as open-2000.
 */
export async function runReplicaOpenRoundsBench(engine: BenchEngine): Promise<void> {
  if (engine.name !== 'postgres') throw new Error('replicas run on PostgreSQL only');
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const storage = await createBenchStorage(engine, 'open-replicas');
    cleanups.push(() => storage.drop());
    const channelIds = Array.from({ length: TEAMS }, (_, index) => channelId(index));
    const slack = await WorkspaceStandIn.start({ channelIds, workspacePostsPerMinute: WORKSPACE_POSTS_PER_MINUTE });
    cleanups.push(() => slack.stop());
    const replicas = await startReplicas(REPLICAS, storage, slack.apiUrl, { TICK_CRON: '* * * * * *' });
    cleanups.push(() => Promise.all(replicas.map((replica) => replica.stop())).then(() => undefined));
    const holder = await leaseHolder(replicas);
    // The benchmark's own connection to the same database: it seeds the teams and watches the deliveries.
    const ctx = await createBenchContext('open-replicas', engine, { storage, clock: systemClock });
    cleanups.push(() => ctx.close());
    const sender: Sender = {
      description: `${REPLICAS} replicas (maturity-pulse start, live Slack mode) on one PostgreSQL database, replica ${holder.slot} holding the scheduler lease`,
      watch: () => {
        const before = replicas.map((replica) => replica.cpuMs());
        const started = performance.now();
        return () => {
          const seconds = (performance.now() - started) / 1000;
          const shares = replicas.map((replica: Replica, index) => `${replica.slot}${replica === holder ? ' (lease)' : ''} ${((replica.cpuMs() - before[index]!) / 10 / seconds).toFixed(0)}%`);
          const problems = replicas.flatMap((replica) => replica.problems());
          return `replica CPU over the drain: ${shares.join(', ')}${problems.length > 0 ? `; warnings: ${problems.length} (first: ${problems[0]!.slice(0, 200)})` : ''}`;
        };
      },
    };
    await openAndMeasure(`open-2000-replicas [${engine.name}]`, ctx.store, ctx.sql, slack, channelIds, [...ctx.surveys.keys()].sort(), sender, REPLICA_TARGET_RATIO);
    const dead = replicas.filter((replica) => !replica.alive);
    if (dead.length > 0) throw new Error(`replicas ${dead.map((replica) => replica.slot).join(', ')} died during the run`);
  } finally {
    await runCleanups('open-2000-replicas', cleanups);
  }
}
