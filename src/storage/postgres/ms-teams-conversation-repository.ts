import { and, asc, eq, sql } from 'drizzle-orm';
import { StoredReferenceSchema, type TeamsConversation } from '../records.js';
import type { PgConn } from './postgres-store.js';
import { teamsConversations } from './schema.js';

type Row = typeof teamsConversations.$inferSelect;

function toConversation(row: Row): TeamsConversation {
  return {
    tenantId: row.tenantId,
    conversationId: row.conversationId,
    conversationType: row.conversationType,
    msTeamId: row.msTeamId,
    userKey: row.userKey,
    reference: StoredReferenceSchema.parse(row.reference),
    installed: row.installed,
  };
}

/** Records (or refreshes) where a conversation can be reached; the service URL may change over time. */
export async function rememberConversation(db: PgConn, conversation: Omit<TeamsConversation, 'installed'> & { installed?: boolean; at: Date }): Promise<void> {
  const values = {
    conversationType: conversation.conversationType,
    msTeamId: conversation.msTeamId,
    userKey: conversation.userKey,
    serviceUrl: conversation.reference.serviceUrl,
    reference: conversation.reference,
    installed: conversation.installed ?? true,
    updatedAt: conversation.at,
  };
  await db
    .insert(teamsConversations)
    .values({ tenantId: conversation.tenantId, conversationId: conversation.conversationId, ...values })
    .onConflictDoUpdate({ target: [teamsConversations.tenantId, teamsConversations.conversationId], set: values });
}

export async function findConversation(db: PgConn, tenantId: string, conversationId: string): Promise<TeamsConversation | null> {
  const [row] = await db
    .select()
    .from(teamsConversations)
    .where(and(eq(teamsConversations.tenantId, tenantId), eq(teamsConversations.conversationId, conversationId)));
  return row ? toConversation(row) : null;
}

/** The person's 1:1 chat with the bot, when the app is installed for them (the oldest row, as on SQLite). */
export async function findPersonalConversation(db: PgConn, tenantId: string, userKey: string): Promise<TeamsConversation | null> {
  const [row] = await db
    .select()
    .from(teamsConversations)
    .where(and(eq(teamsConversations.tenantId, tenantId), eq(teamsConversations.userKey, userKey), eq(teamsConversations.installed, true)))
    .orderBy(asc(teamsConversations.id))
    .limit(1);
  return row ? toConversation(row) : null;
}

/** Marks every conversation of a Microsoft Teams team (or one conversation) as no longer reachable; their ids in row order. */
export async function markUninstalled(db: PgConn, where: { tenantId: string; msTeamId?: string; conversationId?: string }, at: Date): Promise<string[]> {
  const condition = where.msTeamId
    ? and(eq(teamsConversations.tenantId, where.tenantId), eq(teamsConversations.msTeamId, where.msTeamId))
    : and(eq(teamsConversations.tenantId, where.tenantId), eq(teamsConversations.conversationId, where.conversationId ?? ''));
  const rows = await db
    .update(teamsConversations)
    .set({ installed: false, updatedAt: at })
    .where(condition)
    .returning({ id: teamsConversations.id, conversationId: teamsConversations.conversationId });
  // UPDATE … RETURNING has no order; SQLite's follows the rows'.
  return rows.sort((a, b) => a.id - b.id).map((row) => row.conversationId);
}

/** Every service URL a Teams conversation was reached through, each once, in the order first seen. */
export async function conversationServiceUrls(db: PgConn): Promise<string[]> {
  const rows = await db
    .select({ url: teamsConversations.serviceUrl })
    .from(teamsConversations)
    .groupBy(teamsConversations.serviceUrl)
    .orderBy(sql`min(${teamsConversations.id})`);
  return rows.map((row) => row.url);
}
