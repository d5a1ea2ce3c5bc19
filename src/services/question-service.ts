import { chooseAdaptiveAspect } from '../core/question-choice.js';
import type { Team } from '../core/team.js';
import { askedQuestions, closedTallies } from '../storage/round-repository.js';
import type { ServiceContext } from './context.js';

/**
 * The aspect the team's next scheduled round asks about under its strategy, or undefined for rotation
 * (the round service then rotates through aspects and questions itself).
 */
export function chooseAspectFor(ctx: ServiceContext, team: Team, now: Date): string | undefined {
  if (team.questionStrategy !== 'adaptive') return undefined;
  const survey = ctx.surveys.get(team.surveyId)?.survey;
  if (!survey) return undefined;
  return chooseAdaptiveAspect(survey, closedTallies(ctx.db, team.id, team.surveyId), askedQuestions(ctx.db, team.id, team.surveyId), now, ctx.policy);
}
