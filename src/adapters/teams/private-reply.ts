import { CardFactory, TurnContext, type CloudAdapter } from 'botbuilder';
import type { Logger } from '../../logger.js';
import { contactKey } from '../../core/respondent-key.js';
import type { ServiceContext } from '../../services/context.js';
import { personalTeamsChat, rememberTeamsConversation, StoredReferenceSchema } from '../../services/ms-teams-conversations.js';
import { card, text, type AdaptiveCard } from './cards/elements.js';
import { VERB } from './cards/round-card.js';
import { botReference } from './messenger.js';
import { tenantOf } from './inbound.js';

export type PrivateView = { readonly view: 'report'; readonly aspectId: string | null } | { readonly view: 'digest' } | { readonly view: 'forget' };

/** The card everyone else sees in place of a private reply in a channel: it says only who it is for. */
export function privatePlaceholder(name: string, forUser: string, view: PrivateView): AdaptiveCard {
  return card([text(`🔒 A private reply for ${name}: only they can see it, and it opens for them on its own.`, { isSubtle: true })], {
    refresh: { action: { type: 'Action.Execute', verb: VERB.reportView, data: { verb: VERB.reportView, forUser, ...view } }, userIds: [forUser] },
  });
}

/**
 * Delivers a card to the asker only: in their 1:1 chat with the bot when the app is installed for them
 * (stored, or created now); otherwise as a user-specific view in the channel, where everyone else sees a
 * placeholder. With no `view` (the answer to a card someone clicked in a round) nothing at all appears in
 * the channel, not even a pointer to the private chat: a line per click would list who answered.
 */
export async function replyPrivately(context: TurnContext, adapter: CloudAdapter, appId: string, ctx: ServiceContext, log: Logger, content: AdaptiveCard, view: PrivateView | null): Promise<void> {
  const activity = context.activity;
  const attachment = CardFactory.adaptiveCard(content);
  if (activity.conversation.conversationType === 'personal') {
    await context.sendActivity({ type: 'message', attachments: [attachment] });
    return;
  }
  const tenantId = tenantOf(activity);
  const aadObjectId = activity.from.aadObjectId;
  const userKey = aadObjectId ? contactKey(ctx.respondentSecret, { platform: 'teams', workspaceId: tenantId, userId: aadObjectId }) : null;
  const stored = userKey ? await personalTeamsChat(ctx, tenantId, userKey) : null;
  try {
    if (stored) {
      await adapter.continueConversationAsync(appId, botReference(stored.reference), async (chat) => {
        await chat.sendActivity({ type: 'message', attachments: [attachment] });
      });
    } else {
      await adapter.createConversationAsync(appId, 'msteams', activity.serviceUrl, 'https://api.botframework.com', { isGroup: false, bot: activity.recipient, members: [{ id: activity.from.id, name: activity.from.name }], tenantId, channelData: { tenant: { id: tenantId } } }, async (chat) => {
        const reference = StoredReferenceSchema.safeParse(TurnContext.getConversationReference(chat.activity));
        if (reference.success) await rememberTeamsConversation(ctx, { tenantId, conversationId: chat.activity.conversation.id, conversationType: 'personal', msTeamId: null, userKey, reference: reference.data });
        await chat.sendActivity({ type: 'message', attachments: [attachment] });
      });
    }
    // A command typed in the channel is public anyway; the pointer tells its author where the answer went.
    if (view) await context.sendActivity({ type: 'message', text: `${activity.from.name ?? 'You'}: I sent you the answer in our private chat.` });
  } catch (error) {
    log.debug({ err: error }, 'no 1:1 chat with this person; using a user-specific view');
    if (!view) return;
    await context.sendActivity({ type: 'message', attachments: [CardFactory.adaptiveCard(privatePlaceholder(activity.from.name ?? 'someone', activity.from.id, view))] });
  }
}
