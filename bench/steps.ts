import type { Team } from '../src/core/team.js';
import type { ServiceContext } from '../src/services/context.js';

/** Issue 12's load: ten open next steps per team. */
export const STEPS_PER_TEAM = 10;
/** Reports and digests with them stay within this factor of the same run without them. */
export const STEPS_AIM = 1.2;

const DAY_MS = 86_400_000;

/**
 * Gives each team `count` open steps adopted over the last weeks (spread over its survey's aspects, some
 * with an owner who accepted) and the organisation a target per aspect, in one transaction per team.
 */
export async function addOpenSteps(ctx: ServiceContext, teams: readonly Team[], count: number): Promise<void> {
  const now = ctx.clock.now();
  const targeted = new Set<string>();
  for (const team of teams) {
    const survey = ctx.surveys.get(team.surveyId)?.survey;
    if (!survey) continue;
    await ctx.store.transaction(async (tx) => {
      for (let index = 0; index < count; index += 1) {
        const aspect = survey.aspects[index % survey.aspects.length];
        const suggestion = aspect?.levels[index % survey.levels.length]?.suggestions[0];
        if (!aspect || !suggestion) continue;
        const owner = index % 2 === 0 ? { platform: team.channel.platform, workspaceId: team.channel.workspaceId, userId: `U${team.id}-${index}` } : null;
        await tx.insertStep({ teamId: team.id, surveyId: survey.id, aspectId: aspect.id, suggestionId: suggestion.id, text: suggestion.text, owner, ownerName: owner ? `Owner ${index}` : null, ownerStatus: owner ? 'accepted' : null, adoptedAt: new Date(now.getTime() - (index + 1) * 3 * DAY_MS), dueAt: new Date(now.getTime() + (index + 1) * 4 * DAY_MS) });
      }
      if (targeted.has(survey.id)) return;
      targeted.add(survey.id);
      for (const aspect of survey.aspects) await tx.setTarget({ surveyId: survey.id, aspectId: aspect.id, teamId: null, level: Math.min(3, survey.levels.length), reason: null, setAt: now });
    });
  }
}
