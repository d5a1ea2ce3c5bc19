/**
 * The click benchmark's load generator, on its own thread: signing, sending and reading responses would
 * otherwise share the event loop with the app under test, and that shared cost would be added to both
 * apps alike, pulling their ratio towards 1.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { SlackRequester } from '../test/support/slack-requests.js';

export interface LoadWorkerData {
  readonly signingSecret: string;
  /** Form-encoded interaction bodies, built once so both apps receive byte-identical payloads. */
  readonly bodies: readonly string[];
}

export interface LoadRequest {
  /** Where the clicks go: spread round-robin over these (by click index) when there are several, as a load balancer would. */
  readonly urls: readonly string[];
  /** Sends bodies[from] up to, not including, bodies[to]. */
  readonly from: number;
  readonly to: number;
  readonly concurrency: number;
}

export interface LoadResult {
  /** Per request, in send order: from just before signing to the end of the response body. */
  readonly latenciesMs: Float64Array;
  /** Per request: the HTTP status, or 0 when no response came (connection error). */
  readonly statuses: Uint16Array;
  /** From the first send to the last response. */
  readonly elapsedMs: number;
}

const FORM = 'application/x-www-form-urlencoded';

const port = parentPort;
if (!port) throw new Error('slack-load-worker runs as a worker thread');
// The parent built this object from LoadWorkerData; workerData is typed any by Node, so name its shape once.
const data = workerData as LoadWorkerData;

/** `concurrency` lanes each send their next request as soon as the previous one answered: a fixed number in flight. */
async function run(request: LoadRequest): Promise<LoadResult> {
  // Same signing code as the tests; fetch keeps connections alive, so the lanes reuse them across requests.
  const requesters = request.urls.map((url) => new SlackRequester(url, data.signingSecret));
  const count = request.to - request.from;
  const latenciesMs = new Float64Array(count);
  const statuses = new Uint16Array(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < count; index = next++) {
      const body = data.bodies[request.from + index];
      if (body === undefined) throw new RangeError(`no body ${request.from + index}`);
      const start = performance.now();
      try {
        statuses[index] = (await requesters[(request.from + index) % requesters.length]!.post(body, FORM)).status;
      } catch {
        statuses[index] = 0;
      }
      latenciesMs[index] = performance.now() - start;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: request.concurrency }, lane));
  return { latenciesMs, statuses, elapsedMs: performance.now() - started };
}

port.on('message', (request: LoadRequest) => {
  run(request).then(
    // A few thousand numbers per block: copying them costs nothing worth a transfer list.
    (result) => port.postMessage(result),
    (error: unknown) => {
      throw error;
    },
  );
});
