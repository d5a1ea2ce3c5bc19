import { isPausedOn, type Cadence, type Team } from './team.js';
import { closeTimeFor, localDateAt, nextPeriod, periodAt, type Period } from './schedule.js';

const HOUR_MS = 60 * 60 * 1000;

/** No round runs shorter than this: a missed round with less time left is skipped rather than squeezed in. */
export const MIN_ROUND_MS = HOUR_MS;

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
  /** The period's missed round is given up: too little of it is left for a catch-up (see `catchUpFits`). */
  | { readonly kind: 'skip'; readonly period: Period }
  | { readonly kind: 'wait' };

function paused(state: ScheduleState, at: Date): boolean {
  return isPausedOn(state.team, localDateAt(at, state.team.cadence.timeZone));
}

/**
 * Whether a catch-up round (the period's round opening late, at `now`, after downtime) still has time to be
 * worth a question: at least half of the cadence's round length, and never less than `MIN_ROUND_MS`, must
 * remain before the period ends. A round squeezed into the last minutes of a period (a bot restarted late
 * on a Sunday evening used to open one for 85 minutes) uses up a question that almost nobody can answer and
 * that then counts as asked; skipping that period and letting the next scheduled round go ahead costs less.
 *
 * For a team whose scheduled round itself runs past the period's end (a round set for Sunday evening), the
 * time left is counted to its scheduled close instead, the later of the two: otherwise a restart a few
 * minutes after such a round was due would skip it, although almost all of it is still ahead. An opening on
 * time always fits, as its whole length is ahead. Time left is real elapsed time, so a DST change inside
 * the period counts as the hour it is.
 */
export function catchUpFits(cadence: Cadence, period: Period, now: Date): boolean {
  const scheduledClose = closeTimeFor(cadence, period.opensAt).getTime();
  const left = Math.max(period.endsAt.getTime(), scheduledClose) - now.getTime();
  return left >= Math.max((cadence.roundLengthHours * HOUR_MS) / 2, MIN_ROUND_MS);
}

/**
 * Whether the team's round for the current period should open now. A period gets at most one round; a
 * paused team skips the period (nothing is queued); after downtime the current period's round opens late
 * if `catchUpFits` (keeping its scheduled close when at least `MIN_ROUND_MS` of it is left, else running
 * its length but ending with the period) and is skipped otherwise; earlier periods are never caught up.
 */
export function decideOpening(state: ScheduleState, now: Date): OpeningDecision {
  const { cadence } = state.team;
  const period = periodAt(cadence, now);
  if (state.openRoundClosesAt !== null || state.latestRoundPeriod === period.key) return { kind: 'wait' };
  if (now.getTime() < period.opensAt.getTime()) return { kind: 'wait' };
  // A team set up mid-period starts with the next period rather than a surprise round at once.
  if (period.opensAt.getTime() < state.team.createdAt.getTime()) return { kind: 'wait' };
  if (paused(state, period.opensAt) || paused(state, now)) return { kind: 'wait' };
  if (!catchUpFits(cadence, period, now)) return { kind: 'skip', period };
  const scheduledClose = closeTimeFor(cadence, period.opensAt);
  if (scheduledClose.getTime() - now.getTime() >= MIN_ROUND_MS) return { kind: 'open', period, closesAt: scheduledClose };
  const lateClose = Math.min(closeTimeFor(cadence, now).getTime(), period.endsAt.getTime());
  // Not reached for a valid cadence (catchUpFits leaves the period's end an hour away, and a round lasts at
  // least an hour), but the minimum must hold even for a stored cadence that slipped past validation.
  if (lateClose - now.getTime() < MIN_ROUND_MS) return { kind: 'skip', period };
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
