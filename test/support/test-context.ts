import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { Clock } from '../../src/core/clock.js';
import type { LoadedSurvey, Survey } from '../../src/core/survey.js';
import type { Logger } from '../../src/logger.js';
import type { ServiceContext } from '../../src/services/context.js';
import { closeDatabase, openDatabase, type Db } from '../../src/storage/database.js';
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

export interface TestContext extends ServiceContext {
  readonly db: Db;
  readonly clock: ManualClock;
  readonly dir: string;
  readonly lines: string[];
  close(): void;
}

/** A service context on a real SQLite file in a temp directory, with migrations applied. */
export function createTestContext(options: { surveys: readonly Survey[]; now?: Date | string; policy?: ServiceContext['policy'] }): TestContext {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(path.join(dir, 'test.db'));
  const { log, lines } = memoryLogger();
  return {
    db,
    surveys: new Map(options.surveys.map((survey) => [survey.id, loaded(survey)])),
    policy: options.policy ?? TEST_POLICY,
    respondentSecret: 'test-secret-that-is-long-enough-0123456789',
    clock: new ManualClock(new Date(options.now ?? '2026-03-02T09:00:00Z')),
    log,
    dir,
    lines,
    close: () => {
      closeDatabase(db);
      cleanup();
    },
  };
}
