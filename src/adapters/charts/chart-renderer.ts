import { WorkerClient, workerScript } from '../../workers/worker-client.js';
import type { ChartInput } from './digest-chart-spec.js';

/**
 * Hands chart rendering to one worker thread, started on first use. vega and resvg are CPU-heavy for large
 * organisations; in the worker they cannot delay the event loop that answers Slack and Teams.
 */
export class ChartRenderer {
  private readonly client = new WorkerClient<ChartInput, Uint8Array>(() => workerScript('adapters/charts/chart-worker.js', import.meta.url, './chart-worker.js'));

  async render(input: ChartInput): Promise<Buffer> {
    return Buffer.from(await this.client.request(input));
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}
