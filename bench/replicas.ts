/**
 * Replicas for the PostgreSQL benchmarks: real `maturity-pulse start` processes (the benchmark build's
 * dist-bench/src/cli.js, compiled from the same sources as dist/cli.js in this very run) on one database,
 * each in its own INSTANCE_SLOT on its own port, all against the same Slack stand-in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../test/support/postgres-server.js';
import { performance } from 'node:perf_hooks';
import { BENCH_CLI, BENCH_RESPONDENT_SECRET, SURVEYS_DIR } from './context.js';
import type { BenchStorage } from './engine.js';
import { BENCH_BOT_TOKEN, BENCH_SIGNING_SECRET } from './slack-harness.js';

/** Output kept per process: enough for the last lines of a failure, bounded however long the run. */
const OUTPUT_LIMIT = 64 * 1024;
const START_TIMEOUT_MS = 60_000;


export interface Health {
  readonly status: string;
  readonly scheduler: 'running' | 'standby';
}

export class Replica {
  private output = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly slot: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Starts `maturity-pulse start` and waits until its health check answers. */
  static async start(storage: BenchStorage, slackApiUrl: string, slot: string, extraEnv: Readonly<Record<string, string>> = {}): Promise<Replica> {
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: storage.dataDir,
      ...storage.env,
      SURVEYS_DIR,
      HOST: '127.0.0.1',
      PORT: String(port),
      INSTANCE_SLOT: slot,
      // warn: what the processes print is for failures; the in-process benchmarks log nothing at all.
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      SLACK_BOT_TOKEN: BENCH_BOT_TOKEN,
      SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
      SLACK_API_URL: slackApiUrl,
      RESPONDENT_KEY_SECRET: BENCH_RESPONDENT_SECRET,
      ...extraEnv,
    };
    const child = spawn(process.execPath, [BENCH_CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // A benchmark that exits early (an error, Ctrl-C) must not leave replicas running.
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', kill);
    child.once('exit', () => process.removeListener('exit', kill));
    const replica = new Replica(slot, port, child);
    const deadline = performance.now() + START_TIMEOUT_MS;
    for (;;) {
      if (!replica.alive) throw new Error(`replica ${slot} exited (${String(child.exitCode ?? child.signalCode)}) while starting:\n${replica.output.slice(-3000)}`);
      try {
        const health = await replica.health();
        if (health.status === 'ok') return replica;
      } catch {
        // Not listening yet.
      }
      if (performance.now() > deadline) {
        await replica.stop();
        throw new Error(`replica ${slot} did not answer its health check within ${START_TIMEOUT_MS / 1000} s:\n${replica.output.slice(-3000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The Slack events endpoint. */
  get slackUrl(): string {
    return `http://127.0.0.1:${this.port}/slack/events`;
  }

  async health(): Promise<Health> {
    const response = await fetch(`http://127.0.0.1:${this.port}/healthz`);
    return (await response.json()) as Health;
  }

  /** CPU time (user + system) the process has used so far, in milliseconds, from /proc (0 where there is none). */
  cpuMs(): number {
    try {
      // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      return 0;
    }
  }

  /** Warnings and errors the process printed (JSON lines). */
  problems(): string[] {
    return this.output.split('\n').filter((line) => line.startsWith('{') && /"level":(40|50|60)/.test(line));
  }

  async stop(): Promise<void> {
    if (this.alive) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** `count` replicas started together (migrations serialise themselves); the first to tick takes the lease. */
export async function startReplicas(count: number, storage: BenchStorage, slackApiUrl: string, extraEnv: Readonly<Record<string, string>> = {}): Promise<Replica[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, (_, index) => Replica.start(storage, slackApiUrl, String(index), extraEnv)));
  const replicas = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(replicas.map((replica) => replica.stop()));
    throw failed.reason;
  }
  return replicas;
}

/** The replica whose health check says it runs the scheduler, once exactly one does. */
export async function leaseHolder(replicas: readonly Replica[], timeoutMs = 30_000): Promise<Replica> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const healths = await Promise.all(replicas.map((replica) => replica.health()));
    const running = replicas.filter((_, index) => healths[index]!.scheduler === 'running');
    if (running.length === 1) return running[0]!;
    if (performance.now() > deadline) throw new Error(`${running.length} replicas say they run the scheduler after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
