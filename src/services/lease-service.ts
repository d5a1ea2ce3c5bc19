import { LeaseLostError, type LeaseRequest, type LeaseState } from '../storage/records.js';
import type { ServiceContext } from './context.js';

/** The scheduler lease, for the scheduler (which never touches storage itself). */
export function takeSchedulerLease(ctx: ServiceContext, request: LeaseRequest): Promise<LeaseState> {
  return ctx.store.acquireLease(request);
}

export function readSchedulerLease(ctx: ServiceContext, name: string): Promise<{ holder: string; expiresAt: Date; token: number } | null> {
  return ctx.store.readLease(name);
}

export function releaseSchedulerLease(ctx: ServiceContext, name: string, holder: string): Promise<void> {
  return ctx.store.releaseLease(name, holder);
}

/** Whether an error says the lease changed hands under a fenced write (nothing was written). */
export function leaseLost(error: unknown): boolean {
  return error instanceof LeaseLostError;
}

/**
 * After taking the lease over: sends the previous holder left mid-send go out again once (each logged as a
 * possible duplicate), or are given up after too many interruptions in a row.
 */
export async function recoverInterruptedSends(ctx: ServiceContext, now: Date): Promise<void> {
  const { resent, abandoned } = await ctx.store.transaction((tx) => tx.recoverInterruptedDeliveries(now), { fence: ctx.fence });
  for (const delivery of resent) ctx.log.warn({ deliveryId: delivery.id, kind: delivery.kind }, 'a send was interrupted by a restart: sending it again once, which may duplicate the post');
  for (const delivery of abandoned) ctx.log.error({ deliveryId: delivery.id, kind: delivery.kind }, 'a send was interrupted by restarts too many times in a row: giving up on it');
}

/** Forgets platform event ids older than `before`; platforms stop redelivering long before that. */
export async function forgetOldEvents(ctx: ServiceContext, before: Date): Promise<number> {
  return ctx.store.forgetEventsBefore(before);
}
