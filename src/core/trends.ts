import { levelAt, roundToTenth, type ClosedRoundTally, type LevelFigure, type ScoringPolicy } from './scoring.js';

export type Direction = 'improved' | 'slipped' | 'steady';

/** A level now against the same figure at a reference time. `delta` is null until a reference exists. */
export type Change =
  | { readonly kind: 'none' }
  | { readonly kind: 'change'; readonly delta: number; readonly direction: Direction; readonly since: Date };

export const NO_CHANGE: Change = { kind: 'none' };

export function compareLevels(now: LevelFigure | null, reference: LevelFigure | null, threshold: number): Change {
  if (!now || !reference) return NO_CHANGE;
  return compareValues(now.value, reference.value, reference.asOf, threshold);
}

/** Classifies the change from `reference` to `now` (both levels); `since` is when the reference stood. */
export function compareValues(now: number, reference: number, since: Date, threshold: number): Change {
  const delta = roundToTenth(now - reference);
  // Compare in tenths so that 0.3 - 0.0 is not lost to floating point.
  const tenths = Math.round(Math.abs(delta) * 10);
  const direction: Direction = tenths >= Math.round(threshold * 10) && tenths > 0 ? (delta > 0 ? 'improved' : 'slipped') : 'steady';
  return { kind: 'change', delta, direction, since };
}

/**
 * The change a report shows: the level now against the level as it stood before the latest qualifying
 * round closed (the previous close of the aspect).
 */
export function changeSincePreviousClose(rounds: readonly ClosedRoundTally[], now: Date, policy: ScoringPolicy): Change {
  const current = levelAt(rounds, now, policy);
  if (!current) return NO_CHANGE;
  const justBefore = new Date(current.asOf.getTime() - 1);
  return compareLevels(current, levelAt(rounds, justBefore, policy), policy.trendThreshold);
}

/** The change since a fixed time ago (the digest's week and quarter). */
export function changeSince(rounds: readonly ClosedRoundTally[], now: Date, reference: Date, policy: ScoringPolicy): Change {
  return compareLevels(levelAt(rounds, now, policy), levelAt(rounds, reference, policy), policy.trendThreshold);
}

/** One point per qualifying close: the level as it stood right after it. For charts. */
export function levelSeries(rounds: readonly ClosedRoundTally[], policy: ScoringPolicy): { at: Date; value: number }[] {
  const points: { at: Date; value: number }[] = [];
  for (const round of rounds) {
    const figure = levelAt(rounds, round.closedAt, policy);
    if (figure && figure.asOf.getTime() === round.closedAt.getTime() && points.at(-1)?.at.getTime() !== round.closedAt.getTime()) {
      points.push({ at: round.closedAt, value: figure.value });
    }
  }
  return points;
}
