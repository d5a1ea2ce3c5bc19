import { buildAspectAcross, type AspectAcross } from '../core/aspect-across.js';
import type { Digest } from '../core/digest.js';
import { buildOrgTable, participationOf, type OrgTable, type Participation } from '../core/org-table.js';
import type { Platform, UserRef } from '../core/platform.js';
import type { TeamReport } from '../core/report.js';
import { respondentKey } from '../core/respondent-key.js';
import { isAllowed, type RoleGrant, type Viewer } from '../core/roles.js';
import type { Agreement, ClosedRoundTally } from '../core/scoring.js';
import type { Team } from '../core/team.js';
import { historyRound, reportAgreement, weeklySeries, type AspectSeries, type HistoryRound } from '../core/team-dashboard.js';
import type { OwnAnswer } from '../storage/records.js';
import type { ServiceContext } from './context.js';
import { rolesOf } from './role-grants.js';
import { orgDigest, teamReport } from './report-service.js';

/** Weekly points per aspect on a team's chart: half a year. */
export const DASHBOARD_SERIES_WEEKS = 26;
/** Closed rounds listed in a team's history, newest first. */
export const DASHBOARD_HISTORY_ROUNDS = 26;
/** Own answers listed on the "my data" page. */
export const MY_DATA_LIMIT = 1000;

/** A signed-in person as far as permissions go: roles they hold and the team channels they are in now. */
export interface PersonViewer {
  readonly person: UserRef;
  readonly grants: readonly RoleGrant[];
  /** Teams whose channel the person is in now (asked of the platform by the caller); membership grants only these. */
  readonly memberTeamIds: ReadonlySet<number>;
}

/** The person's roles (stored grants, plus admin when configured), as chat-commands' `viewerFor` reads them. */
export async function personViewer(ctx: ServiceContext, person: UserRef, configuredAdmins: readonly string[], memberTeamIds: ReadonlySet<number>): Promise<PersonViewer> {
  return { person, grants: await rolesOf(ctx, person, configuredAdmins), memberTeamIds };
}

/** The viewer for one team's page: a member only of a team whose channel the person is in now. */
export function viewerForTeam(pv: PersonViewer, teamId: number): Viewer {
  return { grants: pv.grants, memberOfTeamId: pv.memberTeamIds.has(teamId) ? teamId : null };
}

/** Whether the person may see organisation-wide pages (PMs and admins, like the digest). */
export function canSeeOrganisation(pv: PersonViewer): boolean {
  return isAllowed({ grants: pv.grants, memberOfTeamId: null }, { kind: 'view-digest' });
}

/** Teams whose report the person may see, by name. */
export async function visibleTeams(ctx: ServiceContext, pv: PersonViewer): Promise<Team[]> {
  return (await ctx.store.listTeams()).filter((team) => isAllowed(viewerForTeam(pv, team.id), { kind: 'view-report', teamId: team.id })).sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}

export type Refused = { readonly kind: 'refused' };
const REFUSED: Refused = { kind: 'refused' };

export interface OrgOverviewSurvey {
  readonly surveyId: string;
  readonly title: string;
  readonly aspects: readonly { readonly id: string; readonly name: string }[];
  readonly table: OrgTable;
}

export type OrgOverviewResult = Refused | { readonly kind: 'overview'; readonly surveys: readonly OrgOverviewSurvey[]; readonly generatedAt: Date };

/** Teams of loaded surveys (optionally one survey) with their closed rounds, in one query for all of them. */
async function teamsWithRounds(ctx: ServiceContext, surveyId: string | undefined): Promise<{ teams: Team[]; rounds: Map<number, ClosedRoundTally[]> }> {
  const teams = (await ctx.store.listTeams()).filter((team) => ctx.surveys.has(team.surveyId) && (surveyId === undefined || team.surveyId === surveyId));
  const rounds = await ctx.store.closedTalliesByTeam(new Map(teams.map((team) => [team.id, team.surveyId])));
  return { teams, rounds };
}

/**
 * The organisation table per survey (4-level and 5-stage surveys are never mixed), for PMs and admins.
 * With `surveyId`, that survey only (an unknown one gives no tables); surveys without teams are left out.
 */
export async function orgOverview(ctx: ServiceContext, pv: PersonViewer, options: { surveyId?: string; at?: Date } = {}): Promise<OrgOverviewResult> {
  if (!canSeeOrganisation(pv)) return REFUSED;
  const now = options.at ?? ctx.clock.now();
  const { teams, rounds } = await teamsWithRounds(ctx, options.surveyId);
  const surveyIds = [...new Set(teams.map((team) => team.surveyId))];
  if (options.surveyId !== undefined && ctx.surveys.has(options.surveyId) && !surveyIds.includes(options.surveyId)) surveyIds.push(options.surveyId);
  const surveys = surveyIds.sort().flatMap((surveyId): OrgOverviewSurvey[] => {
    const survey = ctx.surveys.get(surveyId)?.survey;
    if (!survey) return [];
    const own = teams.filter((team) => team.surveyId === surveyId).map((team) => ({ id: team.id, name: team.name, rounds: rounds.get(team.id) ?? [], memberCount: team.memberCount ?? null }));
    const table = buildOrgTable({ survey, teams: own, policy: ctx.policy, now });
    return [{ surveyId, title: survey.title, aspects: table.aspects, table }];
  });
  return { kind: 'overview', surveys, generatedAt: now };
}

export type { AspectSeries, HistoryRound };

export interface TeamDashboard {
  readonly kind: 'team';
  /** The team's own time zone (its schedule's), for the times the page shows. */
  readonly timeZone: string;
  readonly report: TeamReport;
  readonly series: readonly AspectSeries[];
  /** Only for aspects whose every round in the window is large enough to show more than count and mean. */
  readonly agreement: readonly { readonly aspectId: string; readonly agreement: Agreement }[];
  readonly participation: Participation;
  readonly openRound: { readonly aspectName: string; readonly closesAt: Date; readonly respondents: number } | null;
  readonly history: readonly HistoryRound[];
}

export type TeamDashboardResult = Refused | { readonly kind: 'not-found' } | TeamDashboard;

/**
 * A team's page: its report (comments only for its leads), a weekly series per aspect, agreement where the
 * breakdown may be shown, participation, the open round and the latest closed rounds. A team whose survey
 * is no longer loaded has no report to show and is treated as not found.
 */
export async function teamDashboard(ctx: ServiceContext, pv: PersonViewer, teamId: number, options: { at?: Date } = {}): Promise<TeamDashboardResult> {
  const team = await ctx.store.findTeamById(teamId);
  if (!team) return { kind: 'not-found' };
  const viewer = viewerForTeam(pv, team.id);
  if (!isAllowed(viewer, { kind: 'view-report', teamId: team.id })) return REFUSED;
  const survey = ctx.surveys.get(team.surveyId)?.survey;
  if (!survey) return { kind: 'not-found' };
  const now = options.at ?? ctx.clock.now();
  const withComments = isAllowed(viewer, { kind: 'view-comments', teamId: team.id });
  // The history's prompts come from each round's stored snapshot, the question as it was asked (the survey
  // file may have been reworded since), read with the latest closed rounds in one query.
  const [result, allRounds, open, latest] = await Promise.all([
    teamReport(ctx, team, { withComments, at: now }),
    ctx.store.closedTallies(team.id, team.surveyId),
    ctx.store.findOpenRound(team.id),
    ctx.store.closedRoundHistory(team.id, team.surveyId, DASHBOARD_HISTORY_ROUNDS, { asOf: now }),
  ]);
  if (result.kind !== 'report') return { kind: 'not-found' };
  const report = result.report;
  // As of `now`, later closes are unknown, as in the report.
  const rounds = allRounds.filter((round) => round.closedAt.getTime() <= now.getTime());

  const series = weeklySeries(survey, rounds, now, ctx.policy, DASHBOARD_SERIES_WEEKS);
  const agreement = reportAgreement(report);
  const showOpen = open && open.openedAt.getTime() <= now.getTime() ? open : null;

  const respondents = showOpen ? await ctx.store.countAnswers(showOpen.id) : 0;
  const history = latest.map((round) => historyRound(round, ctx.policy));

  return {
    kind: 'team',
    timeZone: team.cadence.timeZone,
    report,
    series,
    agreement,
    participation: participationOf(rounds, team.memberCount, now),
    openRound: showOpen ? { aspectName: showOpen.question.aspectName, closesAt: showOpen.closesAt, respondents } : null,
    history,
  };
}

export type AspectAcrossResult = Refused | { readonly kind: 'unknown-aspect'; readonly surveyId: string; readonly aspectId: string } | { readonly kind: 'aspect'; readonly aspect: AspectAcross };

/** One aspect across every team of its survey, for PMs and admins; 'unknown-aspect' for an unknown survey or aspect. */
export async function aspectAcrossTeams(ctx: ServiceContext, pv: PersonViewer, surveyId: string, aspectId: string, options: { at?: Date } = {}): Promise<AspectAcrossResult> {
  if (!canSeeOrganisation(pv)) return REFUSED;
  const survey = ctx.surveys.get(surveyId)?.survey;
  if (!survey || !survey.aspects.some((aspect) => aspect.id === aspectId)) return { kind: 'unknown-aspect', surveyId, aspectId };
  const { teams, rounds } = await teamsWithRounds(ctx, surveyId);
  const aspect = buildAspectAcross({ survey, aspectId, teams: teams.map((team) => ({ id: team.id, name: team.name, rounds: rounds.get(team.id) ?? [] })), policy: ctx.policy, now: options.at ?? ctx.clock.now() });
  return aspect ? { kind: 'aspect', aspect } : { kind: 'unknown-aspect', surveyId, aspectId };
}

export interface DigestArchiveEntry {
  readonly deliveryId: number;
  readonly platform: Platform;
  /** The channel's platform id (a channel, never a person). */
  readonly channel: string;
  /** The instant the digest describes. */
  readonly at: Date;
  readonly sentAt: Date;
  /** The surveys it covered; null for every loaded survey. */
  readonly surveyIds: readonly string[] | null;
}

/** Every digest that was posted, newest first, for PMs and admins. */
export async function digestArchive(ctx: ServiceContext, pv: PersonViewer): Promise<Refused | { readonly kind: 'archive'; readonly entries: readonly DigestArchiveEntry[] }> {
  if (!canSeeOrganisation(pv)) return REFUSED;
  const entries = (await ctx.store.listDeliveries({ status: 'sent', kind: 'digest' })).flatMap((delivery): DigestArchiveEntry[] => {
    // Always a digest (the query asks for them); the check narrows the payload's type.
    if (delivery.payload.kind !== 'digest') return [];
    return [{ deliveryId: delivery.id, platform: delivery.target.platform, channel: delivery.target.channelId, at: new Date(delivery.payload.at), sentAt: delivery.sentAt ?? delivery.createdAt, surveyIds: delivery.payload.surveyIds ?? null }];
  });
  entries.sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime() || b.deliveryId - a.deliveryId);
  return { kind: 'archive', entries };
}

/**
 * A posted digest, rebuilt. A digest for a past instant depends only on tallies frozen before it, so this
 * is what was sent, except that teams deleted (and surveys unloaded) since are gone, and response rates use
 * the member counts known now.
 */
export async function digestArchiveEntry(ctx: ServiceContext, pv: PersonViewer, deliveryId: number): Promise<Refused | { readonly kind: 'not-found' } | { readonly kind: 'digest'; readonly entry: DigestArchiveEntry; readonly digest: Digest }> {
  if (!canSeeOrganisation(pv)) return REFUSED;
  const delivery = await ctx.store.findDeliveryById(deliveryId);
  if (!delivery || delivery.status !== 'sent' || delivery.payload.kind !== 'digest') return { kind: 'not-found' };
  const at = new Date(delivery.payload.at);
  const surveyIds = delivery.payload.surveyIds;
  const entry: DigestArchiveEntry = { deliveryId: delivery.id, platform: delivery.target.platform, channel: delivery.target.channelId, at, sentAt: delivery.sentAt ?? delivery.createdAt, surveyIds: surveyIds ?? null };
  return { kind: 'digest', entry, digest: await orgDigest(ctx, surveyIds ? { at, surveyIds } : { at }) };
}

export type MyAnswer = OwnAnswer & { readonly teamName: string };

/** The person's own answers and comments, newest first, with team names: shown to them and nobody else. */
export async function myData(ctx: ServiceContext, person: UserRef, options: { limit?: number } = {}): Promise<readonly MyAnswer[]> {
  const [teams, answers] = await Promise.all([ctx.store.listTeams(), ctx.store.answersOfRespondent(respondentKey(ctx.respondentSecret, person), options.limit ?? MY_DATA_LIMIT)]);
  const teamName = new Map(teams.map((team) => [team.id, team.name]));
  return answers.map((answer) => ({ ...answer, teamName: teamName.get(answer.teamId) ?? 'A deleted team' }));
}
