import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Client, DatabaseError, Pool, type ClientConfig } from 'pg';
import { UserFacingError } from '../../core/errors.js';
import { databaseUrlSecrets, redactDatabaseUrl } from './database-url.js';
import * as schema from './schema.js';

export type PgDb = NodePgDatabase<typeof schema> & { $client: Pool };

/** The committed PostgreSQL migrations: drizzle/postgres/ at the package root, found from src/, dist/ or dist-bench/src/. */
export const PG_MIGRATIONS_DIR = ['../../../drizzle/postgres', '../../../../drizzle/postgres']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((dir) => existsSync(path.join(dir, 'meta', '_journal.json'))) ?? fileURLToPath(new URL('../../../drizzle/postgres', import.meta.url));

/**
 * The row that serialises migrators. A row lock inside a transaction, not an advisory lock: session
 * advisory locks leak behind transaction-mode poolers, and a row lock ends with its transaction or its
 * connection, whatever happens to the replica that held it.
 */
const MIGRATION_LOCK_TABLE = 'mp_migration_lock';

export interface PgOpenOptions {
  /** Connections in the pool (node-postgres' default is 10). */
  readonly poolSize?: number;
  /** Apply pending migrations first (the default, except for read-only connections). */
  readonly migrate?: boolean;
  /** Shown in `pg_stat_activity`, so a DBA can tell the bot's connections apart. */
  readonly applicationName?: string;
  /** Every transaction is read-only (`default_transaction_read_only`): for reporting tools. */
  readonly readOnly?: boolean;
  /** How long to wait for a connection before giving up (default 10 s). */
  readonly connectionTimeoutMs?: number;
  /**
   * Errors of idle pooled connections (the server restarted, the network dropped). node-postgres drops
   * the broken connection and the next query opens a new one; without a listener the process would crash.
   */
  readonly onIdleError?: (error: Error) => void;
}

/**
 * Connects to PostgreSQL, checks the connection, and applies the committed migrations (one replica at a
 * time: concurrent start-ups wait for each other). Failures become one sentence naming the database
 * without its password.
 */
export async function openPostgres(url: string, options: PgOpenOptions = {}): Promise<PgDb> {
  const shouldMigrate = options.migrate ?? !options.readOnly;
  if (shouldMigrate && options.readOnly) throw new UserFacingError('storage', 'A read-only database connection cannot apply migrations.');
  const where = redactDatabaseUrl(url);
  const config = connectionConfig(url, options);
  let pool: Pool;
  try {
    pool = new Pool({ ...config, max: options.poolSize ?? 10 });
  } catch (error) {
    throw new UserFacingError('storage', `Cannot use the PostgreSQL database at ${where}: ${describeError(error, url)}.`, { cause: safeCause(error, url) });
  }
  pool.on('error', options.onIdleError ?? (() => undefined));
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new UserFacingError('storage', `Cannot connect to the PostgreSQL database at ${where}: ${describeError(error, url)}.`, { cause: safeCause(error, url) });
  }
  const db = drizzle({ client: pool, schema });
  if (shouldMigrate) {
    try {
      await migrateExclusively(db, config);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new UserFacingError('storage', `Cannot prepare the PostgreSQL database at ${where}: ${describeError(error, url)}.`, { cause: safeCause(error, url) });
    }
  }
  return db;
}

/** Closes the pool (waiting for checked-out connections to be released); closing twice is harmless. */
export async function closePostgres(db: PgDb): Promise<void> {
  if (!db.$client.ended) await db.$client.end();
}

/** A unique or primary-key violation (SQLSTATE 23505), raw from node-postgres or wrapped by drizzle. */
export function isPgUniqueViolation(error: unknown): boolean {
  return sqlStateOf(error) === '23505';
}

/** The SQLSTATE of a PostgreSQL error, looking through drizzle's `DrizzleQueryError` (and other) causes. */
export function sqlStateOf(error: unknown): string | undefined {
  return databaseErrorIn(error)?.code;
}

function connectionConfig(url: string, options: PgOpenOptions): ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  };
}

/**
 * Runs drizzle's migrator while holding the lock row on a connection of its own (outside the pool, so a
 * pool of one cannot deadlock). The migrator alone is not safe to run twice at once: both replicas would
 * read "nothing applied yet" and the second would fail on `CREATE TABLE` (or on the race between two
 * `CREATE SCHEMA/TABLE IF NOT EXISTS`). Behind the lock, the second finds every migration applied.
 */
async function migrateExclusively(db: PgDb, config: ClientConfig): Promise<void> {
  const lock = new Client(config);
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await ensureLockTable(lock);
    await lock.query('begin');
    try {
      // Waiting for another replica's migrations is expected here; server-wide timeouts must not cut it.
      await lock.query('set local lock_timeout = 0; set local statement_timeout = 0; set local idle_in_transaction_session_timeout = 0');
      await lock.query(`insert into ${MIGRATION_LOCK_TABLE} (id) values (1) on conflict do nothing`);
      await lock.query(`select id from ${MIGRATION_LOCK_TABLE} where id = 1 for update`);
      await migrate(db, { migrationsFolder: PG_MIGRATIONS_DIR });
      await lock.query('commit');
    } catch (error) {
      await lock.query('rollback').catch(() => undefined);
      throw error;
    }
  } finally {
    await lock.end().catch(() => undefined);
  }
}

/**
 * `CREATE TABLE IF NOT EXISTS` is not atomic: two sessions creating the same table at once can both pass
 * the check, and the loser fails with a unique violation on the catalog or an "already exists" (all three
 * seen in tests, with drizzle's own migrations table). Once the winner commits, the retry finds the table.
 */
async function ensureLockTable(client: Client): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.query(`create table if not exists ${MIGRATION_LOCK_TABLE} (id integer primary key)`);
      return;
    } catch (error) {
      const state = sqlStateOf(error);
      // 23505: the catalog's unique index; 42P07: the relation; 42710: its row type already exists.
      if (attempt >= 5 || !['23505', '42P07', '42710'].includes(state ?? '')) throw error;
      await sleep(20 * attempt);
    }
  }
}

/**
 * A reason for a message: the server's own words when there are some (drizzle wraps them in a "Failed
 * query: …" error), each address's failure for a connection attempt on several, never a secret of the URL.
 */
function describeError(error: unknown, url: string): string {
  const source = databaseErrorIn(error) ?? error;
  let reason: string;
  if (source instanceof AggregateError && source.message === '') {
    reason = source.errors.map((inner) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
  } else if (source instanceof Error) {
    reason = source.message || ('code' in source && typeof source.code === 'string' ? source.code : source.name);
  } else {
    reason = String(source);
  }
  for (const secret of databaseUrlSecrets(url)) reason = reason.replaceAll(secret, '***');
  return reason.replace(/[.\s]+$/, '');
}

/**
 * The server's error (it carries a SQLSTATE and a severity) in a chain of causes. Node's own errors also
 * have a `code` (`EPIPE` has five letters too), so the code alone does not tell.
 */
function databaseErrorIn(error: unknown): (Error & { code: string }) | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const fromServer = current instanceof DatabaseError || 'severity' in current;
    if (fromServer && 'code' in current && typeof current.code === 'string' && /^[0-9A-Z]{5}$/.test(current.code)) return current as Error & { code: string };
    current = current.cause;
  }
  return undefined;
}

/**
 * The original error for logs, unless it carries a secret of the URL somewhere (Node's URL errors keep
 * their `input`, for one): then only its scrubbed description, since loggers print causes in full.
 */
function safeCause(error: unknown, url: string): unknown {
  const printed = inspect(error, { depth: 5 });
  return databaseUrlSecrets(url).some((secret) => printed.includes(secret)) ? new Error(describeError(error, url)) : error;
}
