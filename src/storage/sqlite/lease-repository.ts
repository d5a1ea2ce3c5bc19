import { and, eq, sql } from 'drizzle-orm';
import { LeaseLostError, type Fence, type LeaseRequest, type LeaseState } from '../records.js';
import { inTransaction, type Db } from './database.js';
import { leases } from './schema.js';

/**
 * Takes or renews the named lease (see `Store.acquireLease`). On SQLite every process shares one machine
 * and its clock, so the caller's `now` is the lease clock.
 */
export function acquireLease(db: Db, request: LeaseRequest): LeaseState {
  const { name, holder, takeOverFrom, ttlMs, now } = request;
  return inTransaction(db, () => {
    const before = db.select().from(leases).where(eq(leases.name, name)).get();
    const expiresAt = new Date(now.getTime() + ttlMs);
    const takeable = takeOverFrom === null ? sql`${leases.holder} = ${holder} or ${leases.expiresAt} <= ${now.getTime()}` : sql`${leases.holder} in (${holder}, ${takeOverFrom}) or ${leases.expiresAt} <= ${now.getTime()}`;
    db.insert(leases)
      .values({ name, holder, acquiredAt: now, expiresAt, token: 1 })
      .onConflictDoUpdate({
        target: leases.name,
        set: {
          holder,
          expiresAt,
          acquiredAt: sql`case when ${leases.holder} = ${holder} then ${leases.acquiredAt} else ${now.getTime()} end`,
          token: sql`case when ${leases.holder} = ${holder} then ${leases.token} else ${leases.token} + 1 end`,
        },
        setWhere: takeable,
      })
      .run();
    const after = db.select().from(leases).where(eq(leases.name, name)).get();
    if (!after) throw new Error('lease row missing after upsert');
    const held = after.holder === holder;
    return { held, newlyAcquired: held && before?.holder !== holder, holder: after.holder, expiresAt: after.expiresAt, token: after.token };
  });
}

/** Inside a transaction: throws unless the lease still carries the fence's token. */
export function assertLease(db: Db, fence: Fence): void {
  const row = db.select({ token: leases.token }).from(leases).where(eq(leases.name, fence.name)).get();
  if (row?.token !== fence.token) throw new LeaseLostError(fence);
}

/** Gives the lease up at shutdown so a standby process can take over at once. */
export function releaseLease(db: Db, name: string, holder: string): void {
  // The row stays (with its token) and only expires: a new holder raises the token, so fencing holds.
  db.update(leases).set({ expiresAt: new Date(0) }).where(and(eq(leases.name, name), eq(leases.holder, holder))).run();
}

export function readLease(db: Db, name: string): { holder: string; expiresAt: Date; token: number } | null {
  const row = db.select({ holder: leases.holder, expiresAt: leases.expiresAt, token: leases.token }).from(leases).where(eq(leases.name, name)).get();
  return row ?? null;
}
