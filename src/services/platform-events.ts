import type { ChannelRef } from '../core/platform.js';
import { type AuditActor } from '../storage/records.js';
import type { ServiceContext } from './context.js';
import { sameChannel } from '../core/platform.js';

/**
 * What every chat platform needs from the bot's memory, in one place: whether an event was seen before
 * (Slack retries events, Teams re-sends activities), who installed the app, how many people a channel
 * holds, and which week a digest channel lives in.
 */

/** True the first time an event id from `source` arrives; false for a redelivery, which must change nothing. */
export async function firstDelivery(ctx: ServiceContext, source: 'slack' | 'teams', eventId: string): Promise<boolean> {
  return await ctx.store.rememberEvent(source, eventId, ctx.clock.now());
}

/** Records something a platform told the bot (an installation, say) in the audit log. */
export async function auditPlatformEvent(ctx: ServiceContext, actor: AuditActor, action: string, details: Record<string, unknown>): Promise<void> {
  await ctx.store.recordAudit({ at: ctx.clock.now(), actor, action, teamName: null, details });
}

/** People in a team channel when a round was posted there (bots left out), for response rates. */
export async function noteChannelSize(ctx: ServiceContext, channel: ChannelRef, people: number): Promise<void> {
  await ctx.store.setTeamMemberCount(channel, people);
}

/** The time zone of a channel's digest subscription (its week is the subscribers' week), or null. */
export async function digestTimeZone(ctx: ServiceContext, channel: ChannelRef): Promise<string | null> {
  // A scan is enough: one subscription per digest channel, looked up once per digest post.
  return (await ctx.store.listDigestSubscriptions()).find((subscription) => sameChannel(subscription.channel, channel))?.timeZone ?? null;
}
