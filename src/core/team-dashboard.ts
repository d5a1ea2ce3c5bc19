import { breakdownVisible, roundQualifies } from './privacy.js';
import type { TeamReport } from './report.js';
import type { RoundTally } from './round.js';
import { levelAt, roundToTenth, type Agreement, type ClosedRoundTally, type ScoringPolicy } from './scoring.js';
import type { Survey } from './survey.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export interface AspectSeries {
  readonly aspectId: string;
  readonly aspectName: string;
  /** The level as the team's report showed it at `now` and each week before, oldest first; weeks without one are left out. */
  readonly points: readonly { readonly at: Date; readonly value: number }[];
}

/** One line of a team's round history: what was asked, when it closed, how many answered and whether it counted. */
export interface HistoryRound {
  readonly roundId: number;
  readonly aspectName: string;
  readonly prompt: string;
  readonly openedAt: Date;
  readonly closedAt: Date;
  /** Everyone who answered, "I don't know" included: the count the round's message showed. */
  readonly respondents: number;
  /** Whether enough answers had a level for the round to feed figures. */
  readonly counted: boolean;
  readonly needed: number;
  /** The mean level of the answers with one, one decimal: only for a round that counted (count and mean are what a qualifying round may show). */
  readonly mean: number | null;
  /** Answers per level (index 0 = level 1): only for a round large enough to show more than count and mean. */
  readonly distribution: readonly number[] | null;
}

/**
 * The level per aspect at `now` and at the same moment of each of the `weeks - 1` weeks before, each point
 * exactly the figure a report at that instant showed (`levelAt`), so the chart never shows what the report hid.
 */
export function weeklySeries(survey: Survey, rounds: readonly ClosedRoundTally[], now: Date, policy: ScoringPolicy, weeks: number): AspectSeries[] {
  const known = rounds.filter((round) => round.closedAt.getTime() <= now.getTime());
  return survey.aspects.map((aspect): AspectSeries => {
    const own = known.filter((round) => round.aspectId === aspect.id);
    const points: { at: Date; value: number }[] = [];
    for (let week = weeks - 1; week >= 0; week -= 1) {
      const at = new Date(now.getTime() - week * WEEK_MS);
      const figure = levelAt(own, at, policy);
      if (figure) points.push({ at, value: figure.value });
    }
    return { aspectId: aspect.id, aspectName: aspect.name, points };
  });
}

/** Agreement per aspect, only where the report's figure may show its breakdown (every round in it large enough). */
export function reportAgreement(report: TeamReport): { aspectId: string; agreement: Agreement }[] {
  return report.aspects.flatMap((aspect) => (aspect.status.kind === 'level' && aspect.status.figure.breakdown ? [{ aspectId: aspect.aspectId, agreement: aspect.status.figure.breakdown.agreement }] : []));
}

/**
 * A closed round as its history line: the count everyone saw and whether it counted; a counted round's
 * mean; its answers per level only above the comment threshold (the same rule as every other view).
 */
export function historyRound(round: { roundId: number; aspectName: string; prompt: string; openedAt: Date; closedAt: Date; tally: RoundTally }, policy: ScoringPolicy): HistoryRound {
  const counted = roundQualifies(round.tally, policy);
  const withLevel = round.tally.levelCounts.reduce((sum, count) => sum + count, 0);
  const sum = round.tally.levelCounts.reduce((total, count, index) => total + count * (index + 1), 0);
  return {
    roundId: round.roundId,
    aspectName: round.aspectName,
    prompt: round.prompt,
    openedAt: round.openedAt,
    closedAt: round.closedAt,
    respondents: round.tally.respondents,
    counted,
    needed: policy.minRespondents,
    mean: counted && withLevel > 0 ? roundToTenth(sum / withLevel) : null,
    distribution: counted && breakdownVisible(round.tally, policy) ? [...round.tally.levelCounts] : null,
  };
}
