import { parentPort } from 'node:worker_threads';
import type { ChartInput } from './digest-chart-spec.js';
import { renderChartPng } from './render-chart.js';

/** Renders charts off the main event loop, so a digest never delays the acknowledgement of a click. */
parentPort?.on('message', ({ id, payload }: { id: number; payload: ChartInput }) => {
  renderChartPng(payload).then(
    (png) => parentPort?.postMessage({ id, result: png }, [png.buffer as ArrayBuffer]),
    (error: unknown) => parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
