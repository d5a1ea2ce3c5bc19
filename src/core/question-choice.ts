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
