import { and, asc, eq, inArray, lte, min, sql } from 'drizzle-orm';
import { DELIVERY_STATUSES, MAX_UNCERTAIN_RESENDS, parseDeliveryPayload, payloadBody, type Delivery, type DeliveryKind, type DeliveryStatus } from '../../core/outbox.js';
import { DELIVERY_KINDS } from '../../core/outbox.js';
import { isPlatform, type ChannelRef, type Platform } from '../../core/platform.js';
import type { DeliveryIntent, Fence } from '../records.js';
import { assertLease } from './lease-repository.js';
import { inTransaction, type Db } from './database.js';
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

/**
 * Writes the intent to post. The unique target + period + kind index makes a second intent for the
 * same post a no-op; `created` says whether this call wrote it.
 */
export function enqueueDelivery(db: Db, intent: DeliveryIntent): { created: boolean; delivery: Delivery } {
  const result = db
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
    .run();
  const delivery = findDelivery(db, intent.target, intent.periodKey, intent.payload.kind);
  if (!delivery) throw new Error('an enqueued delivery could not be read back');
  return { created: result.changes > 0, delivery };
}

export function findDelivery(db: Db, target: ChannelRef, periodKey: string, kind: DeliveryKind): Delivery | null {
  const row = db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.platform, target.platform), eq(deliveries.workspaceId, target.workspaceId), eq(deliveries.channelId, target.channelId), eq(deliveries.periodKey, periodKey), eq(deliveries.kind, kind)))
    .get();
  return row ? toDelivery(row) : null;
}

export function findDeliveryById(db: Db, id: number): Delivery | null {
  const row = db.select().from(deliveries).where(eq(deliveries.id, id)).get();
  return row ? toDelivery(row) : null;
}

/** Claims up to `limit` due deliveries for the given platforms, oldest first; nothing is sent yet. */
export function claimDueDeliveries(db: Db, now: Date, platforms: readonly Platform[], limit: number): Delivery[] {
  if (platforms.length === 0) return [];
  return inTransaction(db, () => {
    const due = db
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(and(eq(deliveries.status, 'pending'), lte(deliveries.nextAttemptAt, now), inArray(deliveries.platform, [...platforms])))
      .orderBy(asc(deliveries.nextAttemptAt), asc(deliveries.id))
      .limit(limit)
      .all()
      .map((row) => row.id);
    if (due.length === 0) return [];
    return db
      .update(deliveries)
      .set({ status: 'claimed', attempts: sql`${deliveries.attempts} + 1` })
      .where(and(inArray(deliveries.id, due), eq(deliveries.status, 'pending')))
      .returning()
      .all()
      .map(toDelivery)
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
  });
}

export function markDeliverySent(db: Db, id: number, messageRef: string, at: Date): void {
  db.update(deliveries).set({ status: 'sent', messageRef, sentAt: at, lastError: null }).where(eq(deliveries.id, id)).run();
}

export function scheduleDeliveryRetry(db: Db, id: number, nextAttemptAt: Date, error: string): void {
  db.update(deliveries).set({ status: 'pending', nextAttemptAt, lastError: error }).where(eq(deliveries.id, id)).run();
}

/** Puts a claimed delivery back without counting the attempt (it waits for the message it belongs to). */
export function releaseDeliveryClaim(db: Db, id: number, nextAttemptAt: Date): void {
  db.update(deliveries)
    .set({ status: 'pending', nextAttemptAt, attempts: sql`max(${deliveries.attempts} - 1, 0)` })
    .where(and(eq(deliveries.id, id), eq(deliveries.status, 'claimed')))
    .run();
}

/** The platform call for a claimed delivery is about to start: from here a crash leaves its outcome unknown. */
export function markDeliverySending(db: Db, id: number, fence?: Fence): void {
  inTransaction(db, () => {
    if (fence) assertLease(db, fence);
    db.update(deliveries).set({ status: 'sending' }).where(and(eq(deliveries.id, id), eq(deliveries.status, 'claimed'))).run();
  });
}

/** Returns claimed-but-unsent deliveries to the queue (after a crash, or a drain that stopped early). */
export function releaseUnsentClaims(db: Db, ids?: readonly number[]): number {
  const condition = ids ? and(eq(deliveries.status, 'claimed'), inArray(deliveries.id, [...ids])) : eq(deliveries.status, 'claimed');
  if (ids && ids.length === 0) return 0;
  return db.update(deliveries).set({ status: 'pending', attempts: sql`max(${deliveries.attempts} - 1, 0)` }).where(condition).run().changes;
}

export function markDeliveryFailed(db: Db, id: number, error: string, status: 'failed' | 'cancelled' = 'failed'): void {
  db.update(deliveries).set({ status, lastError: error }).where(eq(deliveries.id, id)).run();
}

/**
 * After taking over from a process that died, deliveries it left mid-send have an unknown outcome: the
 * post may or may not exist. Each is sent again (possibly duplicating it, which is logged); one interrupted
 * again and again is eventually given up.
 */
export function recoverInterruptedDeliveries(db: Db, now: Date): { resent: Delivery[]; abandoned: Delivery[] } {
  return inTransaction(db, () => {
    // Claimed but never started: nothing reached the platform, so they simply go back in line.
    releaseUnsentClaims(db);
    const stuck = db.select().from(deliveries).where(eq(deliveries.status, 'sending')).all().map(toDelivery);
    const resent: Delivery[] = [];
    const abandoned: Delivery[] = [];
    for (const delivery of stuck) {
      if (delivery.resends < MAX_UNCERTAIN_RESENDS) {
        db.update(deliveries).set({ status: 'pending', resends: sql`${deliveries.resends} + 1`, nextAttemptAt: now, lastError: 'outcome unknown after a restart; sent again' }).where(eq(deliveries.id, delivery.id)).run();
        resent.push(delivery);
      } else {
        db.update(deliveries).set({ status: 'failed', lastError: `outcome unknown after ${MAX_UNCERTAIN_RESENDS + 1} interrupted sends in a row; given up` }).where(eq(deliveries.id, delivery.id)).run();
        abandoned.push(delivery);
      }
    }
    return { resent, abandoned };
  });
}

export function countDeliveries(db: Db): Record<DeliveryStatus, number> {
  const counts: Record<DeliveryStatus, number> = { pending: 0, claimed: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };
  for (const row of db.select({ status: deliveries.status, count: sql<number>`count(*)` }).from(deliveries).groupBy(deliveries.status).all()) {
    counts[toStatus(row.status)] = row.count;
  }
  return counts;
}

/** How many deliveries wait, and since when the oldest has (a metric read at scrape time). */
export function pendingDeliveries(db: Db): { count: number; oldestCreatedAt: Date | null } {
  const row = db.select({ count: sql<number>`count(*)`, oldest: min(deliveries.createdAt) }).from(deliveries).where(eq(deliveries.status, 'pending')).get();
  return { count: row?.count ?? 0, oldestCreatedAt: row?.oldest ?? null };
}

/** Deliveries matching every condition given, in the order they were written (see `Store.listDeliveries`). */
export function listDeliveries(db: Db, filter: { status?: DeliveryStatus; kind?: DeliveryKind; roundId?: number } = {}): Delivery[] {
  return db
    .select()
    .from(deliveries)
    .where(and(filter.status ? eq(deliveries.status, filter.status) : undefined, filter.kind ? eq(deliveries.kind, filter.kind) : undefined, filter.roundId !== undefined ? eq(deliveries.roundId, filter.roundId) : undefined))
    .orderBy(asc(deliveries.id))
    .all()
    .map(toDelivery);
}
