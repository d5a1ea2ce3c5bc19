import type { RoundTally } from '../../src/core/round.js';
import type { ClosedRoundTally, ScoringPolicy } from '../../src/core/scoring.js';
import { SurveySchema, type Survey } from '../../src/core/survey.js';

export const TEST_POLICY: ScoringPolicy = { minRespondents: 3, minCommentRespondents: 5, windowRounds: 3, trendThreshold: 0.3 };

const LEVEL_NAMES = ['Starting', 'Growing', 'Steady', 'Leading', 'Shaping', 'Sixth', 'Seventh'];

export interface SurveyShape {
  readonly id?: string;
  readonly levels?: number;
  readonly aspects?: readonly string[];
  readonly questionsPerAspect?: number;
}

/** A valid survey of any shape, with generated text; parsed by the real schema so it stays valid. */
export function buildSurvey(shape: SurveyShape = {}): Survey {
  const levels = shape.levels ?? 4;
  const aspects = shape.aspects ?? ['investment', 'adoption', 'interfaces'];
  const questions = shape.questionsPerAspect ?? 3;
  return SurveySchema.parse({
    id: shape.id ?? 'test-survey',
    title: 'Test survey',
    description: 'A survey built by the test factory.',
    levels: Array.from({ length: levels }, (_, index) => ({ value: index + 1, name: LEVEL_NAMES[index] ?? `L${index + 1}` })),
    aspects: aspects.map((aspectId) => ({
      id: aspectId,
      name: aspectId.charAt(0).toUpperCase() + aspectId.slice(1),
      summary: `What ${aspectId} covers.`,
      levels: Array.from({ length: levels }, (_, index) => ({
        value: index + 1,
        label: `${aspectId} label ${index + 1}`,
        summary: `${aspectId} at level ${index + 1}.`,
        suggestions: [`${aspectId} step ${index + 1}a`, `${aspectId} step ${index + 1}b`, `${aspectId} step ${index + 1}c`],
      })),
      questions: Array.from({ length: questions }, (_, q) => ({
        id: `${aspectId}-q${q + 1}`,
        facet: `Facet ${q + 1}`,
        prompt: `Question ${q + 1} about ${aspectId}?`,
        options: Array.from({ length: levels }, (_, index) => ({ level: index + 1, text: `We are at ${index + 1} for ${aspectId} q${q + 1}.` })),
      })),
    })),
  });
}

/** A tally from the level of each level-bearing answer and a count of "I don't know". */
export function tallyOf(levels: readonly number[], unknown = 0, levelCount = 4): RoundTally {
  const levelCounts = new Array<number>(levelCount).fill(0);
  for (const level of levels) levelCounts[level - 1] = (levelCounts[level - 1] ?? 0) + 1;
  return { respondents: levels.length + unknown, unknown, levelCounts };
}

let nextRoundId = 1;

/** A closed round of an aspect with the given answers, closing at `closedAt`. */
export function closedRound(aspectId: string, closedAt: Date | string, levels: readonly number[], options: { unknown?: number; levelCount?: number; roundId?: number } = {}): ClosedRoundTally {
  return {
    roundId: options.roundId ?? nextRoundId++,
    aspectId,
    closedAt: typeof closedAt === 'string' ? new Date(closedAt) : closedAt,
    tally: tallyOf(levels, options.unknown ?? 0, options.levelCount ?? 4),
  };
}

export const DAY = 24 * 60 * 60 * 1000;

export function daysAfter(start: Date | string, days: number): Date {
  return new Date(new Date(start).getTime() + days * DAY);
}
