import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { systemClock } from '../src/services/context.js';
import { createBenchContext } from './context.js';
import { createBenchStorage, type BenchEngine } from './engine.js';
import { leaseHolder, startReplicas, type Replica } from './replicas.js';
import { runCleanups, waitFor } from './slack-harness.js';
import type { LoadRequest, LoadResult, LoadWorkerData } from './slack-load-worker.js';
import {
  BLOCKS,
  clickBodies,
  CONCURRENCY,
  describeApp,
  emptyTally,
  figures,
  MEASURED,
  nextMessage,
  openBenchRound,
  RECEIPT_TEXT,
  RECEIPT_TIMEOUT_MS,
  record,
  StandInClient,
  startBareApp,
  TARGET_THROUGHPUT_RATIO,
  userId,
  WARMUP,
  WARMUP_BLOCKS,
  type Tally,
} from './slack-click-bench.js';
import { BENCH_SIGNING_SECRET } from './slack-harness.js';
import { formatMs, percentile, ratioLine, summaryLine } from './stats.js';

const REPLICAS = 3;

type Target = 'bare' | 'one' | 'three';
const TARGETS: readonly Target[] = ['bare', 'one', 'three'];
const LABELS: Record<Target, string> = { bare: 'bare-bolt      ', one: '1 replica      ', three: `${REPLICAS} replicas (rr)` };

interface Phase {
  readonly target: Target;
  readonly from: number;
  readonly to: number;
  readonly measured: boolean;
}

/**
 * Bare, one replica, all replicas, block by block: warm-up first, then the measured blocks. The bare app
 * only acknowledges, so it gets the same payloads as the single replica; the replicas each store every
 * answer, so the round-robin blocks take another set of people (a second click would be a change of answer).
 */
function plan(): Phase[] {
  const perTarget = WARMUP + MEASURED;
  const phases: Phase[] = [];
  const add = (start: number, count: number, blocks: number, measured: boolean): void => {
    const size = count / blocks;
    for (let block = 0; block < blocks; block += 1) {
      const from = start + block * size;
      phases.push({ target: 'bare', from, to: from + size, measured }, { target: 'one', from, to: from + size, measured }, { target: 'three', from: perTarget + from, to: perTarget + from + size, measured });
    }
  };
  add(0, WARMUP, WARMUP_BLOCKS, false);
  add(WARMUP, MEASURED, BLOCKS, true);
  return phases;
}

/**
 * Signed block_actions answer clicks on PostgreSQL through real replicas (`maturity-pulse start` processes
 * on one database, each its own process): all clicks to one replica, then spread round-robin over three,
 * against the slack-click floor (a bare Bolt app on this process's main thread that only acknowledges),
 * same concurrency, alternating blocks in one run. An answer is committed before its click is acknowledged,
 * whichever replica took it; the lease holder alone edits the round's count.
 */
export async function runReplicaClickBench(engine: BenchEngine): Promise<void> {
  if (engine.name !== 'postgres') throw new Error('replicas run on PostgreSQL only');
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const storage = await createBenchStorage(engine, 'click-replicas');
    cleanups.push(() => storage.drop());
    const slack = await StandInClient.start();
    cleanups.push(() => slack.stop());
    const replicas = await startReplicas(REPLICAS, storage, slack.apiUrl);
    cleanups.push(() => Promise.all(replicas.map((replica) => replica.stop())).then(() => undefined));
    const holder = await leaseHolder(replicas);
    const bare = await startBareApp(slack.apiUrl);
    cleanups.push(() => bare.stop());
    // The benchmark's own connection: it sets the team up and opens the round, as a chat command on any
    // replica would; the lease holder posts the round message.
    const ctx = await createBenchContext('click-replicas', engine, { storage, clock: systemClock, onIntent: true });
    cleanups.push(() => ctx.close());
    const { round } = await openBenchRound(ctx);

    // The single-replica blocks go to the lease holder: like a deployment of one, that process both takes
    // the clicks and edits the round's count (the other replicas idle meanwhile, but for a tick a minute).
    const single = holder;
    const total = 2 * (WARMUP + MEASURED);
    const bodies = clickBodies(round, await slack.responseUrls(Array.from({ length: total }, (_, index) => userId(index))));
    console.log(`slack-click-replicas [${engine.name}]: ${MEASURED} signed block_actions per target after ${WARMUP} warm-up, ${CONCURRENCY} in flight, ${BLOCKS} alternating blocks, ${total} distinct users`);
    console.log(`  ${REPLICAS} replicas (maturity-pulse start, live Slack mode, own processes) on one PostgreSQL database, replica ${holder.slot} holding the scheduler lease; 1-replica blocks to replica ${single.slot}`);
    console.log('  bare Bolt app on this process\'s main thread; load generator and Slack stand-in each on their own worker thread');

    const loadData: LoadWorkerData = { signingSecret: BENCH_SIGNING_SECRET, bodies };
    const load = new Worker(new URL('./slack-load-worker.js', import.meta.url), { workerData: loadData });
    cleanups.push(async () => {
      await load.terminate();
    });

    const urls: Record<Target, readonly string[]> = { bare: [bare.url], one: [single.slackUrl], three: replicas.map((replica) => replica.slackUrl) };
    const tallies: Record<Target, Tally> = { bare: emptyTally(), one: emptyTally(), three: emptyTally() };
    // CPU the replicas used in each target's measured blocks, and how long those took.
    const cpu: Record<Target, { ms: number[]; elapsedMs: number }> = { bare: { ms: replicas.map(() => 0), elapsedMs: 0 }, one: { ms: replicas.map(() => 0), elapsedMs: 0 }, three: { ms: replicas.map(() => 0), elapsedMs: 0 } };
    let receipts = 0;
    let receiptLagMs = 0;
    for (const phase of plan()) {
      if (typeof globalThis.gc === 'function') globalThis.gc();
      const request: LoadRequest = { urls: urls[phase.target], from: phase.from, to: phase.to, concurrency: CONCURRENCY };
      const before = replicas.map((replica) => replica.cpuMs());
      const started = performance.now();
      const answer = nextMessage<LoadResult>(load);
      load.postMessage(request);
      const result = await answer;
      record(tallies[phase.target], result, phase.measured);
      if (phase.measured) {
        cpu[phase.target].elapsedMs += performance.now() - started;
        replicas.forEach((replica, index) => {
          cpu[phase.target].ms[index]! += replica.cpuMs() - before[index]!;
        });
      }
      if (phase.target !== 'bare') {
        // Receipts go out after the ack; waiting for them keeps a block's trailing receipts out of the next block.
        receipts += phase.to - phase.from;
        const ended = performance.now();
        await waitFor('the receipts', async () => ((await slack.summary()).responses >= receipts ? true : null), RECEIPT_TIMEOUT_MS);
        receiptLagMs = Math.max(receiptLagMs, performance.now() - ended);
      }
      if (!phase.measured && tallies[phase.target].otherStatuses.size > 0) {
        throw new Error(`${phase.target} answered warm-up clicks with ${[...tallies[phase.target].otherStatuses.keys()].join(', ')} instead of 200`);
      }
    }

    const results = Object.fromEntries(TARGETS.map((target) => [target, figures(tallies[target])])) as Record<Target, ReturnType<typeof figures>>;
    for (const target of TARGETS) console.log(describeApp(LABELS[target], tallies[target], results[target]));
    const cpuShare = (target: Target): string =>
      replicas.map((replica: Replica, index) => `${replica.slot}${replica === holder ? '*' : ''} ${((100 * cpu[target].ms[index]!) / cpu[target].elapsedMs).toFixed(0)}%`).join(' ');
    console.log(`  replica CPU in measured blocks (% of one core; * lease holder): 1 replica: ${cpuShare('one')}; ${REPLICAS} replicas: ${cpuShare('three')}; bare blocks: ${cpuShare('bare')}`);
    for (const target of ['one', 'three'] as const) {
      const pairs = tallies[target].blockRates.map((rate, index) => rate / (tallies.bare.blockRates[index] ?? Number.NaN));
      console.log(`  ${LABELS[target].trim()}/bare throughput by block pair: ${pairs.map((ratio) => ratio.toFixed(2)).join(', ')} (median ${percentile([...pairs].sort((a, b) => a - b), 50).toFixed(2)})`);
    }

    const stored = await ctx.sql.one<{ rows: number; keys: number }>((d) => `SELECT ${d.int('count(*)')} AS rows, ${d.int('count(DISTINCT respondent_key)')} AS keys FROM answers WHERE round_id = ${d.p(1)}`, [round.id]);
    const summary = await slack.summary();
    console.log(`  stored ${stored.rows} answers (${stored.keys} respondents) for round ${round.id}; ${total} distinct users clicked`);
    console.log(`  receipts: ${summary.receipts} "${RECEIPT_TEXT}" of ${summary.responses} response_url posts (${summary.accepted} accepted); all in within ${formatMs(receiptLagMs)} ms of a block's last ack`);
    console.log(`  stand-in Web API calls over the run: ${Object.entries(summary.calls).map(([method, count]) => `${method} ${count}`).join(', ') || 'none'}`);
    const warnings = replicas.flatMap((replica) => replica.problems().map((line) => `replica ${replica.slot}: ${line.slice(0, 200)}`));
    if (warnings.length > 0) console.log(`  replica warnings: ${warnings.length}; first: ${warnings[0]}`);
    const problems = [
      ...(stored.rows !== total || stored.keys !== total ? [`${stored.rows} answers stored, expected ${total}`] : []),
      ...(summary.receipts !== total || summary.responses !== total ? [`${summary.receipts} receipts of ${summary.responses} response_url posts, expected ${total}`] : []),
      ...TARGETS.filter((target) => tallies[target].ok !== tallies[target].sent).map((target) => `${target}: ${tallies[target].sent - tallies[target].ok} measured clicks not answered 200`),
      ...replicas.filter((replica) => !replica.alive).map((replica) => `replica ${replica.slot} died`),
    ];
    if (problems.length > 0) throw new Error(`slack-click-replicas measured an error path: ${problems.join('; ')}`);

    for (const [target, label] of [['one', '1'], ['three', String(REPLICAS)]] as const) {
      const ratio = results[target].rate / results.bare.rate;
      console.log(`  aim (${label}): throughput at least ${TARGET_THROUGHPUT_RATIO}x bare-bolt: ${ratio >= TARGET_THROUGHPUT_RATIO ? 'met' : 'MISSED'} (${ratio.toFixed(2)}x)`);
    }
    for (const [target, label] of [['one', '1'], ['three', String(REPLICAS)]] as const) {
      console.log(ratioLine(`slack-click-replicas-${label}-throughput [${engine.name}]`, results[target].rate.toFixed(0), 'req/s', results[target].rate / results.bare.rate, 'bare-bolt', 2));
      console.log(summaryLine(`slack-click-replicas-${label}-p99 [${engine.name}]`, results[target].p99, results.bare.p99, 'bare-bolt-p99'));
    }
  } finally {
    await runCleanups('slack-click-replicas', cleanups);
  }
}
