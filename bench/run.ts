import { runClickDigestBench } from './click-digest-bench.js';
import { runDigestBench } from './digest-bench.js';
import { runOpenRoundsBench } from './open-rounds-bench.js';
import { runReportBench } from './report-bench.js';
import { runSlackClickBench } from './slack-click-bench.js';
import { runTickBench } from './tick-bench.js';

// Without --expose-gc a collection can land inside a timed call and show up as a p95 outlier.
if (typeof globalThis.gc !== 'function') console.warn('note: run with node --expose-gc for steadier percentiles');

// `npm run bench -- slack` runs only the benchmarks whose name contains "slack".
const only = process.argv.slice(2);
const benches: [string, () => Promise<unknown>][] = [
  ['report', runReportBench],
  ['digest', runDigestBench],
  ['slack-click', runSlackClickBench],
  ['open-2000', runOpenRoundsBench],
  ['tick-idle-10000', runTickBench],
  ['click-during-digest', runClickDigestBench],
];
const started = process.hrtime.bigint();
for (const [, run] of benches.filter(([name]) => only.length === 0 || only.some((filter) => name.includes(filter)))) {
  await run();
  console.log('');
}
console.log(`total ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
