import { chooseAdaptiveAspect } from '../core/question-choice.js';
import type { Team } from '../core/team.js';
import type { ServiceContext } from './context.js';

/**
 * The aspect the team's next scheduled round asks about under its strategy, or undefined for rotation
 * (the round service then rotates through aspects and questions itself).
 */
export async function chooseAspectFor(ctx: ServiceContext, team: Team, now: Date): Promise<string | undefined> {
  if (team.questionStrategy !== 'adaptive') return undefined;
  const survey = ctx.surveys.get(team.surveyId)?.survey;
  if (!survey) return undefined;
  return chooseAdaptiveAspect(survey, await ctx.store.closedTallies(team.id, team.surveyId), await ctx.store.askedQuestions(team.id, team.surveyId), now, ctx.policy);
}
