import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openScheduledRounds } from '../../src/services/schedule-service.js';
import { closeDueRounds, openRound } from '../../src/services/round-service.js';
import { setPause } from '../../src/services/team-service.js';
import { buildSurvey } from '../support/factories.js';
import { CLI_ACTOR, nextSchedulerMoment, setStoredEveryWeeks, setUpTeam, storedRounds } from '../support/seed.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const survey = buildSurvey({ aspects: ['investment', 'adoption', 'interfaces', 'operations'] });
const HOUR = 60 * 60 * 1000;
let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext({ surveys: [survey], now: '2026-01-01T00:00:00Z' });
});
afterEach(async () => {
  await ctx.close();
});

/** Runs the scheduler every hour (closing due rounds, opening due ones) from now until `until`. */
async function runHourly(until: string): Promise<void> {
  const end = new Date(until).getTime();
  while (ctx.clock.now().getTime() < end) {
    ctx.clock.advance(HOUR);
    await closeDueRounds(ctx);
    await openScheduledRounds(ctx);
  }
}

/** Jumps from one due moment to the next (a check time or a close), as a minute tick would land on them. */
async function runByEvents(until: string): Promise<void> {
  const end = new Date(until).getTime();
  for (;;) {
    await closeDueRounds(ctx);
    await openScheduledRounds(ctx);
    const next = await nextSchedulerMoment(ctx.store);
    if (next === null || next.getTime() > end) return;
    ctx.clock.set(new Date(Math.max(next.getTime(), ctx.clock.now().getTime() + 1)));
  }
}

/** A team's rounds as stored, oldest first. */
async function rounds(teamId: number): Promise<{ periodKey: string; openedAt: number; closesAt: number; aspectId: string; questionId: string; origin: string }[]> {
  return (await storedRounds(ctx.store, teamId)).map((round) => ({ periodKey: round.periodKey, openedAt: round.openedAt.getTime(), closesAt: round.closesAt.getTime(), aspectId: round.aspectId, questionId: round.questionId, origin: round.origin }));
}

function local(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('ccc HH:mm');
}

describe('rounds run themselves', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'Asia/Kolkata'])('opens weekly at the local time in %s across both DST changes of a year', async (zone) => {
    const team = await setUpTeam(ctx, `Team ${zone}`, { timeZone: zone });
    await runByEvents('2027-01-01T00:00:00Z');
    const list = await rounds(team.id);
    expect(list.length).toBeGreaterThanOrEqual(52);
    expect(new Set(list.map((round) => round.periodKey)).size).toBe(list.length);
    for (const round of list) {
      expect(local(round.openedAt, zone)).toBe('Mon 10:00');
      expect(local(round.closesAt, zone)).toBe('Fri 10:00');
    }
  });

  it('opens fortnightly teams every other week, anchored on the week of setup', async () => {
    const team = await setUpTeam(ctx, 'Fortnightly');
    await setStoredEveryWeeks(ctx.store, team.id, 2);
    expect((await ctx.store.findTeamById(team.id))?.cadence.everyWeeks).toBe(2);
    // Through the Monday of W09 (23 February): every round of eight weeks, none in between.
    await runHourly('2026-02-24T00:00:00Z');
    const keys = (await rounds(team.id)).map((round) => round.periodKey);
    expect(keys).toEqual(['2026-W03', '2026-W05', '2026-W07', '2026-W09']);
  });

  it('never opens a second round for a period, however often the tick runs', async () => {
    const team = await setUpTeam(ctx, 'Payments');
    await runHourly('2026-01-12T12:00:00Z');
    for (let i = 0; i < 5; i += 1) await openScheduledRounds(ctx);
    expect((await rounds(team.id)).map((round) => round.periodKey)).toEqual(['2026-W02', '2026-W03']);
  });

  it('lets an ad hoc round fill the period, skipping the scheduled one', async () => {
    const team = await setUpTeam(ctx, 'Payments');
    ctx.clock.set('2026-01-06T12:00:00Z'); // Tuesday of W02, after the scheduled time
    expect((await openRound(ctx, team, { origin: 'ad-hoc' })).kind).toBe('opened');
    await runHourly('2026-01-14T00:00:00Z');
    expect((await rounds(team.id)).map((round) => [round.periodKey, round.origin])).toEqual([
      ['2026-W02', 'ad-hoc'],
      ['2026-W03', 'scheduled'],
    ]);
  });

  it('skips paused periods (the end date is inclusive) instead of queuing them', async () => {
    const team = await setUpTeam(ctx, 'Payments');
    await setPause(ctx, CLI_ACTOR, team, '2026-01-19');
    await runHourly('2026-02-03T00:00:00Z');
    // W02 (5 Jan) to W04 (19 Jan) are paused; W05 opens on 26 Jan and W06 on 2 Feb.
    expect((await rounds(team.id)).map((round) => round.periodKey)).toEqual(['2026-W05', '2026-W06']);
  });

  it('after downtime opens only the current period, late, keeping its scheduled close', async () => {
    const team = await setUpTeam(ctx, 'Payments');
    await runHourly('2026-01-05T12:00:00Z');
    // Down from Monday 5 Jan 12:00 UTC to Wednesday 21 Jan 15:00 UTC: three periods pass.
    ctx.clock.set('2026-01-21T15:00:00Z');
    await closeDueRounds(ctx);
    const opened = await openScheduledRounds(ctx);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.periodKey).toBe('2026-W04');
    expect(opened[0]?.closesAt.toISOString()).toBe('2026-01-23T09:00:00.000Z');
    expect((await rounds(team.id)).map((round) => round.periodKey)).toEqual(['2026-W02', '2026-W04']);
  });

  it('after downtime late in a period skips that period instead of squeezing a round in, and the next period opens on time', async () => {
    const team = await setUpTeam(ctx, 'Payments'); // Monday 10:00 Europe/Berlin, 96 h rounds
    await runHourly('2026-01-05T12:00:00Z');
    // Down from Monday 5 Jan until Sunday 18 Jan 22:35 Berlin: W03's round was missed and 85 minutes of W03 are left.
    ctx.clock.set('2026-01-18T21:35:00Z');
    await closeDueRounds(ctx);
    expect(await openScheduledRounds(ctx)).toEqual([]);
    expect((await rounds(team.id)).map((round) => round.periodKey)).toEqual(['2026-W02']);
    expect(ctx.lines.filter((line) => line.includes('missed round skipped'))).toHaveLength(1);
    await runByEvents('2026-01-26T00:00:00Z');
    const list = await rounds(team.id);
    expect(list.map((round) => round.periodKey)).toEqual(['2026-W02', '2026-W04']);
    expect(new Date(list[1]?.openedAt ?? 0).toISOString()).toBe('2026-01-19T09:00:00.000Z');
    expect(new Date(list[1]?.closesAt ?? 0).toISOString()).toBe('2026-01-23T09:00:00.000Z');
    expect(ctx.lines.filter((line) => line.includes('missed round skipped'))).toHaveLength(1);
  });

  it('rotates through aspects by default and, when adaptive, asks where the picture is stalest', async () => {
    const rotating = await setUpTeam(ctx, 'Rotating');
    const adaptive = await setUpTeam(ctx, 'Adaptive');
    await ctx.store.setTeamOptions(adaptive.id, { questionStrategy: 'adaptive' });
    expect((await ctx.store.findTeamById(adaptive.id))?.questionStrategy).toBe('adaptive');
    await runHourly('2026-02-10T00:00:00Z');
    expect((await rounds(rotating.id)).map((round) => round.aspectId)).toEqual(['investment', 'adoption', 'interfaces', 'operations', 'investment', 'adoption']);
    const adaptiveRounds = await rounds(adaptive.id);
    const adaptiveAspects = adaptiveRounds.map((round) => round.aspectId);
    // Nothing is measured (no answers), so each unmeasured aspect comes first, least recently asked next.
    expect(new Set(adaptiveAspects.slice(0, 4)).size).toBe(4);
    const questions = adaptiveRounds.map((round) => round.questionId);
    expect(questions.length).toBeGreaterThan(1);
    for (let i = 1; i < questions.length; i += 1) expect(questions[i]).not.toBe(questions[i - 1]);
  });
});
