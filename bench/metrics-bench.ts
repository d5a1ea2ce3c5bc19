/**
 * A Prometheus scrape (`GET /metrics`'s body) with 10,000 teams and a 10,000-row outbox (2,000 waiting):
 * p95 of PrometheusMetrics.render() against the raw SQL its scrape-time gauges need, in the same run.
 */
import { anchorWeekAt } from '../src/core/schedule.js';
import { PrometheusMetrics } from '../src/metrics.js';
import { outboxBacklog } from '../src/services/delivery-service.js';
import { BENCH_NOW, createBenchContext } from './context.js';
import type { BenchEngine } from './engine.js';
import { seededStorage } from './seeding.js';
import { describeSummary, formatMs, measureAsync, measureEither, summaryLine } from './stats.js';

const TEAMS = 10_000;
const WAITING = 2_000;

export async function runMetricsBench(engine: BenchEngine): Promise<void> {
  const now = BENCH_NOW;
  const seeded = await seededStorage(engine, 'metrics', { now: () => new Date(now) }, ({ store, surveys }) => {
    const surveyIds = [...surveys.keys()].sort();
    return store.transaction(async (tx) => {
      for (let index = 0; index < TEAMS; index += 1) {
        const channel = { platform: 'slack' as const, workspaceId: 'T0METRICS', channelId: `CM${String(index).padStart(6, '0')}` };
        const team = await tx.insertTeam({ name: `Team ${String(index).padStart(5, '0')}`, channel, surveyId: surveyIds[index % surveyIds.length]!, cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'UTC', roundLengthHours: 48, anchorWeek: anchorWeekAt(now, 'UTC') }, createdAt: now });
        if (team.kind !== 'created') throw new Error(`insertTeam answered ${team.kind}`);
        const at = new Date(now.getTime() - (TEAMS - index) * 1000);
        const { delivery } = await tx.enqueueDelivery({ target: channel, periodKey: 'bench', payload: { kind: 'digest', at: at.toISOString() }, teamId: team.team.id, roundId: null, at });
        if (index >= WAITING) await tx.markDeliverySent(delivery.id, `${index}.0`, at);
      }
    });
  });
  const ctx = await createBenchContext('metrics', engine, { storage: seeded.storage });
  try {
    console.log(`metrics-scrape-10000 [${engine.name}]: ${TEAMS} teams, ${TEAMS} deliveries (${WAITING} waiting), the lease holder's scrape (outbox gauges read at scrape time)`);
    console.log(`  seeded in ${formatMs(seeded.seedMs)} ms${seeded.copyMs > 0 ? `, copied into PostgreSQL in ${formatMs(seeded.copyMs)} ms` : ''} (not measured)`);
    const metrics = new PrometheusMetrics();
    metrics.setProbes({ isLeader: () => true, outbox: () => outboxBacklog(ctx), now: () => now });
    // A registry that has seen traffic: every label combination a busy week produces.
    for (const platform of ['slack', 'teams'] as const) {
      for (const kind of ['action', 'view', 'command', 'event', 'message', 'invoke'] as const) metrics.inboundEvent(platform, kind);
      for (let index = 0; index < 1000; index += 1) metrics.observeAck(platform, (index % 50) / 1000);
      for (const result of ['sent', 'retry', 'failed', 'cancelled', 'waiting'] as const) metrics.delivery(platform, 'round-opened', result);
    }
    const first = await metrics.render();
    if (!first.body.includes(`maturity_pulse_outbox_pending ${WAITING}`)) throw new Error(`the scrape did not show ${WAITING} waiting deliveries`);
    const scrape = await measureAsync(() => metrics.render(), { warmup: 20, iterations: 300 });
    const floor = await measureEither(() => ctx.sql.one((d) => `SELECT ${d.int('count(*)')} AS pending, ${d.ms('min(created_at)')} AS oldest FROM deliveries WHERE status = 'pending'`), { warmup: 20, iterations: 300 });
    console.log(`  scrape body: ${first.body.split('\n').length} lines, ${first.body.length} bytes`);
    console.log(describeSummary('render()', scrape));
    console.log(describeSummary('raw-sql ', floor));
    console.log(summaryLine(`metrics-scrape-10000 [${engine.name}]`, scrape.p95, floor.p95, 'raw-sql-p95'));
  } finally {
    await ctx.close();
    await seeded.storage.drop();
  }
}
