import type { RoundTally } from './round.js';
import { breakdownVisible, roundQualifies, type PrivacyPolicy } from './privacy.js';
import type { Survey } from './survey.js';

export interface ScoringPolicy extends PrivacyPolicy {
  /** How many of an aspect's latest qualifying rounds make up its level. */
  readonly windowRounds: number;
  /** Smallest change (in levels, after rounding) called improved or slipped. */
  readonly trendThreshold: number;
}

export const DEFAULT_SCORING_POLICY: ScoringPolicy = {
  minRespondents: 3,
  minCommentRespondents: 5,
  windowRounds: 3,
  trendThreshold: 0.3,
};

/** A closed round as scoring sees it: which aspect, when it closed, and its anonymous tally. */
export interface ClosedRoundTally {
  readonly roundId: number;
  readonly aspectId: string;
  readonly closedAt: Date;
  readonly tally: RoundTally;
}

export type Agreement = 'high' | 'medium' | 'low';

/**
 * What a set of answers shows beyond its count and mean: only when every round in it had at least
 * `minCommentRespondents` answers with a level. Below that, mean plus spread (or agreement, or per-level
 * counts) tells most small sets of answers apart, and whoever answered could subtract their own answer.
 */
export interface FigureBreakdown {
  /** Answers with a level across the rounds. */
  readonly answers: number;
  /** "I don't know" answers across the rounds. */
  readonly unknown: number;
  readonly spread: number;
  readonly agreement: Agreement;
  /** Answers per level across the rounds. */
  readonly distribution: readonly number[];
}

/** An aspect's level: the mean of the level-bearing answers of the rounds in its window. */
export interface LevelFigure {
  /** Rounded to one decimal: the value everyone sees and every name is derived from. */
  readonly value: number;
  /** Everyone who answered the window's rounds, "I don't know" included: the count everyone sees. */
  readonly respondents: number;
  readonly rounds: number;
  /** Everyone who answered the most recent round in the window, "I don't know" included. */
  readonly latestRespondents: number;
  /** Null unless every round in the window is large enough to show more than count and mean. */
  readonly breakdown: FigureBreakdown | null;
  readonly asOf: Date;
}

export function roundToTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * Agreement from the spread (standard deviation) of the answers: below 0.6 high, below 1.0 medium. Decided
 * on the integer sums (n²·variance = n·Σx² − (Σx)²) so a spread of exactly 0.6 or 1.0 lands on the right side.
 */
function agreementFor(answers: number, sum: number, sumOfSquares: number): Agreement {
  const scaledVariance = answers * sumOfSquares - sum * sum;
  const nSquared = answers * answers;
  if (25 * scaledVariance < 9 * nSquared) return 'high';
  if (scaledVariance < nSquared) return 'medium';
  return 'low';
}

/**
 * The rounds of one aspect that make up its level as it stood at `at`: the latest `windowRounds`
 * qualifying rounds closed no later than `at`. `rounds` must be sorted by close time, oldest first.
 */
export function windowAt(rounds: readonly ClosedRoundTally[], at: Date, policy: ScoringPolicy): ClosedRoundTally[] {
  const window: ClosedRoundTally[] = [];
  for (let i = rounds.length - 1; i >= 0 && window.length < policy.windowRounds; i -= 1) {
    const round = rounds[i];
    if (round === undefined || round.closedAt.getTime() > at.getTime()) continue;
    if (roundQualifies(round.tally, policy)) window.push(round);
  }
  return window.reverse();
}

/** The level figure of a window; null for an empty window. */
export function levelFigure(window: readonly ClosedRoundTally[], policy: ScoringPolicy): LevelFigure | null {
  const latest = window[window.length - 1];
  if (!latest) return null;
  let answers = 0;
  let respondents = 0;
  let unknown = 0;
  let sum = 0;
  let sumOfSquares = 0;
  let showBreakdown = true;
  const distribution = new Array<number>(latest.tally.levelCounts.length).fill(0);
  for (const round of window) {
    if (!breakdownVisible(round.tally, policy)) showBreakdown = false;
    respondents += round.tally.respondents;
    unknown += round.tally.unknown;
    round.tally.levelCounts.forEach((count, index) => {
      const level = index + 1;
      answers += count;
      sum += count * level;
      sumOfSquares += count * level * level;
      distribution[index] = (distribution[index] ?? 0) + count;
    });
  }
  const mean = sum / answers;
  const spread = Math.sqrt(Math.max(0, sumOfSquares / answers - mean * mean));
  return {
    value: roundToTenth(mean),
    respondents,
    rounds: window.length,
    latestRespondents: latest.tally.respondents,
    breakdown: showBreakdown ? { answers, unknown, spread: roundToTenth(spread), agreement: agreementFor(answers, sum, sumOfSquares), distribution } : null,
    asOf: latest.closedAt,
  };
}

/** An aspect's level as it stood at `at`, or null when no qualifying round had closed by then. */
export function levelAt(rounds: readonly ClosedRoundTally[], at: Date, policy: ScoringPolicy): LevelFigure | null {
  return levelFigure(windowAt(rounds, at, policy), policy);
}

export interface LevelDescription {
  /** The whole level reached (2.6 → 2). */
  readonly reached: number;
  readonly name: string;
  readonly nextName: string | null;
  /** "Operational, on the way to Scalable", or just "Scalable" at a whole level or the top. */
  readonly label: string;
}

export function describeLevel(survey: Survey, value: number): LevelDescription {
  const top = survey.levels.length;
  const rounded = roundToTenth(value);
  const reached = Math.min(Math.max(Math.floor(rounded), 1), top);
  const name = survey.levels[reached - 1]?.name ?? `Level ${reached}`;
  const nextName = reached < top ? (survey.levels[reached]?.name ?? null) : null;
  const between = nextName !== null && rounded > reached;
  return { reached, name, nextName, label: between ? `${name}, on the way to ${nextName}` : name };
}
