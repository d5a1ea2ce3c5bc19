import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { ScoringPolicy } from '../core/scoring.js';
import type { LoadedSurvey } from '../core/survey.js';
import type { Db } from '../storage/database.js';
import * as schema from '../storage/schema.js';
import { computeOrgDigest } from '../services/report-service.js';

export interface DigestRequest {
  readonly databasePath: string;
  readonly surveys: readonly LoadedSurvey[];
  readonly policy: ScoringPolicy;
  readonly at: Date;
  readonly surveyIds?: readonly string[];
}

let connection: { path: string; db: Db } | null = null;

/** A read-only connection of its own: WAL lets it read while the app writes. */
function database(path: string): Db {
  if (connection?.path !== path) {
    const client = new Database(path, { readonly: true, fileMustExist: true });
    client.pragma('busy_timeout = 5000');
    connection = { path, db: Object.assign(drizzle({ client, schema }), { $client: client }) };
  }
  return connection.db;
}

/** Builds digests off the event loop that answers Slack and Teams (a 500-team digest takes ~150 ms). */
parentPort?.on('message', ({ id, payload }: { id: number; payload: DigestRequest }) => {
  try {
    const surveys = new Map(payload.surveys.map((loaded) => [loaded.survey.id, loaded]));
    const digest = computeOrgDigest({ db: database(payload.databasePath), surveys, policy: payload.policy }, payload.at, payload.surveyIds);
    parentPort?.postMessage({ id, result: digest });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
