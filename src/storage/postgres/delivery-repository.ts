import { and, asc, eq, lte, min, sql } from 'drizzle-orm';
import { DELIVERY_KINDS, DELIVERY_STATUSES, MAX_UNCERTAIN_RESENDS, parseDeliveryPayload, payloadBody, type Delivery, type DeliveryKind, type DeliveryStatus } from '../../core/outbox.js';
import { isPlatform, type ChannelRef, type Platform } from '../../core/platform.js';
import type { DeliveryIntent, Fence } from '../records.js';
import { assertLease, leaseGuard } from './lease-repository.js';
import type { PgConn } from './postgres-store.js';
import { deliveries } from './schema.js';

type DeliveryRow = typeof deliveries.$inferSelect;

function toKind(value: string): DeliveryKind {
  const kind = DELIVERY_KINDS.find((candidate) => candidate === value);
  if (!kind) throw new Error(`unknown delivery kind in the database: ${value}`);
  return kind;
}

function toStatus(value: string): DeliveryStatus {
  const status = DELIVERY_STATUSES.find((candidate) => candidate === value);
  if (!status) throw new Error(`unknown delivery status in the database: ${value}`);
  return status;
}

export function toDelivery(row: DeliveryRow): Delivery {
  if (!isPlatform(row.platform)) throw new Error(`delivery ${row.id} has an unknown platform`);
  const kind = toKind(row.kind);
  return {
    id: row.id,
    kind,
    target: { platform: row.platform, workspaceId: row.workspaceId, channelId: row.channelId },
    periodKey: row.periodKey,
    payload: parseDeliveryPayload(kind, row.payload),
    status: toStatus(row.status),
    attempts: row.attempts,
    resends: row.resends,
    nextAttemptAt: row.nextAttemptAt,
    messageRef: row.messageRef,
    lastError: row.lastError,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
  };
}

const byDueTime = (a: Delivery, b: Delivery): number => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id;

function anyId(ids: readonly number[]) {
  return sql`${deliveries.id} = any(${sql.param([...ids])}::integer[])`;
}

/**
 * Writes the intent to post. The unique target + period + kind index makes a second intent for the
 * same post a no-op; `created` says whether this call wrote it.
 */
export async function enqueueDelivery(db: PgConn, intent: DeliveryIntent): Promise<{ created: boolean; delivery: Delivery }> {
  const [row] = await db
    .insert(deliveries)
    .values({
      kind: intent.payload.kind,
      platform: intent.target.platform,
      workspaceId: intent.target.workspaceId,
      channelId: intent.target.channelId,
      periodKey: intent.periodKey,
      payload: payloadBody(intent.payload),
      status: 'pending',
      nextAttemptAt: intent.at,
      teamId: intent.teamId,
      roundId: intent.roundId,
      createdAt: intent.at,
    })
    .onConflictDoNothing()
    .returning();
  if (row) return { created: true, delivery: toDelivery(row) };
  const delivery = await findDelivery(db, intent.target, intent.periodKey, intent.payload.kind);
  if (!delivery) throw new Error('an enqueued delivery could not be read back');
  return { created: false, delivery };
}

export async function findDelivery(db: PgConn, target: ChannelRef, periodKey: string, kind: DeliveryKind): Promise<Delivery | null> {
  const [row] = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.platform, target.platform), eq(deliveries.workspaceId, target.workspaceId), eq(deliveries.channelId, target.channelId), eq(deliveries.periodKey, periodKey), eq(deliveries.kind, kind)));
  return row ? toDelivery(row) : null;
}

export async function findDeliveryById(db: PgConn, id: number): Promise<Delivery | null> {
  const [row] = await db.select().from(deliveries).where(eq(deliveries.id, id));
  return row ? toDelivery(row) : null;
}

/**
 * Claims up to `limit` due deliveries for the given platforms, oldest first, in one statement: the rows
 * are picked `for update skip locked`, so concurrent drainers never claim the same one (a row another
 * drainer claimed and committed meanwhile fails the re-checked `pending` condition). The pick is an
 * `array(…)` sub-select, which PostgreSQL runs once: as `id in (select … limit n for update skip locked)`
 * the planner may rescan it for each row, each rescan skipping the rows just claimed, and claim them all.
 */
export async function claimDueDeliveries(db: PgConn, now: Date, platforms: readonly Platform[], limit: number): Promise<Delivery[]> {
  if (platforms.length === 0 || limit <= 0) return [];
  const due = db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(eq(deliveries.status, 'pending'), lte(deliveries.nextAttemptAt, now), sql`${deliveries.platform} = any(${sql.param([...platforms])}::text[])`))
    .orderBy(asc(deliveries.nextAttemptAt), asc(deliveries.id))
    .limit(limit)
    .for('update', { skipLocked: true });
  const rows = await db
    .update(deliveries)
    .set({ status: 'claimed', attempts: sql`${deliveries.attempts} + 1` })
    .where(and(sql`${deliveries.id} = any(array${due})`, eq(deliveries.status, 'pending')))
    .returning();
  return rows.map(toDelivery).sort(byDueTime);
}

export async function markDeliverySent(db: PgConn, id: number, messageRef: string, at: Date): Promise<void> {
  await db.update(deliveries).set({ status: 'sent', messageRef, sentAt: at, lastError: null }).where(eq(deliveries.id, id));
}

export async function scheduleDeliveryRetry(db: PgConn, id: number, nextAttemptAt: Date, error: string): Promise<void> {
  await db.update(deliveries).set({ status: 'pending', nextAttemptAt, lastError: error }).where(eq(deliveries.id, id));
}

/** Puts a claimed delivery back without counting the attempt (it waits for the message it belongs to). */
export async function releaseDeliveryClaim(db: PgConn, id: number, nextAttemptAt: Date): Promise<void> {
  await db
    .update(deliveries)
    .set({ status: 'pending', nextAttemptAt, attempts: sql`greatest(${deliveries.attempts} - 1, 0)` })
    .where(and(eq(deliveries.id, id), eq(deliveries.status, 'claimed')));
}

/** The platform call for a claimed delivery is about to start: from here a crash leaves its outcome unknown. */
export async function markDeliverySending(db: PgConn, id: number, fence?: Fence): Promise<void> {
  const claimed = and(eq(deliveries.id, id), eq(deliveries.status, 'claimed'));
  if (!fence) {
    await db.update(deliveries).set({ status: 'sending' }).where(claimed);
    return;
  }
  const guard = leaseGuard(db, fence);
  const marked = await db.with(guard.lease).update(deliveries).set({ status: 'sending' }).where(and(claimed, guard.holds)).returning({ id: deliveries.id });
  // Nothing marked: either the delivery was not claimed (nothing to do) or the lease is gone (say so).
  if (marked.length === 0) await assertLease(db, fence);
}

/** Returns claimed-but-unsent deliveries to the queue (after a crash, or a drain that stopped early). */
export async function releaseUnsentClaims(db: PgConn, ids?: readonly number[]): Promise<number> {
  if (ids && ids.length === 0) return 0;
  const result = await db
    .update(deliveries)
    .set({ status: 'pending', attempts: sql`greatest(${deliveries.attempts} - 1, 0)` })
    .where(and(eq(deliveries.status, 'claimed'), ids ? anyId(ids) : undefined));
  return result.rowCount ?? 0;
}

export async function markDeliveryFailed(db: PgConn, id: number, error: string, status: 'failed' | 'cancelled' = 'failed'): Promise<void> {
  await db.update(deliveries).set({ status, lastError: error }).where(eq(deliveries.id, id));
}

/**
 * After taking over from a process that died, deliveries it left mid-send have an unknown outcome: each
 * is sent again (possibly duplicating it, which is logged); one interrupted again and again is given up.
 * Several statements: the store runs them in one transaction, and the stuck rows are locked while decided.
 */
export async function recoverInterruptedDeliveries(db: PgConn, now: Date): Promise<{ resent: Delivery[]; abandoned: Delivery[] }> {
  // Claimed but never started: nothing reached the platform, so they simply go back in line.
  await releaseUnsentClaims(db);
  const stuck = (
    await db
      .select()
      .from(deliveries)
      .where(eq(deliveries.status, 'sending'))
      // SQLite reads them off its deliveries_due (status, next_attempt_at) index.
      .orderBy(asc(deliveries.nextAttemptAt), asc(deliveries.id))
      .for('update')
  ).map(toDelivery);
  const resent: Delivery[] = [];
  const abandoned: Delivery[] = [];
  for (const delivery of stuck) {
    if (delivery.resends < MAX_UNCERTAIN_RESENDS) resent.push(delivery);
    else abandoned.push(delivery);
  }
  if (resent.length > 0) {
    await db
      .update(deliveries)
      .set({ status: 'pending', resends: sql`${deliveries.resends} + 1`, nextAttemptAt: now, lastError: 'outcome unknown after a restart; sent again' })
      .where(anyId(resent.map((delivery) => delivery.id)));
  }
  if (abandoned.length > 0) {
    await db
      .update(deliveries)
      .set({ status: 'failed', lastError: `outcome unknown after ${MAX_UNCERTAIN_RESENDS + 1} interrupted sends in a row; given up` })
      .where(anyId(abandoned.map((delivery) => delivery.id)));
  }
  return { resent, abandoned };
}

export async function countDeliveries(db: PgConn): Promise<Record<DeliveryStatus, number>> {
  const counts: Record<DeliveryStatus, number> = { pending: 0, claimed: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };
  const rows = await db
    .select({ status: deliveries.status, count: sql<number>`count(*)::int` })
    .from(deliveries)
    .groupBy(deliveries.status);
  for (const row of rows) counts[toStatus(row.status)] = row.count;
  return counts;
}

/** How many deliveries wait, and since when the oldest has (a metric read at scrape time). */
export async function pendingDeliveries(db: PgConn): Promise<{ count: number; oldestCreatedAt: Date | null }> {
  const [row] = await db.select({ count: sql<number>`count(*)::int`, oldest: min(deliveries.createdAt) }).from(deliveries).where(eq(deliveries.status, 'pending'));
  return { count: row?.count ?? 0, oldestCreatedAt: row?.oldest ?? null };
}

/** Deliveries matching every condition given, in the order they were written (see `Store.listDeliveries`). */
export async function listDeliveries(db: PgConn, filter: { status?: DeliveryStatus; kind?: DeliveryKind; roundId?: number } = {}): Promise<Delivery[]> {
  const rows = await db
    .select()
    .from(deliveries)
    .where(and(filter.status ? eq(deliveries.status, filter.status) : undefined, filter.kind ? eq(deliveries.kind, filter.kind) : undefined, filter.roundId !== undefined ? eq(deliveries.roundId, filter.roundId) : undefined))
    .orderBy(asc(deliveries.id));
  return rows.map(toDelivery);
}
