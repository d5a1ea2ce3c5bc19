import { parentPort, workerData } from 'node:worker_threads';
import { digestParts } from '../core/digest-files.js';
import type { ScoringPolicy } from '../core/scoring.js';
import type { LoadedSurvey } from '../core/survey.js';
import { computeOrgDigest } from '../services/report-service.js';
import { openStore, type StorageTarget } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { lowerThreadPriority } from './thread-priority.js';

/** What the worker builds from, given once when it starts (not cloned into every request). */
export interface DigestWorkerData {
  readonly target: StorageTarget;
  readonly surveys: readonly LoadedSurvey[];
  readonly policy: ScoringPolicy;
}

export interface DigestRequest {
  readonly at: Date;
  readonly surveyIds?: readonly string[];
  /** Answer the parts a digest's deliveries send (`DigestParts`) instead of the whole `Digest`. */
  readonly parts: boolean;
}

// Building digests is CPU work that must never take a core from the thread that acknowledges clicks.
lowerThreadPriority();

// The parent built this from DigestWorkerData; workerData is typed any by Node, so name its shape once.
const config = workerData as DigestWorkerData;
const surveys = new Map(config.surveys.map((loaded) => [loaded.survey.id, loaded]));
let connection: Promise<Store> | null = null;

/**
 * A read-only connection of its own: on SQLite WAL lets it read while the app writes; on PostgreSQL it is
 * a small read-only pool (`default_transaction_read_only`).
 */
function store(): Promise<Store> {
  if (!connection) {
    const readTarget: StorageTarget = config.target.engine === 'postgres' ? { ...config.target, poolSize: 2 } : config.target;
    const opened = openStore(readTarget, { readOnly: true, applicationName: 'maturity-pulse digest worker' });
    connection = opened;
    opened.catch(() => {
      if (connection === opened) connection = null;
    });
  }
  return connection;
}

/**
 * Builds digests off the event loop that answers Slack and Teams (a 500-team digest takes ~150 ms). For a
 * delivery it also takes the parts the deliveries send (summary, CSV, chart data), so the whole digest
 * (~700 KB of objects) never has to cross to, and be walked on, that event loop.
 */
parentPort?.on('message', ({ id, payload }: { id: number; payload: DigestRequest }) => {
  void (async () => {
    try {
      const digest = await computeOrgDigest({ store: await store(), surveys, policy: config.policy }, payload.at, payload.surveyIds);
      parentPort?.postMessage({ id, result: payload.parts ? digestParts(digest) : digest });
    } catch (error) {
      parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  })();
});
