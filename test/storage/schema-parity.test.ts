import { getTableColumns, is, SQL, StringChunk, type Column } from 'drizzle-orm';
import { getTableConfig as getPgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as getSqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as pg from '../../src/storage/postgres/schema.js';
import * as sqlite from '../../src/storage/sqlite/schema.js';

/**
 * The two schemas are written twice (drizzle has no dialect-neutral schema), so this holds them
 * together: a column, index, check or foreign key added to one and not the other fails here, and so does
 * a row shape that differs (the type assertions at the end, checked by `tsc`).
 */

type Config = ReturnType<typeof getSqliteTableConfig> | ReturnType<typeof getPgTableConfig>;

interface TableShape {
  readonly name: string;
  readonly columns: Record<string, unknown>;
  readonly primaryKey: string[];
  readonly indexes: Record<string, unknown>;
  readonly foreignKeys: Record<string, unknown>;
  readonly checks: string[];
}

/** Raw SQL without parameters (a partial index's condition), as text; anything else as a marker. */
function sqlText(value: SQL | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.queryChunks.map((chunk) => (is(chunk, StringChunk) ? chunk.value.join('') : '[param]')).join('');
}

function columnName(column: Column | SQL): string {
  return is(column, SQL) ? `[sql] ${sqlText(column) ?? ''}` : column.name;
}

/** What both dialects must agree on, keyed by the TypeScript property name of each column. */
function shape(table: SQLiteTable | PgTable, config: Config): TableShape {
  const columns = Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => [
      key,
      {
        name: column.name,
        dataType: column.dataType,
        notNull: column.notNull,
        hasDefault: column.hasDefault,
        default: column.default,
        primary: column.primary,
      },
    ]),
  );
  const composite = config.primaryKeys.flatMap((key) => key.columns.map((column) => column.name));
  const singles = config.columns.filter((column) => column.primary).map((column) => column.name);
  return {
    name: config.name,
    columns,
    primaryKey: [...singles, ...composite],
    indexes: Object.fromEntries(
      config.indexes.map((index) => [
        index.config.name,
        {
          unique: index.config.unique,
          columns: index.config.columns.map((column) => columnName(column as Column | SQL)),
          partial: index.config.where !== undefined,
          where: sqlText(index.config.where),
        },
      ]),
    ),
    foreignKeys: Object.fromEntries(
      config.foreignKeys.map((key) => {
        const reference = key.reference();
        return [
          key.getName(),
          {
            columns: reference.columns.map((column) => column.name),
            foreignTable: getTableName(reference.foreignTable),
            foreignColumns: reference.foreignColumns.map((column) => column.name),
            onDelete: key.onDelete ?? 'no action',
            onUpdate: key.onUpdate ?? 'no action',
          },
        ];
      }),
    ),
    checks: config.checks.map((check) => check.name).sort(),
  };
}

function getTableName(table: SQLiteTable | PgTable): string {
  return is(table, PgTable) ? getPgTableConfig(table).name : getSqliteTableConfig(table as SQLiteTable).name;
}

/** Every table a schema module exports, keyed by its export name. */
function sqliteTables(): Map<string, TableShape> {
  const tables = new Map<string, TableShape>();
  for (const [key, value] of Object.entries(sqlite)) if (is(value, SQLiteTable)) tables.set(key, shape(value, getSqliteTableConfig(value)));
  return tables;
}

function pgTables(): Map<string, TableShape> {
  const tables = new Map<string, TableShape>();
  for (const [key, value] of Object.entries(pg)) if (is(value, PgTable)) tables.set(key, shape(value, getPgTableConfig(value)));
  return tables;
}

const sqliteShapes = sqliteTables();
const pgShapes = pgTables();

describe('the PostgreSQL schema mirrors the SQLite schema', () => {
  it('exports the same tables under the same names', () => {
    expect(sqliteShapes.size).toBeGreaterThan(10);
    expect([...pgShapes.keys()].sort()).toEqual([...sqliteShapes.keys()].sort());
    expect([...pgShapes.values()].map((table) => table.name).sort()).toEqual([...sqliteShapes.values()].map((table) => table.name).sort());
  });

  describe.each([...sqliteShapes.keys()])('%s', (key) => {
    const lite = sqliteShapes.get(key)!;
    const postgres = pgShapes.get(key);

    it('has the same columns: property and SQL names, type family, nullability, defaults, primary key', () => {
      expect(postgres?.columns).toEqual(lite.columns);
      expect(postgres?.primaryKey).toEqual(lite.primaryKey);
    });

    it('has the same indexes, unique and partial ones included', () => {
      expect(postgres?.indexes).toEqual(lite.indexes);
    });

    it('has the same foreign keys and check constraints', () => {
      expect(postgres?.foreignKeys).toEqual(lite.foreignKeys);
      expect(postgres?.checks).toEqual(lite.checks);
    });
  });

  it('holds the partial unique indexes the invariants rest on', () => {
    const partial = [...pgShapes.values()].flatMap((table) => Object.entries(table.indexes).filter(([, index]) => (index as { partial: boolean }).partial).map(([name]) => name));
    expect(partial.sort()).toEqual(['roles_org_unique', 'roles_team_unique', 'rounds_one_open_per_team', 'targets_org_unique', 'targets_team_unique']);
  });

  it('gives rows of both the same shape', () => {
    // Checked by tsc (npm test runs typecheck first); at run time these are no-ops.
    expectTypeOf<typeof pg.meta.$inferSelect>().toEqualTypeOf<typeof sqlite.meta.$inferSelect>();
    expectTypeOf<typeof pg.teams.$inferSelect>().toEqualTypeOf<typeof sqlite.teams.$inferSelect>();
    expectTypeOf<typeof pg.rounds.$inferSelect>().toEqualTypeOf<typeof sqlite.rounds.$inferSelect>();
    expectTypeOf<typeof pg.answers.$inferSelect>().toEqualTypeOf<typeof sqlite.answers.$inferSelect>();
    expectTypeOf<typeof pg.comments.$inferSelect>().toEqualTypeOf<typeof sqlite.comments.$inferSelect>();
    expectTypeOf<typeof pg.roles.$inferSelect>().toEqualTypeOf<typeof sqlite.roles.$inferSelect>();
    expectTypeOf<typeof pg.auditLog.$inferSelect>().toEqualTypeOf<typeof sqlite.auditLog.$inferSelect>();
    expectTypeOf<typeof pg.deliveries.$inferSelect>().toEqualTypeOf<typeof sqlite.deliveries.$inferSelect>();
    expectTypeOf<typeof pg.leases.$inferSelect>().toEqualTypeOf<typeof sqlite.leases.$inferSelect>();
    expectTypeOf<typeof pg.processedEvents.$inferSelect>().toEqualTypeOf<typeof sqlite.processedEvents.$inferSelect>();
    expectTypeOf<typeof pg.digestSubscriptions.$inferSelect>().toEqualTypeOf<typeof sqlite.digestSubscriptions.$inferSelect>();
    expectTypeOf<typeof pg.teamsConversations.$inferSelect>().toEqualTypeOf<typeof sqlite.teamsConversations.$inferSelect>();
    expectTypeOf<typeof pg.targets.$inferSelect>().toEqualTypeOf<typeof sqlite.targets.$inferSelect>();
    expectTypeOf<typeof pg.nextSteps.$inferSelect>().toEqualTypeOf<typeof sqlite.nextSteps.$inferSelect>();
    expectTypeOf<typeof pg.teams.$inferInsert>().toEqualTypeOf<typeof sqlite.teams.$inferInsert>();
    expectTypeOf<typeof pg.rounds.$inferInsert>().toEqualTypeOf<typeof sqlite.rounds.$inferInsert>();
    expectTypeOf<typeof pg.leases.$inferInsert>().toEqualTypeOf<typeof sqlite.leases.$inferInsert>();
    expectTypeOf<typeof pg.targets.$inferInsert>().toEqualTypeOf<typeof sqlite.targets.$inferInsert>();
    expectTypeOf<typeof pg.nextSteps.$inferInsert>().toEqualTypeOf<typeof sqlite.nextSteps.$inferInsert>();
  });
});
