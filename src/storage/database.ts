import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { UserFacingError } from '../core/errors.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** drizzle/ sits two levels above this file both in src/storage and in dist/storage. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface OpenOptions {
  /** Apply pending migrations (start-up and `migrate` do; read-only tools may not need to). */
  readonly migrate?: boolean;
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) the database with WAL, foreign keys and a busy timeout, and applies the
 * committed migrations. Failures become one sentence naming the path.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  let client: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    client = new Database(file);
    client.pragma('journal_mode = WAL');
    client.pragma('foreign_keys = ON');
    client.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    client.pragma('synchronous = NORMAL');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserFacingError('storage', `Cannot open the database at ${file}: ${reason}.`, { cause: error });
  }
  const db = drizzle({ client, schema });
  if (options.migrate ?? true) {
    try {
      migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    } catch (error) {
      client.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new UserFacingError('storage', `Cannot prepare the database at ${file}: ${reason}.`, { cause: error });
    }
  }
  return db;
}

export function closeDatabase(db: Db): void {
  if (db.$client.open) db.$client.close();
}

/** Runs `work` in one immediate transaction, so a write that acknowledges a user action is committed with it. */
export function inTransaction<T>(db: Db, work: () => T): T {
  return db.$client.transaction(work).immediate();
}

/** An online copy of the live database through SQLite's backup API; safe while the bot runs. */
export async function backupDatabase(db: Db, destination: string): Promise<void> {
  mkdirSync(path.dirname(path.resolve(destination)), { recursive: true });
  await db.$client.backup(destination);
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}
