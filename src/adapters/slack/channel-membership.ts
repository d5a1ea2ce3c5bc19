import type { webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';

/** How long the answer to "which channels is this person in" is reused: long enough for a burst of Home tab opens, short enough that leaving a channel soon counts. */
export const MEMBERSHIP_TTL_MS = 60_000;
/** users.conversations pages; a person in more channels than this many pages hold is rare, and the rest count as not joined. */
const MAX_PAGES = 10;

/**
 * Which channels a person is in now, asked of Slack (`users.conversations`; with a bot token it lists the
 * channels the person shares with what the bot can see, which includes every team channel the bot posts in)
 * and cached briefly per workspace and person.
 */
export class ChannelMembership {
  private readonly cache = new Map<string, { channels: ReadonlySet<string>; at: number }>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly ttlMs = MEMBERSHIP_TTL_MS,
  ) {}

  /** The person's channel ids, or null when Slack could not say (the caller then grants nothing by membership). */
  async channelsOf(client: webApi.WebClient, workspaceId: string, userId: string): Promise<ReadonlySet<string> | null> {
    const key = `${workspaceId}:${userId}`;
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.channels;
    try {
      const channels = new Set<string>();
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await client.users.conversations({ user: userId, types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const channel of result.channels ?? []) if (channel.id) channels.add(channel.id);
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      for (const [entry, value] of this.cache) if (this.now() - value.at >= this.ttlMs) this.cache.delete(entry);
      this.cache.set(key, { channels, at: this.now() });
      return channels;
    } catch (error) {
      this.log.warn({ err: error }, "could not ask Slack which channels a person is in; showing only the reports their roles allow");
      return null;
    }
  }
}
