import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { Clock } from '../../src/core/clock.js';
import type { LoadedSurvey, Survey } from '../../src/core/survey.js';
import type { Logger } from '../../src/logger.js';
import type { ServiceContext } from '../../src/services/context.js';
import { inject } from 'vitest';
import { openStore, type StorageTarget } from '../../src/storage/open-store.js';
import { createTestDatabase } from './postgres-server.js';
import { surveyContentHash } from '../../src/survey-files/parse-survey.js';
import { TEST_POLICY } from './factories.js';

/** A clock the test moves by hand; for schedules spanning weeks. Short timings use real timers. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export function tempDir(prefix = 'mp-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A logger that keeps its lines in memory, for asserting on what was logged. */
export function memoryLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
      callback();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

export function loaded(survey: Survey): LoadedSurvey {
  return { survey, contentHash: surveyContentHash(survey), source: `${survey.id}.yaml` };
}

export type TestEngine = 'sqlite' | 'postgres';

/** The engine this test project runs on (vitest.config.ts sets TEST_ENGINE per project; SQLite by default). */
export function testEngine(): TestEngine {
  return process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

export interface TestStorage {
  readonly target: StorageTarget;
  /** What a child process needs to reach the same data: DATABASE_PATH or DATABASE_URL. */
  readonly env: Record<string, string>;
  /** Drops the PostgreSQL database (SQLite files go with their temp directory). */
  drop(): Promise<void>;
}

/**
 * Fresh, empty storage for one test on this project's engine: a SQLite file in `dir`, or a new database on
 * the run's PostgreSQL server (see postgres-global-setup.ts).
 */
export async function createTestStorage(dir: string): Promise<TestStorage> {
  if (testEngine() === 'sqlite') {
    const file = path.join(dir, 'test.db');
    return { target: { engine: 'sqlite', path: file }, env: { DATABASE_PATH: file }, drop: () => Promise.resolve() };
  }
  const server = inject('postgresUrl');
  if (!server) throw new Error('TEST_ENGINE=postgres but no PostgreSQL server was started (see test/support/postgres-global-setup.ts)');
  const database = await createTestDatabase(server);
  return { target: { engine: 'postgres', url: database.url, poolSize: 4 }, env: { DATABASE_URL: database.url }, drop: () => database.drop() };
}

export interface TestContext extends ServiceContext {
  readonly clock: ManualClock;
  readonly dir: string;
  readonly lines: string[];
  readonly storage: TestStorage;
  close(): Promise<void>;
}

/** A service context on real storage (a SQLite file, or a PostgreSQL database) with migrations applied. */
export async function createTestContext(options: { surveys: readonly Survey[]; now?: Date | string; policy?: ServiceContext['policy'] }): Promise<TestContext> {
  const { dir, cleanup } = tempDir();
  const storage = await createTestStorage(dir);
  const store = await openStore(storage.target);
  const { log, lines } = memoryLogger();
  return {
    store,
    storage,
    surveys: new Map(options.surveys.map((survey) => [survey.id, loaded(survey)])),
    policy: options.policy ?? TEST_POLICY,
    respondentSecret: 'test-secret-that-is-long-enough-0123456789',
    clock: new ManualClock(new Date(options.now ?? '2026-03-02T09:00:00Z')),
    log,
    dir,
    lines,
    close: async () => {
      await store.close();
      await storage.drop();
      cleanup();
    },
  };
}
