/**
 * Shared pieces of the benchmarks that run the real app (startServer, live Slack mode, HTTP receiver) against
 * the Slack stand-in on a worker thread: the worker client, the app's start-up and polling.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { constants as perfConstants, performance, PerformanceObserver, type EventLoopUtilization, type PerformanceEntry } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/main.js';
import { BENCH_RESPONDENT_SECRET, SURVEYS_DIR } from './context.js';
import type { BenchStorage } from './engine.js';
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

/** The real app as `maturity-pulse start` runs it in live Slack mode (HTTP receiver), on this thread, on the benchmark's storage. */
export async function startLiveApp(apiUrl: string, storage: BenchStorage, tickCron: string): Promise<RunningServer> {
  const config = loadConfig({
    ...storage.env,
    SURVEYS_DIR,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: BENCH_BOT_TOKEN,
    SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    RESPONDENT_KEY_SECRET: BENCH_RESPONDENT_SECRET,
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

/**
 * CPU time the calling thread has used (user + system), in milliseconds, from /proc/thread-self (Linux; 0
 * elsewhere). Unlike event-loop utilisation it does not count time the thread waited for a core, so it
 * says how much work the thread did even on a loaded machine.
 */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, the 14th and 15th fields of the line, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Garbage-collection pauses of this thread while watched: minor (scavenges) and major (mark-compact), in ms. */
export class GcWatch {
  private minorMs = 0;
  private majorMs = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } | null }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) this.majorMs += entry.duration;
      else this.minorMs += entry.duration;
    }
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): { minorMs: number; majorMs: number } {
    // Entries are delivered asynchronously; take what has arrived.
    for (const entry of this.observer.takeRecords()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } | null }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) this.majorMs += entry.duration;
      else this.minorMs += entry.duration;
    }
    this.observer.disconnect();
    return { minorMs: this.minorMs, majorMs: this.majorMs };
  }
}

interface ThreadCpu {
  readonly cpuMs: number;
  readonly nice: number;
}

/** utime + stime (ms) and nice of a /proc stat line. */
function parseStat(stat: string): ThreadCpu {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpuMs: (Number(fields[11]) + Number(fields[12])) * 10, nice: Number(fields[16]) };
}

function readThreads(): Map<string, ThreadCpu> {
  const threads = new Map<string, ThreadCpu>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        threads.set(tid, parseStat(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')));
      } catch {
        // The thread ended meanwhile.
      }
    }
  } catch {
    // No /proc: nothing to report.
  }
  return threads;
}

/** CPU of every process whose title names `database` (PostgreSQL backends show "postgres: user database …"). */
function readBackends(database: string | null): Map<string, number> {
  const backends = new Map<string, number>();
  if (database === null) return backends;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!title.startsWith('postgres:') || !title.includes(` ${database} `)) continue;
        backends.set(pid, parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).cpuMs);
      } catch {
        // Gone meanwhile.
      }
    }
  } catch {
    // No /proc.
  }
  return backends;
}

export interface CpuShares {
  readonly seconds: number;
  /** This process's main thread (the app's event loop when the app runs in process). */
  readonly mainMs: number;
  /** Threads running below normal priority (the app's digest and chart workers lower theirs). */
  readonly lowPriorityMs: number;
  /** Every other thread of this process: the load generator, the Slack stand-in, the receipts worker, V8's and libuv's helpers. */
  readonly otherMs: number;
  /** The PostgreSQL backends serving the database (0 on SQLite). */
  readonly postgresMs: number;
}

/**
 * Where the CPU went while watched (Linux /proc; zeros elsewhere): this process's threads by kind, and the
 * PostgreSQL backends of one database. On two cores these compete with the app's event loop.
 */
export class CpuWatch {
  private readonly threads = readThreads();
  private readonly backends: Map<string, number>;
  private readonly started = performance.now();

  constructor(private readonly database: string | null) {
    this.backends = readBackends(database);
  }

  stop(): CpuShares {
    const seconds = (performance.now() - this.started) / 1000;
    let mainMs = 0;
    let lowPriorityMs = 0;
    let otherMs = 0;
    for (const [tid, now] of readThreads()) {
      const spent = now.cpuMs - (this.threads.get(tid)?.cpuMs ?? 0);
      if (tid === String(process.pid)) mainMs += spent;
      else if (now.nice > 0) lowPriorityMs += spent;
      else otherMs += spent;
    }
    let postgresMs = 0;
    for (const [pid, cpuMs] of readBackends(this.database)) postgresMs += cpuMs - (this.backends.get(pid) ?? 0);
    return { seconds, mainMs, lowPriorityMs, otherMs, postgresMs };
  }
}

/** "main 210 ms/s, low-priority workers 500 ms/s, …" for a phase. */
export function describeCpu(shares: CpuShares): string {
  const rate = (ms: number): string => `${(ms / shares.seconds).toFixed(0)} ms/s`;
  return `main thread ${rate(shares.mainMs)}, low-priority workers ${rate(shares.lowPriorityMs)}, other threads ${rate(shares.otherMs)}${shares.postgresMs > 0 ? `, PostgreSQL backends ${rate(shares.postgresMs)}` : ''}`;
}
