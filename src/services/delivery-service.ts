import type { Delivery, DeliveryKind } from '../core/outbox.js';
import type { ChannelRef, Platform } from '../core/platform.js';
import type { Round } from '../core/round.js';
import { INDEFINITE_PAUSE, type Team } from '../core/team.js';
import type { Fence } from '../storage/records.js';
import type { ServiceContext } from './context.js';

/**
 * The outbox's bookkeeping, for the drainer and the round-progress edits (the scheduler never touches
 * storage itself). Claims and the mark that a send begins carry the scheduler's fence: a process that lost
 * the lease can neither take new work nor start a send. Recording an outcome does not: the post exists (or
 * failed) whoever holds the lease now, and saying so spares the new holder a duplicate.
 */
export function claimDeliveries(ctx: ServiceContext, fence: Fence | null, platforms: readonly Platform[], limit: number): Promise<Delivery[]> {
  const now = ctx.clock.now();
  if (!fence) return ctx.store.claimDueDeliveries(now, platforms, limit);
  return ctx.store.transaction((tx) => tx.claimDueDeliveries(now, platforms, limit), { fence });
}

export function beginDeliverySend(ctx: ServiceContext, fence: Fence | null, id: number): Promise<void> {
  return ctx.store.markDeliverySending(id, fence ?? undefined);
}

export async function releaseUnsent(ctx: ServiceContext, ids: readonly number[]): Promise<void> {
  if (ids.length > 0) await ctx.store.releaseUnsentClaims(ids);
}

export function postponeDelivery(ctx: ServiceContext, id: number, until: Date): Promise<void> {
  return ctx.store.releaseDeliveryClaim(id, until);
}

export function findRelatedDelivery(ctx: ServiceContext, target: ChannelRef, periodKey: string, kind: DeliveryKind): Promise<Delivery | null> {
  return ctx.store.findDelivery(target, periodKey, kind);
}

export async function recordDeliverySent(ctx: ServiceContext, delivery: Delivery, messageRef: string, audience: number | undefined): Promise<void> {
  await ctx.store.markDeliverySent(delivery.id, messageRef, ctx.clock.now());
  if (delivery.kind === 'round-opened' && audience !== undefined) await ctx.store.setTeamMemberCount(delivery.target, audience);
}

export function retryDeliveryAt(ctx: ServiceContext, id: number, at: Date, reason: string): Promise<void> {
  return ctx.store.scheduleDeliveryRetry(id, at, reason);
}

export function giveUpDelivery(ctx: ServiceContext, id: number, reason: string, status: 'failed' | 'cancelled' = 'failed'): Promise<void> {
  return ctx.store.markDeliveryFailed(id, reason, status);
}

/** A channel the bot can no longer post in: its team is paused until an admin resumes it. */
export async function pauseTeamOfChannel(ctx: ServiceContext, channel: ChannelRef): Promise<Team | null> {
  const team = await ctx.store.findTeamByChannel(channel);
  if (team) await ctx.store.setTeamPause(team.id, INDEFINITE_PAUSE);
  return team;
}

/** What the round-progress edit needs: the round, its team, and the deliveries that posted it. */
export async function roundForProgress(ctx: ServiceContext, roundId: number): Promise<{ round: Round; team: Team } | null> {
  const round = await ctx.store.findRound(roundId);
  if (!round) return null;
  const team = await ctx.store.findTeamById(round.teamId);
  return team ? { round, team } : null;
}

/** The outbox's backlog for the metrics: how many wait, and since when the oldest has. */
export async function outboxBacklog(ctx: ServiceContext): Promise<{ pending: number; oldestPendingAt: Date | null }> {
  const { count, oldestCreatedAt } = await ctx.store.pendingDeliveries();
  return { pending: count, oldestPendingAt: oldestCreatedAt };
}
