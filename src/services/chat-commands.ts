import { COMMAND_HELP, isCalendarDate, type ChatCommand, type CommandHelp } from '../core/chat-command.js';
import type { ChannelRef, UserRef } from '../core/platform.js';
import type { TeamReport } from '../core/report.js';
import { isAllowed, whoMay, type Permission, type RoleAssignment, type RoleGrant, type RoleName, type Viewer } from '../core/roles.js';
import { DateTime, IANAZone } from 'luxon';
import type { Digest } from '../core/digest.js';
import { INDEFINITE_PAUSE, isPausedOn, type Team } from '../core/team.js';
import { localDateAt, nextWeeklyAt } from '../core/schedule.js';
import { roleChangePeriodKey } from '../core/outbox.js';
import type { ServiceContext } from './context.js';
import { rolesOf } from './role-grants.js';
import { digestForDelivery, orgDigest, teamReport } from './report-service.js';
import { closeOpenRoundEarly, openRound } from './round-service.js';
import { nextScheduledRound } from './schedule-service.js';
import { forgetMe } from './privacy-service.js';
import type { CheckInAnswer, NextStep } from '../core/next-steps.js';
import type { StepSummary } from '../core/report.js';
import { parseTargetLevel } from '../core/targets.js';
import { findAspect } from '../core/survey.js';
import { adoptStep, answerCheckIn, answerOwnerRequest, setStepOwner, type StepRefusal } from './step-service.js';
import { defaultDueAt, OWNER_ACCEPTED, OWNER_DECLINED } from '../core/next-steps.js';
import { changeTarget, targetRows, type TargetChangeResult, type TargetRow } from './target-service.js';
import { setPause, setupTeam, type SetupTeamInput, type SetupTeamResult } from './team-service.js';

/** Who runs a command, and where. */
export interface Invocation {
  readonly actor: UserRef;
  readonly channel: ChannelRef;
  /** The Slack Enterprise Grid organisation the invocation came from, so a channel shared between its workspaces is found. */
  readonly organisationId?: string | null;
  /** The actor's name as the platform shows it, for messages that name them (role changes). */
  readonly actorName?: string;
  /** People made admins by configuration (ADMIN_SLACK_USER_IDS, ADMIN_TEAMS_AAD_OBJECT_IDS). */
  readonly configuredAdmins: readonly string[];
  /** The actor's own time zone when the platform told us; a default for digest times. */
  readonly timeZone?: string;
}

export type Refusal =
  | { readonly kind: 'not-allowed'; readonly who: string; readonly action: string }
  | { readonly kind: 'not-a-team-channel' }
  | { readonly kind: 'already-open'; readonly aspectName: string; readonly closesAt: Date }
  | { readonly kind: 'period-taken'; readonly nextOpensAt: Date }
  | { readonly kind: 'unknown-aspect'; readonly aspectId: string; readonly known: readonly string[] }
  | { readonly kind: 'no-open-round' }
  /** An early close while few have answered and less than half the round has passed. */
  | { readonly kind: 'close-too-early'; readonly needed: number; readonly allowedFrom: Date; readonly closesAt: Date }
  | { readonly kind: 'survey-missing'; readonly surveyId: string }
  | { readonly kind: 'invalid'; readonly problem: string };

export interface TeamStatus {
  readonly team: Team;
  readonly surveyTitle: string;
  readonly openRound: { readonly aspectName: string; readonly closesAt: Date; readonly respondents: number } | null;
  readonly nextRoundAt: Date | null;
  readonly paused: boolean;
  readonly leads: readonly UserRef[];
}

export type CommandReply =
  | { readonly kind: 'help'; readonly problem: string | null; readonly entries: readonly CommandHelp[] }
  /** `canManageSteps`: the viewer may adopt steps for the team, so each suggestion gets "We'll do this". */
  | { readonly kind: 'report'; readonly report: TeamReport; readonly canManageSteps: boolean }
  | { readonly kind: 'team-choice'; readonly teams: readonly { readonly id: number; readonly name: string }[] }
  | { readonly kind: 'status'; readonly status: TeamStatus }
  | { readonly kind: 'refused'; readonly refusal: Refusal }
  | { readonly kind: 'round-opened'; readonly aspectName: string; readonly closesAt: Date }
  | { readonly kind: 'round-closed'; readonly aspectName: string; readonly respondents: number }
  | { readonly kind: 'paused'; readonly until: string | null }
  | { readonly kind: 'resumed' }
  | { readonly kind: 'role-changed'; readonly action: 'add' | 'remove'; readonly role: RoleName; readonly userId: string; readonly changed: boolean }
  | { readonly kind: 'roles'; readonly roles: readonly RoleAssignment[]; readonly teamName: string | null }
  | { readonly kind: 'open-setup'; readonly existingTeam: string | null }
  | { readonly kind: 'confirm-forget' }
  | { readonly kind: 'digest-subscribed'; readonly weekday: number; readonly localTime: string; readonly timeZone: string; readonly nextAt: Date }
  | { readonly kind: 'digest-stopped'; readonly existed: boolean }
  | { readonly kind: 'digest'; readonly digest: Digest }
  | { readonly kind: 'nudges'; readonly on: boolean }
  | { readonly kind: 'strategy'; readonly strategy: 'rotation' | 'adaptive' }
  | { readonly kind: 'targets'; readonly scope: 'team' | 'organisation'; readonly teamName: string | null; readonly surveys: readonly { readonly surveyTitle: string; readonly rows: readonly TargetRow[] }[] }
  | Extract<TargetChangeResult, { kind: 'target-set' }>
  | { readonly kind: 'steps'; readonly teamName: string; readonly aspects: readonly { readonly aspectName: string; readonly steps: readonly StepSummary[] }[]; readonly dropped: number }
  | { readonly kind: 'step-adopted'; readonly step: NextStep; readonly aspectName: string; readonly already: boolean; readonly ownerAsked: string | null }
  | { readonly kind: 'step-owner-asked'; readonly step: NextStep; readonly ownerUserId: string }
  | { readonly kind: 'step-closed'; readonly step: NextStep; readonly answer: CheckInAnswer; readonly already: boolean };

/** What the actor may do: their stored roles, configured admins, and the team of the channel they are in. */
export async function viewerFor(ctx: ServiceContext, invocation: Invocation, channelTeam: Team | null): Promise<Viewer> {
  return { grants: await rolesOf(ctx, invocation.actor, invocation.configuredAdmins), memberOfTeamId: channelTeam?.id ?? null };
}

const ACTIONS: Record<Permission['kind'], string> = {
  'view-report': "see this team's report",
  'view-comments': "read this team's comments",
  'run-round': 'open or close a round',
  'pause-team': 'pause or resume a team',
  'setup-team': 'set up a team',
  'delete-team': 'delete a team',
  'grant-role': 'change this role',
  'view-digest': 'see the digest',
  'subscribe-digest': 'subscribe a channel to the digest',
  'set-team-target': "set this team's target levels",
  'set-org-target': "set the organisation's target levels",
  'manage-steps': "adopt or close this team's next steps",
};

function refuse(permission: Permission): CommandReply {
  return { kind: 'refused', refusal: { kind: 'not-allowed', who: whoMay(permission), action: ACTIONS[permission.kind] } };
}

export { nextScheduledRound } from './schedule-service.js';

/** When a team opens its next round (null while it is paused, or gone): for a click that came too late. */
export async function nextRoundOfTeam(ctx: ServiceContext, teamId: number): Promise<Date | null> {
  const team = await ctx.store.findTeamById(teamId);
  return team ? await nextScheduledRound(ctx, team, ctx.clock.now()) : null;
}

async function status(ctx: ServiceContext, team: Team): Promise<TeamStatus> {
  const now = ctx.clock.now();
  const open = await ctx.store.findOpenRound(team.id);
  return {
    team,
    surveyTitle: ctx.surveys.get(team.surveyId)?.survey.title ?? team.surveyId,
    openRound: open ? { aspectName: open.question.aspectName, closesAt: open.closesAt, respondents: await ctx.store.countAnswers(open.id) } : null,
    nextRoundAt: await nextScheduledRound(ctx, team, now),
    paused: isPausedOn(team, localDateAt(now, team.cadence.timeZone)),
    leads: (await ctx.store.listRoles({ teamId: team.id })).filter((role) => role.role === 'lead').map((role) => role.user),
  };
}

async function report(ctx: ServiceContext, viewer: Viewer, team: Team | null, aspectId: string | null): Promise<CommandReply> {
  if (!team) {
    const visible = (await ctx.store.listTeams()).filter((candidate) => isAllowed(viewer, { kind: 'view-report', teamId: candidate.id }));
    return { kind: 'team-choice', teams: visible.map((candidate) => ({ id: candidate.id, name: candidate.name })) };
  }
  if (!isAllowed(viewer, { kind: 'view-report', teamId: team.id })) return refuse({ kind: 'view-report', teamId: team.id });
  const result = await teamReport(ctx, team, { withComments: isAllowed(viewer, { kind: 'view-comments', teamId: team.id }), ...(aspectId === null ? {} : { aspectId }) });
  if (result.kind === 'report') return { kind: 'report', report: result.report, canManageSteps: isAllowed(viewer, { kind: 'manage-steps', teamId: team.id }) };
  if (result.kind === 'unknown-aspect') return { kind: 'refused', refusal: { kind: 'unknown-aspect', aspectId: result.aspectId, known: result.known } };
  return { kind: 'refused', refusal: { kind: 'survey-missing', surveyId: result.surveyId } };
}

/** A team's report for someone who picked the team (App Home, a team list) rather than asking in its channel. */
export async function reportByTeamId(ctx: ServiceContext, invocation: Invocation, teamId: number): Promise<CommandReply> {
  const team = (await ctx.store.listTeams()).find((candidate) => candidate.id === teamId) ?? null;
  if (!team) return { kind: 'refused', refusal: { kind: 'not-a-team-channel' } };
  return await report(ctx, await viewerFor(ctx, invocation, await ctx.store.findTeamByChannel(invocation.channel, invocation.organisationId ?? null)), team, null);
}

/** Registers the invocation's channel as a team, for admins only. */
export async function submitSetup(ctx: ServiceContext, invocation: Invocation, input: Omit<SetupTeamInput, 'channel'>): Promise<SetupTeamResult | { readonly kind: 'refused'; readonly refusal: Refusal }> {
  const viewer = await viewerFor(ctx, invocation, null);
  if (!isAllowed(viewer, { kind: 'setup-team' })) return { kind: 'refused', refusal: { kind: 'not-allowed', who: whoMay({ kind: 'setup-team' }), action: ACTIONS['setup-team'] } };
  return await setupTeam(ctx, invocation.actor, { ...input, channel: invocation.channel });
}

/** Erases the actor's own answers and comments everywhere, after they confirmed. */
export async function confirmForgetMe(ctx: ServiceContext, invocation: Invocation): Promise<{ answers: number; comments: number }> {
  return await forgetMe(ctx, invocation.actor, invocation.actor);
}

async function changeRole(ctx: ServiceContext, invocation: Invocation, viewer: Viewer, team: Team | null, command: Extract<ChatCommand, { kind: 'role-change' }>): Promise<CommandReply> {
  if (command.role === 'lead' && !team) return { kind: 'refused', refusal: { kind: 'not-a-team-channel' } };
  const grant: RoleGrant = { role: command.role, teamId: command.role === 'lead' ? (team?.id ?? null) : null };
  const permission: Permission = { kind: 'grant-role', role: command.role, teamId: grant.teamId };
  if (!isAllowed(viewer, permission)) return refuse(permission);
  const subject: UserRef = { platform: invocation.actor.platform, workspaceId: invocation.actor.workspaceId, userId: command.userId };
  const now = ctx.clock.now();
  const changed = await ctx.store.transaction(async (tx) => {
    const done = command.action === 'add' ? await tx.grantRole(subject, grant, invocation.actor.userId, now) : await tx.revokeRole(subject, grant);
    if (!done) return false;
    const details = { role: grant.role, subject: command.userId, subjectName: command.label, change: command.action, ...(invocation.actorName ? { actorName: invocation.actorName } : {}) };
    const auditId = await tx.recordAudit({ at: now, actor: invocation.actor, action: `role.${command.action}`, teamName: grant.role === 'lead' ? (team?.name ?? null) : null, details });
    // Leads read the team's comments: the team is told in its channel whenever that changes, so an admin
    // cannot quietly make themself a lead to read them.
    if (grant.role === 'lead' && team) {
      await tx.enqueueDelivery({ target: team.channel, periodKey: roleChangePeriodKey(auditId), payload: { kind: 'role-change', auditId }, teamId: team.id, roundId: null, at: now });
    }
    return true;
  });
  if (changed && grant.role === 'lead') ctx.onIntent?.();
  return { kind: 'role-changed', action: command.action, role: command.role, userId: command.userId, changed };
}

async function digestCommand(ctx: ServiceContext, invocation: Invocation, viewer: Viewer, command: Extract<ChatCommand, { kind: 'digest-here' | 'digest-stop' | 'digest-preview' }>): Promise<CommandReply> {
  if (command.kind === 'digest-preview') {
    if (!isAllowed(viewer, { kind: 'view-digest' })) return refuse({ kind: 'view-digest' });
    return { kind: 'digest', digest: await orgDigest(ctx) };
  }
  if (!isAllowed(viewer, { kind: 'subscribe-digest' })) return refuse({ kind: 'subscribe-digest' });
  const now = ctx.clock.now();
  if (command.kind === 'digest-stop') {
    const existed = await ctx.store.transaction(async (tx) => {
      const removed = await tx.deleteDigestSubscription(invocation.channel);
      if (removed) await tx.recordAudit({ at: now, actor: invocation.actor, action: 'digest.stop', teamName: null, details: { channel: invocation.channel } });
      return removed;
    });
    return { kind: 'digest-stopped', existed };
  }
  const timeZone = command.timeZone ?? invocation.timeZone ?? 'UTC';
  if (!IANAZone.isValidZone(timeZone)) return { kind: 'refused', refusal: { kind: 'invalid', problem: `"${timeZone}" is not a time zone; use a name such as Europe/Berlin or America/New_York.` } };
  const weekday = command.weekday ?? 1;
  const localTime = command.localTime ?? '09:00';
  const nextAt = nextWeeklyAt(weekday, localTime, timeZone, now);
  await ctx.store.transaction(async (tx) => {
    await tx.upsertDigestSubscription({ channel: invocation.channel, weekday, localTime, timeZone, nextDigestAt: nextAt, at: now });
    await tx.recordAudit({ at: now, actor: invocation.actor, action: 'digest.subscribe', teamName: null, details: { channel: invocation.channel, weekday, localTime, timeZone } });
  });
  return { kind: 'digest-subscribed', weekday, localTime, timeZone, nextAt };
}

async function teamOption(ctx: ServiceContext, invocation: Invocation, viewer: Viewer, team: Team | null, command: Extract<ChatCommand, { kind: 'reminders' | 'strategy' }>): Promise<CommandReply> {
  if (!team) return { kind: 'refused', refusal: { kind: 'not-a-team-channel' } };
  if (!isAllowed(viewer, { kind: 'pause-team', teamId: team.id })) return refuse({ kind: 'pause-team', teamId: team.id });
  const options = command.kind === 'reminders' ? { nudgeNonRespondents: command.nudges } : { questionStrategy: command.strategy };
  await ctx.store.transaction(async (tx) => {
    await tx.setTeamOptions(team.id, options);
    await tx.recordAudit({ at: ctx.clock.now(), actor: invocation.actor, action: 'team.options', teamName: team.name, details: options });
  });
  return command.kind === 'reminders' ? { kind: 'nudges', on: command.nudges } : { kind: 'strategy', strategy: command.strategy };
}

function stepRefusal(refusal: StepRefusal | Exclude<TargetChangeResult, { kind: 'target-set' }>, action: string): CommandReply {
  switch (refusal.kind) {
    case 'not-allowed':
      return { kind: 'refused', refusal: { kind: 'not-allowed', who: refusal.who, action } };
    case 'unknown-step':
      return { kind: 'refused', refusal: { kind: 'invalid', problem: 'There is no step with that number; "steps" lists them.' } };
    case 'unknown-aspect':
    case 'survey-missing':
    case 'invalid':
      return { kind: 'refused', refusal };
  }
}

/** `YYYY-MM-DD` as the end of that day in the team's time zone: a step is due by the evening of its date. */
function endOfLocalDay(date: string, timeZone: string): Date {
  return DateTime.fromISO(date, { zone: timeZone }).endOf('day').toJSDate();
}

async function targetsCommand(ctx: ServiceContext, invocation: Invocation, viewer: Viewer, team: Team | null, command: Extract<ChatCommand, { kind: 'targets' | 'target-set' }>): Promise<CommandReply> {
  if (command.kind === 'targets') {
    if (command.scope === 'team' && !team) return { kind: 'refused', refusal: { kind: 'not-a-team-channel' } };
    const surveyIds = team ? [team.surveyId] : [...ctx.surveys.keys()];
    const surveys = await Promise.all(
      surveyIds.flatMap((surveyId) => {
        const survey = ctx.surveys.get(surveyId)?.survey;
        return survey ? [targetRows(ctx, survey, command.scope === 'team' ? team : null).then((rows) => ({ surveyTitle: survey.title, rows }))] : [];
      }),
    );
    return { kind: 'targets', scope: command.scope, teamName: command.scope === 'team' ? (team?.name ?? null) : null, surveys };
  }
  if (command.scope === 'team' && !team) return { kind: 'refused', refusal: { kind: 'not-a-team-channel' } };
  // The organisation's targets are per survey: the channel's team's, else the one survey with that aspect.
  const candidates = team ? [team.surveyId] : [...ctx.surveys.values()].filter((loaded) => findAspect(loaded.survey, command.aspectId)).map((loaded) => loaded.survey.id);
  if (candidates.length !== 1) {
    return { kind: 'refused', refusal: { kind: 'invalid', problem: candidates.length === 0 ? `No survey has an aspect "${command.aspectId}".` : `Several surveys have an aspect "${command.aspectId}": run this in a channel of a team on the survey you mean.` } };
  }
  const surveyId = candidates[0] ?? '';
  const survey = ctx.surveys.get(surveyId)?.survey;
  if (!survey) return { kind: 'refused', refusal: { kind: 'survey-missing', surveyId } };
  const level = parseTargetLevel(survey, command.level);
  if (level.kind === 'invalid') return { kind: 'refused', refusal: { kind: 'invalid', problem: level.message } };
  const scope = command.scope === 'team' && team ? ({ kind: 'team', team } as const) : ({ kind: 'organisation', surveyId } as const);
  const result = await changeTarget(ctx, invocation.actor, viewer, { scope, aspectId: command.aspectId, level: level.kind === 'clear' ? null : level.level, reason: command.reason });
  if (result.kind === 'target-set') return result;
  return stepRefusal(result, command.scope === 'team' ? "set this team's target levels" : "set the organisation's target levels");
}

/** A mentioned person's name, when the mention carried one (a bare Slack `<@U…>` carries only the id). */
function mentionedName(person: { readonly userId: string; readonly label: string }): string | null {
  const label = person.label.replace(/^@/, '').trim();
  return label === '' || label === person.userId ? null : label;
}

async function stepsCommand(ctx: ServiceContext, invocation: Invocation, viewer: Viewer, team: Team | null, command: Extract<ChatCommand, { kind: 'steps' | 'step-adopt' | 'step-owner' | 'step-close' }>): Promise<CommandReply> {
  const action = "adopt or close this team's next steps";
  if (command.kind === 'step-close') {
    const result = await answerCheckIn(ctx, invocation.actor, viewer, command.stepId, command.answer);
    if (result.kind === 'checked-in') return { kind: 'step-closed', step: result.step, answer: result.answer, already: false };
    if (result.kind === 'already-closed') return { kind: 'step-closed', step: result.step, answer: command.answer, already: true };
    return stepRefusal(result, 'close this step');
  }
  if (command.kind === 'step-owner') {
    const owner = { platform: invocation.actor.platform, workspaceId: invocation.actor.workspaceId, userId: command.owner.userId };
    const result = await setStepOwner(ctx, invocation.actor, viewer, command.stepId, owner, { ownerName: mentionedName(command.owner), byName: invocation.actorName ?? null });
    return result.kind === 'owner-asked' ? { kind: 'step-owner-asked', step: result.step, ownerUserId: command.owner.userId } : stepRefusal(result, action);
  }
  if (!team) return { kind: 'refused', refusal: { kind: 'not-a-team-channel' } };
  if (command.kind === 'steps') {
    if (!isAllowed(viewer, { kind: 'view-report', teamId: team.id })) return refuse({ kind: 'view-report', teamId: team.id });
    const result = await teamReport(ctx, team, { withComments: false });
    if (result.kind !== 'report') return { kind: 'refused', refusal: result.kind === 'survey-missing' ? { kind: 'survey-missing', surveyId: result.surveyId } : { kind: 'not-a-team-channel' } };
    const dropped = (await ctx.store.listSteps({ teamId: team.id, status: 'dropped' })).length;
    return { kind: 'steps', teamName: team.name, aspects: result.report.aspects.map((aspect) => ({ aspectName: aspect.aspectName, steps: [...aspect.openSteps, ...aspect.doneSteps] })).filter((aspect) => aspect.steps.length > 0), dropped };
  }
  const survey = ctx.surveys.get(team.surveyId)?.survey;
  if (!survey) return { kind: 'refused', refusal: { kind: 'survey-missing', surveyId: team.surveyId } };
  const aspectId = command.suggestionId === null ? command.aspectId : (survey.aspects.find((aspect) => aspect.levels.some((level) => level.suggestions.some((suggestion) => suggestion.id === command.suggestionId)))?.id ?? null);
  if (aspectId === null) return { kind: 'refused', refusal: { kind: 'invalid', problem: `There is no suggestion "${command.suggestionId ?? ''}" in this team's survey; the ids are in the report.` } };
  const owner = command.owner ? { platform: invocation.actor.platform, workspaceId: invocation.actor.workspaceId, userId: command.owner.userId } : null;
  const result = await adoptStep(ctx, invocation.actor, viewer, team, {
    aspectId,
    suggestionId: command.suggestionId,
    text: command.text,
    owner,
    ownerName: command.owner ? mentionedName(command.owner) : null,
    byName: invocation.actorName ?? null,
    dueAt: command.dueOn ? endOfLocalDay(command.dueOn, team.cadence.timeZone) : null,
  });
  if (result.kind === 'adopted' || result.kind === 'already-adopted') return { kind: 'step-adopted', step: result.step, aspectName: result.aspectName, already: result.kind === 'already-adopted', ownerAsked: result.kind === 'adopted' && owner ? owner.userId : null };
  return stepRefusal(result, action);
}

/**
 * "We'll do this" under a report's suggestion, or a lead's own step, from a button and its form rather
 * than typed words: the team is named by id (a report can be opened outside its channel).
 */
export async function adoptStepForTeam(
  ctx: ServiceContext,
  invocation: Invocation,
  teamId: number,
  input: { readonly aspectId: string; readonly suggestionId: string | null; readonly text: string | null; readonly ownerUserId: string | null; readonly ownerName?: string | null; readonly dueOn: string | null },
): Promise<CommandReply> {
  const team = await ctx.store.findTeamById(teamId);
  if (!team) return { kind: 'refused', refusal: { kind: 'invalid', problem: 'That team no longer exists.' } };
  if (input.dueOn !== null && !isCalendarDate(input.dueOn)) return { kind: 'refused', refusal: { kind: 'invalid', problem: `"${input.dueOn}" is not a date (YYYY-MM-DD).` } };
  const viewer = await viewerFor(ctx, invocation, await ctx.store.findTeamByChannel(invocation.channel, invocation.organisationId ?? null));
  const owner = input.ownerUserId ? { platform: invocation.actor.platform, workspaceId: invocation.actor.workspaceId, userId: input.ownerUserId } : null;
  const result = await adoptStep(ctx, invocation.actor, viewer, team, {
    aspectId: input.aspectId,
    suggestionId: input.suggestionId,
    text: input.text,
    owner,
    ownerName: owner ? (input.ownerName ?? null) : null,
    byName: invocation.actorName ?? null,
    dueAt: input.dueOn ? endOfLocalDay(input.dueOn, team.cadence.timeZone) : null,
  });
  if (result.kind === 'adopted' || result.kind === 'already-adopted') return { kind: 'step-adopted', step: result.step, aspectName: result.aspectName, already: result.kind === 'already-adopted', ownerAsked: result.kind === 'adopted' && owner ? owner.userId : null };
  return stepRefusal(result, "adopt or close this team's next steps");
}

export type StepForm =
  | { readonly kind: 'form'; readonly aspectName: string; readonly suggestionText: string | null; readonly initialDueOn: string }
  | { readonly kind: 'refused'; readonly sentence: string };

/**
 * What the "We'll do this" form shows: the aspect, the suggestion as the survey words it today, and the
 * default date (six weeks ahead, in the team's time zone). Cheap on purpose: a Slack modal must open within
 * three seconds of the click.
 */
export async function stepFormFor(ctx: ServiceContext, invocation: Invocation, teamId: number, aspectId: string, suggestionId: string | null): Promise<StepForm> {
  const team = await ctx.store.findTeamById(teamId);
  if (!team) return { kind: 'refused', sentence: 'That team no longer exists.' };
  const viewer = await viewerFor(ctx, invocation, null);
  if (!isAllowed(viewer, { kind: 'manage-steps', teamId })) return { kind: 'refused', sentence: `Only ${whoMay({ kind: 'manage-steps', teamId })} can adopt this team's next steps.` };
  const survey = ctx.surveys.get(team.surveyId)?.survey;
  const aspect = survey ? findAspect(survey, aspectId) : undefined;
  const suggestion = suggestionId === null ? null : aspect?.levels.flatMap((level) => level.suggestions).find((candidate) => candidate.id === suggestionId);
  if (!aspect || suggestion === undefined) return { kind: 'refused', sentence: 'This report is out of date: the survey changed. Run the report again.' };
  const initialDueOn = DateTime.fromJSDate(defaultDueAt(ctx.clock.now()), { zone: team.cadence.timeZone }).toISODate() ?? '';
  return { kind: 'form', aspectName: aspect.name, suggestionText: suggestion?.text ?? null, initialDueOn };
}

/** A check-in button (Done / Still on it / Dropped), pressed by the step's owner or a lead, anywhere. */
export async function checkInFromButton(ctx: ServiceContext, invocation: Invocation, stepId: number, answer: CheckInAnswer): Promise<CommandReply> {
  const viewer = await viewerFor(ctx, invocation, null);
  return await stepsCommand(ctx, invocation, viewer, null, { kind: 'step-close', stepId, answer });
}

/** The owner's Accept / Decline; the reply is a sentence for them alone. */
export async function ownerAnswerFromButton(ctx: ServiceContext, invocation: Invocation, stepId: number, accept: boolean): Promise<string> {
  const result = await answerOwnerRequest(ctx, invocation.actor, stepId, accept, invocation.actorName ?? null);
  switch (result.kind) {
    case 'owner-answered':
      return result.accepted ? OWNER_ACCEPTED : OWNER_DECLINED;
    case 'already-answered':
      return result.step.status !== 'open' ? `That step is already ${result.step.status}.` : `You already ${result.step.ownerStatus === 'accepted' ? 'accepted' : 'answered'} this.`;
    case 'not-asked':
      return 'This request is no longer yours to answer: the step has another owner now.';
    case 'unknown-step':
      return 'That step no longer exists.';
    default:
      return 'That did not work; ask the team’s leads.';
  }
}

/** Runs one chat command for the actor in the channel it came from. Every outcome is a reply, never an exception. */
/**
 * `runChatCommand` for the chat adapters: a digest preview is built off the event loop (in the digest
 * worker when the app has one), since a large organisation's digest takes long enough to hold up everyone
 * else's clicks; every other command runs as it is.
 */
export async function runChatCommandAsync(ctx: ServiceContext, invocation: Invocation, command: ChatCommand): Promise<CommandReply> {
  if (command.kind !== 'digest-preview') return await runChatCommand(ctx, invocation, command);
  const viewer = await viewerFor(ctx, invocation, await ctx.store.findTeamByChannel(invocation.channel, invocation.organisationId ?? null));
  if (!isAllowed(viewer, { kind: 'view-digest' })) return refuse({ kind: 'view-digest' });
  return { kind: 'digest', digest: await digestForDelivery(ctx, ctx.clock.now()) };
}

export async function runChatCommand(ctx: ServiceContext, invocation: Invocation, command: ChatCommand): Promise<CommandReply> {
  const team = await ctx.store.findTeamByChannel(invocation.channel, invocation.organisationId ?? null);
  const viewer = await viewerFor(ctx, invocation, team);
  switch (command.kind) {
    case 'help':
      return { kind: 'help', problem: null, entries: COMMAND_HELP };
    case 'invalid':
      return { kind: 'help', problem: command.problem, entries: COMMAND_HELP };
    case 'report':
      return await report(ctx, viewer, team, command.aspectId);
    case 'status':
      return team ? { kind: 'status', status: await status(ctx, team) } : { kind: 'refused', refusal: { kind: 'not-a-team-channel' } };
    case 'setup':
      if (!isAllowed(viewer, { kind: 'setup-team' })) return refuse({ kind: 'setup-team' });
      return { kind: 'open-setup', existingTeam: team?.name ?? null };
    case 'role-list': {
      const roles = (await ctx.store.listRoles({ platform: invocation.actor.platform })).filter((role) => role.user.workspaceId === invocation.actor.workspaceId && (role.teamId === null || role.teamId === team?.id));
      return { kind: 'roles', roles, teamName: team?.name ?? null };
    }
    case 'role-change':
      return await changeRole(ctx, invocation, viewer, team, command);
    case 'forget-me':
      return { kind: 'confirm-forget' };
    case 'digest-here':
    case 'digest-stop':
    case 'digest-preview':
      return await digestCommand(ctx, invocation, viewer, command);
    case 'reminders':
    case 'strategy':
      return await teamOption(ctx, invocation, viewer, team, command);
    case 'targets':
    case 'target-set':
      return await targetsCommand(ctx, invocation, viewer, team, command);
    case 'steps':
    case 'step-adopt':
    case 'step-owner':
    case 'step-close':
      return await stepsCommand(ctx, invocation, viewer, team, command);
    case 'ask':
    case 'close':
    case 'pause':
    case 'resume':
      break;
  }
  if (!team) return { kind: 'refused', refusal: { kind: 'not-a-team-channel' } };
  if (command.kind === 'ask' || command.kind === 'close') {
    if (!isAllowed(viewer, { kind: 'run-round', teamId: team.id })) return refuse({ kind: 'run-round', teamId: team.id });
    if (command.kind === 'close') {
      const closed = await closeOpenRoundEarly(ctx, team);
      if (closed.kind === 'too-early') return { kind: 'refused', refusal: { kind: 'close-too-early', needed: closed.needed, allowedFrom: closed.allowedFrom, closesAt: closed.round.closesAt } };
      return closed.kind === 'closed' ? { kind: 'round-closed', aspectName: closed.round.question.aspectName, respondents: closed.round.tally?.respondents ?? 0 } : { kind: 'refused', refusal: { kind: 'no-open-round' } };
    }
    const opened = await openRound(ctx, team, { origin: 'ad-hoc', ...(command.aspectId === null ? {} : { aspectId: command.aspectId }) });
    switch (opened.kind) {
      case 'opened':
        return { kind: 'round-opened', aspectName: opened.round.question.aspectName, closesAt: opened.round.closesAt };
      case 'already-open':
        return { kind: 'refused', refusal: { kind: 'already-open', aspectName: opened.round.question.aspectName, closesAt: opened.round.closesAt } };
      case 'period-taken':
        return { kind: 'refused', refusal: { kind: 'period-taken', nextOpensAt: opened.nextOpensAt } };
      case 'unknown-aspect':
      case 'survey-missing':
        return { kind: 'refused', refusal: opened };
    }
  }
  if (!isAllowed(viewer, { kind: 'pause-team', teamId: team.id })) return refuse({ kind: 'pause-team', teamId: team.id });
  if (command.kind === 'pause') {
    await setPause(ctx, invocation.actor, team, command.until ?? INDEFINITE_PAUSE);
    return { kind: 'paused', until: command.until };
  }
  await setPause(ctx, invocation.actor, team, null);
  return { kind: 'resumed' };
}
