import { DateTime } from 'luxon';
import { isCalendarDate } from '../core/chat-command.js';
import { defaultDueAt, type CheckInAnswer, type NextStep, type StepStatus } from '../core/next-steps.js';
import { memberScope, type ChannelRef, type UserRef } from '../core/platform.js';
import { isAllowed, whoMay } from '../core/roles.js';
import { levelAt, type ClosedRoundTally } from '../core/scoring.js';
import { findAspect, type Survey } from '../core/survey.js';
import { parseTargetLevel } from '../core/targets.js';
import type { Team } from '../core/team.js';
import type { ServiceContext } from './context.js';
import { canSeeOrganisation, viewerForTeam, visibleTeams, type PersonViewer, type Refused } from './dashboard-service.js';
import { adoptStep, answerCheckIn, setStepOwner, type AdoptStepResult, type CheckInResult, type StepRefusal } from './step-service.js';
import { changeTarget, targetRows, type TargetChangeResult, type TargetRow } from './target-service.js';

/**
 * What the dashboard needs of targets and next steps beyond the chat's use cases: every step of the teams
 * a person may see (with the levels the report would show at adoption and now), the permission flags that
 * decide which forms a page offers, and the web's way in to the chat's use cases (a team id from the URL,
 * a date from a date field), under the same permission checks.
 */

/** A step as the dashboard lists it. The owner is named only once they accepted. */
export interface StepRow {
  readonly id: number;
  readonly teamId: number;
  readonly teamName: string;
  readonly surveyId: string;
  readonly aspectId: string;
  readonly aspectName: string;
  readonly suggestionId: string | null;
  readonly text: string;
  readonly status: StepStatus;
  readonly adoptedAt: Date;
  readonly dueAt: Date;
  readonly closedAt: Date | null;
  /** The platform's id of the owner who accepted; null while nobody has. */
  readonly ownerUserId: string | null;
  /** The accepted owner's name as their platform gave it; null while nobody accepted, or when it never said. */
  readonly ownerName: string | null;
  /** Where asking an owner stands, for the team's leads: asked (no answer yet), declined, or none asked. Never who. */
  readonly ownerRequest: 'asked' | 'declined' | null;
  /** The aspect's figure (qualifying rounds only) when the step was adopted, and now; null where none shows. */
  readonly levelAtAdoption: number | null;
  readonly levelNow: number | null;
}

export interface StepFilter {
  readonly teamId?: number;
  readonly surveyId?: string;
  readonly aspectId?: string;
  readonly status?: StepStatus;
}

function stepRow(step: NextStep, team: Team, survey: Survey, rounds: readonly ClosedRoundTally[], ctx: ServiceContext, now: Date): StepRow {
  const aspectRounds = rounds.filter((round) => round.aspectId === step.aspectId && round.closedAt.getTime() <= now.getTime());
  return {
    id: step.id,
    teamId: team.id,
    teamName: team.name,
    surveyId: step.surveyId,
    aspectId: step.aspectId,
    aspectName: findAspect(survey, step.aspectId)?.name ?? step.aspectId,
    suggestionId: step.suggestionId,
    text: step.text,
    status: step.status,
    adoptedAt: step.adoptedAt,
    dueAt: step.dueAt,
    closedAt: step.closedAt,
    ownerUserId: step.ownerStatus === 'accepted' ? (step.owner?.userId ?? null) : null,
    ownerName: step.ownerStatus === 'accepted' ? step.ownerName : null,
    ownerRequest: step.ownerStatus === 'asked' || step.ownerStatus === 'declined' ? step.ownerStatus : null,
    levelAtAdoption: levelAt(aspectRounds, step.adoptedAt, ctx.policy)?.value ?? null,
    levelNow: levelAt(aspectRounds, now, ctx.policy)?.value ?? null,
  };
}

/** Rows for the given teams' steps (teams whose survey is not loaded are left out, as their pages are). */
async function rowsOf(ctx: ServiceContext, teams: readonly Team[], filter: StepFilter, now: Date): Promise<StepRow[]> {
  const loaded = teams.filter((team) => ctx.surveys.has(team.surveyId) && (filter.surveyId === undefined || team.surveyId === filter.surveyId));
  if (loaded.length === 0) return [];
  const byId = new Map(loaded.map((team) => [team.id, team]));
  const steps = (
    await ctx.store.listSteps({
      ...(filter.teamId !== undefined ? { teamId: filter.teamId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.surveyId ? { surveyId: filter.surveyId } : {}),
      ...(filter.aspectId ? { aspectId: filter.aspectId } : {}),
    })
  ).filter((step) => byId.has(step.teamId) && step.adoptedAt.getTime() <= now.getTime());
  const withSteps = new Map([...new Set(steps.map((step) => step.teamId))].map((teamId) => [teamId, byId.get(teamId)?.surveyId ?? '']));
  const rounds = withSteps.size === 0 ? new Map<number, ClosedRoundTally[]>() : await ctx.store.closedTalliesByTeam(withSteps);
  return steps.flatMap((step) => {
    const team = byId.get(step.teamId);
    const survey = team ? ctx.surveys.get(team.surveyId)?.survey : undefined;
    return team && survey ? [stepRow(step, team, survey, rounds.get(team.id) ?? [], ctx, now)] : [];
  });
}

export interface StepList {
  readonly kind: 'steps';
  readonly generatedAt: Date;
  /** The teams the person may see, for a team filter. */
  readonly teams: readonly Team[];
  readonly steps: readonly StepRow[];
}

/**
 * Steps of every team the person may see (PMs and admins: all; leads and members: their own), matching the
 * filter; oldest adoption first.
 */
export async function stepsAcrossTeams(ctx: ServiceContext, pv: PersonViewer, filter: StepFilter = {}, options: { at?: Date } = {}): Promise<StepList> {
  const now = options.at ?? ctx.clock.now();
  const teams = await visibleTeams(ctx, pv);
  const wanted = filter.teamId === undefined ? teams : teams.filter((team) => team.id === filter.teamId);
  return { kind: 'steps', generatedAt: now, teams, steps: await rowsOf(ctx, wanted, filter, now) };
}

export interface TeamStepBoard {
  readonly kind: 'board';
  /** Every step of the team, oldest adoption first. */
  readonly steps: readonly StepRow[];
  /** Whether the person may adopt, change and close the team's steps. */
  readonly canManageSteps: boolean;
  /** Whether the person may set or remove the team's own targets. */
  readonly canSetTarget: boolean;
  /** The levels of the team's survey, for a target form. */
  readonly levels: readonly { readonly value: number; readonly name: string }[];
}

/** A team's steps (any status) and what the person may do with them and with the team's targets. */
export async function teamStepBoard(ctx: ServiceContext, pv: PersonViewer, teamId: number, options: { at?: Date } = {}): Promise<Refused | { readonly kind: 'not-found' } | TeamStepBoard> {
  const team = await ctx.store.findTeamById(teamId);
  const survey = team ? ctx.surveys.get(team.surveyId)?.survey : undefined;
  if (!team || !survey) return { kind: 'not-found' };
  const viewer = viewerForTeam(pv, team.id);
  if (!isAllowed(viewer, { kind: 'view-report', teamId: team.id })) return { kind: 'refused' };
  return {
    kind: 'board',
    steps: await rowsOf(ctx, [team], { teamId: team.id }, options.at ?? ctx.clock.now()),
    canManageSteps: isAllowed(viewer, { kind: 'manage-steps', teamId: team.id }),
    canSetTarget: isAllowed(viewer, { kind: 'set-team-target', teamId: team.id }),
    levels: survey.levels.map((level) => ({ value: level.value, name: level.name })),
  };
}

export interface OrganisationTargetSurvey {
  readonly surveyId: string;
  readonly title: string;
  readonly levels: readonly { readonly value: number; readonly name: string }[];
  readonly rows: readonly TargetRow[];
}

/**
 * The organisation's targets per aspect of every survey teams use, for PMs and admins (who see the
 * organisation); `canSet` says whether the person may change them.
 */
export async function organisationTargets(ctx: ServiceContext, pv: PersonViewer): Promise<Refused | { readonly kind: 'targets'; readonly canSet: boolean; readonly surveys: readonly OrganisationTargetSurvey[] }> {
  if (!canSeeOrganisation(pv)) return { kind: 'refused' };
  const surveyIds = [...new Set((await ctx.store.listTeams()).map((team) => team.surveyId))].sort();
  const surveys = await Promise.all(
    surveyIds.flatMap((surveyId) => {
      const survey = ctx.surveys.get(surveyId)?.survey;
      return survey ? [targetRows(ctx, survey, null).then((rows) => ({ surveyId, title: survey.title, levels: survey.levels.map((level) => ({ value: level.value, name: level.name })), rows }))] : [];
    }),
  );
  return { kind: 'targets', canSet: isAllowed({ grants: pv.grants, memberOfTeamId: null }, { kind: 'set-org-target' }), surveys };
}

type NotFound = { readonly kind: 'not-found' };

/**
 * Sets or removes a target from a form: the level as typed or picked ("3", "Scalable", "none"). `teamId`
 * null is the organisation's target for `surveyId`.
 */
export async function changeTargetFromForm(
  ctx: ServiceContext,
  actor: UserRef,
  pv: PersonViewer,
  scope: { readonly teamId: number } | { readonly surveyId: string },
  input: { readonly aspectId: string; readonly level: string; readonly reason: string | null },
): Promise<TargetChangeResult | NotFound> {
  let team: Team | null = null;
  if ('teamId' in scope) {
    team = await ctx.store.findTeamById(scope.teamId);
    if (!team) return { kind: 'not-found' };
  }
  const surveyId = team ? team.surveyId : 'surveyId' in scope ? scope.surveyId : '';
  const survey = ctx.surveys.get(surveyId)?.survey;
  if (!survey) return { kind: 'not-found' };
  const viewer = team ? viewerForTeam(pv, team.id) : { grants: pv.grants, memberOfTeamId: null };
  // Who may is checked before the input, so someone not allowed learns nothing from a bad value.
  const permission = team ? ({ kind: 'set-team-target', teamId: team.id } as const) : ({ kind: 'set-org-target' } as const);
  if (!isAllowed(viewer, permission)) return { kind: 'not-allowed', who: whoMay(permission) };
  const parsed = parseTargetLevel(survey, input.level);
  if (parsed.kind === 'invalid') return { kind: 'invalid', problem: parsed.message };
  return await changeTarget(ctx, actor, viewer, {
    scope: team ? { kind: 'team', team } : { kind: 'organisation', surveyId: survey.id },
    aspectId: input.aspectId,
    level: parsed.kind === 'clear' ? null : parsed.level,
    reason: input.reason,
  });
}

/** The default target date as a date field shows it: the date six weeks from now, in the team's time zone. */
export function defaultDueDate(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(defaultDueAt(now), { zone: timeZone }).toISODate() ?? '';
}

/**
 * A date field's value as a target date: the end of that day in the team's time zone. Left empty or at
 * the default date shown, it is the default (six weeks from now to the minute, as in chat).
 */
function dueAtOf(dueOn: string, timeZone: string, now: Date): { readonly dueAt: Date | null } | { readonly problem: string } {
  const text = dueOn.trim();
  if (text === '' || text === defaultDueDate(now, timeZone)) return { dueAt: null };
  if (!isCalendarDate(text)) return { problem: `"${text}" is not a date: pick one in the date field (YYYY-MM-DD).` };
  return { dueAt: DateTime.fromISO(text, { zone: timeZone }).endOf('day').toJSDate() };
}

/** A person of a team's channel as its platform lists them: their platform id and the name they go by. */
export interface ChannelPerson {
  readonly userId: string;
  readonly name: string;
}

/**
 * The people of a channel as its platform listed them just now. `incomplete` says why someone may be
 * missing: the channel holds more people than a list offers ('too-many'), or the platform would not give
 * every name just now ('try-later').
 */
export interface ChannelPeople {
  readonly people: readonly ChannelPerson[];
  readonly incomplete: 'too-many' | 'try-later' | null;
}

/** Asks a channel's platform who is in it now; null when the platform could not say. */
export type ChannelPeopleLookup = (channel: ChannelRef) => Promise<ChannelPeople | null>;

/** Who a team's step can be offered to as owner: the channel's people by name, or no list to offer. */
export type OwnerChoices = { readonly kind: 'people'; readonly people: readonly ChannelPerson[]; readonly incomplete: ChannelPeople['incomplete'] } | { readonly kind: 'unavailable' };

/** The channel's people, or null when the platform could not say (a failed lookup is logged, never a failed page). */
async function channelPeopleOf(ctx: ServiceContext, team: Team, lookUp: ChannelPeopleLookup | null): Promise<ChannelPeople | null> {
  if (!lookUp) return null;
  try {
    return await lookUp(team.channel);
  } catch (error) {
    ctx.log.warn({ err: error, platform: team.channel.platform }, "could not list the people of a team's channel");
    return null;
  }
}

/**
 * The people a team's step can be offered to as owner (its channel's, by name), for those who may manage
 * the team's steps; null for anyone else, whose page offers no step forms (and costs no platform call).
 */
export async function ownerChoices(ctx: ServiceContext, pv: PersonViewer, teamId: number, lookUp: ChannelPeopleLookup | null): Promise<OwnerChoices | null> {
  const team = await ctx.store.findTeamById(teamId);
  if (!team || !isAllowed(viewerForTeam(pv, team.id), { kind: 'manage-steps', teamId: team.id })) return null;
  const listed = await channelPeopleOf(ctx, team, lookUp);
  if (!listed) return { kind: 'unavailable' };
  return { kind: 'people', people: [...listed.people].sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId)), incomplete: listed.incomplete };
}

const OWNERS_NOT_LISTED = "The people of the team's channel could not be listed just now, so nobody was asked to own the step. Leave the owner empty (and name one in chat), or try again in a minute.";
const OWNER_NOT_IN_CHANNEL = "The person picked as owner is not among the people of the team's channel (they may have left it). Pick someone from the list, or leave the owner empty.";

/**
 * The owner picked on a form, checked against the people of the team's channel as its platform lists them
 * now: a form can name any id, but only someone the page could have offered is asked.
 */
async function pickedOwner(ctx: ServiceContext, team: Team, ownerUserId: string, lookUp: ChannelPeopleLookup | null): Promise<{ readonly owner: UserRef; readonly name: string } | { readonly problem: string }> {
  const listed = await channelPeopleOf(ctx, team, lookUp);
  if (!listed) return { problem: OWNERS_NOT_LISTED };
  const person = listed.people.find((candidate) => candidate.userId === ownerUserId);
  if (!person) return { problem: OWNER_NOT_IN_CHANNEL };
  // Keyed as chat keys the people of the team's channel: its Enterprise Grid organisation or its workspace (tenant).
  return { owner: { platform: team.channel.platform, workspaceId: memberScope(team), userId: person.userId }, name: person.name };
}

/**
 * Adopts a suggestion (by id) or the team's own step (by text) from the team page, with an owner picked
 * from the channel's people (`ownerUserId`, checked through `lookUp`), who is asked privately.
 */
export async function adoptStepFromForm(
  ctx: ServiceContext,
  actor: UserRef,
  pv: PersonViewer,
  teamId: number,
  input: { readonly aspectId: string; readonly suggestionId: string | null; readonly text: string | null; readonly dueOn: string; readonly ownerUserId?: string | null; readonly byName?: string | null },
  lookUp: ChannelPeopleLookup | null = null,
): Promise<AdoptStepResult | NotFound> {
  const team = await ctx.store.findTeamById(teamId);
  if (!team) return { kind: 'not-found' };
  const viewer = viewerForTeam(pv, team.id);
  if (!isAllowed(viewer, { kind: 'manage-steps', teamId: team.id })) return { kind: 'not-allowed', who: whoMay({ kind: 'manage-steps', teamId: team.id }) };
  const due = dueAtOf(input.dueOn, team.cadence.timeZone, ctx.clock.now());
  if ('problem' in due) return { kind: 'invalid', problem: due.problem };
  const picked = input.ownerUserId ? await pickedOwner(ctx, team, input.ownerUserId, lookUp) : null;
  if (picked && 'problem' in picked) return { kind: 'invalid', problem: picked.problem };
  return await adoptStep(ctx, actor, viewer, team, {
    aspectId: input.aspectId,
    suggestionId: input.suggestionId,
    text: input.text,
    dueAt: due.dueAt,
    ...(picked ? { owner: picked.owner, ownerName: picked.name, byName: input.byName ?? null } : {}),
  });
}

/** Names (or changes) the owner of an open step of the team from the team page; the person is asked privately. */
export async function setStepOwnerFromForm(
  ctx: ServiceContext,
  actor: UserRef,
  pv: PersonViewer,
  teamId: number,
  stepId: number,
  input: { readonly ownerUserId: string; readonly byName?: string | null },
  lookUp: ChannelPeopleLookup | null,
): Promise<{ readonly kind: 'owner-asked'; readonly step: NextStep } | StepRefusal | NotFound> {
  const step = await ctx.store.findStep(stepId);
  const team = step && step.teamId === teamId ? await ctx.store.findTeamById(teamId) : null;
  if (!step || !team) return { kind: 'not-found' };
  const viewer = viewerForTeam(pv, team.id);
  if (!isAllowed(viewer, { kind: 'manage-steps', teamId: team.id })) return { kind: 'not-allowed', who: whoMay({ kind: 'manage-steps', teamId: team.id }) };
  if (step.status !== 'open') return { kind: 'invalid', problem: `That step is already ${step.status}.` };
  if (input.ownerUserId === '') return { kind: 'invalid', problem: 'Pick the person to ask to own the step.' };
  const picked = await pickedOwner(ctx, team, input.ownerUserId, lookUp);
  if ('problem' in picked) return { kind: 'invalid', problem: picked.problem };
  return await setStepOwner(ctx, actor, viewer, step.id, picked.owner, { ownerName: picked.name, byName: input.byName ?? null });
}

/** Done, still on it or dropped, from the team page: only for a step of that team. */
export async function closeStepFromForm(ctx: ServiceContext, actor: UserRef, pv: PersonViewer, teamId: number, stepId: number, answer: CheckInAnswer): Promise<CheckInResult | NotFound> {
  const step = await ctx.store.findStep(stepId);
  if (!step || step.teamId !== teamId) return { kind: 'not-found' };
  return await answerCheckIn(ctx, actor, viewerForTeam(pv, teamId), stepId, answer);
}
