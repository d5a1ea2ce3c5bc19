import { runDigestBench } from './digest-bench.js';
import { runReportBench } from './report-bench.js';
import { runSlackClickBench } from './slack-click-bench.js';

// Without --expose-gc a collection can land inside a timed call and show up as a p95 outlier.
if (typeof globalThis.gc !== 'function') console.warn('note: run with node --expose-gc for steadier percentiles');

const started = process.hrtime.bigint();
await runReportBench();
console.log('');
await runDigestBench();
console.log('');
await runSlackClickBench();
console.log(`\ntotal ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
