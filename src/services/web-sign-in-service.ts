import { randomBytes } from 'node:crypto';
import type { UserRef } from '../core/platform.js';
import { sessionKey } from '../core/respondent-key.js';
import type { DemoPerson } from '../demo/demo-people.js';
import type { ServiceContext } from './context.js';

const SESSION_SECRET_META = 'web-session-secret';
const SESSION_GENERATION_META = 'web-session-generation:';

/**
 * The secret that seals dashboard sessions: SESSION_SECRET when configured, else one generated once and kept
 * in the database, so every replica opens every other's cookies and a restart signs nobody out. Whoever can
 * read the database could forge a session with it, but could read every figure directly anyway.
 */
export async function webSessionSecret(ctx: ServiceContext, configured: string | null): Promise<string> {
  if (configured) return configured;
  return await ctx.store.writeMetaOnce(SESSION_SECRET_META, randomBytes(48).toString('base64url'));
}

/**
 * Which generation of a person's dashboard sessions is current (0 until they first sign out). A session is
 * sealed with the generation of its sign-in and holds only while that is still current, so signing out
 * ends every session of the person, on every device, a copied cookie included. Kept under a keyed hash,
 * never the raw id.
 */
export async function sessionGeneration(ctx: ServiceContext, person: UserRef): Promise<number> {
  const value = await ctx.store.readMeta(SESSION_GENERATION_META + sessionKey(ctx.respondentSecret, person));
  const generation = value === null ? 0 : Number(value);
  return Number.isSafeInteger(generation) && generation >= 0 ? generation : 0;
}

/** Ends every dashboard session of the person: the next request of any of them is signed out. */
export async function endSessions(ctx: ServiceContext, person: UserRef): Promise<void> {
  const next = (await sessionGeneration(ctx, person)) + 1;
  await ctx.store.writeMeta(SESSION_GENERATION_META + sessionKey(ctx.respondentSecret, person), String(next));
}

/** Gives the demo people their roles (once; later calls change nothing). */
export async function grantDemoRoles(ctx: ServiceContext, people: readonly DemoPerson[]): Promise<void> {
  const teams = await ctx.store.listTeams();
  for (const demo of people) {
    for (const role of demo.roles) {
      const teamId = role.teamName === null ? null : (teams.find((team) => team.name === role.teamName)?.id ?? null);
      if (role.teamName !== null && teamId === null) continue;
      await ctx.store.grantRole(demo.person, { role: role.role, teamId }, 'demo', ctx.clock.now());
    }
  }
}

/** The teams whose channels (on the person's platform and workspace) are among `channelIds`. */
export async function teamsOfChannels(ctx: ServiceContext, person: UserRef, channelIds: ReadonlySet<string> | null): Promise<ReadonlySet<number>> {
  if (!channelIds || channelIds.size === 0) return new Set();
  const teams = await ctx.store.listTeams();
  return new Set(teams.filter((team) => team.channel.platform === person.platform && channelIds.has(team.channel.channelId)).map((team) => team.id));
}

/**
 * The workspace a Slack person who signed in is keyed on. Chat keys people of an Enterprise Grid on the
 * organisation (adapters/slack/inbound.ts), but Slack's ID token names only the workspace: a workspace whose
 * teams were set up inside a Grid organisation maps to that organisation, so roles granted in chat apply.
 */
export async function slackSignInWorkspace(ctx: ServiceContext, workspaceId: string): Promise<string> {
  const teams = await ctx.store.listTeams();
  return teams.find((team) => team.channel.platform === 'slack' && team.channel.workspaceId === workspaceId && team.organisationId)?.organisationId ?? workspaceId;
}

/**
 * Whether a Slack person signing in belongs to a workspace this bot serves: one holding a team's channel
 * (or its Enterprise Grid organisation), one where someone holds a role, or a configured admin. Sign in with
 * Slack lets anyone with any Slack account through; everyone else is refused before a session exists.
 */
export async function slackWorkspaceServed(ctx: ServiceContext, person: UserRef, configuredAdmins: readonly string[]): Promise<boolean> {
  if (configuredAdmins.includes(person.userId)) return true;
  const teams = await ctx.store.listTeams();
  if (teams.some((team) => team.channel.platform === 'slack' && (team.channel.workspaceId === person.workspaceId || team.organisationId === person.workspaceId))) return true;
  return (await ctx.store.listRoles({ platform: 'slack' })).some((role) => role.user.workspaceId === person.workspaceId);
}
