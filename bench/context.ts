import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import pino from 'pino';
import type { Clock } from '../src/core/clock.js';
import { DEFAULT_SCORING_POLICY } from '../src/core/scoring.js';
import type { ServiceContext } from '../src/services/context.js';
import { openStore } from '../src/storage/open-store.js';
import type { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../src/storage/store.js';
import { loadSurveyDirectory } from '../src/survey-files/load-surveys.js';

// Runs compiled from dist-bench/bench/, so the repository root is two levels up.
const ROOT = new URL('../../', import.meta.url);
export const SURVEYS_DIR = fileURLToPath(new URL('surveys', ROOT));

/** Every benchmark measures "now" as one fixed instant, so seeded rounds fall in the same windows on every run. */
export const BENCH_NOW = new Date('2026-03-02T09:00:00Z');

export interface BenchContext extends ServiceContext {
  readonly file: string;
  /** The store's own better-sqlite3 connection, for the raw-SQL floors the benchmarks compare against. */
  readonly sqlite: Database.Database;
  close(): Promise<void>;
}

/**
 * The better-sqlite3 connection behind a store: the benchmarks run on SQLite (the embedded default) and
 * time their raw-SQL floors on the very connection the store uses.
 */
export function sqliteConnection(store: Store): Database.Database {
  if (store.engine !== 'sqlite') throw new Error(`the benchmarks run on SQLite, not ${store.engine}`);
  return (store as SqliteStore).db.$client;
}

/** A service context on a fresh SQLite file in a temp directory (through the storage port), with the repository's real surveys. */
export async function createBenchContext(label: string): Promise<BenchContext> {
  const catalogue = await loadSurveyDirectory(SURVEYS_DIR);
  if (catalogue.problems.length > 0 || catalogue.surveys.size === 0) {
    throw new Error(`cannot load the surveys in ${SURVEYS_DIR}: ${catalogue.problems.map((problem) => `${problem.file}: ${problem.message}`).join('; ') || 'none found'}`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), `mp-bench-${label}-`));
  const file = path.join(dir, 'bench.db');
  const store = await openStore({ engine: 'sqlite', path: file });
  const clock: Clock = { now: () => new Date(BENCH_NOW) };
  return {
    store,
    sqlite: sqliteConnection(store),
    surveys: catalogue.surveys,
    policy: DEFAULT_SCORING_POLICY,
    respondentSecret: 'bench-secret-that-is-long-enough-0123456789',
    clock,
    log: pino({ level: 'silent' }),
    file,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
