import { sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { UserFacingError } from '../core/errors.js';
import { closePostgres, openPostgres, type PgDb } from './postgres/database.js';
import { redactDatabaseUrl } from './postgres/database-url.js';
import * as pg from './postgres/schema.js';
import { closeDatabase, openDatabase, type Db } from './sqlite/database.js';
import * as lite from './sqlite/schema.js';

/** Tables in an order that satisfies the foreign keys, with the columns that carry an identity. */
const TABLES: readonly { readonly name: string; readonly from: SQLiteTable; readonly to: PgTable; readonly identity: boolean }[] = [
  { name: 'meta', from: lite.meta, to: pg.meta, identity: false },
  { name: 'teams', from: lite.teams, to: pg.teams, identity: true },
  { name: 'rounds', from: lite.rounds, to: pg.rounds, identity: true },
  { name: 'answers', from: lite.answers, to: pg.answers, identity: false },
  { name: 'comments', from: lite.comments, to: pg.comments, identity: true },
  { name: 'roles', from: lite.roles, to: pg.roles, identity: true },
  { name: 'targets', from: lite.targets, to: pg.targets, identity: true },
  { name: 'next_steps', from: lite.nextSteps, to: pg.nextSteps, identity: true },
  { name: 'audit_log', from: lite.auditLog, to: pg.auditLog, identity: true },
  { name: 'access_tokens', from: lite.accessTokens, to: pg.accessTokens, identity: true },
  { name: 'deliveries', from: lite.deliveries, to: pg.deliveries, identity: true },
  { name: 'processed_events', from: lite.processedEvents, to: pg.processedEvents, identity: false },
  { name: 'digest_subscriptions', from: lite.digestSubscriptions, to: pg.digestSubscriptions, identity: true },
  { name: 'teams_conversations', from: lite.teamsConversations, to: pg.teamsConversations, identity: true },
  // The scheduler lease is not copied: the first process on PostgreSQL takes a fresh one.
];

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for the widest table. */
const BATCH = 500;

export interface CopySummary {
  readonly tables: Readonly<Record<string, number>>;
}

/**
 * Copies a SQLite database into an empty PostgreSQL database (migrations applied first), in one
 * transaction: ids are kept (so outbox payloads and audit references stay valid) and each identity
 * sequence continues after the highest id. A target holding any data is refused.
 */
export async function copySqliteToPostgres(sourcePath: string, targetUrl: string): Promise<CopySummary> {
  const source = openDatabase(sourcePath, { migrate: true });
  let target: PgDb | null = null;
  try {
    target = await openPostgres(targetUrl, { migrate: true, applicationName: 'maturity-pulse migrate' });
    await refuseNonEmpty(target, targetUrl);
    const counts: Record<string, number> = {};
    await target.transaction(async (tx) => {
      for (const table of TABLES) counts[table.name] = await copyTable(source, tx, table);
      for (const table of TABLES.filter((candidate) => candidate.identity)) {
        await tx.execute(sql.raw(`select setval(pg_get_serial_sequence('"${table.name}"', 'id'), coalesce((select max(id) from "${table.name}"), 1), (select max(id) from "${table.name}") is not null)`));
      }
    });
    return { tables: counts };
  } finally {
    closeDatabase(source);
    if (target) await closePostgres(target);
  }
}

async function refuseNonEmpty(target: PgDb, url: string): Promise<void> {
  for (const table of TABLES) {
    const result = await target.execute(sql.raw(`select exists (select 1 from "${table.name}") as "any"`));
    const row = result.rows[0] as { any?: boolean } | undefined;
    if (row?.any) {
      throw new UserFacingError('conflict', `The PostgreSQL database at ${redactDatabaseUrl(url)} already holds data (table ${table.name}); migrate copies only into an empty database.`);
    }
  }
}

type PgExecutor = Pick<PgDb, 'insert'>;

async function copyTable(source: Db, target: PgExecutor, table: (typeof TABLES)[number]): Promise<number> {
  const rows = source.select().from(table.from).all();
  for (let start = 0; start < rows.length; start += BATCH) {
    // The two schemas hold the same columns under the same property names (schema-parity.test.ts).
    await target.insert(table.to).values(rows.slice(start, start + BATCH) as never[]);
  }
  return rows.length;
}
