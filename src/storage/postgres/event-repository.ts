import { lt } from 'drizzle-orm';
import type { PgConn } from './postgres-store.js';
import { processedEvents } from './schema.js';

/** Records an event id; false when it was seen before (a redelivery to ignore). */
export async function rememberEvent(db: PgConn, source: string, eventId: string, at: Date): Promise<boolean> {
  const result = await db.insert(processedEvents).values({ source, eventId, receivedAt: at }).onConflictDoNothing();
  return (result.rowCount ?? 0) > 0;
}

/** Forgets event ids older than `before`; platforms stop redelivering long before that. */
export async function forgetEventsBefore(db: PgConn, before: Date): Promise<number> {
  const result = await db.delete(processedEvents).where(lt(processedEvents.receivedAt, before));
  return result.rowCount ?? 0;
}
