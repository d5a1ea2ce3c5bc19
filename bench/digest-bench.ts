import { orgDigest } from '../src/services/report-service.js';
import { createBenchContext } from './context.js';
import { addOpenSteps, STEPS_AIM, STEPS_PER_TEAM } from './steps.js';
import { rawStatement, type BenchEngine } from './engine.js';
import { ORGANISATION_TEAMS, ORGANISATION_WEEKS, organisationStorage } from './seeding.js';
import { describeSummary, measureAsync, measureEither, summaryLine } from './stats.js';

const WARMUP = 3;
const ITERATIONS = 30;
const TARGET_P95_MS = 1000;
interface AggregateRow {
  readonly team_id: number;
  readonly aspect_id: string;
  readonly mean: number;
  readonly answers: number;
}

/** The rows the digest itself reads: each closed round's frozen tally (count per level), not the answers. */
const AGGREGATE = {
  sqlite:
    "SELECT r.team_id AS team_id, r.aspect_id AS aspect_id, sum((l.key + 1) * l.value) * 1.0 / sum(l.value) AS mean, sum(l.value) AS answers FROM rounds r, json_each(r.level_counts) l WHERE r.status = 'closed' GROUP BY r.team_id, r.aspect_id",
  postgres:
    "SELECT r.team_id AS team_id, r.aspect_id AS aspect_id, (sum(l.ord * l.value::int)::float8 / sum(l.value::int)) AS mean, sum(l.value::int)::int AS answers FROM rounds r, jsonb_array_elements_text(r.level_counts) WITH ORDINALITY AS l(value, ord) WHERE r.status = 'closed' GROUP BY r.team_id, r.aspect_id",
};

/** Half a year of weekly rounds for 500 teams, then the org digest timed against a raw SQL aggregate of the same closed-round tallies, on the same engine. */
export async function runDigestBench(engine: BenchEngine): Promise<void> {
  const org = await organisationStorage(engine, 'digest');
  const ctx = await createBenchContext('digest', engine, { storage: org.storage, clock: { now: () => new Date(org.seededAt) } });
  try {
    const surveyIds = [...ctx.surveys.keys()].sort();
    const seeded = { result: org.summary };
    console.log(`digest [${engine.name}]: ${ORGANISATION_TEAMS} teams x ${ORGANISATION_WEEKS} weekly rounds, members 5-12, surveys ${surveyIds.join(', ')}`);
    const levelRows = await ctx.sql.one<{ n: number }>((d) => `SELECT ${d.int('count(*)')} AS n FROM answers WHERE level IS NOT NULL`);
    console.log(`  ${seeded.result.teams} teams, ${seeded.result.rounds} rounds, ${seeded.result.answers} answers (${(seeded.result.answers / seeded.result.rounds).toFixed(1)}/round), ${levelRows.n} with a level; ${org.how} (not measured)`);

    // An empty digest would time almost nothing; check it covers the seeded teams first.
    const check = await orgDigest(ctx);
    const sectionTeams = check.sections.reduce((sum, section) => sum + section.teamCount, 0);
    const visibleTeams = check.sections.reduce((sum, section) => sum + section.teams.length, 0);
    if (sectionTeams !== seeded.result.teams) throw new Error(`the digest covers ${sectionTeams} teams, ${seeded.result.teams} were seeded`);
    console.log(`  digest: ${check.sections.length} sections, ${sectionTeams} teams, ${visibleTeams} with figures`);

    const aggregate = rawStatement<AggregateRow>(ctx.sql, 'digest_aggregate', (d) => AGGREGATE[d.engine]);
    const floorRows = await aggregate();
    console.log(`  raw-sql over the closed rounds' tallies: ${floorRows.length} team x aspect rows over ${floorRows.reduce((sum, row) => sum + row.answers, 0)} answers`);

    const floor = await measureEither(aggregate, { warmup: WARMUP, iterations: ITERATIONS });
    const digest = await measureAsync(() => orgDigest(ctx), { warmup: WARMUP, iterations: ITERATIONS });
    console.log(describeSummary('orgDigest', digest));
    console.log(describeSummary('raw-sql  ', floor));
    console.log(`  aim: p95 under ${TARGET_P95_MS} ms: ${digest.p95 < TARGET_P95_MS ? 'met' : 'MISSED'}`);
    console.log(summaryLine(`digest-p95 [${engine.name}]`, digest.p95, floor.p95, 'raw-sql-p95'));

    // The same digest once every team has ten open next steps adopted this quarter.
    await addOpenSteps(ctx, await ctx.store.listTeams(), STEPS_PER_TEAM);
    const withSteps = await measureAsync(() => orgDigest(ctx), { warmup: WARMUP, iterations: ITERATIONS });
    console.log(describeSummary(`orgDigest, ${STEPS_PER_TEAM} open steps per team`, withSteps));
    console.log(`  aim: with ${STEPS_PER_TEAM} open steps per team within ${STEPS_AIM}x of without: ${withSteps.p95 <= digest.p95 * STEPS_AIM ? 'met' : 'MISSED'}`);
    console.log(summaryLine(`digest-steps-p95 [${engine.name}]`, withSteps.p95, digest.p95, 'digest-p95-without-steps'));
  } finally {
    await ctx.close();
    await org.storage.drop();
  }
}
