import { createServer } from 'node:http';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { App, HTTPReceiver } from '@slack/bolt';
import pino from 'pino';
import { SLACK_EVENTS_PATH } from '../src/adapters/slack/endpoint.js';
import { boltLogger } from '../src/adapters/slack/bolt-logger.js';
import { loadConfig } from '../src/config.js';
import { roundPeriodKey } from '../src/core/outbox.js';
import type { Round } from '../src/core/round.js';
import type { Team } from '../src/core/team.js';
import { listen } from '../src/http-server.js';
import { startServer, type RunningServer } from '../src/main.js';
import { openRound } from '../src/services/round-service.js';
import type { ServiceContext } from '../src/services/context.js';
import { setupTeam } from '../src/services/team-service.js';
import { BENCH_RESPONDENT_SECRET, SURVEYS_DIR } from './context.js';
import { BenchSql, createBenchStorage, type BenchEngine, type BenchStorage } from './engine.js';
import type { LoadRequest, LoadResult, LoadWorkerData } from './slack-load-worker.js';
import type { StandInReply, StandInRequest, StandInSummary, StandInWorkerData } from './slack-stand-in-worker.js';
import { formatMs, percentile, ratioLine, summaryLine } from './stats.js';

// With 200 warm-up clicks the first measured bare block ran well below the later ones (JIT still warming);
// 1,000 per app, alternated like the measured blocks, gets past that.
export const WARMUP = 1000;
export const WARMUP_BLOCKS = 2;
export const MEASURED = 2000;
// Measured requests go in alternating blocks (bare, real, bare, real, …) so drift over the run (heap
// growth, a busy neighbour, CPU frequency) falls on both apps alike instead of on whichever ran second.
export const BLOCKS = 8;
export const CONCURRENCY = 16;
export const TARGET_THROUGHPUT_RATIO = 0.7;
export const TARGET_P99_MS = 50;
export const RECEIPT_TIMEOUT_MS = 15_000;

const TEAM_ID = 'T0BENCH';
const CHANNEL_ID = 'C0BENCH';
const BOT_TOKEN = 'xoxb-bench-token';
const BOT_ID = 'BBENCH';
const BOT_USER_ID = 'UBENCHBOT';
const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
// The text of the real app's receipt for a stored answer (answerReceipt, kind 'recorded', first click).
export const RECEIPT_TEXT = 'Recorded for';

type AppName = 'bare' | 'real';

interface Phase {
  readonly app: AppName;
  readonly from: number;
  readonly to: number;
  readonly measured: boolean;
}

export interface Tally {
  readonly latenciesMs: number[];
  readonly blockRates: number[];
  sent: number;
  ok: number;
  elapsedMs: number;
  readonly otherStatuses: Map<number, number>;
}

type Thread = 'app' | 'load' | 'slack';

/** Busy and idle time of each thread's event loop, summed over an app's measured blocks. */
type Busy = Record<Thread, { active: number; idle: number }>;

function emptyBusy(): Busy {
  return { app: { active: 0, idle: 0 }, load: { active: 0, idle: 0 }, slack: { active: 0, idle: 0 } };
}

function busyShare(busy: Busy, thread: Thread): string {
  const { active, idle } = busy[thread];
  return `${((100 * active) / (active + idle || 1)).toFixed(0)}%`;
}

export interface Stoppable {
  readonly url: string;
  stop(): Promise<void>;
}

/** The next message a worker posts; rejects if it fails or exits first. Callers ask one thing at a time. */
export function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    // The workers are ours, compiled from the same source; T is the reply type they declare.
    const onMessage = (message: T): void => {
      cleanup();
      resolve(message);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`worker exited with code ${code} before answering`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

export class StandInClient {
  private constructor(
    private readonly worker: Worker,
    readonly apiUrl: string,
  ) {}

  static async start(): Promise<StandInClient> {
    const workerData: StandInWorkerData = { teamId: TEAM_ID, botToken: BOT_TOKEN, channelId: CHANNEL_ID };
    const worker = new Worker(new URL('./slack-stand-in-worker.js', import.meta.url), { workerData });
    const ready = await nextMessage<StandInReply>(worker);
    if (ready.kind !== 'ready') throw new Error(`the stand-in worker answered ${ready.kind} instead of ready`);
    return new StandInClient(worker, ready.apiUrl);
  }

  private async ask(request: StandInRequest): Promise<StandInReply> {
    const answer = nextMessage<StandInReply>(this.worker);
    this.worker.postMessage(request);
    return answer;
  }

  async responseUrls(userIds: readonly string[]): Promise<readonly string[]> {
    const reply = await this.ask({ kind: 'response-urls', channelId: CHANNEL_ID, userIds });
    if (reply.kind !== 'response-urls') throw new Error(`the stand-in worker answered ${reply.kind}`);
    return reply.urls;
  }

  async summary(): Promise<StandInSummary> {
    const reply = await this.ask({ kind: 'summary', receiptText: RECEIPT_TEXT });
    if (reply.kind !== 'summary') throw new Error(`the stand-in worker answered ${reply.kind}`);
    return reply.summary;
  }

  eventLoopUtilization(since?: EventLoopUtilization): EventLoopUtilization {
    return this.worker.performance.eventLoopUtilization(since);
  }

  async stop(): Promise<void> {
    await this.ask({ kind: 'stop' }).catch(() => undefined);
    await this.worker.terminate();
  }
}

/** The floor: a Bolt app on the same receiver settings whose only listener acknowledges. */
export async function startBareApp(apiUrl: string): Promise<Stoppable> {
  const logger = boltLogger(pino({ level: 'silent' }));
  // Same receiver options as the real adapter, so the two differ only in what the listener does.
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: SLACK_EVENTS_PATH, logger, unhandledRequestTimeoutMillis: 2_500 });
  // With botId and botUserId given and verification off, authorize never calls auth.test (Bolt would call it on
  // every request without them); slackApiUrl keeps any stray call on the stand-in, away from slack.com.
  const app = new App({
    token: BOT_TOKEN,
    botId: BOT_ID,
    botUserId: BOT_USER_ID,
    tokenVerificationEnabled: false,
    receiver,
    logger,
    clientOptions: { slackApiUrl: apiUrl },
    extendedErrorHandler: true,
  });
  app.action(/^mp_answer_/, async ({ ack }) => {
    await ack();
  });
  const server = createServer(receiver.requestListener);
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function startRealApp(apiUrl: string, storage: BenchStorage): Promise<RunningServer> {
  const config = loadConfig({
    ...storage.env,
    SURVEYS_DIR,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    RESPONDENT_KEY_SECRET: BENCH_RESPONDENT_SECRET,
    // Yearly, so no scheduled tick lands inside a measured block; opening the round kicks one tick itself.
    TICK_CRON: '0 0 1 1 *',
  });
  if (!config.ok) throw new Error(`bench config: ${config.problems.join('; ')}`);
  return startServer(config.config, pino({ level: 'silent' }), () => undefined);
}

async function waitFor<T>(what: string, check: () => T | null | Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A team on the bench channel with an open round, whose round message the outbox has already posted. */
export async function openBenchRound(ctx: ServiceContext): Promise<{ team: Team; round: Round }> {
  const surveyId = [...ctx.surveys.keys()].sort()[0];
  if (surveyId === undefined) throw new Error(`no survey loaded from ${SURVEYS_DIR}`);
  const setup = await setupTeam(ctx, { platform: 'slack', workspaceId: TEAM_ID, userId: 'UBENCHADMIN' }, {
    name: 'Bench Clicks',
    channel: { platform: 'slack', workspaceId: TEAM_ID, channelId: CHANNEL_ID },
    surveyId,
    cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 },
  });
  if (setup.kind !== 'created') throw new Error(`setupTeam answered ${setup.kind}`);
  const opened = await openRound(ctx, setup.team, { origin: 'ad-hoc' });
  if (opened.kind !== 'opened') throw new Error(`openRound answered ${opened.kind}`);
  // A click on a round about to close would measure the "round closed" path instead.
  if (opened.round.closesAt.getTime() - Date.now() < 60 * 60_000) throw new Error(`the bench round closes too soon (${opened.round.closesAt.toISOString()})`);
  // Opening kicks the outbox; waiting for the post keeps that send out of the measured blocks.
  await waitFor(
    'the round message to be posted',
    async () => ((await ctx.store.findDelivery(setup.team.channel, roundPeriodKey(opened.round.id), 'round-opened'))?.status === 'sent' ? true : null),
    10_000,
  );
  return { team: setup.team, round: opened.round };
}

export function userId(index: number): string {
  return `UB${String(index).padStart(6, '0')}`;
}

/** One answer click per person, spread over the round's options, each with its own response_url. */
export function clickBodies(round: Round, responseUrls: readonly string[]): string[] {
  const options = round.question.options.map((option) => option.id);
  return responseUrls.map((responseUrl, index) => {
    const option = options[index % options.length]!;
    const user = userId(index);
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), team_id: TEAM_ID },
      team: { id: TEAM_ID, domain: 'bench' },
      channel: { id: CHANNEL_ID, name: 'bench' },
      container: { type: 'message', channel_id: CHANNEL_ID, message_ts: '1.0' },
      trigger_id: `${index + 1}.1.bench`,
      response_url: responseUrl,
      actions: [{ type: 'button', action_id: `mp_answer_${option}`, block_id: 'b', value: `${round.id}:${option}`, action_ts: '1.1' }],
    };
    // What Slack sends: the payload as JSON in one form field (as SlackRequester.interaction does).
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  });
}

/** Bare then real on the same slice of payloads, block by block: warm-up first, then the measured blocks. */
function plan(): Phase[] {
  const phases: Phase[] = [];
  const add = (start: number, count: number, blocks: number, measured: boolean): void => {
    const size = count / blocks;
    for (let block = 0; block < blocks; block += 1) {
      const from = start + block * size;
      phases.push({ app: 'bare', from, to: from + size, measured }, { app: 'real', from, to: from + size, measured });
    }
  };
  add(0, WARMUP, WARMUP_BLOCKS, false);
  add(WARMUP, MEASURED, BLOCKS, true);
  return phases;
}

export function emptyTally(): Tally {
  return { latenciesMs: [], blockRates: [], sent: 0, ok: 0, elapsedMs: 0, otherStatuses: new Map() };
}

export function record(tally: Tally, result: LoadResult, measured: boolean): void {
  let ok = 0;
  for (const status of result.statuses) {
    if (status === 200) ok += 1;
    else tally.otherStatuses.set(status, (tally.otherStatuses.get(status) ?? 0) + 1);
  }
  if (!measured) return;
  tally.sent += result.statuses.length;
  tally.ok += ok;
  tally.elapsedMs += result.elapsedMs;
  tally.blockRates.push(ok / (result.elapsedMs / 1000));
  // Only answered clicks count: an error path can be faster than the work it skipped.
  result.latenciesMs.forEach((ms, index) => {
    if (result.statuses[index] === 200) tally.latenciesMs.push(ms);
  });
}

export interface Figures {
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function figures(tally: Tally): Figures {
  if (tally.latenciesMs.length === 0) throw new Error('no request was answered with HTTP 200');
  const sorted = [...tally.latenciesMs].sort((a, b) => a - b);
  return { rate: tally.ok / (tally.elapsedMs / 1000), p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]! };
}

export function describeApp(label: string, tally: Tally, result: Figures): string {
  const others = [...tally.otherStatuses].map(([status, count]) => `${count}x ${status === 0 ? 'no response' : `HTTP ${status}`}`).join(', ');
  return `  ${label}: ${result.rate.toFixed(0)} req/s (blocks ${tally.blockRates.map((rate) => rate.toFixed(0)).join(', ')}), p50 ${formatMs(result.p50)} ms, p99 ${formatMs(result.p99)} ms, max ${formatMs(result.max)} ms, ${tally.ok}/${tally.sent} HTTP 200${others ? `; not 200 (warm-up included): ${others}` : ''}`;
}

/**
 * Signed block_actions answer clicks over loopback: the real app (answer committed to SQLite before the ack,
 * receipt sent to the response_url after it) against a bare Bolt app that only acks, same payloads, same
 * concurrency, alternating blocks in one run.
 */
export async function runSlackClickBench(engine: BenchEngine): Promise<void> {
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const storage = await createBenchStorage(engine, 'slack');
    cleanups.push(() => storage.drop());
    const slack = await StandInClient.start();
    cleanups.push(() => slack.stop());
    const real = await startRealApp(slack.apiUrl, storage);
    cleanups.push(() => real.stop());
    const bare = await startBareApp(slack.apiUrl);
    cleanups.push(() => bare.stop());
    const realUrl = `http://127.0.0.1:${real.port}${SLACK_EVENTS_PATH}`;

    const { round } = await openBenchRound(real.ctx);
    const total = WARMUP + MEASURED;
    const bodies = clickBodies(round, await slack.responseUrls(Array.from({ length: total }, (_, index) => userId(index))));
    const options = round.question.options.map((option) => option.id);
    console.log(`slack-click [${engine.name}]: ${MEASURED} signed block_actions per app after ${WARMUP} warm-up, ${CONCURRENCY} in flight, ${BLOCKS} alternating blocks, ${total} distinct users over options ${options.join(', ')}`);
    console.log('  load generator and Slack stand-in each on their own worker thread; both apps on the main thread');

    const loadData: LoadWorkerData = { signingSecret: SIGNING_SECRET, bodies };
    const load = new Worker(new URL('./slack-load-worker.js', import.meta.url), { workerData: loadData });
    cleanups.push(async () => {
      await load.terminate();
    });

    const tallies: Record<AppName, Tally> = { bare: emptyTally(), real: emptyTally() };
    const busy: Record<AppName, Busy> = { bare: emptyBusy(), real: emptyBusy() };
    let receiptLagMs = 0;
    for (const phase of plan()) {
      // Starts each block with a clean heap so one block's garbage is not collected during the next.
      if (typeof globalThis.gc === 'function') globalThis.gc();
      const request: LoadRequest = { urls: [phase.app === 'real' ? realUrl : bare.url], from: phase.from, to: phase.to, concurrency: CONCURRENCY };
      const before = { app: performance.eventLoopUtilization(), load: load.performance.eventLoopUtilization(), slack: slack.eventLoopUtilization() };
      const answer = nextMessage<LoadResult>(load);
      load.postMessage(request);
      const result = await answer;
      const during = { app: performance.eventLoopUtilization(before.app), load: load.performance.eventLoopUtilization(before.load), slack: slack.eventLoopUtilization(before.slack) };
      record(tallies[phase.app], result, phase.measured);
      if (phase.measured) {
        for (const thread of ['app', 'load', 'slack'] as const) {
          busy[phase.app][thread].active += during[thread].active;
          busy[phase.app][thread].idle += during[thread].idle;
        }
      }
      if (phase.app === 'real') {
        // Receipts go out after the ack. Waiting for them here keeps a block's trailing receipts out of the
        // next bare block, and the wait shows whether the stand-in keeps up (it should take milliseconds).
        const ended = performance.now();
        await waitFor('the receipts', async () => ((await slack.summary()).responses >= phase.to ? true : null), RECEIPT_TIMEOUT_MS);
        receiptLagMs = Math.max(receiptLagMs, performance.now() - ended);
      }
      if (!phase.measured && tallies[phase.app].otherStatuses.size > 0) {
        throw new Error(`the ${phase.app} app answered warm-up clicks with ${[...tallies[phase.app].otherStatuses.keys()].join(', ')} instead of 200`);
      }
    }

    const bareFigures = figures(tallies.bare);
    const realFigures = figures(tallies.real);
    console.log(describeApp('bare-bolt', tallies.bare, bareFigures));
    console.log(describeApp('real app ', tallies.real, realFigures));
    // Shows which thread limits a block: the app's own near 100% means the app, not the harness, is the bottleneck.
    console.log(`  event loops busy in measured blocks, bare / real: app thread ${busyShare(busy.bare, 'app')} / ${busyShare(busy.real, 'app')}, load generator ${busyShare(busy.bare, 'load')} / ${busyShare(busy.real, 'load')}, Slack stand-in ${busyShare(busy.bare, 'slack')} / ${busyShare(busy.real, 'slack')}`);
    // Per pair of neighbouring blocks, so a burst of outside load shows up as one odd pair, not a shifted total.
    const pairs = tallies.real.blockRates.map((rate, index) => rate / (tallies.bare.blockRates[index] ?? Number.NaN));
    const sortedPairs = [...pairs].sort((a, b) => a - b);
    console.log(`  real/bare throughput by block pair: ${pairs.map((ratio) => ratio.toFixed(2)).join(', ')} (median ${percentile(sortedPairs, 50).toFixed(2)})`);

    // The benchmark means nothing if the real app acknowledged without storing: count what it stored.
    const stored = await new BenchSql(real.ctx.store).one<{ rows: number; keys: number }>((d) => `SELECT ${d.int('count(*)')} AS rows, ${d.int('count(DISTINCT respondent_key)')} AS keys FROM answers WHERE round_id = ${d.p(1)}`, [round.id]);
    const summary = await slack.summary();
    console.log(`  real app stored ${stored.rows} answers (${stored.keys} respondents) for round ${round.id}; ${total} distinct users clicked`);
    console.log(`  receipts: ${summary.receipts} "${RECEIPT_TEXT}" of ${summary.responses} response_url posts (${summary.accepted} accepted); all in within ${formatMs(receiptLagMs)} ms of a block's last ack`);
    console.log(`  stand-in Web API calls over the run (${total} clicks to the real app): ${Object.entries(summary.calls).map(([method, count]) => `${method} ${count}`).join(', ') || 'none'}`);
    // An auth.test per click is a round trip to Slack before each click is handled; worth a line when it happens.
    const authTests = summary.calls['auth.test'] ?? 0;
    if (authTests >= total) console.log(`  note: the real app called auth.test ${(authTests / total).toFixed(2)} times per click`);
    const problems = [
      ...(stored.rows !== total || stored.keys !== total ? [`${stored.rows} answers stored, expected ${total}`] : []),
      ...(summary.receipts !== total || summary.responses !== total ? [`${summary.receipts} receipts of ${summary.responses} response_url posts, expected ${total}`] : []),
      ...(tallies.bare.ok !== tallies.bare.sent ? [`bare app: ${tallies.bare.sent - tallies.bare.ok} measured clicks not answered 200`] : []),
      ...(tallies.real.ok !== tallies.real.sent ? [`real app: ${tallies.real.sent - tallies.real.ok} measured clicks not answered 200`] : []),
    ];
    if (problems.length > 0) throw new Error(`slack-click measured an error path: ${problems.join('; ')}`);

    const ratio = realFigures.rate / bareFigures.rate;
    console.log(`  aim: throughput at least ${TARGET_THROUGHPUT_RATIO}x bare-bolt: ${ratio >= TARGET_THROUGHPUT_RATIO ? 'met' : 'MISSED'} (${ratio.toFixed(2)}x)`);
    // With a fixed number in flight, a click mostly waits behind the others: Little's law gives the mean wait.
    console.log(`  aim: p99 under ${TARGET_P99_MS} ms: ${realFigures.p99 < TARGET_P99_MS ? 'met' : 'MISSED'} (${CONCURRENCY} in flight at ${realFigures.rate.toFixed(0)} req/s is ${formatMs((1000 * CONCURRENCY) / realFigures.rate)} ms a click on average)`);
    console.log(ratioLine(`slack-click-throughput [${engine.name}]`, realFigures.rate.toFixed(0), 'req/s', ratio, 'bare-bolt', 2));
    console.log(summaryLine(`slack-click-p99 [${engine.name}]`, realFigures.p99, bareFigures.p99, 'bare-bolt-p99'));
  } finally {
    // Every cleanup runs even if one fails, so no server, worker or temp directory outlives the benchmark.
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch((error: unknown) => console.warn(`slack-click cleanup failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}
