import { Client } from 'pg';
import { z } from 'zod';
import type { Store, StoreSignal } from '../store.js';
import type { PgDb } from './database.js';

/** The NOTIFY channel every replica of one database listens on. */
const CHANNEL = 'maturity_pulse';
const RECONNECT_MS = 1_000;

const SignalSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('intent') }),
  z.object({ kind: z.literal('answer'), roundId: z.number().int().positive(), platform: z.enum(['slack', 'teams', 'demo']) }),
]);

/**
 * Signals between replicas through PostgreSQL's LISTEN/NOTIFY. Signals sent in one turn of the event
 * loop go out in one statement (a click burst is one round trip, not hundreds). Listening takes one
 * connection of its own outside the pool, kept open and reconnected after a failure; behind a
 * transaction-mode pooler (where LISTEN does not work) replicas still converge, on the next tick.
 */
export function createPgSignals(db: PgDb): Pick<Store, 'signal' | 'listen'> & { close(): Promise<void> } {
  let queued: string[] = [];
  let flushing: NodeJS.Immediate | null = null;
  const listeners = new Set<(event: StoreSignal) => void>();
  let client: Client | null = null;
  let reconnect: NodeJS.Timeout | null = null;
  let closed = false;

  const flush = (): void => {
    flushing = null;
    const payloads = [...new Set(queued)];
    queued = [];
    if (payloads.length === 0 || db.$client.ended) return;
    // Best effort by design: a lost signal delays a post or a count edit until the next tick.
    db.$client.query(`select pg_notify('${CHANNEL}', payload) from unnest($1::text[]) as payload`, [payloads]).catch(() => undefined);
  };

  const deliver = (payload: string | undefined): void => {
    if (!payload) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return;
    }
    const event = SignalSchema.safeParse(parsed);
    if (!event.success) return;
    for (const listener of listeners) listener(event.data);
  };

  const connect = async (): Promise<void> => {
    if (closed || client || listeners.size === 0) return;
    const next = new Client(db.$client.options);
    next.on('notification', (message) => deliver(message.payload));
    next.on('error', () => {
      if (client === next) client = null;
      void next.end().catch(() => undefined);
      scheduleReconnect();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      if (closed || listeners.size === 0) {
        await next.end();
        return;
      }
      client = next;
    } catch {
      await next.end().catch(() => undefined);
      scheduleReconnect();
    }
  };

  const scheduleReconnect = (): void => {
    if (closed || reconnect || listeners.size === 0) return;
    reconnect = setTimeout(() => {
      reconnect = null;
      void connect();
    }, RECONNECT_MS);
    reconnect.unref();
  };

  const stop = async (): Promise<void> => {
    if (reconnect) clearTimeout(reconnect);
    reconnect = null;
    const current = client;
    client = null;
    await current?.end().catch(() => undefined);
  };

  return {
    signal: (event) => {
      queued.push(JSON.stringify(event));
      flushing ??= setImmediate(flush);
    },
    listen: async (listener) => {
      listeners.add(listener);
      await connect();
      return async () => {
        listeners.delete(listener);
        if (listeners.size === 0) await stop();
      };
    },
    close: async () => {
      closed = true;
      if (flushing) clearImmediate(flushing);
      flush();
      await stop();
    },
  };
}
