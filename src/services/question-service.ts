import { aspectAfterDoneStep, chooseAdaptiveAspect } from '../core/question-choice.js';
import type { NextStep } from '../core/next-steps.js';
import type { Team } from '../core/team.js';
import type { ServiceContext } from './context.js';

/**
 * The aspect the team's next scheduled round asks about: the aspect of a step it just finished (under
 * either strategy, so the step's effect shows soon), else the adaptive choice, else undefined for rotation
 * (the round service then rotates through aspects and questions itself).
 */
export async function chooseAspectFor(ctx: ServiceContext, team: Team, now: Date, doneSteps?: readonly NextStep[]): Promise<string | undefined> {
  const survey = ctx.surveys.get(team.surveyId)?.survey;
  if (!survey) return undefined;
  const history = await ctx.store.askedQuestions(team.id, team.surveyId);
  // The scheduler reads every due team's done steps in one query and passes them in.
  const done = (doneSteps ?? (await ctx.store.listSteps({ teamId: team.id, status: 'done' }))).filter((step) => step.teamId === team.id && step.surveyId === team.surveyId);
  const afterStep = aspectAfterDoneStep(done, history, survey);
  if (afterStep !== null) return afterStep;
  if (team.questionStrategy !== 'adaptive') return undefined;
  return chooseAdaptiveAspect(survey, await ctx.store.closedTallies(team.id, team.surveyId), history, now, ctx.policy);
}
