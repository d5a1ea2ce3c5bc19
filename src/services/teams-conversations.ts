import { INDEFINITE_PAUSE } from '../core/team.js';
import { recordAudit, type AuditActor } from '../storage/audit-repository.js';
import { inTransaction } from '../storage/database.js';
import { findTeamByChannel, setTeamPause } from '../storage/team-repository.js';
import { findConversation, findPersonalConversation, markUninstalled, rememberConversation, type TeamsConversation } from '../storage/teams-conversation-repository.js';
import type { ServiceContext } from './context.js';

export { StoredReferenceSchema, type StoredReference, type TeamsConversation } from '../storage/teams-conversation-repository.js';

/** Where the bot can reach Teams conversations later: kept across restarts, never tied to a raw user id. */
export function rememberTeamsConversation(ctx: ServiceContext, conversation: Omit<TeamsConversation, 'installed'>): void {
  rememberConversation(ctx.db, { ...conversation, at: ctx.clock.now() });
}

export function teamsConversation(ctx: Pick<ServiceContext, 'db'>, tenantId: string, conversationId: string): TeamsConversation | null {
  return findConversation(ctx.db, tenantId, conversationId);
}

/** A person's 1:1 chat with the bot, found by their contact key. */
export function personalTeamsChat(ctx: Pick<ServiceContext, 'db'>, tenantId: string, userKey: string): TeamsConversation | null {
  return findPersonalConversation(ctx.db, tenantId, userKey);
}

/**
 * The app was removed from a team or conversation: it cannot post there, so every team there is paused
 * (until someone installs the app again and resumes it) and the removal is audited, in one transaction.
 */
export function teamsAppRemoved(ctx: ServiceContext, where: { tenantId: string; msTeamId?: string; conversationId?: string }, actor: AuditActor, details: Record<string, unknown>): number[] {
  const now = ctx.clock.now();
  const paused = inTransaction(ctx.db, () => {
    const conversations = markUninstalled(ctx.db, where, now);
    const teamIds: number[] = [];
    for (const conversationId of conversations) {
      const team = findTeamByChannel(ctx.db, { platform: 'teams', workspaceId: where.tenantId, channelId: conversationId });
      if (!team) continue;
      setTeamPause(ctx.db, team.id, INDEFINITE_PAUSE);
      teamIds.push(team.id);
    }
    recordAudit(ctx.db, { at: now, actor, action: 'teams.uninstall', teamName: null, details });
    return teamIds;
  });
  for (const teamId of paused) ctx.log.warn({ teamId }, 'the app was removed from this team: it is paused until someone installs the app again and resumes it');
  return paused;
}
