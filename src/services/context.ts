import type { Clock } from '../core/clock.js';
import type { Digest } from '../core/digest.js';
import type { DigestParts } from '../core/digest-files.js';
import type { ScoringPolicy } from '../core/scoring.js';
import type { LoadedSurvey } from '../core/survey.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Fence } from '../storage/records.js';

export type { Fence };
import type { Store } from '../storage/store.js';

/** What every use case needs: the storage port, the loaded surveys, the policy, the key secret and a clock. */
export interface ServiceContext {
  readonly store: Store;
  /** Set for the scheduler's tick: its transactions commit only while this process still holds the lease. */
  readonly fence?: Fence;
  readonly surveys: ReadonlyMap<string, LoadedSurvey>;
  readonly policy: ScoringPolicy;
  readonly respondentSecret: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Called after a delivery intent is committed, so a running server posts it at once. */
  readonly onIntent?: () => void;
  /** Where the app reports figures for operators (`GET /metrics`); absent in tools and most tests. */
  readonly metrics?: Metrics;
  /** Builds a digest off the main event loop (a worker thread); without it digests are built in line. */
  readonly buildDigest?: (at: Date, surveyIds?: readonly string[]) => Promise<Digest>;
  /** Builds a digest and takes from it what its deliveries send (summary, CSV, chart data) off the main event loop. */
  readonly buildDigestParts?: (at: Date, surveyIds?: readonly string[]) => Promise<DigestParts>;
}

export const systemClock: Clock = { now: () => new Date() };
