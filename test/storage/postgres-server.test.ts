import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UserFacingError } from '../../src/core/errors.js';
import { redactDatabaseUrl } from '../../src/storage/postgres/database-url.js';
import { closePostgres, isPgUniqueViolation, openPostgres, PG_MIGRATIONS_DIR, type PgDb } from '../../src/storage/postgres/database.js';
import { meta } from '../../src/storage/postgres/schema.js';
import * as sqliteSchema from '../../src/storage/sqlite/schema.js';
import { createTestDatabase, wantsPostgres, type TestDatabase } from '../support/postgres-server.js';

const SECRET = 'Sup3r-Secret_pw';

/** Every table of the (SQLite) schema: the PostgreSQL database must hold each one. */
const TABLES = Object.values(sqliteSchema)
  .filter((value) => is(value, SQLiteTable))
  .map((table) => getTableConfig(table).name)
  .sort();

const journal = JSON.parse(readFileSync(path.join(PG_MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };

async function publicTables(db: PgDb): Promise<string[]> {
  const result = await db.$client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' order by table_name");
  return result.rows.map((row) => row.table_name);
}

async function appliedMigrations(db: PgDb): Promise<number> {
  const result = await db.$client.query<{ count: string }>('select count(*) from drizzle.__drizzle_migrations');
  return Number(result.rows[0]!.count);
}

describe('redactDatabaseUrl', () => {
  it.each([
    [`postgres://app:${SECRET}@db.example:5432/pulse`, 'postgres://app:***@db.example:5432/pulse'],
    [`postgresql://app:${encodeURIComponent('p@ss/word#1')}@db/pulse?sslmode=require`, 'postgresql://app:***@db/pulse?sslmode=require'],
    [`postgres://app@db/pulse?password=${SECRET}&sslmode=require`, 'postgres://app@db/pulse?password=***&sslmode=require'],
    [`postgres://app:${SECRET}@db:notaport/pulse`, 'postgres://app:***@db:notaport/pulse'],
    [`host=db user=app password=${SECRET} dbname=pulse`, 'host=db user=app password=*** dbname=pulse'],
    [`host=db password='${SECRET} with spaces' dbname=pulse`, 'host=db password=*** dbname=pulse'],
    ['postgres://app@db/pulse', 'postgres://app@db/pulse'],
  ])('%s → %s', (url, expected) => {
    expect(redactDatabaseUrl(url)).toBe(expected);
  });
});

describe.skipIf(!wantsPostgres(process.env.TEST_DATABASE))('PostgreSQL storage', () => {
  let serverUrl: string;
  const databases: TestDatabase[] = [];
  const opened: PgDb[] = [];

  async function freshDatabase(): Promise<TestDatabase> {
    const database = await createTestDatabase(serverUrl);
    databases.push(database);
    return database;
  }

  async function open(...args: Parameters<typeof openPostgres>): Promise<PgDb> {
    const db = await openPostgres(...args);
    opened.push(db);
    return db;
  }

  beforeAll(() => {
    const provided = inject('postgresUrl');
    if (!provided) throw new Error('No PostgreSQL server was provided: add test/support/postgres-global-setup.ts to globalSetup in vitest.config.ts.');
    serverUrl = provided;
  });

  afterAll(async () => {
    for (const db of opened) await closePostgres(db);
    for (const database of databases) await database.drop();
  });

  it('opens a fresh database with every table of the schema and each migration applied once', async () => {
    const database = await freshDatabase();
    const db = await open(database.url, { migrate: true, applicationName: 'mp-test' });

    const tables = await publicTables(db);
    expect(tables).toEqual(expect.arrayContaining(TABLES));
    expect(TABLES).toContain('leases');
    expect(await appliedMigrations(db)).toBe(journal.entries.length);
    const names = await db.$client.query<{ application_name: string }>('select application_name from pg_stat_activity where pid = pg_backend_pid()');
    expect(names.rows[0]!.application_name).toBe('mp-test');

    // A second start-up finds nothing to do.
    const again = await open(database.url, { migrate: true });
    expect(await appliedMigrations(again)).toBe(journal.entries.length);
  });

  it('lets several replicas start at once on an empty database', async () => {
    const database = await freshDatabase();
    const replicas = await Promise.all(Array.from({ length: 6 }, (_, index) => open(database.url, { migrate: true, poolSize: 2, applicationName: `replica-${index}` })));

    expect(replicas).toHaveLength(6);
    expect(await publicTables(replicas[0]!)).toEqual(expect.arrayContaining(TABLES));
    expect(await appliedMigrations(replicas[5]!)).toBe(journal.entries.length);
  });

  it('applies migrations with a pool of one connection', async () => {
    const database = await freshDatabase();
    const db = await open(database.url, { migrate: true, poolSize: 1 });
    expect(await publicTables(db)).toEqual(expect.arrayContaining(TABLES));
  });

  it('tells a unique violation from other failures, raw or wrapped by drizzle', async () => {
    const database = await freshDatabase();
    const db = await open(database.url);
    await db.insert(meta).values({ key: 'k', value: 'v' });

    const duplicate = await db.insert(meta).values({ key: 'k', value: 'w' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(duplicate).toBeInstanceOf(Error);
    expect(isPgUniqueViolation(duplicate)).toBe(true);

    const raw = await db.$client.query("insert into meta (key, value) values ('k', 'x')").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isPgUniqueViolation(raw)).toBe(true);

    const notNull = await db.$client.query("insert into meta (key) values ('other')").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(notNull).toBeInstanceOf(Error);
    expect(isPgUniqueViolation(notNull)).toBe(false);
  });

  it('refuses writes on a read-only connection', async () => {
    const database = await freshDatabase();
    await open(database.url);
    const reader = await open(database.url, { readOnly: true });
    expect(await reader.select().from(meta)).toEqual([]);
    await expect(reader.insert(meta).values({ key: 'k', value: 'v' })).rejects.toThrow();
  });

  it('reports an unreachable server as a storage error without the password', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const url = `postgres://mp_app:${SECRET}@127.0.0.1:1/pulse`;
    const error = await openPostgres(url, { migrate: true }).then(
      () => undefined,
      (failure: unknown) => failure,
    );

    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).code).toBe('storage');
    expect((error as UserFacingError).message).toMatch(/^Cannot connect to the PostgreSQL database at postgres:\/\/mp_app:\*\*\*@127\.0\.0\.1:1\/pulse: .*ECONNREFUSED/);
    expect((error as UserFacingError).message).not.toContain(SECRET);
    // Loggers print the cause in full, so it must not carry the password either.
    expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
  });

  it('reports a URL it cannot read as a storage error without the password', async () => {
    const error = await openPostgres(`postgres://mp_app:${SECRET}@127.0.0.1:no-port/pulse`).then(
      () => undefined,
      (failure: unknown) => failure,
    );

    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).message).toMatch(/^Cannot connect to the PostgreSQL database at postgres:\/\/mp_app:\*\*\*@127\.0\.0\.1:no-port\/pulse: /);
    expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
  });

  it('reports a missing database as a storage error without the password', async () => {
    const url = new URL(serverUrl);
    url.password = SECRET;
    url.pathname = '/mp_no_such_database';
    const error = await openPostgres(url.toString()).then(
      () => undefined,
      (failure: unknown) => failure,
    );

    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).message).toContain('database "mp_no_such_database" does not exist');
    expect((error as UserFacingError).message).toContain(':***@');
    expect((error as UserFacingError).message).not.toContain(SECRET);
    expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
  });
});
