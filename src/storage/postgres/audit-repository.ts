import { desc, eq } from 'drizzle-orm';
import type { AuditEntry, AuditRecord } from '../records.js';
import type { PgConn } from './postgres-store.js';
import { auditLog } from './schema.js';

/** Records who changed setup, roles, pauses or data (raw ids kept here on purpose, for accountability); returns the record's id. */
export async function recordAudit(db: PgConn, entry: AuditEntry): Promise<number> {
  const [row] = await db
    .insert(auditLog)
    .values({
      at: entry.at,
      actorPlatform: entry.actor.platform,
      actorWorkspaceId: entry.actor.workspaceId,
      actorUserId: entry.actor.userId,
      action: entry.action,
      teamName: entry.teamName,
      details: entry.details,
    })
    .returning({ id: auditLog.id });
  if (!row) throw new Error('the audit record was not written');
  return row.id;
}

/**
 * One audit record, for a message announcing it (a role change names its subject there). Its details
 * come back from `jsonb`: the same values, but object keys in jsonb's order, not the order written.
 */
export async function findAudit(db: PgConn, id: number): Promise<AuditRecord | null> {
  const [row] = await db.select().from(auditLog).where(eq(auditLog.id, id));
  return row ? { at: row.at, action: row.action, teamName: row.teamName, actorUserId: row.actorUserId, details: row.details } : null;
}

export async function recentAudit(db: PgConn, limit = 50): Promise<Omit<AuditRecord, 'details'>[]> {
  return db
    .select({ at: auditLog.at, action: auditLog.action, teamName: auditLog.teamName, actorUserId: auditLog.actorUserId })
    .from(auditLog)
    .orderBy(desc(auditLog.id))
    .limit(limit);
}
