import { TeamsInfo, type CloudAdapter } from 'botbuilder';
import type { UserRef } from '../../core/platform.js';
import type { Logger } from '../../logger.js';
import type { ServiceContext } from '../../services/context.js';
import { teamChannelConversations, type TeamsConversation } from '../../services/ms-teams-conversations.js';
import { statusOf } from './errors.js';
import { botReference } from './messenger.js';
import type { TeamsSendPacer } from './send-pacer.js';
import { MembershipCache } from '../membership-cache.js';

type Answer = 'member' | 'not-member' | 'unknown';

/**
 * Which team channels a Teams person is in now, asked of the Bot Connector one channel at a time
 * (`GET /v3/conversations/{channel}/members/{aadObjectId}`: the bot has no "channels of a person" call
 * without Graph permissions), paced under the tenant's request rate and cached briefly per person. Only
 * channels that hold a team are asked about, so the cost is one request per team channel in the tenant.
 */
export class TeamsChannelMembership {
  private readonly cache: MembershipCache;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly ctx: Pick<ServiceContext, 'store'>,
    private readonly pacer: TeamsSendPacer,
    private readonly log: Logger,
    now: () => number,
  ) {
    this.cache = new MembershipCache(now);
  }

  /** The person's team channel ids, or null when Teams could not say for any of them (the caller then grants nothing by membership). */
  async channelsOf(person: UserRef): Promise<ReadonlySet<string> | null> {
    if (person.platform !== 'teams') return null;
    return await this.cache.channelsOf(`${person.workspaceId}:${person.userId}`, () => this.lookUp(person));
  }

  private async lookUp(person: UserRef): Promise<ReadonlySet<string> | null> {
    const conversations = await teamChannelConversations(this.ctx, person.workspaceId);
    const answers = await Promise.all(conversations.map(async (conversation) => ({ channelId: conversation.conversationId, answer: await this.isMember(conversation, person.userId) })));
    const channels = new Set(answers.filter((entry) => entry.answer === 'member').map((entry) => entry.channelId));
    const unknown = answers.filter((entry) => entry.answer === 'unknown').length;
    if (unknown > 0) this.log.warn({ channels: unknown, of: answers.length }, 'could not ask Teams whether a person is in some team channels; those count as not joined');
    return unknown > 0 && unknown === answers.length ? null : channels;
  }

  /** One channel: a member, not one (the connector's 404 for a person it cannot find there), or unknown (any other failure). */
  private async isMember(conversation: TeamsConversation, aadObjectId: string): Promise<Answer> {
    let answer: Answer = 'unknown';
    try {
      await this.pacer.tenantSlot(conversation.tenantId);
      await this.adapter.continueConversationAsync(this.appId, botReference(conversation.reference), async (turn) => {
        // Caught inside the turn, so a failure reaches this lookup instead of the adapter's turn error handler.
        try {
          const member = await TeamsInfo.getMember(turn, aadObjectId);
          answer = member.aadObjectId === undefined || member.aadObjectId === aadObjectId ? 'member' : 'not-member';
        } catch (error) {
          answer = statusOf(error) === 404 ? 'not-member' : 'unknown';
        }
      });
    } catch {
      answer = 'unknown';
    }
    return answer;
  }
}
