import { localDateAt, nextPeriod, periodAt, periodOfRoundKey } from '../core/schedule.js';
import { decideOpening, nextOpeningCheck, type ScheduleState } from '../core/scheduling.js';
import { append } from '../core/multimap.js';
import type { NextStep } from '../core/next-steps.js';
import type { Round } from '../core/round.js';
import { isPausedOn, type Team } from '../core/team.js';
import type { ServiceContext } from './context.js';
import { chooseAspectFor } from './question-service.js';
import { openRound } from './round-service.js';

async function scheduleState(ctx: ServiceContext, team: Team): Promise<ScheduleState> {
  const open = await ctx.store.findOpenRound(team.id);
  const latest = await ctx.store.latestRound(team.id);
  return { team, latestRoundPeriod: latest ? periodOfRoundKey(latest.periodKey) : null, openRoundClosesAt: open?.closesAt ?? null };
}

/** Team ids per read of done steps: well under both engines' limits on bound parameters. */
const TEAM_IDS_PER_READ = 1000;

/** The done steps of the given teams, by team, in a read per thousand teams. */
async function doneStepsOf(ctx: ServiceContext, teams: readonly Team[]): Promise<ReadonlyMap<number, NextStep[]>> {
  const byTeam = new Map<number, NextStep[]>();
  for (let index = 0; index < teams.length; index += TEAM_IDS_PER_READ) {
    const steps = await ctx.store.listSteps({ teamIds: teams.slice(index, index + TEAM_IDS_PER_READ).map((team) => team.id), status: 'done' });
    for (const step of steps) append(byTeam, step.teamId, step);
  }
  return byTeam;
}

/** Teams handled between yields to the event loop, so a busy Monday never holds up a click's acknowledgement. */
const TEAMS_PER_SLICE = 25;

/**
 * Teams decided at the same time. On PostgreSQL a team's opening is a dozen round trips to the server, and
 * 2,000 of them one after another kept the outbox waiting for rounds to send (the drain of a 2,000-channel
 * Monday ran at the pace of the opening); teams are independent, so a few go at once, leaving most of the
 * connection pool to clicks. SQLite runs one write at a time and each is quick: one team after another.
 */
function teamsAtOnce(ctx: ServiceContext): number {
  return ctx.store.engine === 'postgres' ? 4 : 1;
}

async function scheduleOne(ctx: ServiceContext, team: Team, now: Date, doneSteps: readonly NextStep[]): Promise<Round | null> {
  let state = await scheduleState(ctx, team);
  let round: Round | null = null;
  const decision = decideOpening(state, now);
  // Said once: the next check moves to the next period, so an empty week can be explained from the logs.
  if (decision.kind === 'skip') ctx.log.info({ teamId: team.id, periodKey: decision.period.key }, 'missed round skipped: too little of its period left to catch up');
  if (decision.kind === 'open') {
    const aspectId = await chooseAspectFor(ctx, team, now, doneSteps);
    const result = await openRound(ctx, team, { origin: 'scheduled', at: now, closesAt: decision.closesAt, ...(aspectId ? { aspectId } : {}) });
    if (result.kind === 'opened') {
      round = result.round;
      state = { ...state, latestRoundPeriod: periodOfRoundKey(round.periodKey), openRoundClosesAt: round.closesAt };
    } else if (result.kind !== 'already-open' && result.kind !== 'period-taken') {
      ctx.log.warn({ teamId: team.id, outcome: result.kind }, 'a scheduled round could not open');
    } else {
      state = await scheduleState(ctx, team);
    }
  }
  const next = nextOpeningCheck(state, now);
  await ctx.store.setNextRoundCheck(team.id, next, ctx.fence);
  return round;
}

/**
 * Opens the scheduled rounds that are due, for all teams: one query finds the teams whose next check has
 * come; each is decided in core, opened through the outbox, and given its next check time. A round the
 * period already has (scheduled or asked ad hoc) is never opened again, so restarts cannot double it.
 * Work is done in slices, yielding in between, so thousands of due teams never stall the event loop.
 */
export async function openScheduledRounds(ctx: ServiceContext): Promise<Round[]> {
  const now = ctx.clock.now();
  const opened: Round[] = [];
  const due = await ctx.store.teamsDueForScheduling(now);
  if (due.length === 0) return opened;
  // One read for all due teams (not one per opening): a done step makes the next round ask about its aspect.
  const doneByTeam = await doneStepsOf(ctx, due);
  const width = teamsAtOnce(ctx);
  let sinceYield = 0;
  for (let index = 0; index < due.length; index += width) {
    // Settled, not raced: a failure (a lost lease) ends the pass only once the teams under way are done.
    const results = await Promise.allSettled(due.slice(index, index + width).map((team) => scheduleOne(ctx, team, now, doneByTeam.get(team.id) ?? [])));
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason;
      if (result.value) opened.push(result.value);
    }
    sinceYield += width;
    if (sinceYield >= TEAMS_PER_SLICE) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return opened;
}

/** The next time the schedule opens a round for the team, skipping a pause; null while paused indefinitely. */
export async function nextScheduledRound(ctx: ServiceContext, team: Team, now: Date): Promise<Date | null> {
  let period = periodAt(team.cadence, now);
  const current = await ctx.store.latestRound(team.id);
  if (period.opensAt.getTime() <= now.getTime() || (current !== null && periodOfRoundKey(current.periodKey) === period.key)) period = nextPeriod(team.cadence, period);
  for (let guard = 0; guard < 120; guard += 1) {
    if (!isPausedOn(team, localDateAt(period.opensAt, team.cadence.timeZone))) return period.opensAt;
    period = nextPeriod(team.cadence, period);
  }
  return null;
}
