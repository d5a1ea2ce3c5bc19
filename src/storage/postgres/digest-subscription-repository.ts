import { and, asc, eq, lte } from 'drizzle-orm';
import { isPlatform, type ChannelRef } from '../../core/platform.js';
import type { DigestSubscription } from '../records.js';
import type { PgConn } from './postgres-store.js';
import { digestSubscriptions } from './schema.js';

type Row = typeof digestSubscriptions.$inferSelect;

function toSubscription(row: Row): DigestSubscription {
  if (!isPlatform(row.platform)) throw new Error(`digest subscription ${row.id} has an unknown platform`);
  return { id: row.id, channel: { platform: row.platform, workspaceId: row.workspaceId, channelId: row.channelId }, weekday: row.weekday, localTime: row.localTime, timeZone: row.timeZone, nextDigestAt: row.nextDigestAt };
}

/** Subscribes a channel, or changes its day and time; one subscription per channel. */
export async function upsertDigestSubscription(db: PgConn, input: Omit<DigestSubscription, 'id'> & { at: Date }): Promise<DigestSubscription> {
  const values = { platform: input.channel.platform, workspaceId: input.channel.workspaceId, channelId: input.channel.channelId, weekday: input.weekday, localTime: input.localTime, timeZone: input.timeZone, nextDigestAt: input.nextDigestAt };
  const [row] = await db
    .insert(digestSubscriptions)
    .values({ ...values, createdAt: input.at })
    .onConflictDoUpdate({ target: [digestSubscriptions.platform, digestSubscriptions.workspaceId, digestSubscriptions.channelId], set: values })
    .returning();
  if (!row) throw new Error('the digest subscription upsert returned nothing');
  return toSubscription(row);
}

export async function deleteDigestSubscription(db: PgConn, channel: ChannelRef): Promise<boolean> {
  const result = await db
    .delete(digestSubscriptions)
    .where(and(eq(digestSubscriptions.platform, channel.platform), eq(digestSubscriptions.workspaceId, channel.workspaceId), eq(digestSubscriptions.channelId, channel.channelId)));
  return (result.rowCount ?? 0) > 0;
}

/** Subscriptions whose digest is due: one indexed query for all channels. */
export async function dueDigestSubscriptions(db: PgConn, now: Date): Promise<DigestSubscription[]> {
  const rows = await db
    .select()
    .from(digestSubscriptions)
    .where(lte(digestSubscriptions.nextDigestAt, now))
    .orderBy(asc(digestSubscriptions.nextDigestAt), asc(digestSubscriptions.id));
  return rows.map(toSubscription);
}

export async function setNextDigest(db: PgConn, id: number, at: Date): Promise<void> {
  await db.update(digestSubscriptions).set({ nextDigestAt: at }).where(eq(digestSubscriptions.id, id));
}

export async function listDigestSubscriptions(db: PgConn): Promise<DigestSubscription[]> {
  const rows = await db.select().from(digestSubscriptions).orderBy(asc(digestSubscriptions.id));
  return rows.map(toSubscription);
}
