import { INDEFINITE_PAUSE } from '../core/team.js';
import { type AuditActor, type TeamsConversation } from '../storage/records.js';
import type { ServiceContext } from './context.js';

export { StoredReferenceSchema, type StoredReference, type TeamsConversation } from '../storage/records.js';

/** Where the bot can reach Teams conversations later: kept across restarts, never tied to a raw user id. */
export async function rememberTeamsConversation(ctx: ServiceContext, conversation: Omit<TeamsConversation, 'installed'>): Promise<void> {
  await ctx.store.rememberConversation({ ...conversation, at: ctx.clock.now() });
}

export async function teamsConversation(ctx: Pick<ServiceContext, 'store'>, tenantId: string, conversationId: string): Promise<TeamsConversation | null> {
  return await ctx.store.findConversation(tenantId, conversationId);
}

/** A person's 1:1 chat with the bot, found by their contact key. */
export async function personalTeamsChat(ctx: Pick<ServiceContext, 'store'>, tenantId: string, userKey: string): Promise<TeamsConversation | null> {
  return await ctx.store.findPersonalConversation(tenantId, userKey);
}

/**
 * The app was removed from a team or conversation: it cannot post there, so every team there is paused
 * (until someone installs the app again and resumes it) and the removal is audited, in one transaction.
 */
export async function teamsAppRemoved(ctx: ServiceContext, where: { tenantId: string; msTeamId?: string; conversationId?: string }, actor: AuditActor, details: Record<string, unknown>): Promise<number[]> {
  const now = ctx.clock.now();
  const paused = await ctx.store.transaction(async (tx) => {
    const conversations = await tx.markUninstalled(where, now);
    const teamIds: number[] = [];
    for (const conversationId of conversations) {
      const team = await tx.findTeamByChannel({ platform: 'teams', workspaceId: where.tenantId, channelId: conversationId });
      if (!team) continue;
      await tx.setTeamPause(team.id, INDEFINITE_PAUSE);
      teamIds.push(team.id);
    }
    await tx.recordAudit({ at: now, actor, action: 'teams.uninstall', teamName: null, details });
    return teamIds;
  });
  for (const teamId of paused) ctx.log.warn({ teamId }, 'the app was removed from this team: it is paused until someone installs the app again and resumes it');
  return paused;
}

/** Where the app can still reach each Teams channel that holds a team in this tenant (for asking who is in it). */
export async function teamChannelConversations(ctx: Pick<ServiceContext, 'store'>, tenantId: string): Promise<TeamsConversation[]> {
  const channelIds = new Set((await ctx.store.listTeams()).filter((team) => team.channel.platform === 'teams' && team.channel.workspaceId === tenantId).map((team) => team.channel.channelId));
  const conversations: TeamsConversation[] = [];
  for (const channelId of channelIds) {
    const conversation = await ctx.store.findConversation(tenantId, channelId);
    if (conversation?.installed) conversations.push(conversation);
  }
  return conversations;
}
