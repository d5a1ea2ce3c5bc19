import { TeamsInfo, type CloudAdapter, type TurnContext } from 'botbuilder';
import type { ChannelRef } from '../../core/platform.js';
import type { Logger } from '../../logger.js';
import type { ServiceContext } from '../../services/context.js';
import { teamsConversation } from '../../services/ms-teams-conversations.js';
import type { ChannelPeople } from '../../services/step-board-service.js';
import type { OwnerChoice } from './cards/step-cards.js';
import { botReference } from './messenger.js';
import type { TeamsSendPacer } from './send-pacer.js';

/** People the dashboard's owner picker offers at most: the first this many members of the channel. */
export const MAX_LISTED_PEOPLE = 200;
/** Teams treats a smaller page size as 50 and caps a larger one at 500. */
const PAGE_SIZE_MIN = 50;
const PAGE_SIZE_MAX = 500;

/**
 * The members of the turn's conversation with their names, up to `limit` (`more` when it holds more):
 * people with an AAD object id, the id roles, steps and owners are keyed on in Teams (the bot itself is not
 * on the roster). One page of up to `limit` members when that is all there is, so a small channel costs one
 * request; `beforeEachPage` waits for the tenant's request rate.
 */
export async function namedChannelMembers(context: TurnContext, limit: number, beforeEachPage: () => Promise<void> = async () => undefined): Promise<{ readonly members: OwnerChoice[]; readonly more: boolean }> {
  const members: OwnerChoice[] = [];
  let continuationToken: string | undefined;
  do {
    await beforeEachPage();
    const page = await TeamsInfo.getPagedMembers(context, Math.min(PAGE_SIZE_MAX, Math.max(PAGE_SIZE_MIN, limit)), continuationToken);
    for (const member of page.members) if (member.aadObjectId) members.push({ aadObjectId: member.aadObjectId, name: member.name || member.givenName || 'Someone' });
    continuationToken = page.continuationToken;
    if (members.length > limit || (continuationToken && members.length >= limit)) return { members: members.slice(0, limit), more: true };
  } while (continuationToken);
  return { members, more: false };
}

/**
 * Runs `read` in a turn of a team's channel that the bot starts itself, through the channel's stored
 * conversation reference; null when the channel is not a Teams channel the app is installed in. A failure
 * inside `read` rejects (the adapter hands the bot's own turns' errors back to their caller).
 */
export async function inTeamChannel<T>(
  ctx: Pick<ServiceContext, 'store'>,
  adapter: CloudAdapter,
  appId: string,
  channel: ChannelRef,
  read: (turn: TurnContext, tenantId: string) => Promise<T>,
): Promise<T | null> {
  if (channel.platform !== 'teams') return null;
  const conversation = await teamsConversation(ctx, channel.workspaceId, channel.channelId);
  if (!conversation?.installed) return null;
  let result: T | null = null;
  await adapter.continueConversationAsync(appId, botReference(conversation.reference), async (turn) => {
    result = await read(turn, conversation.tenantId);
  });
  return result;
}

/**
 * The people of a team's Teams channel by name, for the dashboard's owner picker: the Bot Connector's paged
 * member list in a turn of that channel (the same listing the report card's owner picker uses), each page
 * paced under the tenant's request rate, up to 200 people (`incomplete: 'too-many'` beyond). Owners are
 * keyed on their AAD object id, as everywhere in the Teams adapter.
 */
export class TeamsChannelPeople {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly ctx: Pick<ServiceContext, 'store'>,
    private readonly pacer: TeamsSendPacer,
    private readonly log: Logger,
    private readonly maxPeople = MAX_LISTED_PEOPLE,
  ) {}

  /** The channel's people, or null when Teams could not say (or the app is not installed there). */
  async channelPeople(channel: ChannelRef): Promise<ChannelPeople | null> {
    try {
      const listed = await inTeamChannel(this.ctx, this.adapter, this.appId, channel, (turn, tenantId) => namedChannelMembers(turn, this.maxPeople, () => this.pacer.tenantSlot(tenantId)));
      if (!listed) return null;
      return { people: listed.members.map((member) => ({ userId: member.aadObjectId, name: member.name })), incomplete: listed.more ? 'too-many' : null };
    } catch (error) {
      this.log.warn({ err: error }, "could not ask Teams who is in a team's channel; the dashboard offers no owner for now");
      return null;
    }
  }
}
