import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { ChatCommand } from '../../core/chat-command.js';
import { isAllowed } from '../../core/roles.js';
import { adoptStepForTeam, checkInFromButton, ownerAnswerFromButton, reportByTeamId, runChatCommand, viewerFor, type CommandReply, type Invocation } from '../../services/chat-commands.js';
import type { ServiceContext } from '../../services/context.js';
import { replySentence, type TextStyle } from '../text/reply-text.js';
import { sentenceCard } from './cards/command-cards.js';
import { cardDate, escapeMarkdown, type AdaptiveCard } from './cards/elements.js';
import { reportCard } from './cards/report-card.js';
import { VERB } from './cards/round-card.js';
import { NO_OWNER, stepFormInputIds, targetsCard, type OwnerChoice, type TargetForm } from './cards/step-cards.js';
import { inTeamChannel, namedChannelMembers } from './channel-people.js';
import { CheckInSchema, inputValue, OwnerAnswerSchema, StepFormSchema, TargetFormSchema, type CardAction } from './inbound.js';

/** A channel larger than this offers no owner picker (a list that long is no help); owners are named by command. */
const MAX_OWNER_CHOICES = 50;

/** How Teams cards write sentences: people by the name Teams gave them when known, else by their id, as elsewhere. */
export function teamsTextStyle(names: ReadonlyMap<string, string> = new Map()): TextStyle {
  return { date: cardDate, mention: (userId, name) => escapeMarkdown(names.get(userId) ?? name ?? userId), bold: (value) => `**${escapeMarkdown(value)}**`, text: escapeMarkdown };
}

export const TEAMS_TEXT_STYLE: TextStyle = teamsTextStyle();

type Notice = { readonly text: string; readonly tone: 'info' | 'warning' };
type ReportReply = Extract<CommandReply, { kind: 'report' }>;
type TargetsReply = Extract<CommandReply, { kind: 'targets' }>;

/**
 * The channel's members as possible owners, when the turn is in a channel and it is small enough to list;
 * null otherwise (a 1:1 chat only knows its one person). Best effort: a failed lookup offers no picker.
 */
export async function channelOwners(context: TurnContext): Promise<OwnerChoice[] | null> {
  if (context.activity.conversation.conversationType !== 'channel') return null;
  const listed = await namedChannelMembers(context, MAX_OWNER_CHOICES).catch(() => null);
  return listed && !listed.more ? listed.members : null;
}

/** The people of a team's channel who may be named as owners (see `teamOwners`). */
export type OwnersOf = (teamId: number) => Promise<OwnerChoice[] | null>;

/**
 * A team's channel members, as possible owners and to name owners: read in the channel's own turn when the
 * card is used there, else (a report in someone's 1:1 chat) through the channel's stored reference.
 */
export function teamOwners(ctx: ServiceContext, adapter: CloudAdapter, appId: string, context: TurnContext): OwnersOf {
  return async (teamId) => {
    if (context.activity.conversation.conversationType === 'channel') return await channelOwners(context);
    const team = await ctx.store.findTeamById(teamId);
    if (!team) return null;
    return await inTeamChannel(ctx, adapter, appId, team.channel, channelOwners).catch(() => null);
  };
}

const namesOf = (owners: readonly OwnerChoice[] | null): Map<string, string> => new Map((owners ?? []).map((owner) => [owner.aadObjectId, owner.name]));

/** The report card with its step forms when the viewer may adopt steps, and the owners Teams can name. */
export async function reportCardFor(ctx: ServiceContext, ownersOf: OwnersOf, reply: ReportReply, notice?: Notice): Promise<AdaptiveCard> {
  const hasSteps = reply.report.aspects.some((aspect) => aspect.openSteps.length + aspect.doneSteps.length > 0);
  const owners = reply.canManageSteps || hasSteps ? await ownersOf(reply.report.teamId) : null;
  return reportCard(reply.report, { canManageSteps: reply.canManageSteps, now: ctx.clock.now(), owners: reply.canManageSteps ? owners : null, names: namesOf(owners), ...(notice ? { notice } : {}) });
}

/** The targets card: the list for everyone, and a form for those who may change these targets. */
export async function targetsCardFor(ctx: ServiceContext, invocation: Invocation, reply: TargetsReply, notice?: Notice): Promise<AdaptiveCard> {
  const team = await ctx.store.findTeamByChannel(invocation.channel, invocation.organisationId ?? null);
  const viewer = await viewerFor(ctx, invocation, team);
  const mayChange = reply.scope === 'team' ? team !== null && isAllowed(viewer, { kind: 'set-team-target', teamId: team.id }) : isAllowed(viewer, { kind: 'set-org-target' });
  const candidates = [...ctx.surveys.values()].map((loaded) => loaded.survey).filter((survey) => reply.scope === 'organisation' || survey.id === team?.surveyId);
  const forms: TargetForm[] = mayChange
    ? reply.surveys.flatMap((section) => {
        const survey = candidates.find((candidate) => candidate.title === section.surveyTitle);
        return survey ? [{ surveyTitle: section.surveyTitle, aspects: section.rows.map((row) => ({ id: row.aspectId, name: row.aspectName })), levels: survey.levels.map((level) => ({ value: level.value, name: level.name })) }] : [];
      })
    : [];
  return targetsCard({ scope: reply.scope, listText: replySentence(reply, TEAMS_TEXT_STYLE) ?? '', forms, ...(notice ? { notice } : {}) });
}

function noticeOf(reply: CommandReply, style: TextStyle): Notice {
  return { text: replySentence(reply, style) ?? 'Done.', tone: reply.kind === 'refused' ? 'warning' : 'info' };
}

const STALE = 'That card no longer works; mention me with "help" to start again.';

/** The card verbs of next steps and targets; null for any other verb. */
export async function stepCardAction(ctx: ServiceContext, ownersOf: OwnersOf, invocation: Invocation, action: CardAction): Promise<AdaptiveCard | null> {
  switch (action.verb) {
    case VERB.adoptStep: {
      const form = StepFormSchema.safeParse(action);
      if (!form.success) return sentenceCard(STALE, 'warning');
      const ids = stepFormInputIds(form.data.key);
      const owner = inputValue(action, ids.owner);
      const due = inputValue(action, ids.due);
      const suggestionId = form.data.suggestionId === '' ? null : form.data.suggestionId;
      const reply = await adoptStepForTeam(ctx, invocation, form.data.teamId, {
        aspectId: form.data.aspectId,
        suggestionId,
        text: suggestionId ? null : inputValue(action, ids.text),
        ownerUserId: owner === '' || owner === NO_OWNER ? null : owner,
        dueOn: due === '' ? null : due.slice(0, 10),
      });
      // Asked once: they name the owner in the answer and fill the report's pickers.
      const owners = await ownersOf(form.data.teamId);
      const notice = noticeOf(reply, teamsTextStyle(namesOf(owners)));
      // The report again, with the new step under its aspect, so a lead can go on planning.
      const report = await reportByTeamId(ctx, invocation, form.data.teamId);
      return report.kind === 'report' ? await reportCardFor(ctx, async () => owners, report, notice) : sentenceCard(notice.text, notice.tone);
    }
    case VERB.ownerAnswer: {
      const answer = OwnerAnswerSchema.safeParse(action);
      if (!answer.success) return sentenceCard(STALE, 'warning');
      return sentenceCard(await ownerAnswerFromButton(ctx, invocation, answer.data.stepId, answer.data.accept === 'yes'));
    }
    case VERB.checkIn: {
      const answer = CheckInSchema.safeParse(action);
      if (!answer.success) return sentenceCard(STALE, 'warning');
      const notice = noticeOf(await checkInFromButton(ctx, invocation, answer.data.stepId, answer.data.answer), TEAMS_TEXT_STYLE);
      return sentenceCard(notice.text, notice.tone);
    }
    case VERB.setTarget: {
      const form = TargetFormSchema.safeParse(action);
      if (!form.success) return sentenceCard(STALE, 'warning');
      const { scope, form: index } = form.data;
      const reason = inputValue(action, `target-reason-${index}`);
      const command: ChatCommand = { kind: 'target-set', scope, aspectId: inputValue(action, `target-aspect-${index}`), level: inputValue(action, `target-level-${index}`), reason: scope === 'team' && reason !== '' ? reason : null };
      const notice = noticeOf(await runChatCommand(ctx, invocation, command), TEAMS_TEXT_STYLE);
      const targets = await runChatCommand(ctx, invocation, { kind: 'targets', scope });
      return targets.kind === 'targets' ? await targetsCardFor(ctx, invocation, targets, notice) : sentenceCard(notice.text, notice.tone);
    }
    default:
      return null;
  }
}

/** The step verbs that change something: a re-delivered one is not run again. */
export const STEP_CHANGING_VERBS: readonly string[] = [VERB.adoptStep, VERB.ownerAnswer, VERB.checkIn, VERB.setTarget];
