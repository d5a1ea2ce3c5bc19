/** Timing helpers shared by the benchmarks: every figure is in milliseconds, from process.hrtime.bigint. */

export interface Summary {
  readonly samples: number;
  readonly p50: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export interface MeasureOptions {
  readonly warmup: number;
  readonly iterations: number;
}

/** Nearest-rank percentile: always a time that was actually observed, never an interpolation. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

// Results go here so the engine cannot prove a call's result unused and drop the work.
let sink: unknown;

export function lastSink(): unknown {
  return sink;
}

function collectGarbage(): void {
  // Starts each series with a clean heap so one series' garbage is not collected during the next one.
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

/** Runs `work` `warmup` times untimed, then `iterations` times timed one call at each. */
export function measure(work: () => unknown, options: MeasureOptions): Summary {
  for (let i = 0; i < options.warmup; i += 1) sink = work();
  collectGarbage();
  const samples = new Array<number>(options.iterations);
  for (let i = 0; i < options.iterations; i += 1) {
    const start = process.hrtime.bigint();
    sink = work();
    samples[i] = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return summarise(samples);
}

/** `measure` for async work: each call is awaited before the next starts and timed to its settling. */
export async function measureAsync(work: () => Promise<unknown>, options: MeasureOptions): Promise<Summary> {
  for (let i = 0; i < options.warmup; i += 1) sink = await work();
  collectGarbage();
  const samples = new Array<number>(options.iterations);
  for (let i = 0; i < options.iterations; i += 1) {
    const start = process.hrtime.bigint();
    sink = await work();
    samples[i] = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return summarise(samples);
}

/** Times a one-off step such as seeding, in milliseconds. */
export function timeOnce<T>(work: () => T): { result: T; ms: number } {
  const start = process.hrtime.bigint();
  const result = work();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/** `timeOnce` for async work, timed to its settling. */
export async function timeOnceAsync<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

export function describeSummary(label: string, summary: Summary): string {
  return `  ${label}: p50 ${formatMs(summary.p50)} ms, p95 ${formatMs(summary.p95)} ms, min ${formatMs(summary.min)} ms, max ${formatMs(summary.max)} ms (${summary.samples} runs)`;
}

/** The one machine-readable line each benchmark ends with: `bench <name>: <value> <unit>, <ratio>x <floor>`. */
export function summaryLine(name: string, valueMs: number, floorMs: number, floorName: string): string {
  const ratio = floorMs > 0 ? valueMs / floorMs : Number.POSITIVE_INFINITY;
  return `bench ${name}: ${formatMs(valueMs)} ms, ${ratio.toFixed(1)}x ${floorName}`;
}

/** The same summary line for a figure that is not a time, such as a rate; `digits` is the ratio's precision. */
export function ratioLine(name: string, value: string, unit: string, ratio: number, floorName: string, digits = 1): string {
  return `bench ${name}: ${value} ${unit}, ${ratio.toFixed(digits)}x ${floorName}`;
}

/** `measure` for work that is synchronous on one engine and returns a promise on another (a raw-SQL floor). */
export async function measureEither(work: () => unknown, options: MeasureOptions): Promise<Summary> {
  const first = work();
  if (first instanceof Promise) {
    await first;
    return measureAsync(work as () => Promise<unknown>, options);
  }
  return measure(work, options);
}
