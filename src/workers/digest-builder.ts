import type { Digest } from '../core/digest.js';
import type { ScoringPolicy } from '../core/scoring.js';
import type { LoadedSurvey } from '../core/survey.js';
import type { StorageTarget } from '../storage/open-store.js';
import type { DigestRequest } from './digest-worker.js';
import { WorkerClient, workerScript } from './worker-client.js';

/** Builds digests in a worker thread with its own read-only connection to the database. */
export class DigestBuilder {
  private readonly client = new WorkerClient<DigestRequest, Digest>(() => workerScript('workers/digest-worker.js', import.meta.url, './digest-worker.js'));

  constructor(
    private readonly target: StorageTarget,
    private readonly surveys: ReadonlyMap<string, LoadedSurvey>,
    private readonly policy: ScoringPolicy,
  ) {}

  build(at: Date, surveyIds?: readonly string[]): Promise<Digest> {
    return this.client.request({ target: this.target, surveys: [...this.surveys.values()], policy: this.policy, at, ...(surveyIds ? { surveyIds } : {}) });
  }

  /** Starts the worker ahead of the first digest (see `WorkerClient.warm`). */
  warm(): void {
    this.client.warm();
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}
