import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { isPlatform, type Platform, type UserRef } from '../../core/platform.js';
import { ROLE_NAMES, type RoleAssignment, type RoleGrant, type RoleName } from '../../core/roles.js';
import type { PgConn } from './postgres-store.js';
import { roles } from './schema.js';

function toRoleName(value: string): RoleName {
  const found = ROLE_NAMES.find((name) => name === value);
  if (!found) throw new Error(`unknown role in the database: ${value}`);
  return found;
}

function toPlatform(value: string): Platform {
  if (!isPlatform(value)) throw new Error(`unknown platform in the database: ${value}`);
  return value;
}

/** A person's roles, in the order they were granted (SQLite reads them in row order). */
export async function grantsFor(db: PgConn, user: UserRef): Promise<RoleGrant[]> {
  const rows = await db
    .select({ role: roles.role, teamId: roles.teamId })
    .from(roles)
    .where(and(eq(roles.platform, user.platform), eq(roles.workspaceId, user.workspaceId), eq(roles.userId, user.userId)))
    .orderBy(asc(roles.id));
  return rows.map((row) => ({ role: toRoleName(row.role), teamId: row.teamId }));
}

/** Grants a role; returns false when the person already held it. */
export async function grantRole(db: PgConn, user: UserRef, grant: RoleGrant, grantedBy: string, at: Date): Promise<boolean> {
  const result = await db
    .insert(roles)
    .values({ platform: user.platform, workspaceId: user.workspaceId, userId: user.userId, role: grant.role, teamId: grant.role === 'lead' ? grant.teamId : null, grantedBy, grantedAt: at })
    .onConflictDoNothing();
  return (result.rowCount ?? 0) > 0;
}

export async function revokeRole(db: PgConn, user: UserRef, grant: RoleGrant): Promise<boolean> {
  const scope = grant.role === 'lead' && grant.teamId !== null ? eq(roles.teamId, grant.teamId) : isNull(roles.teamId);
  const result = await db
    .delete(roles)
    .where(and(eq(roles.platform, user.platform), eq(roles.workspaceId, user.workspaceId), eq(roles.userId, user.userId), eq(roles.role, grant.role), scope));
  return (result.rowCount ?? 0) > 0;
}

export async function listRoles(db: PgConn, filter: { platform?: Platform; teamId?: number } = {}): Promise<RoleAssignment[]> {
  const conditions = [filter.platform ? eq(roles.platform, filter.platform) : undefined, filter.teamId !== undefined ? eq(roles.teamId, filter.teamId) : undefined];
  const rows = await db
    .select()
    .from(roles)
    .where(and(...conditions))
    // Binary order, as SQLite sorts text; ties in row order.
    .orderBy(sql`${roles.role} collate "C"`, sql`${roles.userId} collate "C"`, asc(roles.id));
  return rows.map((row) => ({
    user: { platform: toPlatform(row.platform), workspaceId: row.workspaceId, userId: row.userId },
    role: toRoleName(row.role),
    teamId: row.teamId,
    grantedAt: row.grantedAt,
  }));
}
