import { desc, eq } from 'drizzle-orm';
import type { AuditEntry, AuditRecord } from '../records.js';
import type { Db } from './database.js';
import { auditLog } from './schema.js';

/** Records who changed setup, roles, pauses or data; raw ids are kept here on purpose, for accountability. */
/** Records what happened; returns the record's id. */
export function recordAudit(db: Db, entry: AuditEntry): number {
  const row = db
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
    .returning({ id: auditLog.id })
    .get();
  if (!row) throw new Error('the audit record was not written');
  return row.id;
}

/** One audit record, for a message announcing it (a role change names its subject there). */
export function findAudit(db: Db, id: number): AuditRecord | null {
  const row = db.select().from(auditLog).where(eq(auditLog.id, id)).get();
  return row ? { at: row.at, action: row.action, teamName: row.teamName, actorUserId: row.actorUserId, details: row.details } : null;
}

export function recentAudit(db: Db, limit = 50): Omit<AuditRecord, 'details'>[] {
  return db
    .select({ at: auditLog.at, action: auditLog.action, teamName: auditLog.teamName, actorUserId: auditLog.actorUserId })
    .from(auditLog)
    .orderBy(desc(auditLog.id))
    .limit(limit)
    .all();
}
