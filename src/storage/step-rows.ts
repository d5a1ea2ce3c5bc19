import { OWNER_STATUSES, STEP_STATUSES, type NextStep } from '../core/next-steps.js';
import { isPlatform, type UserRef } from '../core/platform.js';
import type { Store } from './store.js';

/** A `next_steps` row as both engines' drizzle schemas read it (the two tables have the same columns). */
export interface StepRow {
  readonly id: number;
  readonly teamId: number;
  readonly surveyId: string;
  readonly aspectId: string;
  readonly suggestionId: string | null;
  readonly text: string;
  readonly ownerPlatform: string | null;
  readonly ownerWorkspaceId: string | null;
  readonly ownerUserId: string | null;
  readonly ownerStatus: string | null;
  readonly status: string;
  readonly adoptedAt: Date;
  readonly dueAt: Date;
  readonly closedAt: Date | null;
  readonly lastCheckInAt: Date | null;
}

export type StepPatch = Parameters<Store['updateStep']>[1];

export function toStep(row: StepRow): NextStep {
  const status = STEP_STATUSES.find((value) => value === row.status);
  if (!status) throw new Error(`step ${row.id} has an unknown status`);
  const ownerStatus = row.ownerStatus === null ? null : OWNER_STATUSES.find((value) => value === row.ownerStatus);
  if (ownerStatus === undefined) throw new Error(`step ${row.id} has an unknown owner status`);
  let owner: UserRef | null = null;
  if (row.ownerPlatform !== null && row.ownerWorkspaceId !== null && row.ownerUserId !== null) {
    if (!isPlatform(row.ownerPlatform)) throw new Error(`step ${row.id} has an owner on an unknown platform`);
    owner = { platform: row.ownerPlatform, workspaceId: row.ownerWorkspaceId, userId: row.ownerUserId };
  }
  return {
    id: row.id,
    teamId: row.teamId,
    surveyId: row.surveyId,
    aspectId: row.aspectId,
    suggestionId: row.suggestionId,
    text: row.text,
    owner,
    ownerStatus,
    status,
    adoptedAt: row.adoptedAt,
    dueAt: row.dueAt,
    closedAt: row.closedAt,
    lastCheckInAt: row.lastCheckInAt,
  };
}

export function ownerColumns(owner: UserRef | null): Pick<StepRow, 'ownerPlatform' | 'ownerWorkspaceId' | 'ownerUserId'> {
  return { ownerPlatform: owner?.platform ?? null, ownerWorkspaceId: owner?.workspaceId ?? null, ownerUserId: owner?.userId ?? null };
}

/** The columns a patch changes; a field left out stays as it is, an owner of null clears all three columns. */
export function patchColumns(patch: StepPatch): Partial<StepRow> {
  return {
    ...(patch.status === undefined ? {} : { status: patch.status }),
    ...(patch.closedAt === undefined ? {} : { closedAt: patch.closedAt }),
    ...(patch.owner === undefined ? {} : ownerColumns(patch.owner)),
    ...(patch.ownerStatus === undefined ? {} : { ownerStatus: patch.ownerStatus }),
    ...(patch.dueAt === undefined ? {} : { dueAt: patch.dueAt }),
    ...(patch.lastCheckInAt === undefined ? {} : { lastCheckInAt: patch.lastCheckInAt }),
  };
}
