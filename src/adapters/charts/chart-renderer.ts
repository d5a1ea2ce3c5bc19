import { secondsSince } from '../../metrics.js';
import { WorkerClient, workerScript } from '../../workers/worker-client.js';
import type { ChartRequest, ChartResult } from './chart-worker.js';
import type { ChartInput } from './digest-chart-spec.js';
import type { TrendChartInput } from './trend-chart-spec.js';

/**
 * Hands chart rendering to one worker thread, started on first use. vega and resvg are CPU-heavy for large
 * organisations; in the worker they cannot delay the event loop that answers Slack, Teams and the dashboard.
 */
export class ChartRenderer {
  private readonly client = new WorkerClient<ChartRequest, ChartResult>(() => workerScript('adapters/charts/chart-worker.js', import.meta.url, './chart-worker.js'));

  /** `onRendered` hears how long each chart took (the metric), and which kind of chart it was. */
  constructor(private readonly onRendered: (seconds: number, kind: ChartRequest['kind']) => void = () => undefined) {}

  /** The digest's chart as a PNG. */
  async render(input: ChartInput): Promise<Buffer> {
    const png = await this.request({ kind: 'digest-png', input });
    if (typeof png === 'string') throw new Error('the chart worker answered a PNG request with text');
    // The PNG's memory was transferred from the worker: wrap it rather than copy it.
    return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  }

  /**
   * A team's trend as SVG text, to be inlined in the dashboard's page. vega escapes every name it writes,
   * so the text can be inserted into HTML as it is.
   */
  async renderTrendSvg(input: TrendChartInput): Promise<string> {
    const svg = await this.request({ kind: 'trend-svg', input });
    if (typeof svg !== 'string') throw new Error('the chart worker answered an SVG request with bytes');
    return svg;
  }

  stop(): Promise<void> {
    return this.client.stop();
  }

  private async request(request: ChartRequest): Promise<ChartResult> {
    const started = process.hrtime.bigint();
    const result = await this.client.request(request);
    this.onRendered(secondsSince(started), request.kind);
    return result;
  }
}
