import { CardFactory, TeamsActivityHandler, TeamsInfo, TurnContext, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type CloudAdapter } from 'botbuilder';
import { parseChatCommand, type ChatCommand } from '../../core/chat-command.js';
import { contactKey } from '../../core/respondent-key.js';
import { confirmForgetMe, reportByTeamId, runChatCommand, runChatCommandAsync, submitSetup, type CommandReply, type Invocation } from '../../services/chat-commands.js';
import type { ServiceContext } from '../../services/context.js';
import { roundView } from '../../services/report-service.js';
import { recordAnswerBatched } from '../../services/answer-batch.js';
import { personalRound, recordComment } from '../../services/round-service.js';
import { auditPlatformEvent, firstDelivery } from '../../services/platform-events.js';
import { rememberTeamsConversation, StoredReferenceSchema, teamsAppRemoved } from '../../services/ms-teams-conversations.js';
import type { Logger } from '../../logger.js';
import { forgottenSentence, refusalSentence, replySentence } from '../text/reply-text.js';
import { forgetConfirmCard, helpCard, rolesCard, sentenceCard, setupCard, statusCard, teamChoiceCard } from './cards/command-cards.js';
import { digestCard } from './cards/digest-card.js';
import { CARD_CONTENT_TYPE, cardDate, escapeMarkdown, type AdaptiveCard } from './cards/elements.js';
import { roundCard, VERB } from './cards/round-card.js';
import { CardActionSchema, channelConversationId, commandTokens, msTeamIdOf, originOf, SetupInputSchema, teamsChannel, teamsUser, tenantOf, type CardAction } from './inbound.js';
import { replyPrivately, type PrivateView } from './private-reply.js';
import { reportCardFor, STEP_CHANGING_VERBS, stepCardAction, TEAMS_TEXT_STYLE, targetsCardFor, teamOwners } from './step-actions.js';

/** The private answer to an action on a round of another conversation (or tenant): nothing was written. */
const WRONG_CHANNEL_SENTENCE = "That card belongs to a round of another team's channel, so nothing was recorded. Answer in your team's own channel.";

export interface TeamsBotDeps {
  readonly ctx: ServiceContext;
  readonly adapter: CloudAdapter;
  readonly appId: string;
  readonly log: Logger;
  readonly configuredAdmins: readonly string[];
  readonly onAnswerRecorded: (roundId: number) => void;
}

/**
 * Card actions that change something. Only these are de-duplicated: views (refresh, reports) are safe to
 * answer again, and each member's client refreshes the round card on its own, which would otherwise fill
 * the table of seen events.
 */
const CHANGING_VERBS: ReadonlySet<string> = new Set([VERB.answer, VERB.comment, VERB.setup, VERB.forgetConfirm, ...STEP_CHANGING_VERBS]);

function invokeResponse(content: AdaptiveCard): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: CARD_CONTENT_TYPE, value: content as unknown as Record<string, unknown> };
}

/** The Teams side of the product: commands by @mention, card actions, installation events. Only translates. */
export class MaturityTeamsBot extends TeamsActivityHandler {
  constructor(private readonly deps: TeamsBotDeps) {
    super();
    this.onMessage(async (context, next) => {
      await this.remember(context);
      if (await this.firstDelivery(context)) await this.handleMessage(context);
      await next();
    });
    this.onConversationUpdate(async (context, next) => {
      // Teams tells a removed bot through conversationUpdate too (and sometimes only that way): remembering
      // the conversation here would mark it installed again.
      if (this.botRemoved(context)) await this.uninstalled(context);
      else await this.remember(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.remember(context);
      await this.audit(context, 'teams.install');
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.uninstalled(context);
      await next();
    });
  }

  /**
   * Teams re-sends an activity the bot was slow to acknowledge; a command or card action seen before (same
   * activity id in the same conversation) is not run again, so a slow `ask` or `role add` never acts or
   * answers twice, and an old answer click never undoes a newer one.
   */
  private async firstDelivery(context: TurnContext): Promise<boolean> {
    const { id, conversation } = context.activity;
    if (!id) return true;
    if (await firstDelivery(this.deps.ctx, 'teams', `${conversation.id}/${id}`)) return true;
    this.deps.log.info({ activityId: id }, 'a Teams activity arrived again: ignored');
    return false;
  }

  private botRemoved(context: TurnContext): boolean {
    const { membersRemoved, recipient } = context.activity;
    return (membersRemoved ?? []).some((member) => member.id === recipient.id);
  }

  /** Keeps a channel-level conversation reference (without the sender) so the bot can post later. */
  private async remember(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const reference = StoredReferenceSchema.safeParse(TurnContext.getConversationReference(activity));
    if (!reference.success) return;
    const conversationId = channelConversationId(activity.conversation.id);
    const type = activity.conversation.conversationType ?? 'channel';
    await rememberTeamsConversation(this.deps.ctx, {
      tenantId: tenantOf(activity),
      conversationId,
      conversationType: type,
      msTeamId: msTeamIdOf(activity),
      userKey: type === 'personal' && activity.from.aadObjectId ? contactKey(this.deps.ctx.respondentSecret, { platform: 'teams', workspaceId: tenantOf(activity), userId: activity.from.aadObjectId }) : null,
      reference: { ...reference.data, conversation: { ...reference.data.conversation, id: conversationId } },
    });
  }

  /** Who did it (the sender, by AAD object id, or "unknown") and where, for the audit log. */
  private auditTrail(context: TurnContext): { actor: { platform: 'teams'; workspaceId: string; userId: string }; details: Record<string, unknown> } {
    const user = teamsUser(context.activity);
    return {
      actor: { platform: 'teams', workspaceId: tenantOf(context.activity), userId: user?.userId ?? 'unknown' },
      details: { conversationId: channelConversationId(context.activity.conversation.id), msTeamId: msTeamIdOf(context.activity) },
    };
  }

  private async audit(context: TurnContext, action: string): Promise<void> {
    const { actor, details } = this.auditTrail(context);
    await auditPlatformEvent(this.deps.ctx, actor, action, details);
  }

  /** A removed bot cannot post: its teams are paused (and say why in the log) instead of failing forever. */
  private async uninstalled(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const tenantId = tenantOf(activity);
    const msTeamId = msTeamIdOf(activity);
    const { actor, details } = this.auditTrail(context);
    await teamsAppRemoved(this.deps.ctx, msTeamId ? { tenantId, msTeamId } : { tenantId, conversationId: channelConversationId(activity.conversation.id) }, actor, details);
  }

  private invocation(context: TurnContext): Invocation | null {
    const actor = teamsUser(context.activity);
    if (!actor) return null;
    return { actor, channel: teamsChannel(context.activity), configuredAdmins: this.deps.configuredAdmins, ...(context.activity.from.name ? { actorName: context.activity.from.name } : {}) };
  }

  /**
   * Commands name people by their Teams id (29:…); roles and step owners are stored by AAD object id, like
   * admin ids. A person Teams cannot find in this conversation makes the command invalid.
   */
  private async resolveMentions(context: TurnContext, command: ChatCommand): Promise<ChatCommand> {
    const aadOf = async (userId: string): Promise<string | null> => {
      if (!userId.startsWith('29:')) return userId;
      const member = await TeamsInfo.getMember(context, userId).catch(() => null);
      return member?.aadObjectId ?? null;
    };
    const notFound = (label: string): ChatCommand => ({ kind: 'invalid', problem: `I could not find ${label} in this team.` });
    switch (command.kind) {
      case 'role-change': {
        const userId = await aadOf(command.userId);
        return userId ? { ...command, userId } : notFound(command.label);
      }
      case 'step-adopt':
      case 'step-owner': {
        if (!command.owner) return command;
        const userId = await aadOf(command.owner.userId);
        return userId ? { ...command, owner: { ...command.owner, userId } } : notFound(command.owner.label);
      }
      default:
        return command;
    }
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const action = CardActionSchema.safeParse(context.activity.value);
    if (action.success) {
      // An Action.Submit from an older client: answer it privately, never in the channel.
      const result = await this.cardAction(context, action.data);
      await replyPrivately(context, this.deps.adapter, this.deps.appId, this.deps.ctx, this.deps.log, result, null).catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not answer a card submit'));
      return;
    }
    const invocation = this.invocation(context);
    if (!invocation) {
      await context.sendActivity('I can only work with people signed in to Microsoft Teams with a work account.');
      return;
    }
    const command = await this.resolveMentions(context, parseChatCommand(commandTokens(context.activity)));
    const reply = await runChatCommandAsync(this.deps.ctx, invocation, command);
    await this.sendReply(context, reply, command);
  }

  private async sendReply(context: TurnContext, reply: CommandReply, command: ChatCommand): Promise<void> {
    const { ctx, adapter, appId, log } = this.deps;
    const send = (content: AdaptiveCard) => context.sendActivity({ type: 'message', attachments: [CardFactory.adaptiveCard(content)] });
    switch (reply.kind) {
      case 'report':
        await replyPrivately(context, adapter, appId, ctx, log, await reportCardFor(ctx, teamOwners(ctx, adapter, appId, context), reply), { view: 'report', aspectId: command.kind === 'report' ? command.aspectId : null });
        return;
      case 'targets': {
        const invocation = this.invocation(context);
        if (invocation) {
          await send(await targetsCardFor(ctx, invocation, reply));
          return;
        }
        break;
      }
      case 'digest':
        await replyPrivately(context, adapter, appId, ctx, log, digestCard(reply.digest), { view: 'digest' });
        return;
      case 'confirm-forget':
        await replyPrivately(context, adapter, appId, ctx, log, forgetConfirmCard(), { view: 'forget' });
        return;
      case 'help':
        await send(helpCard(reply.entries, reply.problem));
        return;
      case 'status':
        await send(statusCard(reply.status, reply.status.leads.map((lead) => lead.userId)));
        return;
      case 'roles':
        await send(rolesCard(reply.roles, new Map(), reply.teamName));
        return;
      case 'team-choice':
        if (reply.teams.length > 0) {
          await replyPrivately(context, adapter, appId, ctx, log, teamChoiceCard(reply.teams), { view: 'report', aspectId: null });
          return;
        }
        break;
      case 'open-setup':
        if (reply.existingTeam) {
          await send(sentenceCard(`This channel already is the team ${escapeMarkdown(reply.existingTeam)}. Mention me with "status" to see its settings.`));
          return;
        }
        await send(setupCard([...ctx.surveys.values()].map((loaded) => ({ id: loaded.survey.id, title: loaded.survey.title })), { name: '', timeZone: 'UTC' }));
        return;
      default:
        break;
    }
    await send(sentenceCard(replySentence(reply, TEAMS_TEXT_STYLE) ?? 'Done.', reply.kind === 'refused' ? 'warning' : 'info'));
  }

  /** Universal Actions: each answer returns the clicker's own view of the card. */
  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const parsed = CardActionSchema.safeParse({ ...invokeValue.action.data, verb: invokeValue.action.verb });
    if (!parsed.success) return invokeResponse(sentenceCard('That card no longer works; mention me with "help" to start again.', 'warning'));
    // Teams re-delivers invokes: an old answer click arriving again would undo the person's later change.
    if (CHANGING_VERBS.has(parsed.data.verb) && !(await this.firstDelivery(context))) {
      return invokeResponse(parsed.data.roundId ? await this.personalRound(parsed.data.roundId, context, null) : sentenceCard('That was already done; nothing changed.'));
    }
    return invokeResponse(await this.cardAction(context, parsed.data));
  }

  private async personalRound(roundId: number, context: TurnContext, notice: string | null): Promise<AdaptiveCard> {
    const { ctx } = this.deps;
    const mine = await personalRound(ctx, teamsUser(context.activity), roundId, originOf(context.activity));
    if (mine.kind === 'wrong-channel') return sentenceCard(WRONG_CHANNEL_SENTENCE, 'warning');
    if (mine.kind !== 'round') return sentenceCard('This round no longer exists.', 'warning');
    return roundCard(await roundView(ctx, mine.team, mine.round), { personal: { pickedOptionId: mine.pickedOptionId, comment: mine.comment, notice } });
  }

  private async cardAction(context: TurnContext, action: CardAction): Promise<AdaptiveCard> {
    const { ctx } = this.deps;
    const invocation = this.invocation(context);
    if (!invocation) return sentenceCard('I can only work with people signed in to Microsoft Teams with a work account.', 'warning');
    switch (action.verb) {
      case VERB.answer: {
        if (!action.roundId || !action.optionId) break;
        const outcome = await recordAnswerBatched(ctx, invocation.actor, action.roundId, action.optionId, originOf(context.activity));
        if (outcome.kind === 'wrong-channel') return sentenceCard(WRONG_CHANNEL_SENTENCE, 'warning');
        if (outcome.kind === 'recorded') {
          this.deps.onAnswerRecorded(action.roundId);
          return this.personalRound(action.roundId, context, `✓ ${outcome.changed ? 'Changed your answer' : 'Recorded'}. You can change it until ${cardDate(outcome.changeableUntil)}. Only you can see this.`);
        }
        if (outcome.kind === 'round-closed') return this.personalRound(action.roundId, context, `This round closed ${cardDate(outcome.closedAt)}, so your click was not counted.`);
        return sentenceCard('That round no longer exists, so nothing was recorded.', 'warning');
      }
      case VERB.comment: {
        if (!action.roundId) break;
        const outcome = await recordComment(ctx, invocation.actor, action.roundId, action.comment ?? '', originOf(context.activity));
        if (outcome.kind === 'wrong-channel') return sentenceCard(WRONG_CHANNEL_SENTENCE, 'warning');
        const notice =
          outcome.kind === 'saved' ? '✓ Your comment is saved; you can change it until the round closes.' :
          outcome.kind === 'removed' ? 'Your comment is removed.' :
          outcome.kind === 'too-long' ? `Comments are at most ${outcome.max} characters; this one has ${outcome.length}. Please shorten it.` :
          outcome.kind === 'round-closed' ? 'This round has closed, so comments can no longer change.' : 'This round no longer exists.';
        return this.personalRound(action.roundId, context, notice);
      }
      case VERB.refresh:
        return action.roundId ? this.personalRound(action.roundId, context, null) : sentenceCard('Nothing to refresh.');
      case VERB.setup: {
        const input = SetupInputSchema.parse(context.activity.value?.action?.data ?? action);
        const result = await submitSetup(ctx, invocation, { name: input.name, surveyId: input.surveyId, cadence: { everyWeeks: input.everyWeeks === '2' ? 2 : 1, weekday: Number(input.weekday), localTime: input.localTime.slice(0, 5), timeZone: input.timeZone.trim(), roundLengthHours: Number(input.roundLengthHours) } });
        const surveys = [...ctx.surveys.values()].map((loaded) => ({ id: loaded.survey.id, title: loaded.survey.title }));
        switch (result.kind) {
          case 'created':
            await this.remember(context);
            return sentenceCard(`${escapeMarkdown(result.team.name)} is set up. Add leads by mentioning me with "role add @person lead"; "help" lists everything.`);
          case 'invalid':
            return setupCard(surveys, input, result.problems);
          case 'name-taken':
            return setupCard(surveys, input, [`Another team is already called "${input.name}".`]);
          case 'channel-taken':
            return sentenceCard('This channel is already registered as a team.', 'warning');
          case 'unknown-survey':
            return setupCard(surveys, input, ['That survey is no longer available.']);
          case 'refused':
            return sentenceCard(refusalSentence(result.refusal, TEAMS_TEXT_STYLE), 'warning');
        }
        break;
      }
      case VERB.forgetConfirm:
        return sentenceCard(forgottenSentence(await confirmForgetMe(ctx, invocation)));
      case VERB.showReport:
      case VERB.reportView: {
        // A private view answers only the person it was made for; everyone else keeps the placeholder.
        if (action.forUser && action.forUser !== context.activity.from.id) return sentenceCard('🔒 This reply is private to someone else.');
        const view: PrivateView = action.view === 'digest' ? { view: 'digest' } : action.view === 'forget' ? { view: 'forget' } : { view: 'report', aspectId: action.aspectId ?? null };
        if (view.view === 'forget') return forgetConfirmCard();
        const reply = view.view === 'digest' ? await runChatCommandAsync(ctx, invocation, { kind: 'digest-preview' }) : action.teamId ? await reportByTeamId(ctx, invocation, action.teamId) : await runChatCommand(ctx, invocation, { kind: 'report', aspectId: view.aspectId });
        if (reply.kind === 'report') return reportCardFor(ctx, teamOwners(ctx, this.deps.adapter, this.deps.appId, context), reply);
        if (reply.kind === 'digest') return digestCard(reply.digest);
        if (reply.kind === 'team-choice' && reply.teams.length > 0) return teamChoiceCard(reply.teams);
        return sentenceCard(replySentence(reply, TEAMS_TEXT_STYLE) ?? 'Nothing to show.', 'warning');
      }
      default:
        return (await stepCardAction(ctx, teamOwners(ctx, this.deps.adapter, this.deps.appId, context), invocation, action)) ?? sentenceCard('That card no longer works; mention me with "help" to start again.', 'warning');
    }
    return sentenceCard('That card no longer works; mention me with "help" to start again.', 'warning');
  }
}
