import { parentPort } from 'node:worker_threads';
import type { ScoringPolicy } from '../core/scoring.js';
import type { LoadedSurvey } from '../core/survey.js';
import { computeOrgDigest } from '../services/report-service.js';
import { openStore, type StorageTarget } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';

export interface DigestRequest {
  readonly target: StorageTarget;
  readonly surveys: readonly LoadedSurvey[];
  readonly policy: ScoringPolicy;
  readonly at: Date;
  readonly surveyIds?: readonly string[];
}

let connection: { key: string; store: Promise<Store> } | null = null;

/**
 * A read-only connection of its own: on SQLite WAL lets it read while the app writes; on PostgreSQL it is
 * a small read-only pool (`default_transaction_read_only`).
 */
function storeFor(target: StorageTarget): Promise<Store> {
  const key = target.engine === 'sqlite' ? `sqlite:${target.path}` : `postgres:${target.url}`;
  if (connection?.key !== key) {
    const previous = connection?.store;
    void previous?.then((store) => store.close()).catch(() => undefined);
    const readTarget: StorageTarget = target.engine === 'postgres' ? { ...target, poolSize: 2 } : target;
    const store = openStore(readTarget, { readOnly: true, applicationName: 'maturity-pulse digest worker' });
    connection = { key, store };
    store.catch(() => {
      if (connection?.store === store) connection = null;
    });
  }
  return connection.store;
}

/** Builds digests off the event loop that answers Slack and Teams (a 500-team digest takes ~150 ms). */
parentPort?.on('message', ({ id, payload }: { id: number; payload: DigestRequest }) => {
  void (async () => {
    try {
      const surveys = new Map(payload.surveys.map((loaded) => [loaded.survey.id, loaded]));
      const digest = await computeOrgDigest({ store: await storeFor(payload.target), surveys, policy: payload.policy }, payload.at, payload.surveyIds);
      parentPort?.postMessage({ id, result: digest });
    } catch (error) {
      parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  })();
});
