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
import { closeDatabase, openDatabase, type Db } from './storage/database.js';
import { readMeta, writeMeta } from './storage/meta-repository.js';

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

export function databaseKind(db: Db): DatabaseKind | null {
  const kind = readMeta(db, DATABASE_KIND);
  return kind === 'demo' || kind === 'live' ? kind : null;
}

export interface OpenContextOptions {
  readonly databasePath: string;
  /** Create the database when missing (start, migrate, demo); other commands need an existing one. */
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
  const inMemory = options.databasePath === ':memory:';
  // Absolute in every message: a relative DATA_DIR or --database depends on where the process started.
  const databaseFile = inMemory ? options.databasePath : path.resolve(options.databasePath);
  if (!options.create && !inMemory && !existsSync(databaseFile)) {
    throw new UserFacingError('storage', `There is no database at ${databaseFile}. Start the bot once (npm start), run "maturity-pulse demo", or pass --database.`);
  }
  const surveys = await loadSurveys(config, log);
  const db = openDatabase(options.databasePath);
  const dataDir = path.resolve(config.dataDir);
  log.info({ databasePath: databaseFile, dataDir }, `opened the database at ${databaseFile} (data directory ${dataDir})`);
  try {
    let kind = databaseKind(db);
    if (kind === null) {
      writeMeta(db, DATABASE_KIND, options.kind);
      kind = options.kind;
    }
    const secret = kind === 'demo' ? DEMO_RESPONDENT_SECRET : resolveRespondentSecret(config.respondentKeySecret, config.dataDir, log, { generate: options.create });
    checkSecretFingerprint(db, secret, options.databasePath);
    return {
      db,
      surveys,
      policy: config.policy,
      respondentSecret: secret,
      clock: systemClock,
      log,
      ...(options.onIntent ? { onIntent: options.onIntent } : {}),
    };
  } catch (error) {
    closeDatabase(db);
    throw error;
  }
}
