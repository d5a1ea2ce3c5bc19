import { eq } from 'drizzle-orm';
import type { Db } from './database.js';
import { meta } from './schema.js';

export function readMeta(db: Db, key: string): string | null {
  return db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get()?.value ?? null;
}

export function writeMeta(db: Db, key: string, value: string): void {
  db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
}

/** Stores `value` unless the key is already set; returns what is stored afterwards. */
export function writeMetaOnce(db: Db, key: string, value: string): string {
  db.insert(meta).values({ key, value }).onConflictDoNothing().run();
  return readMeta(db, key) ?? value;
}
