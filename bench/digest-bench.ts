import type { DemoTeamSpec, Trajectory } from '../src/demo/demo-organisation.js';
import { seedDemoOrganisation } from '../src/demo/demo-organisation.js';
import { DemoRandom } from '../src/demo/demo-random.js';
import { orgDigest } from '../src/services/report-service.js';
import { BENCH_NOW, createBenchContext } from './context.js';
import { describeSummary, formatMs, measure, measureAsync, summaryLine, timeOnceAsync } from './stats.js';

const TEAMS = 500;
const WEEKS = 26;
const WARMUP = 3;
const ITERATIONS = 30;
const TARGET_P95_MS = 1000;
// 'new' is left out: the generator gives such teams two rounds, and every team here should have all 26.
const TRAJECTORIES: readonly Trajectory[] = ['improving', 'slipping', 'steady', 'disagreeing', 'quiet'];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Europe/London'];

interface AggregateRow {
  readonly team_id: number;
  readonly aspect_id: string;
  readonly mean: number;
  readonly answers: number;
}

export function digestSpecs(count: number, surveyIds: readonly string[], random: DemoRandom): DemoTeamSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `Bench Team ${String(index + 1).padStart(3, '0')}`,
    surveyId: surveyIds[index % surveyIds.length]!,
    trajectory: TRAJECTORIES[index % TRAJECTORIES.length]!,
    members: random.int(5, 12),
    timeZone: ZONES[index % ZONES.length]!,
  }));
}

/** Half a year of weekly rounds for 500 teams, then the org digest timed against a raw SQL aggregate of the same closed-round tallies. */
export async function runDigestBench(): Promise<void> {
  const ctx = await createBenchContext('digest');
  try {
    const surveyIds = [...ctx.surveys.keys()].sort();
    const specs = digestSpecs(TEAMS, surveyIds, new DemoRandom(500));
    console.log(`digest: ${TEAMS} teams x ${WEEKS} weekly rounds, members 5-12, surveys ${surveyIds.join(', ')}`);
    const seeded = await timeOnceAsync(() => seedDemoOrganisation(ctx, { seed: 500, now: BENCH_NOW, weeks: WEEKS, liveRounds: false, specs }));
    const levelRows = ctx.sqlite.prepare('SELECT count(*) AS n FROM answers WHERE level IS NOT NULL').get() as { n: number };
    console.log(`  seeded in ${formatMs(seeded.ms)} ms (not measured): ${seeded.result.teams} teams, ${seeded.result.rounds} rounds, ${seeded.result.answers} answers (${(seeded.result.answers / seeded.result.rounds).toFixed(1)}/round), ${levelRows.n} with a level`);

    // An empty digest would time almost nothing; check it covers the seeded teams first.
    const check = await orgDigest(ctx);
    const sectionTeams = check.sections.reduce((sum, section) => sum + section.teamCount, 0);
    const visibleTeams = check.sections.reduce((sum, section) => sum + section.teams.length, 0);
    if (sectionTeams !== seeded.result.teams) throw new Error(`the digest covers ${sectionTeams} teams, ${seeded.result.teams} were seeded`);
    console.log(`  digest: ${check.sections.length} sections, ${sectionTeams} teams, ${visibleTeams} with figures`);

    const aggregate = ctx.sqlite.prepare<[], AggregateRow>(
      // The rows the digest itself reads: each closed round's frozen tally (count per level), not the answers.
      "SELECT r.team_id AS team_id, r.aspect_id AS aspect_id, sum((l.key + 1) * l.value) * 1.0 / sum(l.value) AS mean, sum(l.value) AS answers FROM rounds r, json_each(r.level_counts) l WHERE r.status = 'closed' GROUP BY r.team_id, r.aspect_id",
    );
    const floorRows = aggregate.all();
    console.log(`  raw-sql over the closed rounds' tallies: ${floorRows.length} team x aspect rows over ${floorRows.reduce((sum, row) => sum + row.answers, 0)} answers`);

    const floor = measure(() => aggregate.all(), { warmup: WARMUP, iterations: ITERATIONS });
    const digest = await measureAsync(() => orgDigest(ctx), { warmup: WARMUP, iterations: ITERATIONS });
    console.log(describeSummary('orgDigest', digest));
    console.log(describeSummary('raw-sql  ', floor));
    console.log(`  aim: p95 under ${TARGET_P95_MS} ms: ${digest.p95 < TARGET_P95_MS ? 'met' : 'MISSED'}`);
    console.log(summaryLine('digest-p95', digest.p95, floor.p95, 'raw-sql-p95'));
  } finally {
    await ctx.close();
  }
}
