import { digestPeriodKey } from '../core/outbox.js';
import { isoWeekKeyAt, nextWeeklyAt } from '../core/schedule.js';
import { dueDigestSubscriptions, setNextDigest } from '../storage/digest-subscription-repository.js';
import { inTransaction } from '../storage/database.js';
import { enqueueDelivery } from '../storage/delivery-repository.js';
import type { ServiceContext } from './context.js';

/**
 * Writes the intents for every digest that is due: the message, and its files in the thread. One per
 * channel per ISO week (in the subscription's time zone), so a restart or a late tick never posts twice,
 * and after downtime only the current week's digest goes out.
 */
export function queueDueDigests(ctx: ServiceContext): number {
  const now = ctx.clock.now();
  let queued = 0;
  for (const subscription of dueDigestSubscriptions(ctx.db, now)) {
    const periodKey = digestPeriodKey(isoWeekKeyAt(now, subscription.timeZone));
    inTransaction(ctx.db, () => {
      const at = now.toISOString();
      const digest = enqueueDelivery(ctx.db, { target: subscription.channel, periodKey, payload: { kind: 'digest', at }, teamId: null, roundId: null, at: now });
      enqueueDelivery(ctx.db, { target: subscription.channel, periodKey, payload: { kind: 'digest-files', at }, teamId: null, roundId: null, at: now });
      if (digest.created) queued += 1;
      setNextDigest(ctx.db, subscription.id, nextWeeklyAt(subscription.weekday, subscription.localTime, subscription.timeZone, now));
    });
  }
  if (queued > 0) ctx.onIntent?.();
  return queued;
}
