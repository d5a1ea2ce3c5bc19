import { eq } from 'drizzle-orm';
import type { PgConn } from './postgres-store.js';
import { meta } from './schema.js';

export async function readMeta(db: PgConn, key: string): Promise<string | null> {
  const [row] = await db.select({ value: meta.value }).from(meta).where(eq(meta.key, key));
  return row?.value ?? null;
}

export async function writeMeta(db: PgConn, key: string, value: string): Promise<void> {
  await db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } });
}

/** Stores `value` unless the key is already set; returns what is stored afterwards. */
export async function writeMetaOnce(db: PgConn, key: string, value: string): Promise<string> {
  const [inserted] = await db.insert(meta).values({ key, value }).onConflictDoNothing().returning({ value: meta.value });
  if (inserted) return inserted.value;
  return (await readMeta(db, key)) ?? value;
}
