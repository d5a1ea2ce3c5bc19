import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { UserFacingError } from '../../core/errors.js';
import { ensureDirectory } from '../ensure-directory.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The committed SQLite migrations: drizzle/sqlite/ at the package root, found from src/, dist/ or dist-bench/src/. */
export const MIGRATIONS_DIR = ['../../../drizzle/sqlite', '../../../../drizzle/sqlite']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((dir) => existsSync(path.join(dir, 'meta', '_journal.json'))) ?? fileURLToPath(new URL('../../../drizzle/sqlite', import.meta.url));

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
    if (file !== ':memory:') ensureDirectory(path.dirname(path.resolve(file)));
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

/** A connection that only reads (the digest worker): WAL lets it read while the app writes. */
export function openReadOnlyDatabase(file: string): Db {
  try {
    const client = new Database(file, { readonly: true, fileMustExist: true });
    client.pragma('busy_timeout = 5000');
    return drizzle({ client, schema });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserFacingError('storage', `Cannot open the database at ${file} to read: ${reason}.`, { cause: error });
  }
}

export function closeDatabase(db: Db): void {
  if (db.$client.open) db.$client.close();
}

/** Runs `work` in one immediate transaction, so a write that acknowledges a user action is committed with it. */
export function inTransaction<T>(db: Db, work: () => T): T {
  return db.$client.transaction(work).immediate();
}

/** Inside a transaction: a failure in `work` undoes only `work` (a savepoint), not the whole transaction. */
export function inSavepoint<T>(db: Db, work: () => T): T {
  return db.$client.transaction(work)();
}

/** An online copy of the live database through SQLite's backup API; safe while the bot runs. */
export async function backupDatabase(db: Db, destination: string): Promise<void> {
  ensureDirectory(path.dirname(path.resolve(destination)));
  await db.$client.backup(destination);
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}
