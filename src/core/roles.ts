import type { UserRef } from './platform.js';

export const ROLE_NAMES = ['admin', 'pm', 'lead'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/** A role held by a person: org-wide for admin and PM, scoped to one team for lead. */
export interface RoleGrant {
  readonly role: RoleName;
  readonly teamId: number | null;
}

/** A role as held by a named person, for role lists. */
export interface RoleAssignment extends RoleGrant {
  readonly user: UserRef;
  readonly grantedAt: Date;
}

/** Who is asking, as far as permissions go. */
export interface Viewer {
  readonly grants: readonly RoleGrant[];
  /** The team whose channel the request came from (the viewer is a member there), if any. */
  readonly memberOfTeamId: number | null;
}

export type Permission =
  | { readonly kind: 'view-report'; readonly teamId: number }
  | { readonly kind: 'view-comments'; readonly teamId: number }
  | { readonly kind: 'run-round'; readonly teamId: number }
  | { readonly kind: 'pause-team'; readonly teamId: number }
  | { readonly kind: 'setup-team' }
  | { readonly kind: 'delete-team' }
  | { readonly kind: 'grant-role'; readonly role: RoleName; readonly teamId: number | null }
  | { readonly kind: 'view-digest' }
  | { readonly kind: 'subscribe-digest' }
  /** A team's own target level for an aspect. */
  | { readonly kind: 'set-team-target'; readonly teamId: number }
  /** The organisation's target level for an aspect of a survey. */
  | { readonly kind: 'set-org-target' }
  /** Adopt, change and close a team's next steps. */
  | { readonly kind: 'manage-steps'; readonly teamId: number };

function holds(viewer: Viewer, role: RoleName, teamId: number | null = null): boolean {
  return viewer.grants.some((grant) => grant.role === role && (role !== 'lead' || grant.teamId === teamId));
}

/**
 * The permission rules. Admins may do everything except read comments, which only a team's leads see
 * (comments are the most identifying data the product holds). PMs see every team's report and digests.
 * Members see their own team's aggregate report.
 */
export function isAllowed(viewer: Viewer, permission: Permission): boolean {
  const admin = holds(viewer, 'admin');
  switch (permission.kind) {
    case 'view-report':
      return admin || holds(viewer, 'pm') || holds(viewer, 'lead', permission.teamId) || viewer.memberOfTeamId === permission.teamId;
    case 'view-comments':
      return holds(viewer, 'lead', permission.teamId);
    case 'run-round':
    case 'pause-team':
    case 'set-team-target':
    case 'manage-steps':
      return admin || holds(viewer, 'lead', permission.teamId);
    case 'set-org-target':
      return admin || holds(viewer, 'pm');
    case 'grant-role':
      return admin || (permission.role === 'lead' && permission.teamId !== null && holds(viewer, 'lead', permission.teamId));
    case 'view-digest':
    case 'subscribe-digest':
      return admin || holds(viewer, 'pm');
    case 'setup-team':
    case 'delete-team':
      return admin;
  }
}

/** Who may do something, in words, for the sentence that explains a refusal. */
export function whoMay(permission: Permission): string {
  switch (permission.kind) {
    case 'view-report':
      return "the team's members and leads, PMs and admins";
    case 'view-comments':
      return "the team's leads";
    case 'run-round':
    case 'pause-team':
    case 'set-team-target':
    case 'manage-steps':
      return "the team's leads and admins";
    case 'set-org-target':
      return 'PMs and admins';
    case 'grant-role':
      return permission.role === 'lead' ? "admins and the team's leads" : 'admins';
    case 'view-digest':
    case 'subscribe-digest':
      return 'PMs and admins';
    case 'setup-team':
    case 'delete-team':
      return 'admins';
  }
}
