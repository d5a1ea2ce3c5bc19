import { secondsSince } from '../../metrics.js';
import { WorkerClient, workerScript } from '../../workers/worker-client.js';
import type { ChartInput } from './digest-chart-spec.js';

/**
 * Hands chart rendering to one worker thread, started on first use. vega and resvg are CPU-heavy for large
 * organisations; in the worker they cannot delay the event loop that answers Slack and Teams.
 */
export class ChartRenderer {
  private readonly client = new WorkerClient<ChartInput, Uint8Array>(() => workerScript('adapters/charts/chart-worker.js', import.meta.url, './chart-worker.js'));

  /** `onRendered` hears how long each chart took (the metric). */
  constructor(private readonly onRendered: (seconds: number) => void = () => undefined) {}

  async render(input: ChartInput): Promise<Buffer> {
    const started = process.hrtime.bigint();
    // The PNG's memory was transferred from the worker: wrap it rather than copy it.
    const png = await this.client.request(input);
    this.onRendered(secondsSince(started));
    return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}
