import { isPausedOn, type Team } from './team.js';
import { closeTimeFor, localDateAt, nextPeriod, periodAt, type Period } from './schedule.js';

/** Later than this in a period, a missed round is skipped rather than squeezed in. */
export const MIN_ROUND_MS = 60 * 60 * 1000;

/** What the scheduler knows about a team when it looks at it. */
export interface ScheduleState {
  readonly team: Pick<Team, 'cadence' | 'pausedUntil' | 'createdAt'>;
  /** Period key of the team's most recent round, scheduled or ad hoc. */
  readonly latestRoundPeriod: string | null;
  /** Close time of the team's open round, if one is running. */
  readonly openRoundClosesAt: Date | null;
}

export type OpeningDecision =
  | { readonly kind: 'open'; readonly period: Period; readonly closesAt: Date }
  | { readonly kind: 'wait' };

function paused(state: ScheduleState, at: Date): boolean {
  return isPausedOn(state.team, localDateAt(at, state.team.cadence.timeZone));
}

/**
 * Whether the team's round for the current period should open now. A period gets at most one round; a
 * paused team skips the period (nothing is queued); after downtime the current period's round opens late,
 * keeping its scheduled close when there is time, and earlier periods are never caught up.
 */
export function decideOpening(state: ScheduleState, now: Date): OpeningDecision {
  const { cadence } = state.team;
  const period = periodAt(cadence, now);
  if (state.openRoundClosesAt !== null || state.latestRoundPeriod === period.key) return { kind: 'wait' };
  if (now.getTime() < period.opensAt.getTime()) return { kind: 'wait' };
  // A team set up mid-period starts with the next period rather than a surprise round at once.
  if (period.opensAt.getTime() < state.team.createdAt.getTime()) return { kind: 'wait' };
  if (paused(state, period.opensAt) || paused(state, now)) return { kind: 'wait' };
  const scheduledClose = closeTimeFor(cadence, period.opensAt);
  if (scheduledClose.getTime() - now.getTime() >= MIN_ROUND_MS) return { kind: 'open', period, closesAt: scheduledClose };
  const lateClose = Math.min(closeTimeFor(cadence, now).getTime(), period.endsAt.getTime());
  if (lateClose - now.getTime() < MIN_ROUND_MS) return { kind: 'wait' };
  return { kind: 'open', period, closesAt: new Date(lateClose) };
}

/**
 * The next instant at which `decideOpening` could say "open": stored per team so the tick finds due teams
 * with one indexed query instead of evaluating every team's calendar each minute.
 */
export function nextOpeningCheck(state: ScheduleState, now: Date): Date {
  const { cadence } = state.team;
  // A running round blocks the next one; look again once the tick has closed it.
  if (state.openRoundClosesAt !== null) return state.openRoundClosesAt;
  let period = periodAt(cadence, now);
  const thisPeriodDone = state.latestRoundPeriod === period.key || now.getTime() >= period.opensAt.getTime() || period.opensAt.getTime() < state.team.createdAt.getTime();
  if (thisPeriodDone && !(decideOpening(state, now).kind === 'open')) period = nextPeriod(cadence, period);
  // Skip over a pause, a period at a time (bounded: a pause "until resumed" ends the search).
  for (let guard = 0; guard < 60 && paused(state, period.opensAt); guard += 1) period = nextPeriod(cadence, period);
  return period.opensAt;
}
