import { runClickDigestBench } from './click-digest-bench.js';
import { runDashboardOrgBench, runDashboardTeamBench } from './dashboard-bench.js';
import { runDigestBench } from './digest-bench.js';
import { runMetricsBench } from './metrics-bench.js';
import type { BenchEngine, Engine } from './engine.js';
import { runOpenRoundsBench, runReplicaOpenRoundsBench } from './open-rounds-bench.js';
import { runReplicaClickBench } from './replica-click-bench.js';
import { runReportBench } from './report-bench.js';
import { dropOrganisation } from './seeding.js';
import { runSlackClickBench } from './slack-click-bench.js';
import { runTickBench } from './tick-bench.js';
import { startPostgresServer, type PostgresServer } from '../test/support/postgres-server.js';

// Without --expose-gc a collection can land inside a timed call and show up as a p95 outlier.
if (typeof globalThis.gc !== 'function') console.warn('note: run with node --expose-gc for steadier percentiles');

interface Bench {
  readonly name: string;
  readonly engines: readonly Engine[];
  readonly run: (engine: BenchEngine) => Promise<unknown>;
}

const BOTH: readonly Engine[] = ['sqlite', 'postgres'];
// Each on SQLite, then on PostgreSQL (a fresh database each, on one throwaway server for the whole run):
// the two figures of a benchmark come from neighbouring minutes of the same machine.
const benches: readonly Bench[] = [
  { name: 'report', engines: BOTH, run: runReportBench },
  { name: 'digest', engines: BOTH, run: runDigestBench },
  { name: 'slack-click', engines: BOTH, run: runSlackClickBench },
  { name: 'slack-click-replicas', engines: ['postgres'], run: runReplicaClickBench },
  { name: 'open-2000', engines: BOTH, run: runOpenRoundsBench },
  { name: 'open-2000-replicas', engines: ['postgres'], run: runReplicaOpenRoundsBench },
  { name: 'tick-idle-10000', engines: BOTH, run: runTickBench },
  { name: 'click-during-digest', engines: BOTH, run: runClickDigestBench },
  { name: 'metrics-scrape-10000', engines: BOTH, run: runMetricsBench },
  { name: 'dashboard-org-500', engines: BOTH, run: runDashboardOrgBench },
  { name: 'dashboard-team', engines: BOTH, run: runDashboardTeamBench },
];

// `npm run bench -- slack` runs the benchmarks whose name contains "slack", on both engines;
// `npm run bench -- postgres` every benchmark on PostgreSQL; `npm run bench -- report:sqlite` one of them;
// a leading ^ anchors at the start (`^digest` leaves out click-during-digest).
const only = process.argv.slice(2);
const matches = (id: string, filter: string): boolean => (filter.startsWith('^') ? id.startsWith(filter.slice(1)) : id.includes(filter));
const selected = benches.flatMap((bench) => bench.engines.map((engine) => ({ bench, engine, id: `${bench.name}:${engine}` }))).filter(({ id }) => only.length === 0 || only.some((filter) => matches(id, filter)));

// Interrupted (Ctrl-C, a timeout's SIGTERM): exit through process.exit, so the 'exit' hooks stop the
// PostgreSQL server and any replica processes instead of leaving them running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const started = process.hrtime.bigint();
const failures: string[] = [];
let server: PostgresServer | null = null;
let serverProblem: string | null = null;
try {
  for (const { bench, engine, id } of selected) {
    let serverUrl: string | undefined;
    if (engine === 'postgres') {
      if (!server && serverProblem === null) {
        try {
          server = await startPostgresServer();
          console.log(`PostgreSQL: a throwaway server for this run (initdb and start ${(server.startupMs / 1000).toFixed(1)} s, fsync off), a fresh database per benchmark\n`);
        } catch (error) {
          serverProblem = error instanceof Error ? error.message : String(error);
        }
      }
      if (!server) {
        console.log(`bench ${bench.name} [postgres]: SKIPPED: no PostgreSQL server: ${serverProblem ?? 'not started'}\n`);
        failures.push(`${id} (no PostgreSQL server)`);
        continue;
      }
      serverUrl = server.url;
    }
    try {
      await bench.run(serverUrl === undefined ? { name: engine } : { name: engine, serverUrl });
    } catch (error) {
      console.log(`bench ${bench.name} [${engine}]: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      failures.push(id);
    }
    console.log('');
  }
} finally {
  await dropOrganisation();
  await server?.stop();
}
console.log(`total ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
if (failures.length > 0) {
  console.log(`not measured: ${failures.join(', ')}`);
  process.exitCode = 1;
}
