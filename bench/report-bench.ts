import type { Team } from '../src/core/team.js';
import { seedDemoOrganisation } from '../src/demo/demo-organisation.js';
import { teamReport } from '../src/services/report-service.js';
import { BENCH_NOW, createBenchContext } from './context.js';
import { addOpenSteps, STEPS_AIM, STEPS_PER_TEAM } from './steps.js';
import { rawStatement, type BenchEngine } from './engine.js';
import { describeSummary, formatMs, measureAsync, measureEither, summaryLine, timeOnceAsync } from './stats.js';

const WEEKS = 104;
// Demo members answer with probability 0.8, so 15 members give about 12 answers a round.
const MEMBERS = 15;
const WARMUP = 200;
const ITERATIONS = 1000;
const TARGET_P95_MS = 5;

interface AggregateRow {
  readonly aspect_id: string;
  readonly mean: number;
  readonly answers: number;
}

/** The rows the report itself reads: each closed round's frozen tally (count per level), not the answers. */
const AGGREGATE = {
  sqlite:
    "SELECT r.aspect_id AS aspect_id, sum((l.key + 1) * l.value) * 1.0 / sum(l.value) AS mean, sum(l.value) AS answers FROM rounds r, json_each(r.level_counts) l WHERE r.team_id = ? AND r.status = 'closed' GROUP BY r.aspect_id",
  postgres:
    "SELECT r.aspect_id AS aspect_id, (sum(l.ord * l.value::int)::float8 / sum(l.value::int)) AS mean, sum(l.value::int)::int AS answers FROM rounds r, jsonb_array_elements_text(r.level_counts) WITH ORDINALITY AS l(value, ord) WHERE r.team_id = $1 AND r.status = 'closed' GROUP BY r.aspect_id",
};

/** Two years of weekly rounds for one team, then its report timed against a raw SQL aggregate of the same closed-round tallies, on the same engine. */
export async function runReportBench(engine: BenchEngine): Promise<void> {
  const ctx = await createBenchContext('report', engine);
  try {
    const surveyId = [...ctx.surveys.keys()].sort()[0]!;
    console.log(`report [${engine.name}]: 1 team x ${WEEKS} weekly rounds, ${MEMBERS} members, survey ${surveyId}`);
    const seeded = await timeOnceAsync(() =>
      seedDemoOrganisation(ctx, {
        seed: 104,
        now: BENCH_NOW,
        weeks: WEEKS,
        liveRounds: false,
        targetsAndSteps: false,
        specs: [{ name: 'Bench Report Team', surveyId, trajectory: 'steady', members: MEMBERS, timeZone: 'Europe/Berlin' }],
      }),
    );
    const team: Team | undefined = (await ctx.store.listTeams())[0];
    if (!team) throw new Error('the report team was not seeded');
    const levelRows = await ctx.sql.one<{ n: number }>((d) => `SELECT ${d.int('count(*)')} AS n FROM answers a JOIN rounds r ON r.id = a.round_id WHERE r.team_id = ${d.p(1)} AND a.level IS NOT NULL`, [team.id]);
    console.log(`  seeded in ${formatMs(seeded.ms)} ms (not measured): ${seeded.result.rounds} rounds, ${seeded.result.answers} answers (${(seeded.result.answers / seeded.result.rounds).toFixed(1)}/round), ${levelRows.n} with a level`);

    // A report that came back as an error would time the wrong path.
    const check = await teamReport(ctx, team, { withComments: false });
    if (check.kind !== 'report') throw new Error(`teamReport returned ${check.kind}`);
    const shown = check.report.aspects.filter((aspect) => aspect.status.kind === 'level').length;
    console.log(`  report: ${check.report.aspects.length} aspects, ${shown} with a level`);

    const aggregate = rawStatement<AggregateRow>(ctx.sql, 'report_aggregate', (d) => AGGREGATE[d.engine], [team.id]);
    const floorRows = await aggregate();
    console.log(`  raw-sql over the closed rounds' tallies: ${floorRows.length} aspect rows over ${floorRows.reduce((sum, row) => sum + row.answers, 0)} answers`);

    const floor = await measureEither(aggregate, { warmup: WARMUP, iterations: ITERATIONS });
    const report = await measureAsync(() => teamReport(ctx, team, { withComments: false }), { warmup: WARMUP, iterations: ITERATIONS });
    console.log(describeSummary('teamReport', report));
    console.log(describeSummary('raw-sql   ', floor));
    console.log(`  aim: p95 under ${TARGET_P95_MS} ms: ${report.p95 < TARGET_P95_MS ? 'met' : 'MISSED'}`);
    console.log(summaryLine(`report-p95 [${engine.name}]`, report.p95, floor.p95, 'raw-sql-p95'));

    // The same report once the team has ten open next steps (and an organisation target per aspect).
    await addOpenSteps(ctx, [team], STEPS_PER_TEAM);
    const withSteps = await measureAsync(() => teamReport(ctx, team, { withComments: false }), { warmup: WARMUP, iterations: ITERATIONS });
    console.log(describeSummary(`teamReport, ${STEPS_PER_TEAM} open steps`, withSteps));
    console.log(`  aim: with ${STEPS_PER_TEAM} open steps within ${STEPS_AIM}x of without: ${withSteps.p95 <= report.p95 * STEPS_AIM ? 'met' : 'MISSED'}`);
    console.log(summaryLine(`report-steps-p95 [${engine.name}]`, withSteps.p95, report.p95, 'report-p95-without-steps'));
  } finally {
    await ctx.close();
  }
}
