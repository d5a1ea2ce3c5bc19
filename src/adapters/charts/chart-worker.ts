import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '../../workers/thread-priority.js';
import type { ChartInput } from './digest-chart-spec.js';
import { renderChartPng } from './render-chart.js';

// A 500-team digest's charts take about a second of CPU: never at the expense of the thread that acknowledges clicks.
lowerThreadPriority();

/** Renders charts off the main event loop, so a digest never delays the acknowledgement of a click. */
parentPort?.on('message', ({ id, payload }: { id: number; payload: ChartInput }) => {
  renderChartPng(payload).then(
    (png) => parentPort?.postMessage({ id, result: png }, [png.buffer as ArrayBuffer]),
    (error: unknown) => parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
