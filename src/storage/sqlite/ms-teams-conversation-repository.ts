import { and, eq } from 'drizzle-orm';
import { StoredReferenceSchema, type TeamsConversation } from '../records.js';
import type { Db } from './database.js';
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
export function rememberConversation(db: Db, conversation: Omit<TeamsConversation, 'installed'> & { installed?: boolean; at: Date }): void {
  const values = {
    conversationType: conversation.conversationType,
    msTeamId: conversation.msTeamId,
    userKey: conversation.userKey,
    serviceUrl: conversation.reference.serviceUrl,
    reference: conversation.reference,
    installed: conversation.installed ?? true,
    updatedAt: conversation.at,
  };
  db.insert(teamsConversations)
    .values({ tenantId: conversation.tenantId, conversationId: conversation.conversationId, ...values })
    .onConflictDoUpdate({ target: [teamsConversations.tenantId, teamsConversations.conversationId], set: values })
    .run();
}

export function findConversation(db: Db, tenantId: string, conversationId: string): TeamsConversation | null {
  const row = db.select().from(teamsConversations).where(and(eq(teamsConversations.tenantId, tenantId), eq(teamsConversations.conversationId, conversationId))).get();
  return row ? toConversation(row) : null;
}

/** The person's 1:1 chat with the bot, when the app is installed for them. */
export function findPersonalConversation(db: Db, tenantId: string, userKey: string): TeamsConversation | null {
  const row = db
    .select()
    .from(teamsConversations)
    .where(and(eq(teamsConversations.tenantId, tenantId), eq(teamsConversations.userKey, userKey), eq(teamsConversations.installed, true)))
    .get();
  return row ? toConversation(row) : null;
}

/** Marks every conversation of a Microsoft Teams team (or one conversation) as no longer reachable. */
export function markUninstalled(db: Db, where: { tenantId: string; msTeamId?: string; conversationId?: string }, at: Date): string[] {
  const condition = where.msTeamId
    ? and(eq(teamsConversations.tenantId, where.tenantId), eq(teamsConversations.msTeamId, where.msTeamId))
    : and(eq(teamsConversations.tenantId, where.tenantId), eq(teamsConversations.conversationId, where.conversationId ?? ''));
  return db
    .update(teamsConversations)
    .set({ installed: false, updatedAt: at })
    .where(condition)
    .returning({ conversationId: teamsConversations.conversationId })
    .all()
    .map((row) => row.conversationId);
}

/** Every service URL a Teams conversation was reached through: whether real Teams traffic ever reached this database. */
export function conversationServiceUrls(db: Db): string[] {
  return db.selectDistinct({ url: teamsConversations.serviceUrl }).from(teamsConversations).all().map((row) => row.url);
}
