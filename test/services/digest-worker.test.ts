/**
 * The digest worker as the server runs it (the compiled worker script, its own read-only connection):
 * what it hands back for a delivery is what building in line gives, and it runs below the priority of
 * the thread that acknowledges clicks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestParts } from '../../src/core/digest-files.js';
import { computeOrgDigest } from '../../src/services/report-service.js';
import { closeOpenRound, openRound } from '../../src/services/round-service.js';
import { DigestBuilder } from '../../src/workers/digest-builder.js';
import { buildSurvey, DAY } from '../support/factories.js';
import { answerAs, setUpTeam } from '../support/seed.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const survey = buildSurvey();
let ctx: TestContext;
let builder: DigestBuilder;
beforeEach(async () => {
  ctx = await createTestContext({ surveys: [survey], now: '2026-03-02T09:30:00Z' });
  builder = new DigestBuilder(ctx.storage.target, ctx.surveys, ctx.policy);
});
afterEach(async () => {
  await builder.stop();
  await ctx.close();
});

/** Nice values of this process's threads, by thread id (Linux). */
function threadNiceValues(): Map<number, number> {
  const values = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // After "pid (comm) ", nice is the 17th field (19th of the line).
    values.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return values;
}

describe('the digest worker', () => {
  it('hands a delivery the same summary, CSV and chart data as building in line', async () => {
    for (const [name, levels] of [['Payments', ['1', '2', '3']], ['Search', ['3', '4', '4', 'unknown']]] as const) {
      const team = await setUpTeam(ctx, name);
      const opened = await openRound(ctx, team, { origin: 'ad-hoc', aspectId: survey.aspects[0]?.id });
      if (opened.kind !== 'opened') throw new Error(opened.kind);
      await answerAs(ctx, opened.round.id, levels);
      await closeOpenRound(ctx, team);
    }
    ctx.clock.advance(DAY);
    const at = ctx.clock.now();
    const inLine = digestParts(await computeOrgDigest(ctx, at, undefined));
    expect(inLine.files.csv.split('\n').filter((line) => line.includes('Payments'))).not.toEqual([]);
    expect(await builder.buildParts(at)).toEqual(inLine);
    // Only the parts cross: the summary has no per-team table.
    expect(inLine.summary.sections[0]).not.toHaveProperty('teams');
  });

  it.runIf(process.platform === 'linux')('runs below the priority of the main thread', async () => {
    const before = threadNiceValues();
    await builder.buildParts(ctx.clock.now());
    const after = threadNiceValues();
    expect(after.get(process.pid)).toBe(0);
    const lowered = [...after].filter(([tid, nice]) => !before.has(tid) && nice > 0);
    expect(lowered.length).toBeGreaterThanOrEqual(1);
  });
});
