import { sql } from 'drizzle-orm';
import { findRound } from '../storage/round-repository.js';
import { findTeamById } from '../storage/team-repository.js';
import type { ServiceContext } from './context.js';
import { enqueueRoundDelivery } from './round-service.js';

/**
 * Halfway through a round that fewer than the minimum have answered, one reminder in its thread (and, for teams
 * that opted in, private nudges to members who have not answered). One query finds them for all teams.
 */
export function queueHalfwayReminders(ctx: ServiceContext): number {
  const now = ctx.clock.now();
  const due = ctx.db.all<{ id: number }>(sql`
    select r.id from rounds r
    where r.status = 'open'
      and r.opened_at + (r.closes_at - r.opened_at) / 2 <= ${now.getTime()}
      and r.closes_at > ${now.getTime()}
      and not exists (select 1 from deliveries d where d.round_id = r.id and d.kind = 'reminder')
      -- Counted over everyone who answered, "I don't know" included: whether a reminder goes out must not
      -- depend on how many picked a level, or its arrival would say how many chose "I don't know".
      and (select count(*) from answers a where a.round_id = r.id) < ${ctx.policy.minRespondents}
  `);
  let queued = 0;
  for (const { id } of due) {
    const round = findRound(ctx.db, id);
    const team = round ? findTeamById(ctx.db, round.teamId) : null;
    if (!round || !team) continue;
    enqueueRoundDelivery(ctx, team, round, 'reminder', now);
    if (team.nudgeNonRespondents) enqueueRoundDelivery(ctx, team, round, 'nudge', now);
    queued += 1;
  }
  if (queued > 0) ctx.onIntent?.();
  return queued;
}
