import type { UserRef } from '../core/platform.js';
import { respondentKey } from '../core/respondent-key.js';
import { windowAt } from '../core/scoring.js';
import { type AuditActor } from '../storage/records.js';
import type { ServiceContext } from './context.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Erases a person's answers and comments in every team, and their web API access tokens. Closed rounds
 * keep their frozen anonymous tally, so published figures do not move (a moving figure would itself reveal
 * what the person had answered).
 */
export async function forgetMe(ctx: ServiceContext, user: UserRef, actor: AuditActor): Promise<{ answers: number; comments: number }> {
  const key = respondentKey(ctx.respondentSecret, user);
  return await ctx.store.transaction(async (tx) => {
    const removed = await tx.deleteRespondentData(key);
    const accessTokens = await tx.deleteAccessTokensOf(user);
    await tx.recordAudit({ at: ctx.clock.now(), actor, action: 'respondent.forget', teamName: null, details: { platform: user.platform, workspaceId: user.workspaceId, ...removed, accessTokens } });
    return removed;
  });
}

/**
 * Deletes answers and comments of rounds that closed more than `retentionDays` ago, once those rounds no
 * longer feed any current figure. Anonymous tallies stay, so trends survive.
 */
export async function applyRetention(ctx: ServiceContext, retentionDays: number): Promise<{ rounds: number; answers: number; comments: number }> {
  const now = ctx.clock.now();
  const candidates = await ctx.store.closedRoundsWithDataBefore(new Date(now.getTime() - retentionDays * DAY_MS));
  const inWindow = new Set<number>();
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const key = `${candidate.teamId}:${candidate.surveyId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const tallies = await ctx.store.closedTallies(candidate.teamId, candidate.surveyId);
    for (const aspectId of new Set(tallies.map((tally) => tally.aspectId))) {
      const window = windowAt(tallies.filter((tally) => tally.aspectId === aspectId), now, ctx.policy);
      for (const round of window) inWindow.add(round.roundId);
    }
  }
  const expired = candidates.map((candidate) => candidate.roundId).filter((roundId) => !inWindow.has(roundId));
  const removed = await ctx.store.transaction((tx) => tx.deleteAnswersOfRounds(expired), { fence: ctx.fence });
  if (expired.length > 0) ctx.log.info({ rounds: expired.length, ...removed }, 'retention: deleted old answers and comments');
  return { rounds: expired.length, ...removed };
}
