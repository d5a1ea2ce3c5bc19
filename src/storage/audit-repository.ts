import { desc } from 'drizzle-orm';
import type { Db } from './database.js';
import { auditLog } from './schema.js';

/** Who did something: a chat user, or the operator at the command line (platform `cli`). */
export interface AuditActor {
  readonly platform: string;
  readonly workspaceId: string;
  readonly userId: string;
}

export interface AuditEntry {
  readonly at: Date;
  readonly actor: AuditActor;
  readonly action: string;
  readonly teamName: string | null;
  readonly details: Record<string, unknown>;
}

/** Records who changed setup, roles, pauses or data; raw ids are kept here on purpose, for accountability. */
export function recordAudit(db: Db, entry: AuditEntry): void {
  db.insert(auditLog)
    .values({
      at: entry.at,
      actorPlatform: entry.actor.platform,
      actorWorkspaceId: entry.actor.workspaceId,
      actorUserId: entry.actor.userId,
      action: entry.action,
      teamName: entry.teamName,
      details: entry.details,
    })
    .run();
}

export function recentAudit(db: Db, limit = 50): { at: Date; action: string; teamName: string | null; actorUserId: string }[] {
  return db
    .select({ at: auditLog.at, action: auditLog.action, teamName: auditLog.teamName, actorUserId: auditLog.actorUserId })
    .from(auditLog)
    .orderBy(desc(auditLog.id))
    .limit(limit)
    .all();
}
