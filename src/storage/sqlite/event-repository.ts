import { lt } from 'drizzle-orm';
import type { Db } from './database.js';
import { processedEvents } from './schema.js';

/** Records an event id; false when it was seen before (a redelivery to ignore). */
export function rememberEvent(db: Db, source: string, eventId: string, at: Date): boolean {
  return db.insert(processedEvents).values({ source, eventId, receivedAt: at }).onConflictDoNothing().run().changes > 0;
}

/** Forgets event ids older than `before`; platforms stop redelivering long before that. */
export function forgetEventsBefore(db: Db, before: Date): number {
  return db.delete(processedEvents).where(lt(processedEvents.receivedAt, before)).run().changes;
}
