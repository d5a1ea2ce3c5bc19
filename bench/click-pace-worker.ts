/**
 * An open-loop click generator on its own thread: it sends one signed answer click every 1/rate seconds
 * whether or not earlier ones were answered, as people clicking in Slack do. A closed loop (a fixed number
 * in flight) would send fewer clicks exactly while the app is stalled and so hide the stall from the
 * percentiles; here a click that arrives during a stall waits for it, and its latency shows that.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { SlackRequester } from '../test/support/slack-requests.js';

export interface PaceWorkerData {
  readonly signingSecret: string;
  /** Form-encoded interaction bodies, one per click. */
  readonly bodies: readonly string[];
}

export interface PaceRequest {
  readonly url: string;
  /** Sends bodies[from] up to, not including, bodies[from + count]. */
  readonly from: number;
  readonly count: number;
  readonly perSecond: number;
}

export interface PaceResult {
  /** Per click: from the moment it was sent to the end of the response body. */
  readonly latenciesMs: Float64Array;
  /** Per click: the HTTP status, or 0 when no response came. */
  readonly statuses: Uint16Array;
  /** Per click: when it was sent, as epoch milliseconds (performance.timeOrigin + now). */
  readonly sentAt: Float64Array;
  /** The most a click was sent after its slot: the generator's own lag, which should stay near 0. */
  readonly maxLateMs: number;
  readonly elapsedMs: number;
}

const FORM = 'application/x-www-form-urlencoded';

const port = parentPort;
if (!port) throw new Error('click-pace-worker runs as a worker thread');
// The parent built this object from PaceWorkerData; workerData is typed any by Node, so name its shape once.
const data = workerData as PaceWorkerData;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

async function run(request: PaceRequest): Promise<PaceResult> {
  const requester = new SlackRequester(request.url, data.signingSecret);
  const latenciesMs = new Float64Array(request.count);
  const statuses = new Uint16Array(request.count);
  const sentAt = new Float64Array(request.count);
  const interval = 1000 / request.perSecond;
  const inFlight: Promise<void>[] = [];
  let maxLateMs = 0;
  const started = performance.now();
  for (let index = 0; index < request.count; index += 1) {
    const slot = started + index * interval;
    const wait = slot - performance.now();
    if (wait > 0) await sleep(wait);
    const body = data.bodies[request.from + index];
    if (body === undefined) throw new RangeError(`no body ${request.from + index}`);
    const start = performance.now();
    maxLateMs = Math.max(maxLateMs, start - slot);
    sentAt[index] = performance.timeOrigin + start;
    inFlight.push(
      requester.post(body, FORM).then(
        (response) => {
          statuses[index] = response.status;
          latenciesMs[index] = performance.now() - start;
        },
        () => {
          statuses[index] = 0;
          latenciesMs[index] = performance.now() - start;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { latenciesMs, statuses, sentAt, maxLateMs, elapsedMs: performance.now() - started };
}

port.on('message', (request: PaceRequest) => {
  run(request).then(
    (result) => port.postMessage(result),
    (error: unknown) => {
      throw error;
    },
  );
});
