import { and, eq, sql } from 'drizzle-orm';
import { inTransaction, type Db } from './database.js';
import { leases } from './schema.js';

export interface LeaseState {
  /** Whether `holder` holds the lease after this call. */
  readonly held: boolean;
  /** True when this call took the lease over (first start, or after another holder stopped or died). */
  readonly newlyAcquired: boolean;
  readonly holder: string;
  readonly expiresAt: Date;
}

/**
 * Takes or renews the named lease. It succeeds when nobody holds it, when `holder` already does, or when
 * the current lease has expired; the row's conditional upsert makes the race between processes safe.
 */
export function acquireLease(db: Db, name: string, holder: string, now: Date, ttlMs: number): LeaseState {
  return inTransaction(db, () => {
    const before = db.select().from(leases).where(eq(leases.name, name)).get();
    const expiresAt = new Date(now.getTime() + ttlMs);
    db.insert(leases)
      .values({ name, holder, acquiredAt: now, expiresAt })
      .onConflictDoUpdate({
        target: leases.name,
        set: {
          holder,
          expiresAt,
          acquiredAt: sql`case when ${leases.holder} = ${holder} then ${leases.acquiredAt} else ${now.getTime()} end`,
        },
        setWhere: sql`${leases.holder} = ${holder} or ${leases.expiresAt} <= ${now.getTime()}`,
      })
      .run();
    const after = db.select().from(leases).where(eq(leases.name, name)).get();
    if (!after) throw new Error('lease row missing after upsert');
    const held = after.holder === holder;
    return { held, newlyAcquired: held && before?.holder !== holder, holder: after.holder, expiresAt: after.expiresAt };
  });
}

/** Gives the lease up at shutdown so a standby process can take over at once. */
export function releaseLease(db: Db, name: string, holder: string): void {
  db.delete(leases).where(and(eq(leases.name, name), eq(leases.holder, holder))).run();
}

export function readLease(db: Db, name: string): { holder: string; expiresAt: Date } | null {
  const row = db.select({ holder: leases.holder, expiresAt: leases.expiresAt }).from(leases).where(eq(leases.name, name)).get();
  return row ?? null;
}
