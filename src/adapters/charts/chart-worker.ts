import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '../../workers/thread-priority.js';
import type { ChartInput } from './digest-chart-spec.js';
import { renderChartPng, renderChartSvg } from './render-chart.js';
import { trendChartSpec, type TrendChartInput } from './trend-chart-spec.js';

/** What the chart worker is asked for: the digest's chart as a PNG, or a team's trend as SVG text. */
export type ChartRequest = { readonly kind: 'digest-png'; readonly input: ChartInput } | { readonly kind: 'trend-svg'; readonly input: TrendChartInput };

/** The answer to a `digest-png` request is the PNG's bytes, to a `trend-svg` request the SVG's text. */
export type ChartResult = Uint8Array | string;

// A 500-team digest's charts take about a second of CPU: never at the expense of the thread that acknowledges clicks.
lowerThreadPriority();

async function render(request: ChartRequest): Promise<ChartResult> {
  switch (request.kind) {
    case 'digest-png':
      return renderChartPng(request.input);
    case 'trend-svg':
      return renderChartSvg(trendChartSpec(request.input));
  }
}

/** Renders charts off the main event loop, so neither a digest nor a dashboard page delays the acknowledgement of a click. */
parentPort?.on('message', ({ id, payload }: { id: number; payload: ChartRequest }) => {
  render(payload).then(
    // The PNG's memory is transferred, not copied; a string is copied (it cannot be transferred).
    (result) => parentPort?.postMessage({ id, result }, typeof result === 'string' ? [] : [result.buffer as ArrayBuffer]),
    (error: unknown) => parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
