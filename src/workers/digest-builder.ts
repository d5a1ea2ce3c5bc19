import type { Digest } from '../core/digest.js';
import type { DigestParts } from '../core/digest-files.js';
import type { ScoringPolicy } from '../core/scoring.js';
import type { LoadedSurvey } from '../core/survey.js';
import type { StorageTarget } from '../storage/open-store.js';
import type { DigestRequest, DigestWorkerData } from './digest-worker.js';
import { WorkerClient, workerScript } from './worker-client.js';

/** Builds digests in a worker thread with its own read-only connection to the database. */
export class DigestBuilder {
  private readonly client: WorkerClient<DigestRequest, Digest | DigestParts>;

  constructor(target: StorageTarget, surveys: ReadonlyMap<string, LoadedSurvey>, policy: ScoringPolicy) {
    const workerData: DigestWorkerData = { target, surveys: [...surveys.values()], policy };
    this.client = new WorkerClient(() => workerScript('workers/digest-worker.js', import.meta.url, './digest-worker.js'), { workerData });
  }

  /** The whole digest (previews, the CLI). */
  async build(at: Date, surveyIds?: readonly string[]): Promise<Digest> {
    return (await this.client.request({ at, parts: false, ...(surveyIds ? { surveyIds } : {}) })) as Digest;
  }

  /** What a digest's deliveries send: its summary, CSV and chart data, taken from the digest in the worker. */
  async buildParts(at: Date, surveyIds?: readonly string[]): Promise<DigestParts> {
    return (await this.client.request({ at, parts: true, ...(surveyIds ? { surveyIds } : {}) })) as DigestParts;
  }

  /** Starts the worker ahead of the first digest (see `WorkerClient.warm`). */
  warm(): void {
    this.client.warm();
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}
