import { CardFactory, TeamsInfo, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import type { Messenger, OutboundMessage, RoundView, SendContext, SendOutcome } from '../../core/messenger.js';
import type { ChannelRef } from '../../core/platform.js';
import type { Logger } from '../../logger.js';
import type { Db } from '../../storage/database.js';
import { findConversation, type StoredReference } from '../../storage/teams-conversation-repository.js';
import type { ChartRenderer } from '../charts/chart-renderer.js';
import { chartInput } from '../charts/digest-chart-spec.js';
import { digestCard, digestChartCard } from './cards/digest-card.js';
import type { AdaptiveCard } from './cards/elements.js';
import { MAX_REFRESH_USERS, nudgeCard, reminderCard, resultCard, roundCard } from './cards/round-card.js';
import { teamsOutcomeOfError } from './errors.js';
import { TeamsSendPacer } from './send-pacer.js';

/** Inline chart images must leave room in Teams' message size limit for the rest of the card. */
export const MAX_INLINE_IMAGE_BYTES = 60_000;

/** The stored reference in the shape botbuilder takes. */
export function botReference(reference: StoredReference): Partial<ConversationReference> {
  return {
    channelId: reference.channelId,
    serviceUrl: reference.serviceUrl,
    conversation: { id: reference.conversation.id, isGroup: reference.conversation.isGroup ?? true, conversationType: reference.conversation.conversationType ?? 'channel', name: '', ...(reference.conversation.tenantId ? { tenantId: reference.conversation.tenantId } : {}) },
    bot: { id: reference.bot.id, name: reference.bot.name ?? '' },
    ...(reference.locale ? { locale: reference.locale } : {}),
  };
}

/** Members of a channel conversation, by their Teams ids (29:…), up to `limit` (more means "too many"). */
export async function channelMembers(context: TurnContext, limit: number, beforeEachPage: () => Promise<void> = async () => undefined): Promise<string[] | null> {
  const members: string[] = [];
  let continuationToken: string | undefined;
  do {
    await beforeEachPage();
    const page = await TeamsInfo.getPagedMembers(context, 100, continuationToken);
    members.push(...page.members.map((member) => member.id));
    if (members.length > limit) return null;
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return members;
}

/**
 * Posts outbox deliveries to Teams through the stored channel-level conversation reference: new cards,
 * replies in the round's thread, and card updates. The message reference is the activity id.
 */
export class TeamsMessenger implements Messenger {
  readonly platform = 'teams' as const;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly db: Db,
    private readonly log: Logger,
    private readonly charts: ChartRenderer | null,
    private readonly pacer: TeamsSendPacer = new TeamsSendPacer(),
  ) {}

  async send(target: ChannelRef, message: OutboundMessage, context: SendContext): Promise<SendOutcome> {
    const conversation = findConversation(this.db, target.workspaceId, target.channelId);
    if (!conversation?.installed) return { kind: 'failed', reason: 'the app is not installed in this conversation', pauseTeam: true };
    let outcome: SendOutcome = { kind: 'retry', reason: 'no turn ran', retryAfterMs: null };
    try {
      // A reply in a channel thread is addressed to the thread itself ("<channel>;messageid=<root>"): inside a
      // continued conversation botbuilder replaces any replyToId with its own.
      const reference = botReference(conversation.reference);
      if (context.threadOf && reference.conversation) reference.conversation = { ...reference.conversation, id: `${conversation.conversationId};messageid=${context.threadOf}` };
      await this.adapter.continueConversationAsync(this.appId, reference, async (turn) => {
        outcome = await this.sendInTurn(turn, message, context);
      });
    } catch (error) {
      outcome = teamsOutcomeOfError(error);
      this.log.debug({ kind: message.kind, outcome: outcome.kind }, 'Teams send did not go through');
    }
    return outcome;
  }

  private async roundCardFor(turn: TurnContext, view: RoundView): Promise<AdaptiveCard> {
    // Up to 60 members each get their own view automatically; in larger channels people tap to see theirs.
    const tenantId = turn.activity.conversation.tenantId ?? '';
    const members = view.status === 'open' ? await channelMembers(turn, MAX_REFRESH_USERS, () => this.pacer.tenantSlot(tenantId)).catch(() => null) : null;
    return roundCard(view, { refreshUserIds: members ?? [] });
  }

  /** A private 1:1 message to each channel member who has not answered, compared by their AAD object id. */
  private async nudge(turn: TurnContext, view: RoundView, hasAnswered: (userId: string) => boolean, context: SendContext): Promise<SendOutcome> {
    const waiting: { id: string; aadObjectId: string }[] = [];
    let continuationToken: string | undefined;
    do {
      await this.pacer.tenantSlot(turn.activity.conversation.tenantId ?? '');
      const page = await TeamsInfo.getPagedMembers(turn, 100, continuationToken);
      for (const member of page.members) if (member.aadObjectId && !hasAnswered(member.aadObjectId)) waiting.push({ id: member.id, aadObjectId: member.aadObjectId });
      continuationToken = page.continuationToken;
    } while (continuationToken);
    const tenantId = turn.activity.conversation.tenantId ?? '';
    const nudge = CardFactory.adaptiveCard(nudgeCard(view));
    context.beginSend();
    for (const member of waiting) {
      await this.pacer.slot(tenantId, member.id);
      await this.adapter
        .createConversationAsync(this.appId, 'msteams', turn.activity.serviceUrl, 'https://api.botframework.com', { isGroup: false, bot: turn.activity.recipient, members: [{ id: member.id, name: '' }], tenantId, channelData: { tenant: { id: tenantId } } }, async (chat) => {
          await this.pacer.slot(tenantId, chat.activity.conversation.id);
          await chat.sendActivity({ type: 'message', attachments: [nudge] });
        })
        .catch((error: unknown) => {
          // Someone who cannot get a 1:1 message (guest, app blocked) must not stop the others.
          const outcome = teamsOutcomeOfError(error);
          if (outcome.kind === 'retry' && outcome.retryAfterMs !== null) throw error;
        });
    }
    return { kind: 'sent', messageRef: `nudged-${waiting.length}` };
  }

  private async sendInTurn(turn: TurnContext, message: OutboundMessage, context: SendContext): Promise<SendOutcome> {
    let cardToSend: AdaptiveCard;
    switch (message.kind) {
      case 'round-opened':
      case 'round-closed':
        cardToSend = await this.roundCardFor(turn, message.round);
        break;
      case 'round-result':
        cardToSend = resultCard(message.round, message.outcome);
        break;
      case 'reminder':
        cardToSend = reminderCard(message.round);
        break;
      case 'digest':
        cardToSend = digestCard(message.digest);
        break;
      case 'digest-files': {
        const charts = this.charts;
        const images = charts ? await Promise.all(message.digest.sections.map(async (section) => ({ title: `${section.surveyTitle}: levels and trend`, png: await charts.render(chartInput(section)) }))) : [];
        cardToSend = digestChartCard(images, MAX_INLINE_IMAGE_BYTES);
        break;
      }
      case 'nudge':
        return this.nudge(turn, message.round, message.hasAnswered, context);
    }
    const activity = { type: 'message' as const, attachments: [CardFactory.adaptiveCard(cardToSend)] };
    await this.pacer.slot(turn.activity.conversation.tenantId ?? '', turn.activity.conversation.id.split(';')[0] ?? '');
    context.beginSend();
    if (context.replaces) {
      await turn.updateActivity({ ...activity, id: context.replaces });
      return { kind: 'sent', messageRef: context.replaces };
    }
    const response = await turn.sendActivity(activity);
    if (!response?.id) return { kind: 'retry', reason: 'Teams answered without an activity id', retryAfterMs: null };
    return { kind: 'sent', messageRef: response.id };
  }
}
