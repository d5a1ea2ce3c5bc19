import type { UserRef } from '../core/platform.js';
import type { RoleGrant } from '../core/roles.js';
import type { ServiceContext } from './context.js';

/**
 * A person's roles, read afresh: those stored, plus admin for people made admins by configuration
 * (ADMIN_SLACK_USER_IDS, ADMIN_TEAMS_AAD_OBJECT_IDS). The one reading of roles for chat, dashboard and API.
 */
export async function rolesOf(ctx: ServiceContext, person: UserRef, configuredAdmins: readonly string[]): Promise<RoleGrant[]> {
  const grants: RoleGrant[] = await ctx.store.grantsFor(person);
  if (configuredAdmins.includes(person.userId)) grants.push({ role: 'admin', teamId: null });
  return grants;
}
