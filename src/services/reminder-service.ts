import type { ServiceContext } from './context.js';
import { enqueueRoundDelivery } from './round-service.js';

/**
 * Halfway through a round that fewer than the minimum have answered, one reminder in its thread (and, for teams
 * that opted in, private nudges to members who have not answered). One query finds them for all teams.
 */
export async function queueHalfwayReminders(ctx: ServiceContext): Promise<number> {
  const now = ctx.clock.now();
  // Counted over everyone who answered, "I don't know" included: whether a reminder goes out must not depend
  // on how many picked a level, or its arrival would say how many chose "I don't know".
  const due = await ctx.store.roundsDueForReminder(now, ctx.policy.minRespondents);
  let queued = 0;
  for (const id of due) {
    const wrote = await ctx.store.transaction(async (tx) => {
      const round = await tx.findRound(id);
      const team = round ? await tx.findTeamById(round.teamId) : null;
      if (!round || !team) return false;
      await enqueueRoundDelivery(tx, team, round, 'reminder', now);
      if (team.nudgeNonRespondents) await enqueueRoundDelivery(tx, team, round, 'nudge', now);
      return true;
    }, { fence: ctx.fence });
    if (wrote) queued += 1;
  }
  if (queued > 0) ctx.onIntent?.();
  return queued;
}
