/**
 * Several real `maturity-pulse start` processes on one database, as replicas behind a load balancer: each
 * its own INSTANCE_SLOT and port, all on the same storage, Slack and secrets. The test reads what they
 * say (JSON log lines), asks their health checks which one runs the scheduler, and tells the lease holder
 * from the `leases` row.
 */
import type { Store } from '../../src/storage/store.js';
import { ServerProcess } from './processes.js';
import { SlackRequester } from './slack-requests.js';

export const TOOK_LEASE = /took the scheduler lease/;

/** One whole JSON log line, with the fields these tests read. */
export interface LogLine {
  readonly level: number;
  readonly time: number;
  readonly msg: string;
  readonly deliveryId?: number;
  readonly holder?: string;
  readonly token?: number;
  /** For error lines: the cause's message. */
  readonly cause?: string;
}

/** The whole JSON lines of a process's output (a SIGKILL may cut the last one in half; it does not count). */
export function logLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of output.split('\n')) {
    if (!text.startsWith('{') || !text.endsWith('}')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || !('msg' in parsed) || typeof parsed.msg !== 'string') continue;
    const field = <T>(name: string, type: 'number' | 'string'): T | undefined => {
      const value = (parsed as Record<string, unknown>)[name];
      return typeof value === type ? (value as T) : undefined;
    };
    const err = (parsed as Record<string, unknown>)['err'];
    const cause = typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : undefined;
    const deliveryId = field<number>('deliveryId', 'number');
    const holder = field<string>('holder', 'string');
    const token = field<number>('token', 'number');
    lines.push({
      level: field<number>('level', 'number') ?? 0,
      time: field<number>('time', 'number') ?? 0,
      msg: parsed.msg,
      ...(deliveryId === undefined ? {} : { deliveryId }),
      ...(holder === undefined ? {} : { holder }),
      ...(token === undefined ? {} : { token }),
      ...(cause === undefined ? {} : { cause }),
    });
  }
  return lines;
}

export interface Health {
  readonly status: string;
  readonly mode: string;
  readonly scheduler: 'running' | 'standby';
}

/** One replica: a `maturity-pulse start` process in its own slot, with the port and lease holder id it announced. */
export class Replica {
  private constructor(
    readonly slot: string,
    readonly process: ServerProcess,
    readonly port: number,
    /** host:slot:pid:run, as the scheduler lease names its holder. */
    readonly holderId: string,
    readonly requester: SlackRequester,
  ) {}

  /** Starts the process and waits for its start-up line (which carries its port and holder id). */
  static async start(env: Record<string, string>, slot: string, signingSecret: string): Promise<Replica> {
    const server = new ServerProcess({ ...env, INSTANCE_SLOT: slot });
    try {
      const match = await server.waitFor(/"port":(\d+)[^\n]*"holder":"([^"]+)"[^\n]*maturity-pulse is running/);
      const port = Number(match[1]);
      return new Replica(slot, server, port, match[2] ?? '', new SlackRequester(`http://127.0.0.1:${port}/slack/events`, signingSecret));
    } catch (error) {
      await server.stop('SIGKILL');
      throw error;
    }
  }

  get alive(): boolean {
    return this.process.child.exitCode === null && this.process.child.signalCode === null;
  }

  lines(): LogLine[] {
    return logLines(this.process.output);
  }

  async health(): Promise<Health> {
    const response = await fetch(`http://127.0.0.1:${this.port}/healthz`);
    return (await response.json()) as Health;
  }

  stop(signal: NodeJS.Signals): Promise<number | null> {
    return this.process.stop(signal);
  }
}

/** The replica that holds the scheduler lease now according to the database, if any holds an unexpired one. */
export async function leaseHolder(store: Store, replicas: readonly Replica[]): Promise<Replica | null> {
  const lease = await store.readLease('scheduler');
  if (!lease || lease.expiresAt.getTime() <= Date.now()) return null;
  return replicas.find((replica) => replica.holderId === lease.holder) ?? null;
}

/**
 * Runs `work` over `items` with at most `limit` at once, keeping the order of items that share a key (the
 * next one starts only once the previous one finished), so "the last click of a person on a round" is the
 * last one in the list.
 */
export async function runKeyed<T>(items: readonly T[], keyOf: (item: T) => string, limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let active = 0;
  const waiting: (() => void)[] = [];
  const slot = async (): Promise<void> => {
    if (active < limit) {
      active += 1;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };
  const chains = new Map<string, Promise<void>>();
  const all: Promise<void>[] = [];
  items.forEach((item, index) => {
    const key = keyOf(item);
    const run = (chains.get(key) ?? Promise.resolve()).then(async () => {
      await slot();
      try {
        await work(item, index);
      } finally {
        release();
      }
    });
    chains.set(key, run);
    all.push(run);
  });
  await Promise.all(all);
}
