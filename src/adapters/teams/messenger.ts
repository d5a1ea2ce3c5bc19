import { setTimeout as sleep } from 'node:timers/promises';
import { CardFactory, TeamsInfo, type Attachment, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import type { Messenger, OutboundMessage, RoundView, SendContext, SendOutcome } from '../../core/messenger.js';
import type { ChannelRef } from '../../core/platform.js';
import type { Logger } from '../../logger.js';
import type { ServiceContext } from '../../services/context.js';
import { digestTimeZone } from '../../services/platform-events.js';
import { teamsConversation, type StoredReference } from '../../services/ms-teams-conversations.js';
import type { ChartRenderer } from '../charts/chart-renderer.js';
import { digestCard, digestChartCard } from './cards/digest-card.js';
import { sentenceCard } from './cards/command-cards.js';
import { escapeMarkdown, type AdaptiveCard } from './cards/elements.js';
import { roleChangeAnnouncement } from '../text/reply-text.js';
import { checkInCard, ownerRequestCard, stepAdoptedCard } from './cards/step-cards.js';
import { MAX_REFRESH_USERS, nudgeCard, reminderCard, resultCard, roundCard } from './cards/round-card.js';
import { teamsOutcomeOfError } from './errors.js';
import { TeamsSendPacer } from './send-pacer.js';

/** Channels are counted for response rates up to this size; a larger one is left without a rate. */
const MAX_COUNTED_MEMBERS = 2_000;

/** Inline chart images must leave room in Teams' message size limit for the rest of the card. */
export const MAX_INLINE_IMAGE_BYTES = 60_000;

/** Attempts per member for a private nudge; the connector's own client has already retried 429 and 5xx three times. */
const NUDGE_ATTEMPTS = 4;
/** A member whose retry would hold up everyone after them for longer than this is skipped instead. */
const MAX_NUDGE_WAIT_MS = 30_000;

/** Exponential backoff with jitter (between half and all of 500 ms, 1 s, 2 s, …) for one member's next attempt. */
function nudgeBackoffMs(attempt: number, random: number): number {
  const ceiling = 500 * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + random * (ceiling / 2));
}

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
    private readonly ctx: ServiceContext,
    private readonly log: Logger,
    private readonly charts: ChartRenderer | null,
    private readonly pacer: TeamsSendPacer = new TeamsSendPacer(),
    private readonly random: () => number = Math.random,
  ) {}

  async send(target: ChannelRef, message: OutboundMessage, context: SendContext): Promise<SendOutcome> {
    const conversation = await teamsConversation(this.ctx, target.workspaceId, target.channelId);
    if (!conversation?.installed) return { kind: 'failed', reason: 'the app is not installed in this conversation', pauseTeam: true };
    let outcome = null as SendOutcome | null;
    try {
      // A reply in a channel thread is addressed to the thread itself ("<channel>;messageid=<root>"): inside a
      // continued conversation botbuilder replaces any replyToId with its own.
      const reference = botReference(conversation.reference);
      if (context.threadOf && reference.conversation) reference.conversation = { ...reference.conversation, id: `${conversation.conversationId};messageid=${context.threadOf}` };
      await this.adapter.continueConversationAsync(this.appId, reference, async (turn) => {
        // Caught here, inside the turn: a failure left to escape would reach the adapter's turn error handler
        // instead of the outbox, which alone knows to wait for Retry-After, pause the team or give up.
        try {
          outcome = await this.sendInTurn(turn, target, message, context);
        } catch (error) {
          outcome = teamsOutcomeOfError(error, { updating: context.replaces !== null });
        }
      });
    } catch (error) {
      // Failures before the turn starts: the token, or the connector client itself.
      outcome = teamsOutcomeOfError(error);
    }
    const result: SendOutcome = outcome ?? { kind: 'retry', reason: 'no turn ran', retryAfterMs: null };
    if (result.kind !== 'sent') this.log.debug({ kind: message.kind, outcome: result.kind, reason: result.reason }, 'Teams send did not go through');
    return result;
  }

  /**
   * The round card, with the members who get their own view automatically (up to 60; in larger channels
   * people tap to see theirs). When a round is first posted the whole channel is counted too, for the
   * digest's response rate.
   */
  private async roundCardFor(turn: TurnContext, view: RoundView, countMembers: boolean): Promise<{ card: AdaptiveCard; audience: number | null }> {
    const tenantId = turn.activity.conversation.tenantId ?? '';
    const limit = countMembers ? MAX_COUNTED_MEMBERS : MAX_REFRESH_USERS;
    const members = view.status === 'open' ? await channelMembers(turn, limit, () => this.pacer.tenantSlot(tenantId)).catch(() => null) : null;
    return { card: roundCard(view, { refreshUserIds: members ?? [] }), audience: countMembers && members ? members.length : null };
  }

  /**
   * A private 1:1 message to each channel member who has not answered, compared by their AAD object id. A
   * member whose message fails is retried in place and then skipped: failing the whole delivery would make
   * the outbox nudge again everyone already nudged.
   */
  private async nudge(turn: TurnContext, view: RoundView, hasAnswered: (userId: string) => boolean, context: SendContext): Promise<SendOutcome> {
    const tenantId = turn.activity.conversation.tenantId ?? '';
    const waiting: { id: string; aadObjectId: string }[] = [];
    let continuationToken: string | undefined;
    do {
      await this.pacer.tenantSlot(tenantId);
      const page = await TeamsInfo.getPagedMembers(turn, 100, continuationToken);
      for (const member of page.members) if (member.aadObjectId && !hasAnswered(member.aadObjectId)) waiting.push({ id: member.id, aadObjectId: member.aadObjectId });
      continuationToken = page.continuationToken;
    } while (continuationToken);
    const nudge = CardFactory.adaptiveCard(nudgeCard(view));
    await context.beginSend();
    let nudged = 0;
    for (const member of waiting) {
      if (await this.nudgeMember(turn, tenantId, member.id, nudge)) nudged += 1;
    }
    return { kind: 'sent', messageRef: `nudged-${nudged}-of-${waiting.length}` };
  }

  /** One member's private card (a nudge, or a step's question), tried up to NUDGE_ATTEMPTS times; false when it could not be delivered (logged as `skipped`). */
  private async nudgeMember(turn: TurnContext, tenantId: string, memberId: string, nudge: Attachment, skipped = 'could not nudge a channel member privately; skipped them'): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      let failure: unknown = null;
      await this.pacer.slot(tenantId, memberId);
      await this.adapter
        .createConversationAsync(this.appId, 'msteams', turn.activity.serviceUrl, 'https://api.botframework.com', { isGroup: false, bot: turn.activity.recipient, members: [{ id: memberId, name: '' }], tenantId, channelData: { tenant: { id: tenantId } } }, async (chat) => {
          await this.pacer.slot(tenantId, chat.activity.conversation.id);
          // Caught inside the turn so the failure reaches this loop rather than the adapter's turn error handler.
          await chat.sendActivity({ type: 'message', attachments: [nudge] }).catch((error: unknown) => {
            failure = error;
          });
        })
        .catch((error: unknown) => {
          failure = error;
        });
      if (failure === null) return true;
      const outcome = teamsOutcomeOfError(failure);
      const wait = outcome.kind === 'retry' ? (outcome.retryAfterMs ?? nudgeBackoffMs(attempt, this.random())) : null;
      // Someone who cannot get a 1:1 message (guest, app blocked) or keeps failing must not stop the others.
      if (wait === null || attempt >= NUDGE_ATTEMPTS || wait > MAX_NUDGE_WAIT_MS) {
        this.log.warn({ reason: outcome.reason, attempts: attempt }, skipped);
        return false;
      }
      await sleep(wait);
    }
  }

  /** A channel member by AAD object id (Teams looks members up by either id), or null when they are not in the channel. */
  private async memberOf(turn: TurnContext, aadObjectId: string): Promise<{ id: string; name: string } | null> {
    await this.pacer.tenantSlot(turn.activity.conversation.tenantId ?? '');
    const member = await TeamsInfo.getMember(turn, aadObjectId).catch(() => null);
    return member?.id ? { id: member.id, name: member.name } : null;
  }

  /**
   * A private 1:1 card to each person named by AAD object id (a step's owner, or its leads), found through
   * the channel's member list. Someone who left the channel or cannot get a 1:1 message is skipped and
   * logged: failing the delivery would ask again everyone already asked.
   */
  private async sendPrivately(turn: TurnContext, aadObjectIds: readonly string[], content: AdaptiveCard, context: SendContext): Promise<SendOutcome> {
    const tenantId = turn.activity.conversation.tenantId ?? '';
    const found: string[] = [];
    for (const aadObjectId of aadObjectIds) {
      const member = await this.memberOf(turn, aadObjectId);
      if (member) found.push(member.id);
      else this.log.warn('a person to ask privately about a step is not in the channel (or Teams could not say); skipped them');
    }
    const attachment = CardFactory.adaptiveCard(content);
    await context.beginSend();
    let sent = 0;
    for (const memberId of found) {
      if (await this.nudgeMember(turn, tenantId, memberId, attachment, 'could not message a person privately about a next step; skipped them')) sent += 1;
    }
    if (sent < aadObjectIds.length) this.log.warn({ recipients: aadObjectIds.length, reached: sent }, 'some people could not be messaged privately about a next step; they are not tried again');
    return { kind: 'sent', messageRef: `private-${sent}-of-${aadObjectIds.length}` };
  }

  private async sendInTurn(turn: TurnContext, target: ChannelRef, message: OutboundMessage, context: SendContext): Promise<SendOutcome> {
    let cardToSend: AdaptiveCard;
    let audience: number | null = null;
    switch (message.kind) {
      case 'round-opened':
      case 'round-closed': {
        const built = await this.roundCardFor(turn, message.round, message.kind === 'round-opened' && context.replaces === null);
        cardToSend = built.card;
        audience = built.audience;
        break;
      }
      case 'round-result':
        cardToSend = resultCard(message.round, message.outcome);
        break;
      case 'reminder':
        cardToSend = reminderCard(message.round);
        break;
      case 'role-change':
        cardToSend = sentenceCard(roleChangeAnnouncement(message, (who) => `**${escapeMarkdown(who.name)}**`, { bold: (value) => `**${escapeMarkdown(value)}**`, text: escapeMarkdown }));
        break;
      case 'digest':
        // The week in the header is the subscribers' week, not UTC's.
        cardToSend = digestCard(message.digest, await digestTimeZone(this.ctx, target) ?? 'UTC');
        break;
      case 'digest-files': {
        const charts = this.charts;
        const images = charts ? await Promise.all(message.files.charts.map(async (chart) => ({ title: `${chart.surveyTitle}: levels and trend`, png: await charts.render(chart.input) }))) : [];
        cardToSend = digestChartCard(images, MAX_INLINE_IMAGE_BYTES);
        break;
      }
      case 'nudge':
        return this.nudge(turn, message.round, message.hasAnswered, context);
      case 'step-adopted':
        cardToSend = stepAdoptedCard(message.step);
        break;
      case 'step-owner-request': {
        const asker = await this.memberOf(turn, message.by.userId);
        return this.sendPrivately(turn, [message.ownerUserId], ownerRequestCard(message, asker?.name ?? null), context);
      }
      case 'step-check-in':
        return this.sendPrivately(turn, message.recipientUserIds, checkInCard(message.step), context);
    }
    const activity = { type: 'message' as const, attachments: [CardFactory.adaptiveCard(cardToSend)] };
    await this.pacer.slot(turn.activity.conversation.tenantId ?? '', turn.activity.conversation.id.split(';')[0] ?? '');
    await context.beginSend();
    if (context.replaces) {
      await turn.updateActivity({ ...activity, id: context.replaces });
      return { kind: 'sent', messageRef: context.replaces };
    }
    const response = await turn.sendActivity(activity);
    if (!response?.id) return { kind: 'retry', reason: 'Teams answered without an activity id', retryAfterMs: null };
    return { kind: 'sent', messageRef: response.id, ...(audience === null ? {} : { audience }) };
  }
}
