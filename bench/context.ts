import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { Clock } from '../src/core/clock.js';
import { DEFAULT_SCORING_POLICY } from '../src/core/scoring.js';
import type { ServiceContext } from '../src/services/context.js';
import { openStore } from '../src/storage/open-store.js';
import { loadSurveyDirectory } from '../src/survey-files/load-surveys.js';
import { BenchSql, createBenchStorage, type BenchEngine, type BenchStorage } from './engine.js';

// Runs compiled from dist-bench/bench/, so the repository root is two levels up.
const ROOT = new URL('../../', import.meta.url);
export const SURVEYS_DIR = fileURLToPath(new URL('surveys', ROOT));
/** The product's entry point as the benchmark build compiled it (the same sources as dist/cli.js, built in this run). */
export const BENCH_CLI = fileURLToPath(new URL('src/cli.js', new URL('../', import.meta.url)));

/** Every benchmark measures "now" as one fixed instant, so seeded rounds fall in the same windows on every run. */
export const BENCH_NOW = new Date('2026-03-02T09:00:00Z');
export const BENCH_RESPONDENT_SECRET = 'bench-respondent-secret-that-is-long-enough-0123';

export interface BenchContext extends ServiceContext {
  readonly storage: BenchStorage;
  /** Raw SQL on the store's own connection (SQLite) or pool (PostgreSQL), for the floors and checks. */
  readonly sql: BenchSql;
  close(): Promise<void>;
}

export async function loadBenchSurveys(): Promise<ServiceContext['surveys']> {
  const catalogue = await loadSurveyDirectory(SURVEYS_DIR);
  if (catalogue.problems.length > 0 || catalogue.surveys.size === 0) {
    throw new Error(`cannot load the surveys in ${SURVEYS_DIR}: ${catalogue.problems.map((problem) => `${problem.file}: ${problem.message}`).join('; ') || 'none found'}`);
  }
  return catalogue.surveys;
}

/**
 * A service context (through the storage port, with the repository's real surveys) on a fresh SQLite file
 * or a fresh PostgreSQL database, or on `storage` when given (it then stays for its owner to drop).
 */
export async function createBenchContext(label: string, engine: BenchEngine, options: { storage?: BenchStorage; clock?: Clock; onIntent?: boolean } = {}): Promise<BenchContext> {
  const surveys = await loadBenchSurveys();
  const storage = options.storage ?? (await createBenchStorage(engine, label));
  const store = await openStore(storage.target, { applicationName: `maturity-pulse bench ${label}` });
  const clock: Clock = options.clock ?? { now: () => new Date(BENCH_NOW) };
  return {
    store,
    storage,
    sql: new BenchSql(store),
    surveys,
    policy: DEFAULT_SCORING_POLICY,
    respondentSecret: BENCH_RESPONDENT_SECRET,
    clock,
    log: pino({ level: 'silent' }),
    // Tells the sending process (another process on PostgreSQL) of new outbox rows, as the app's own context does.
    ...(options.onIntent ? { onIntent: () => store.signal({ kind: 'intent' }) } : {}),
    close: async () => {
      await store.close();
      if (!options.storage) await storage.drop();
    },
  };
}
