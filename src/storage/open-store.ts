import path from 'node:path';
import type { Store } from './store.js';

/** Where the data lives: a SQLite file (the embedded default) or a PostgreSQL database. */
export type StorageTarget = { readonly engine: 'sqlite'; readonly path: string } | { readonly engine: 'postgres'; readonly url: string; readonly poolSize: number };

export interface OpenStoreOptions {
  /** Apply pending migrations (the default; read-only connections never do). */
  readonly migrate?: boolean;
  /** A connection that only reads (the digest worker): SQLite opens the file read-only, PostgreSQL a read-only pool. */
  readonly readOnly?: boolean;
  /** Shown in PostgreSQL's `pg_stat_activity`. */
  readonly applicationName?: string;
}

/**
 * Opens the store for a target. Each engine is loaded only when used, so an embedded install never loads
 * node-postgres and a PostgreSQL install never opens a SQLite file.
 */
export async function openStore(target: StorageTarget, options: OpenStoreOptions = {}): Promise<Store> {
  if (target.engine === 'postgres') {
    const [{ openPostgres }, { createPostgresStore }] = await Promise.all([import('./postgres/database.js'), import('./postgres/postgres-store.js')]);
    const db = await openPostgres(target.url, {
      poolSize: target.poolSize,
      ...(options.readOnly ? { readOnly: true, migrate: false } : { migrate: options.migrate ?? true }),
      applicationName: options.applicationName ?? 'maturity-pulse',
    });
    return createPostgresStore(db);
  }
  const [{ openDatabase, openReadOnlyDatabase }, { createSqliteStore }] = await Promise.all([import('./sqlite/database.js'), import('./sqlite/sqlite-store.js')]);
  const db = options.readOnly ? openReadOnlyDatabase(target.path) : openDatabase(target.path, { migrate: options.migrate ?? true });
  return createSqliteStore(db);
}

/** The target as it may appear in messages and logs: a file's absolute path, or the URL without its password. */
export async function describeTarget(target: StorageTarget): Promise<string> {
  if (target.engine === 'sqlite') return target.path === ':memory:' ? target.path : path.resolve(target.path);
  const { redactDatabaseUrl } = await import('./postgres/database-url.js');
  return redactDatabaseUrl(target.url);
}
