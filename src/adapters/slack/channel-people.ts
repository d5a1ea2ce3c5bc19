import { webApi } from '@slack/bolt';
import type { ChannelRef } from '../../core/platform.js';
import type { Logger } from '../../logger.js';
import type { ChannelPeople, ChannelPerson } from '../../services/step-board-service.js';

/** People a listing offers at most: the first this many members of the channel (a longer picker helps nobody). */
export const MAX_LISTED_PEOPLE = 200;
/**
 * users.info calls this listing makes per workspace per minute. The method is Tier 4 (100+ a minute per
 * workspace); half of that leaves room for the slash command's own users.info and for a second replica.
 */
const NAME_LOOKUPS_PER_MINUTE = 50;
/** How long a person's name is reused: names rarely change, and each one costs a users.info call. */
const NAME_TTL_MS = 10 * 60_000;
/** users.info calls in flight at once for one listing. */
const NAME_CONCURRENCY = 8;

export interface SlackChannelPeopleOptions {
  /** conversations.members page size (Slack: at most 1000; 200 is its recommendation). */
  readonly pageSize?: number;
  readonly maxPeople?: number;
  readonly namesPerMinute?: number;
  readonly nameTtlMs?: number;
}

/** A person as users.info describes them: their name, or why they are not offered (a bot, a deactivated account). */
type Known = { readonly kind: 'person'; readonly name: string } | { readonly kind: 'skip' };

/**
 * The people of a Slack channel with their names, for the dashboard's owner picker: its members
 * (conversations.members, paged) and each one's name (users.info), skipping bots (the app's own user
 * among them) and deactivated accounts. At most `maxPeople` members are offered (`incomplete: 'too-many'`
 * beyond). Names are kept for ten minutes per workspace and person, and asked at most 50 a minute per
 * workspace: members whose name is not known yet when that budget runs out, or when Slack answers 429,
 * are left out for now (`incomplete: 'try-later'`).
 */
export class SlackChannelPeople {
  private readonly names = new Map<string, { known: Known; at: number }>();
  /** When each workspace's recent users.info calls were made (epoch ms), for the per-minute budget. */
  private readonly lookups = new Map<string, number[]>();
  /** Per workspace: until when Slack asked (Retry-After) not to call users.info again. */
  private readonly holds = new Map<string, number>();
  private readonly pageSize: number;
  private readonly maxPeople: number;
  private readonly namesPerMinute: number;
  private readonly nameTtlMs: number;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    private readonly now: () => number,
    options: SlackChannelPeopleOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 200;
    this.maxPeople = options.maxPeople ?? MAX_LISTED_PEOPLE;
    this.namesPerMinute = options.namesPerMinute ?? NAME_LOOKUPS_PER_MINUTE;
    this.nameTtlMs = options.nameTtlMs ?? NAME_TTL_MS;
  }

  /** The channel's people by name, or null when Slack would not list its members. */
  async channelPeople(channel: ChannelRef): Promise<ChannelPeople | null> {
    if (channel.platform !== 'slack') return null;
    const members = await this.members(channel.channelId);
    if (!members) return null;
    const offered = members.slice(0, this.maxPeople);
    const known = await this.namesOf(channel.workspaceId, offered);
    const people: ChannelPerson[] = [];
    let unknown = 0;
    for (const userId of offered) {
      const person = known.get(userId);
      if (!person) unknown += 1;
      else if (person.kind === 'person') people.push({ userId, name: person.name });
    }
    if (unknown > 0) this.log.info({ unknown, of: offered.length }, 'some names in a channel could not be asked of Slack just now; those people are offered later');
    return { people, incomplete: members.length > this.maxPeople ? 'too-many' : unknown > 0 ? 'try-later' : null };
  }

  /** The channel's member ids, up to one more than a listing offers (enough to know there are more); null when Slack would not say. */
  private async members(channelId: string): Promise<string[] | null> {
    try {
      const members: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.client.conversations.members({ channel: channelId, limit: this.pageSize, ...(cursor ? { cursor } : {}) });
        members.push(...(page.members ?? []));
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor && members.length <= this.maxPeople);
      return members;
    } catch (error) {
      this.log.warn({ err: error }, "could not ask Slack who is in a team's channel; the dashboard offers no owner for now");
      return null;
    }
  }

  /** What is known of each person: kept answers first, then users.info within the workspace's budget. */
  private async namesOf(workspaceId: string, userIds: readonly string[]): Promise<Map<string, Known>> {
    for (const [key, kept] of this.names) if (this.now() - kept.at >= this.nameTtlMs) this.names.delete(key);
    const known = new Map<string, Known>();
    const wanted: string[] = [];
    for (const userId of userIds) {
      const kept = this.names.get(`${workspaceId}:${userId}`);
      if (kept && this.now() - kept.at < this.nameTtlMs) known.set(userId, kept.known);
      else wanted.push(userId);
    }
    const queue = wanted.slice(0, this.budget(workspaceId));
    const ask = async (): Promise<void> => {
      for (let userId = queue.shift(); userId !== undefined; userId = queue.shift()) {
        const answer = await this.lookUp(workspaceId, userId);
        if (answer === 'held') {
          queue.length = 0;
          return;
        }
        if (answer) known.set(userId, answer);
      }
    };
    await Promise.all(Array.from({ length: Math.min(NAME_CONCURRENCY, queue.length) }, ask));
    return known;
  }

  /** How many users.info calls the workspace's minute has left (none while Slack asked to wait). */
  private budget(workspaceId: string): number {
    const now = this.now();
    if ((this.holds.get(workspaceId) ?? 0) > now) return 0;
    const recent = (this.lookups.get(workspaceId) ?? []).filter((at) => now - at < 60_000);
    this.lookups.set(workspaceId, recent);
    return Math.max(0, this.namesPerMinute - recent.length);
  }

  /** One users.info call: the person as known now, null when Slack could not say, 'held' when it rate-limited the workspace. */
  private async lookUp(workspaceId: string, userId: string): Promise<Known | null | 'held'> {
    this.lookups.get(workspaceId)?.push(this.now());
    try {
      const { user } = await this.client.users.info({ user: userId });
      const name = user?.profile?.display_name || user?.profile?.real_name || user?.real_name || user?.name || '';
      return this.keep(workspaceId, userId, !user || user.is_bot || user.deleted || userId === 'USLACKBOT' || name === '' ? { kind: 'skip' } : { kind: 'person', name });
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? error.code : null;
      if (code === webApi.ErrorCode.RateLimitedError && error instanceof Error && 'retryAfter' in error && typeof error.retryAfter === 'number') {
        this.holds.set(workspaceId, this.now() + error.retryAfter * 1000);
        return 'held';
      }
      // Slack's answer about this person (user_not_found: gone from the workspace) holds; a failed call does not.
      if (code === webApi.ErrorCode.PlatformError) return this.keep(workspaceId, userId, { kind: 'skip' });
      this.log.debug({ err: error }, 'could not ask Slack for a member of a channel; left out of the owner picker for now');
      return null;
    }
  }

  private keep(workspaceId: string, userId: string, known: Known): Known {
    this.names.set(`${workspaceId}:${userId}`, { known, at: this.now() });
    return known;
  }
}
