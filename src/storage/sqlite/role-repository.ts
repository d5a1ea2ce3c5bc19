import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Platform, UserRef } from '../../core/platform.js';
import { ROLE_NAMES, type RoleAssignment, type RoleGrant, type RoleName } from '../../core/roles.js';
import type { Db } from './database.js';
import { roles } from './schema.js';

export type { RoleAssignment };

function toRoleName(value: string): RoleName {
  const found = ROLE_NAMES.find((name) => name === value);
  if (!found) throw new Error(`unknown role in the database: ${value}`);
  return found;
}

export function grantsFor(db: Db, user: UserRef): RoleGrant[] {
  return db
    .select({ role: roles.role, teamId: roles.teamId })
    .from(roles)
    .where(and(eq(roles.platform, user.platform), eq(roles.workspaceId, user.workspaceId), eq(roles.userId, user.userId)))
    .all()
    .map((row) => ({ role: toRoleName(row.role), teamId: row.teamId }));
}

/** Grants a role; returns false when the person already held it. */
export function grantRole(db: Db, user: UserRef, grant: RoleGrant, grantedBy: string, at: Date): boolean {
  const result = db
    .insert(roles)
    .values({ platform: user.platform, workspaceId: user.workspaceId, userId: user.userId, role: grant.role, teamId: grant.role === 'lead' ? grant.teamId : null, grantedBy, grantedAt: at })
    .onConflictDoNothing()
    .run();
  return result.changes > 0;
}

export function revokeRole(db: Db, user: UserRef, grant: RoleGrant): boolean {
  const scope = grant.role === 'lead' && grant.teamId !== null ? eq(roles.teamId, grant.teamId) : isNull(roles.teamId);
  return (
    db
      .delete(roles)
      .where(and(eq(roles.platform, user.platform), eq(roles.workspaceId, user.workspaceId), eq(roles.userId, user.userId), eq(roles.role, grant.role), scope))
      .run().changes > 0
  );
}

export function listRoles(db: Db, filter: { platform?: Platform; teamId?: number } = {}): RoleAssignment[] {
  const conditions = [filter.platform ? eq(roles.platform, filter.platform) : undefined, filter.teamId !== undefined ? eq(roles.teamId, filter.teamId) : undefined];
  return db
    .select()
    .from(roles)
    .where(and(...conditions))
    .orderBy(asc(roles.role), asc(roles.userId))
    .all()
    .map((row) => ({
      user: { platform: row.platform as Platform, workspaceId: row.workspaceId, userId: row.userId },
      role: toRoleName(row.role),
      teamId: row.teamId,
      grantedAt: row.grantedAt,
    }));
}
