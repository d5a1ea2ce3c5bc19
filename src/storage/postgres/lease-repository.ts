import { and, eq, or, sql } from 'drizzle-orm';
import { LeaseLostError, type Fence, type LeaseRequest, type LeaseState } from '../records.js';
import type { PgConn } from './postgres-store.js';
import { leases } from './schema.js';

/**
 * Takes or renews the named lease (see `Store.acquireLease`). Processes on several machines share the
 * lease, so its clock is the database's (`clock_timestamp()`), never the caller's `now`.
 *
 * Two statements, which the store runs in one transaction: the current row is locked first, so the holder
 * it names is the one the upsert replaces (`newlyAcquired`); the conditional upsert then decides. When the
 * row does not exist yet, a concurrent first insert makes ours fall into the `do update` branch, where the
 * same condition decides, so exactly one process holds the lease.
 */
export async function acquireLease(db: PgConn, request: LeaseRequest): Promise<LeaseState> {
  const { name, holder, takeOverFrom, ttlMs } = request;
  const [before] = await db.select({ holder: leases.holder }).from(leases).where(eq(leases.name, name)).for('update');
  const takeable = or(eq(leases.holder, holder), takeOverFrom === null ? undefined : eq(leases.holder, takeOverFrom), sql`${leases.expiresAt} <= clock_timestamp()`);
  const [after] = await db
    .insert(leases)
    .values({
      name,
      holder,
      acquiredAt: sql`clock_timestamp()`,
      expiresAt: sql`clock_timestamp() + ${ttlMs}::double precision * interval '1 millisecond'`,
      token: 1,
    })
    .onConflictDoUpdate({
      target: leases.name,
      set: {
        holder: sql`excluded.holder`,
        expiresAt: sql`excluded.expires_at`,
        acquiredAt: sql`case when ${leases.holder} = excluded.holder then ${leases.acquiredAt} else excluded.acquired_at end`,
        token: sql`case when ${leases.holder} = excluded.holder then ${leases.token} else ${leases.token} + 1 end`,
      },
      setWhere: takeable,
    })
    .returning({ holder: leases.holder, expiresAt: leases.expiresAt, token: leases.token });
  if (after) return { held: true, newlyAcquired: before?.holder !== holder, ...after };
  const current = await readLease(db, name);
  if (!current) throw new Error('lease row missing after upsert');
  return { held: current.holder === holder, newlyAcquired: false, ...current };
}

/**
 * Inside a transaction: throws unless the lease still carries the fence's token. The row stays
 * share-locked until the transaction ends, so no takeover (an update of the row) commits before it.
 */
export async function assertLease(db: PgConn, fence: Fence): Promise<void> {
  const [row] = await db.select({ token: leases.token }).from(leases).where(eq(leases.name, fence.name)).for('share');
  if (row?.token !== fence.token) throw new LeaseLostError(fence);
}

/** Gives the lease up at shutdown so a standby process can take over at once. */
export async function releaseLease(db: PgConn, name: string, holder: string): Promise<void> {
  // The row stays (with its token) and only expires: a new holder raises the token, so fencing holds.
  await db
    .update(leases)
    .set({ expiresAt: new Date(0) })
    .where(and(eq(leases.name, name), eq(leases.holder, holder)));
}

export async function readLease(db: PgConn, name: string): Promise<{ holder: string; expiresAt: Date; token: number } | null> {
  const [row] = await db.select({ holder: leases.holder, expiresAt: leases.expiresAt, token: leases.token }).from(leases).where(eq(leases.name, name));
  return row ?? null;
}

/**
 * A fence for one statement instead of a transaction (begin, check, write, commit: four round trips for a
 * write the tick or the drainer makes thousands of times). The lease row is share-locked while the
 * statement runs, so a takeover that raises the token waits for it, as it waits for a fenced transaction:
 * `db.with(guard.lease).update(…).where(and(…, guard.holds))`. No row written: call `assertLease` to tell a
 * lost lease from a row that did not match.
 */
export function leaseGuard(db: PgConn, fence: Fence) {
  const lease = db.$with('lease').as(db.select({ token: leases.token }).from(leases).where(eq(leases.name, fence.name)).for('share'));
  return { lease, holds: sql`exists (select 1 from ${lease} where ${lease.token} = ${fence.token})` };
}
