import { parentPort } from 'node:worker_threads';
import type { ChartInput } from './digest-chart-spec.js';
import { renderChartPng } from './render-chart.js';

/** Renders charts off the main event loop, so a digest never delays the acknowledgement of a click. */
parentPort?.on('message', (message: { id: number; input: ChartInput }) => {
  renderChartPng(message.input).then(
    (png) => parentPort?.postMessage({ id: message.id, png }, [png.buffer as ArrayBuffer]),
    (error: unknown) => parentPort?.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
