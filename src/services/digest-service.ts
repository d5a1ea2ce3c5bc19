import { digestPeriodKey } from '../core/outbox.js';
import { isoWeekKeyAt, nextWeeklyAt } from '../core/schedule.js';
import type { ServiceContext } from './context.js';

/**
 * Writes the intents for every digest that is due: the message, and its files in the thread. One per
 * channel per ISO week (in the subscription's time zone), so a restart or a late tick never posts twice,
 * and after downtime only the current week's digest goes out.
 */
export async function queueDueDigests(ctx: ServiceContext): Promise<number> {
  const now = ctx.clock.now();
  let queued = 0;
  for (const subscription of await ctx.store.dueDigestSubscriptions(now)) {
    const periodKey = digestPeriodKey(isoWeekKeyAt(now, subscription.timeZone));
    await ctx.store.transaction(async (tx) => {
      const at = now.toISOString();
      const digest = await tx.enqueueDelivery({ target: subscription.channel, periodKey, payload: { kind: 'digest', at }, teamId: null, roundId: null, at: now });
      await tx.enqueueDelivery({ target: subscription.channel, periodKey, payload: { kind: 'digest-files', at }, teamId: null, roundId: null, at: now });
      if (digest.created) queued += 1;
      await tx.setNextDigest(subscription.id, nextWeeklyAt(subscription.weekday, subscription.localTime, subscription.timeZone, now));
    }, { fence: ctx.fence });
  }
  if (queued > 0) ctx.onIntent?.();
  return queued;
}
