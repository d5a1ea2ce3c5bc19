/**
 * Shared pieces of the benchmarks that run the real app (startServer, live Slack mode, HTTP receiver) against
 * the Slack stand-in on a worker thread: the worker client, the app's start-up and polling.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/main.js';
import { SURVEYS_DIR } from './context.js';
import type { ChannelContents, WorkspaceReply, WorkspaceRequest, WorkspaceSummary, WorkspaceWorkerData } from './slack-workspace-worker.js';

export const BENCH_TEAM_ID = 'T0BENCH';
export const BENCH_BOT_TOKEN = 'xoxb-bench-token';
export const BENCH_SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';

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

/** Polls `check` every `everyMs` until it answers non-null. */
export async function waitFor<T>(what: string, check: () => T | null | Promise<T | null>, timeoutMs: number, everyMs = 5): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The Slack stand-in of slack-workspace-worker.ts, asked one thing at a time. */
export class WorkspaceStandIn {
  private constructor(
    private readonly worker: Worker,
    readonly apiUrl: string,
  ) {}

  static async start(options: Omit<WorkspaceWorkerData, 'teamId' | 'botToken'>): Promise<WorkspaceStandIn> {
    const workerData: WorkspaceWorkerData = { teamId: BENCH_TEAM_ID, botToken: BENCH_BOT_TOKEN, ...options };
    const worker = new Worker(new URL('./slack-workspace-worker.js', import.meta.url), { workerData });
    const ready = await nextMessage<WorkspaceReply>(worker);
    if (ready.kind !== 'ready') throw new Error(`the stand-in worker answered ${ready.kind} instead of ready`);
    return new WorkspaceStandIn(worker, ready.apiUrl);
  }

  private async ask(request: WorkspaceRequest): Promise<WorkspaceReply> {
    const answer = nextMessage<WorkspaceReply>(this.worker);
    this.worker.postMessage(request);
    return answer;
  }

  async responseUrls(channelId: string, userIds: readonly string[]): Promise<readonly string[]> {
    const reply = await this.ask({ kind: 'response-urls', channelId, userIds });
    if (reply.kind !== 'response-urls') throw new Error(`the stand-in worker answered ${reply.kind}`);
    return reply.urls;
  }

  async summary(receiptText = ''): Promise<WorkspaceSummary> {
    const reply = await this.ask({ kind: 'summary', receiptText });
    if (reply.kind !== 'summary') throw new Error(`the stand-in worker answered ${reply.kind}`);
    return reply.summary;
  }

  async channels(channelIds: readonly string[]): Promise<readonly ChannelContents[]> {
    const reply = await this.ask({ kind: 'channels', channelIds });
    if (reply.kind !== 'channels') throw new Error(`the stand-in worker answered ${reply.kind}`);
    return reply.channels;
  }

  eventLoopUtilization(since?: EventLoopUtilization): EventLoopUtilization {
    return this.worker.performance.eventLoopUtilization(since);
  }

  async stop(): Promise<void> {
    await this.ask({ kind: 'stop' }).catch(() => undefined);
    await this.worker.terminate();
  }
}

/** The real app as `maturity-pulse start` runs it in live Slack mode (HTTP receiver), on this thread. */
export async function startLiveApp(apiUrl: string, dataDir: string, tickCron: string): Promise<RunningServer> {
  const config = loadConfig({
    DATA_DIR: dataDir,
    SURVEYS_DIR,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: BENCH_BOT_TOKEN,
    SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    RESPONDENT_KEY_SECRET: 'bench-respondent-secret-that-is-long-enough-0123',
    TICK_CRON: tickCron,
  });
  if (!config.ok) throw new Error(`bench config: ${config.problems.join('; ')}`);
  return startServer(config.config, pino({ level: 'silent' }), () => undefined);
}

/** Runs every cleanup, newest first, even when one fails, so no server, worker or temp directory outlives a benchmark. */
export async function runCleanups(label: string, cleanups: (() => Promise<void> | void)[]): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    await Promise.resolve()
      .then(cleanup)
      .catch((error: unknown) => console.warn(`${label} cleanup failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}

/** Per method: calls, and how many were answered 429. */
export function describeCalls(calls: Readonly<Record<string, { total: number; limited: number }>>): string {
  return (
    Object.entries(calls)
      .map(([method, { total, limited }]) => `${method} ${total}${limited > 0 ? ` (${limited} answered 429)` : ''}`)
      .join(', ') || 'none'
  );
}

/**
 * The longest time this thread's event loop went without running a timer: a 10 ms interval that notes how
 * late each of its callbacks came. A synchronous pass of N ms shows up as a gap of about N ms.
 */
export class StallWatch {
  private last = performance.now();
  private longest = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly everyMs = 10) {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.longest = Math.max(this.longest, now - this.last - this.everyMs);
      this.last = now;
    }, everyMs);
  }

  /** Stops watching; answers the longest stall seen, in milliseconds. */
  stop(): number {
    clearInterval(this.timer);
    const now = performance.now();
    return Math.max(this.longest, now - this.last - this.everyMs, 0);
  }
}
