import { z } from 'zod';
import { UNKNOWN_OPTION_ID, UNKNOWN_OPTION_TEXT, type Aspect, type Question, type Survey } from './survey.js';

export const OptionSnapshotSchema = z.object({
  id: z.string().min(1),
  text: z.string().min(1),
  level: z.number().int().min(1).nullable(),
});
export type OptionSnapshot = z.infer<typeof OptionSnapshotSchema>;

/**
 * What a round asked, frozen when it opened. Stored with the round so a later edit of the survey file
 * never changes what the stored answers mean.
 */
export const QuestionSnapshotSchema = z.object({
  aspectId: z.string().min(1),
  aspectName: z.string().min(1),
  questionId: z.string().min(1),
  prompt: z.string().min(1),
  levelCount: z.number().int().min(1),
  options: z.array(OptionSnapshotSchema).min(2),
});
export type QuestionSnapshot = z.infer<typeof QuestionSnapshotSchema>;

/** The anonymous tally of a closed round: all that figures are ever computed from. */
export const RoundTallySchema = z.object({
  respondents: z.number().int().min(0),
  unknown: z.number().int().min(0),
  levelCounts: z.array(z.number().int().min(0)),
});
export type RoundTally = z.infer<typeof RoundTallySchema>;

export type RoundStatus = 'open' | 'closed';
export type RoundOrigin = 'scheduled' | 'ad-hoc';

export interface Round {
  readonly id: number;
  readonly teamId: number;
  readonly surveyId: string;
  readonly surveyHash: string;
  readonly question: QuestionSnapshot;
  readonly periodKey: string;
  readonly origin: RoundOrigin;
  readonly openedAt: Date;
  readonly closesAt: Date;
  readonly closedAt: Date | null;
  readonly status: RoundStatus;
  /** Frozen at close; null while open. */
  readonly tally: RoundTally | null;
}

export function snapshotQuestion(survey: Survey, aspect: Aspect, question: Question): QuestionSnapshot {
  return {
    aspectId: aspect.id,
    aspectName: aspect.name,
    questionId: question.id,
    prompt: question.prompt,
    levelCount: survey.levels.length,
    options: [
      ...question.options.map((option) => ({ id: String(option.level), text: option.text, level: option.level })),
      { id: UNKNOWN_OPTION_ID, text: UNKNOWN_OPTION_TEXT, level: null },
    ],
  };
}

/** Whether answers and comments are still accepted: open and not yet past its close time. */
export function isAcceptingAnswers(round: Pick<Round, 'status' | 'closesAt'>, now: Date): boolean {
  return round.status === 'open' && now.getTime() < round.closesAt.getTime();
}

export type AnswerDecision =
  | { readonly kind: 'accept'; readonly option: OptionSnapshot }
  | { readonly kind: 'round-closed'; readonly closedAt: Date }
  | { readonly kind: 'unknown-option' };

/** Decides whether a click on `optionId` counts. The latest accepted answer of a respondent replaces earlier ones. */
export function decideAnswer(round: Round, optionId: string, now: Date): AnswerDecision {
  if (!isAcceptingAnswers(round, now)) {
    return { kind: 'round-closed', closedAt: round.closedAt ?? round.closesAt };
  }
  const option = round.question.options.find((candidate) => candidate.id === optionId);
  if (!option) return { kind: 'unknown-option' };
  return { kind: 'accept', option };
}

export type EarlyCloseDecision = { readonly kind: 'allow' } | { readonly kind: 'too-early'; readonly needed: number; readonly allowedFrom: Date };

/**
 * Whether a round may be closed before its time. A lead who opens a round, watches the count reach the
 * minimum and closes it at once can make a tiny round whose answers are easy to guess (two friends with
 * known answers expose the third). No threshold stops collusion, but this does not make it easy: early
 * closes wait until `minCommentRespondents` have answered or half the round's length has passed.
 */
export function decideEarlyClose(round: Pick<Round, 'openedAt' | 'closesAt'>, respondents: number, now: Date, policy: { readonly minCommentRespondents: number }): EarlyCloseDecision {
  if (respondents >= policy.minCommentRespondents) return { kind: 'allow' };
  const halfway = new Date(round.openedAt.getTime() + Math.ceil((round.closesAt.getTime() - round.openedAt.getTime()) / 2));
  if (now.getTime() >= halfway.getTime()) return { kind: 'allow' };
  return { kind: 'too-early', needed: policy.minCommentRespondents, allowedFrom: halfway };
}

export const COMMENT_MAX_LENGTH = 1000;

export type CommentDecision =
  | { readonly kind: 'accept'; readonly text: string }
  | { readonly kind: 'remove' }
  | { readonly kind: 'too-long'; readonly length: number; readonly max: number }
  | { readonly kind: 'round-closed'; readonly closedAt: Date };

/** An empty comment removes the author's comment; anything else replaces it. */
export function decideComment(round: Round, text: string, now: Date): CommentDecision {
  if (!isAcceptingAnswers(round, now)) {
    return { kind: 'round-closed', closedAt: round.closedAt ?? round.closesAt };
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) return { kind: 'remove' };
  if (trimmed.length > COMMENT_MAX_LENGTH) return { kind: 'too-long', length: trimmed.length, max: COMMENT_MAX_LENGTH };
  return { kind: 'accept', text: trimmed };
}

/** Tallies respondents' latest answers (their levels; null for "I don't know"). */
export function tallyAnswers(levelCount: number, levels: Iterable<number | null>): RoundTally {
  const levelCounts = new Array<number>(levelCount).fill(0);
  let respondents = 0;
  let unknown = 0;
  for (const level of levels) {
    respondents += 1;
    if (level === null) {
      unknown += 1;
    } else if (level >= 1 && level <= levelCount) {
      levelCounts[level - 1] = (levelCounts[level - 1] ?? 0) + 1;
    }
  }
  return { respondents, unknown, levelCounts };
}

export function levelBearing(tally: RoundTally): number {
  let total = 0;
  for (const count of tally.levelCounts) total += count;
  return total;
}
