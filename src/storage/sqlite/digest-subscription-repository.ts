import { and, asc, eq, lte } from 'drizzle-orm';
import { isPlatform, type ChannelRef } from '../../core/platform.js';
import type { DigestSubscription } from '../records.js';
import type { Db } from './database.js';
import { digestSubscriptions } from './schema.js';

type Row = typeof digestSubscriptions.$inferSelect;

function toSubscription(row: Row): DigestSubscription {
  if (!isPlatform(row.platform)) throw new Error(`digest subscription ${row.id} has an unknown platform`);
  return { id: row.id, channel: { platform: row.platform, workspaceId: row.workspaceId, channelId: row.channelId }, weekday: row.weekday, localTime: row.localTime, timeZone: row.timeZone, nextDigestAt: row.nextDigestAt };
}

/** Subscribes a channel, or changes its day and time; one subscription per channel. */
export function upsertDigestSubscription(db: Db, input: Omit<DigestSubscription, 'id'> & { at: Date }): DigestSubscription {
  const values = { platform: input.channel.platform, workspaceId: input.channel.workspaceId, channelId: input.channel.channelId, weekday: input.weekday, localTime: input.localTime, timeZone: input.timeZone, nextDigestAt: input.nextDigestAt };
  const row = db
    .insert(digestSubscriptions)
    .values({ ...values, createdAt: input.at })
    .onConflictDoUpdate({ target: [digestSubscriptions.platform, digestSubscriptions.workspaceId, digestSubscriptions.channelId], set: values })
    .returning()
    .get();
  return toSubscription(row);
}

export function deleteDigestSubscription(db: Db, channel: ChannelRef): boolean {
  return (
    db
      .delete(digestSubscriptions)
      .where(and(eq(digestSubscriptions.platform, channel.platform), eq(digestSubscriptions.workspaceId, channel.workspaceId), eq(digestSubscriptions.channelId, channel.channelId)))
      .run().changes > 0
  );
}

/** Subscriptions whose digest is due: one indexed query for all channels. */
export function dueDigestSubscriptions(db: Db, now: Date): DigestSubscription[] {
  return db.select().from(digestSubscriptions).where(lte(digestSubscriptions.nextDigestAt, now)).orderBy(asc(digestSubscriptions.nextDigestAt)).all().map(toSubscription);
}

export function setNextDigest(db: Db, id: number, at: Date): void {
  db.update(digestSubscriptions).set({ nextDigestAt: at }).where(eq(digestSubscriptions.id, id)).run();
}

export function listDigestSubscriptions(db: Db): DigestSubscription[] {
  return db.select().from(digestSubscriptions).orderBy(asc(digestSubscriptions.id)).all().map(toSubscription);
}
