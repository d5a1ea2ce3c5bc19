/**
 * The two storage engines every benchmark runs on: SQLite (a fresh file in a temp directory) and
 * PostgreSQL (a fresh database on the throwaway server the run starts once, see run.ts). `BenchSql` runs
 * the benchmarks' own bookkeeping and floor queries on the engine's raw driver, never through drizzle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Pool } from 'pg';
import type { StorageTarget } from '../src/storage/open-store.js';
import type { PostgresStore } from '../src/storage/postgres/postgres-store.js';
import type { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Engine, Store } from '../src/storage/store.js';
import { createTestDatabase } from '../test/support/postgres-server.js';

export type { Engine };

export interface BenchEngine {
  readonly name: Engine;
  /** The throwaway server's superuser URL (PostgreSQL only); each benchmark gets a database of its own on it. */
  readonly serverUrl?: string;
}

/** Where one benchmark's data lives, and the environment that points `maturity-pulse start` at it. */
export interface BenchStorage {
  readonly engine: Engine;
  readonly target: StorageTarget;
  /** DATABASE_PATH or DATABASE_URL (with DATA_DIR) for a process or loadConfig. */
  readonly env: Readonly<Record<string, string>>;
  /** A temp directory of its own, for DATA_DIR. */
  readonly dataDir: string;
  drop(): Promise<void>;
}

const tempDirs = new Set<string>();

/** A temp directory that an interrupted run removes too (on process exit); the PostgreSQL databases go with their server. */
export function benchTempDir(label: string): string {
  if (tempDirs.size === 0) process.once('exit', () => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const dir = mkdtempSync(path.join(tmpdir(), `mp-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

/** Connections per process on PostgreSQL: the product's default. */
export const POOL_SIZE = 10;

export async function createBenchStorage(engine: BenchEngine, label: string): Promise<BenchStorage> {
  const dataDir = benchTempDir(label);
  if (engine.name === 'sqlite') {
    const file = path.join(dataDir, 'bench.db');
    return {
      engine: 'sqlite',
      target: { engine: 'sqlite', path: file },
      env: { DATA_DIR: dataDir, DATABASE_PATH: file },
      dataDir,
      drop: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
    };
  }
  if (!engine.serverUrl) throw new Error('the PostgreSQL benchmarks need the server started by run.ts');
  const database = await createTestDatabase(engine.serverUrl);
  return {
    engine: 'postgres',
    target: { engine: 'postgres', url: database.url, poolSize: POOL_SIZE },
    env: { DATA_DIR: dataDir, DATABASE_URL: database.url, DATABASE_POOL_SIZE: String(POOL_SIZE) },
    dataDir,
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

/** The better-sqlite3 connection behind a SQLite store. */
export function sqliteConnection(store: Store): Database.Database {
  if (store.engine !== 'sqlite') throw new Error(`expected a SQLite store, not ${store.engine}`);
  return (store as SqliteStore).db.$client;
}

/** The node-postgres pool behind a PostgreSQL store. */
export function postgresPool(store: Store): Pool {
  if (store.engine !== 'postgres') throw new Error(`expected a PostgreSQL store, not ${store.engine}`);
  return (store as PostgresStore).db.$client;
}

/** What differs between the two dialects in the benchmarks' queries. */
export interface Dialect {
  readonly engine: Engine;
  /** The n-th parameter (from 1). */
  p(n: number): string;
  /** A timestamp column as epoch milliseconds (SQLite stores them so; PostgreSQL has timestamptz). */
  ms(column: string): string;
  /** The n-th parameter, given as epoch milliseconds, as a value for a timestamp column. */
  at(n: number): string;
  /** An integer expression as a JavaScript number (PostgreSQL's count() is a bigint, returned as a string). */
  int(expression: string): string;
}

const SQLITE_DIALECT: Dialect = { engine: 'sqlite', p: () => '?', ms: (column) => column, at: () => '?', int: (expression) => expression };
const POSTGRES_DIALECT: Dialect = {
  engine: 'postgres',
  p: (n) => `$${n}`,
  ms: (column) => `(extract(epoch from ${column}) * 1000)::float8`,
  at: (n) => `to_timestamp($${n}::float8 / 1000)`,
  int: (expression) => `(${expression})::int`,
};

type Query = string | ((dialect: Dialect) => string);

/**
 * The benchmarks' own SQL on the store's connection (SQLite) or pool (PostgreSQL). On SQLite a write runs
 * inside a store transaction: the app's transactions span awaits on the one connection, and a bare
 * statement between their BEGIN and COMMIT would become part of them.
 */
export class BenchSql {
  readonly dialect: Dialect;

  constructor(readonly store: Store) {
    this.dialect = store.engine === 'sqlite' ? SQLITE_DIALECT : POSTGRES_DIALECT;
  }

  get engine(): Engine {
    return this.store.engine;
  }

  private text(query: Query): string {
    return typeof query === 'string' ? query : query(this.dialect);
  }

  async all<T>(query: Query, params: readonly unknown[] = []): Promise<T[]> {
    const text = this.text(query);
    if (this.store.engine === 'sqlite') return sqliteConnection(this.store).prepare<unknown[], T>(text).all(...params);
    const result = await postgresPool(this.store).query(text, [...params]);
    return result.rows as T[];
  }

  async one<T>(query: Query, params: readonly unknown[] = []): Promise<T> {
    const [row] = await this.all<T>(query, params);
    if (row === undefined) throw new Error(`no row from ${this.text(query)}`);
    return row;
  }

  async run(query: Query, params: readonly unknown[] = []): Promise<void> {
    const text = this.text(query);
    if (this.store.engine === 'sqlite') {
      const db = sqliteConnection(this.store);
      await this.store.transaction(() => Promise.resolve(db.prepare(text).run(...params)));
      return;
    }
    await postgresPool(this.store).query(text, [...params]);
  }
}

/**
 * One statement for a raw-SQL floor, prepared once: a better-sqlite3 statement (called synchronously, as
 * the SQLite store does) or a named, server-side prepared statement on PostgreSQL (parsed and planned
 * once per connection). Returns the rows, or a promise of them on PostgreSQL.
 */
export function rawStatement<T>(sql: BenchSql, name: string, query: Query, params: readonly unknown[] = []): () => T[] | Promise<T[]> {
  const text = typeof query === 'string' ? query : query(sql.dialect);
  if (sql.engine === 'sqlite') {
    const statement = sqliteConnection(sql.store).prepare<unknown[], T>(text);
    return () => statement.all(...params);
  }
  const pool = postgresPool(sql.store);
  const config = { name: `bench_${name}`, text, values: [...params] };
  return async () => (await pool.query(config)).rows as T[];
}
