import type { UserRef } from '../core/platform.js';
import type { TeamReport } from '../core/report.js';
import { respondentKey } from '../core/respondent-key.js';
import { isAllowed, type Viewer } from '../core/roles.js';
import type { Team } from '../core/team.js';
import { type OwnAnswer } from '../storage/records.js';
import type { ServiceContext } from './context.js';
import { viewerFor } from './chat-commands.js';
import { teamReport } from './report-service.js';

export const HOME_REPORTS = 5;

export interface PersonalHome {
  /** The person's own answers and comments (comments only while their round is open), newest first. */
  readonly answers: readonly (OwnAnswer & { readonly teamName: string })[];
  /** Reports of the teams they may see now, their own channels first. */
  readonly reports: readonly TeamReport[];
  /** The teams among `reports` whose next steps they may adopt (their leads, admins): those get "We'll do this". */
  readonly manageableTeamIds: readonly number[];
  /** False when the platform could not say which channels the person is in now; only role-based reports are shown then. */
  readonly membershipKnown: boolean;
}

/**
 * What a person's home page shows. A team's report goes to whoever is in its channel now (asked of the
 * platform by the caller), its leads, PMs and admins: someone who answered once and left the channel no
 * longer sees it. `inChannelNow` is null when the platform could not be asked; membership then grants nothing.
 */
export async function personalHome(ctx: ServiceContext, person: UserRef, configuredAdmins: readonly string[], inChannelNow: ((team: Team) => boolean) | null): Promise<PersonalHome> {
  const teams = await ctx.store.listTeams();
  const teamName = new Map(teams.map((team) => [team.id, team.name]));
  const answers = (await ctx.store.answersOfRespondent(respondentKey(ctx.respondentSecret, person), 30)).map((answer) => ({ ...answer, teamName: teamName.get(answer.teamId) ?? 'A deleted team' }));
  const roles = await viewerFor(ctx, { actor: person, channel: { platform: person.platform, workspaceId: person.workspaceId, channelId: 'home' }, configuredAdmins }, null);
  const member = (team: Team) => team.channel.platform === person.platform && inChannelNow !== null && inChannelNow(team);
  const viewerOf = (team: Team): Viewer => ({ grants: roles.grants, memberOfTeamId: member(team) ? team.id : null });
  const rank = (team: Team) => (member(team) ? 0 : isAllowed(roles, { kind: 'run-round', teamId: team.id }) ? 1 : 2);
  const visible = teams.filter((team) => isAllowed(viewerOf(team), { kind: 'view-report', teamId: team.id })).sort((a, b) => rank(a) - rank(b));
  const reports: TeamReport[] = [];
  const manageableTeamIds: number[] = [];
  for (const team of visible.slice(0, HOME_REPORTS)) {
    const result = await teamReport(ctx, team, { withComments: isAllowed(viewerOf(team), { kind: 'view-comments', teamId: team.id }) });
    if (result.kind !== 'report') continue;
    reports.push(result.report);
    if (isAllowed(viewerOf(team), { kind: 'manage-steps', teamId: team.id })) manageableTeamIds.push(team.id);
  }
  return { answers, reports, manageableTeamIds, membershipKnown: inChannelNow !== null };
}
