import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from './config.js';
import { UserFacingError } from './core/errors.js';
import type { LoadedSurvey } from './core/survey.js';
import type { Logger } from './logger.js';
import { resolveRespondentSecret, checkSecretFingerprint } from './services/respondent-secret.js';
import { systemClock, type ServiceContext } from './services/context.js';
import { loadSurveyCatalogue } from './survey-files/survey-catalogue.js';
import { formatProblem } from './survey-files/parse-survey.js';
import { describeTarget, openStore, type StorageTarget } from './storage/open-store.js';
import type { Store } from './storage/store.js';

/** Demo databases hold only simulated people, so they use a fixed, public key instead of a real secret. */
export const DEMO_RESPONDENT_SECRET = 'maturity-pulse demo organisation: not a secret';
const DATABASE_KIND = 'database_kind';

export type DatabaseKind = 'live' | 'demo';

/**
 * Loads the shipped surveys and, on top, those in SURVEYS_DIR; broken or clashing files are logged one
 * problem per line and skipped.
 */
export async function loadSurveys(config: AppConfig, log: Logger): Promise<ReadonlyMap<string, LoadedSurvey>> {
  const catalogue = await loadSurveyCatalogue(config.surveysDir);
  for (const problem of catalogue.problems) log.warn({ file: problem.file }, `survey file skipped: ${formatProblem(problem)}`);
  if (catalogue.ownDirIsShipped) log.info({ dir: catalogue.ownDir }, 'SURVEYS_DIR is the shipped surveys directory: its surveys are loaded once, as shipped');
  const own = [...catalogue.origins.values()].filter((origin) => origin === 'own').length;
  log.info({ shippedDir: catalogue.shippedDir, surveysDir: catalogue.ownDir, shipped: catalogue.surveys.size - own, own }, `loaded ${catalogue.surveys.size - own} shipped survey${catalogue.surveys.size - own === 1 ? '' : 's'} and ${own} from SURVEYS_DIR`);
  if (catalogue.surveys.size === 0) log.warn({ shippedDir: catalogue.shippedDir, surveysDir: catalogue.ownDir }, 'no valid survey found: teams cannot be set up until one is added');
  return catalogue.surveys;
}

export async function databaseKind(store: Store): Promise<DatabaseKind | null> {
  const kind = await store.readMeta(DATABASE_KIND);
  return kind === 'demo' || kind === 'live' ? kind : null;
}

export interface OpenContextOptions {
  readonly target: StorageTarget;
  /** Create a SQLite database file when missing (start, migrate, demo); other commands need an existing one. */
  readonly create: boolean;
  /** The kind a new database gets; an existing database keeps its own. */
  readonly kind: DatabaseKind;
  readonly onIntent?: () => void;
}

/**
 * Opens the database and builds the service context: migrations applied, the respondent key resolved
 * and checked against the database's fingerprint.
 */
export async function openContext(config: AppConfig, log: Logger, options: OpenContextOptions): Promise<ServiceContext> {
  const { target } = options;
  // Absolute in every message: a relative DATA_DIR or --database depends on where the process started.
  const where = await describeTarget(target);
  if (target.engine === 'sqlite' && !options.create && target.path !== ':memory:' && !existsSync(where)) {
    throw new UserFacingError('storage', `There is no database at ${where}. Start the bot once (npm start), run "maturity-pulse demo", or pass --database.`);
  }
  const surveys = await loadSurveys(config, log);
  const store = await openStore(target);
  const dataDir = path.resolve(config.dataDir);
  log.info({ engine: target.engine, database: where, dataDir }, `opened the ${target.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'} database at ${where} (data directory ${dataDir})`);
  try {
    let kind = await databaseKind(store);
    if (kind === null) {
      await store.writeMetaOnce(DATABASE_KIND, options.kind);
      kind = (await databaseKind(store)) ?? options.kind;
    }
    const secret = kind === 'demo' ? DEMO_RESPONDENT_SECRET : resolveRespondentSecret(config.respondentKeySecret, config.dataDir, log, { generate: options.create });
    await checkSecretFingerprint(store, secret, where);
    return {
      store,
      surveys,
      policy: config.policy,
      respondentSecret: secret,
      clock: systemClock,
      log,
      ...(options.onIntent ? { onIntent: options.onIntent } : {}),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
