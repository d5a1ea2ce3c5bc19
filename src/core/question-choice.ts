import { levelBearing } from './round.js';
import { windowAt, type ClosedRoundTally, type ScoringPolicy } from './scoring.js';
import { findAspect, type Aspect, type Question, type Survey } from './survey.js';

/** A question a team was asked before, for choosing what to ask next. */
export interface AskedQuestion {
  readonly aspectId: string;
  readonly questionId: string;
  readonly openedAt: Date;
}

export type QuestionChoice =
  | { readonly kind: 'chosen'; readonly aspect: Aspect; readonly question: Question }
  | { readonly kind: 'unknown-aspect'; readonly aspectId: string; readonly known: readonly string[] };

function lastAsked(history: readonly AskedQuestion[], matches: (asked: AskedQuestion) => boolean): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const asked of history) {
    if (matches(asked) && asked.openedAt.getTime() > latest) latest = asked.openedAt.getTime();
  }
  return latest;
}

function leastRecent<T>(items: readonly T[], askedAt: (item: T) => number): T | undefined {
  let best: T | undefined;
  let bestAt = Number.POSITIVE_INFINITY;
  for (const item of items) {
    const at = askedAt(item);
    // Strictly less keeps survey order among ties, so never-asked items go first, in file order.
    if (at < bestAt) {
      best = item;
      bestAt = at;
    }
  }
  return best;
}

/**
 * Rotation: the least recently asked aspect (or the requested one), and within it the least recently
 * asked question, so every facet comes round in turn.
 */
export function chooseQuestion(survey: Survey, history: readonly AskedQuestion[], requestedAspectId?: string): QuestionChoice {
  let aspect: Aspect | undefined;
  if (requestedAspectId !== undefined) {
    aspect = findAspect(survey, requestedAspectId);
    if (!aspect) return { kind: 'unknown-aspect', aspectId: requestedAspectId, known: survey.aspects.map((candidate) => candidate.id) };
  } else {
    aspect = leastRecent(survey.aspects, (candidate) => lastAsked(history, (asked) => asked.aspectId === candidate.id));
  }
  if (!aspect) throw new RangeError(`survey ${survey.id} has no aspects`);
  const chosenAspect = aspect;
  const question = leastRecent(chosenAspect.questions, (candidate) =>
    lastAsked(history, (asked) => asked.aspectId === chosenAspect.id && asked.questionId === candidate.id),
  );
  if (!question) throw new RangeError(`aspect ${chosenAspect.id} has no questions`);
  return { kind: 'chosen', aspect: chosenAspect, question };
}

/**
 * The aspect of a step the team finished and has not been asked about since, so the effect is measured
 * soon: the earliest finished first. Null when every finished step's aspect has been asked since. Both
 * strategies defer to this.
 */
export function aspectAfterDoneStep(doneSteps: readonly { readonly aspectId: string; readonly closedAt: Date | null }[], history: readonly AskedQuestion[], survey: Survey): string | null {
  const waiting = doneSteps
    .filter((step) => step.closedAt !== null && findAspect(survey, step.aspectId) !== undefined)
    .filter((step) => lastAsked(history, (asked) => asked.aspectId === step.aspectId) < (step.closedAt?.getTime() ?? 0))
    .sort((a, b) => (a.closedAt?.getTime() ?? 0) - (b.closedAt?.getTime() ?? 0));
  return waiting[0]?.aspectId ?? null;
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * How much an aspect needs a fresh round: weeks since it was last refreshed, plus its uncertainty. Asking
 * counts as refreshing even when the round then stayed below the minimum: otherwise an aspect few people
 * answer would be asked every time and starve the others.
 */
export function aspectNeed(window: readonly ClosedRoundTally[], now: Date, lastAskedAt = Number.NEGATIVE_INFINITY): number {
  const refreshedAt = Math.max(window[window.length - 1]?.closedAt.getTime() ?? Number.NEGATIVE_INFINITY, lastAskedAt);
  if (refreshedAt === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
  const answers = window.reduce((sum, round) => sum + levelBearing(round.tally), 0);
  const staleWeeks = (now.getTime() - refreshedAt) / WEEK_MS;
  // Six answers' worth of doubt weighs as much as a week of staleness at the margin.
  return staleWeeks + 6 / (1 + answers);
}

/**
 * Adaptive choice: the aspect whose picture is stalest or least certain (longest since it was refreshed,
 * fewest answers in its window). Never-asked aspects come first; ties go to the least recently asked. The question within
 * it is then the least recently asked one, which is never the question asked last.
 */
export function chooseAdaptiveAspect(survey: Survey, tallies: readonly ClosedRoundTally[], history: readonly AskedQuestion[], now: Date, policy: ScoringPolicy): string {
  let best: { id: string; need: number; askedAt: number } | null = null;
  for (const aspect of survey.aspects) {
    const window = windowAt(
      tallies.filter((round) => round.aspectId === aspect.id),
      now,
      policy,
    );
    const askedAt = lastAsked(history, (asked) => asked.aspectId === aspect.id);
    const need = aspectNeed(window, now, askedAt);
    if (!best || need > best.need || (need === best.need && askedAt < best.askedAt)) best = { id: aspect.id, need, askedAt };
  }
  if (!best) throw new RangeError(`survey ${survey.id} has no aspects`);
  return best.id;
}
