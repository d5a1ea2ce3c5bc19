import type { webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { MEMBERSHIP_TTL_MS, MembershipCache } from '../membership-cache.js';

/** users.conversations pages; a person in more channels than this many pages hold is rare, and the rest count as not joined. */
const MAX_PAGES = 10;

/**
 * Which channels a person is in now, asked of Slack (`users.conversations`; with a bot token it lists the
 * channels the person shares with what the bot can see, which includes every team channel the bot posts in)
 * and cached briefly per workspace and person.
 */
export class ChannelMembership {
  private readonly cache: MembershipCache;

  constructor(
    private readonly log: Logger,
    now: () => number,
    ttlMs = MEMBERSHIP_TTL_MS,
  ) {
    this.cache = new MembershipCache(now, ttlMs);
  }

  /** The person's channel ids, or null when Slack could not say (the caller then grants nothing by membership). */
  channelsOf(client: webApi.WebClient, workspaceId: string, userId: string): Promise<ReadonlySet<string> | null> {
    return this.cache.channelsOf(`${workspaceId}:${userId}`, () => this.lookUp(client, userId));
  }

  private async lookUp(client: webApi.WebClient, userId: string): Promise<ReadonlySet<string> | null> {
    try {
      const channels = new Set<string>();
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await client.users.conversations({ user: userId, types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const channel of result.channels ?? []) if (channel.id) channels.add(channel.id);
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      return channels;
    } catch (error) {
      this.log.warn({ err: error }, "could not ask Slack which channels a person is in; showing only the reports their roles allow");
      return null;
    }
  }
}
