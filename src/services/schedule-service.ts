import { decideOpening, nextOpeningCheck, type ScheduleState } from '../core/scheduling.js';
import type { Round } from '../core/round.js';
import type { Team } from '../core/team.js';
import { findOpenRound, latestRound } from '../storage/round-repository.js';
import { setNextRoundCheck, teamsDueForScheduling } from '../storage/team-repository.js';
import type { ServiceContext } from './context.js';
import { chooseAspectFor } from './question-service.js';
import { openRound } from './round-service.js';

function scheduleState(ctx: ServiceContext, team: Team): ScheduleState {
  const open = findOpenRound(ctx.db, team.id);
  return { team, latestRoundPeriod: latestRound(ctx.db, team.id)?.periodKey ?? null, openRoundClosesAt: open?.closesAt ?? null };
}

/**
 * Opens the scheduled rounds that are due, for all teams: one query finds the teams whose next check has
 * come; each is decided in core, opened through the outbox, and given its next check time. A round the
 * period already has (scheduled or asked ad hoc) is never opened again, so restarts cannot double it.
 */
export function openScheduledRounds(ctx: ServiceContext): Round[] {
  const now = ctx.clock.now();
  const opened: Round[] = [];
  for (const team of teamsDueForScheduling(ctx.db, now)) {
    const decision = decideOpening(scheduleState(ctx, team), now);
    if (decision.kind === 'open') {
      const aspectId = chooseAspectFor(ctx, team, now);
      const result = openRound(ctx, team, { origin: 'scheduled', at: now, closesAt: decision.closesAt, ...(aspectId ? { aspectId } : {}) });
      if (result.kind === 'opened') opened.push(result.round);
      else if (result.kind !== 'already-open' && result.kind !== 'period-taken') ctx.log.warn({ teamId: team.id, outcome: result.kind }, 'a scheduled round could not open');
    }
    setNextRoundCheck(ctx.db, team.id, nextOpeningCheck(scheduleState(ctx, team), now));
  }
  return opened;
}
