import { and, eq, gte, inArray, isNull, lt, lte, or, sql, type Column, type SQL } from 'drizzle-orm';
import { OWNER_STATUSES, STEP_STATUSES, type NewStep, type NextStep } from '../core/next-steps.js';
import { isPlatform, type UserRef } from '../core/platform.js';
import type { StepActivitySince, StepFilter, Store } from './store.js';

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
  readonly ownerName: string | null;
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
    ownerName: row.ownerName,
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
    ...(patch.ownerName === undefined ? {} : { ownerName: patch.ownerName }),
    ...(patch.dueAt === undefined ? {} : { dueAt: patch.dueAt }),
    ...(patch.lastCheckInAt === undefined ? {} : { lastCheckInAt: patch.lastCheckInAt }),
  };
}

/** The columns of a new step (open, never checked in), for either engine's insert. */
export function insertColumns(step: NewStep): Omit<StepRow, 'id' | 'closedAt' | 'lastCheckInAt'> {
  return {
    teamId: step.teamId,
    surveyId: step.surveyId,
    aspectId: step.aspectId,
    suggestionId: step.suggestionId,
    text: step.text,
    ...ownerColumns(step.owner),
    ownerName: step.ownerName,
    ownerStatus: step.ownerStatus,
    status: 'open',
    adoptedAt: step.adoptedAt,
    dueAt: step.dueAt,
  };
}

/** The step columns a filter looks at (both engines' tables have them). */
interface StepFilterColumns {
  readonly teamId: Column;
  readonly status: Column;
  readonly surveyId: Column;
  readonly aspectId: Column;
  readonly dueAt: Column;
  readonly lastCheckInAt: Column;
  readonly adoptedAt: Column;
  readonly closedAt: Column;
}

/** A list filter as one condition for either engine; an empty `teamIds` matches nothing. */
export function stepFilterCondition(columns: StepFilterColumns, filter: StepFilter): SQL | undefined {
  return and(
    filter.teamId === undefined ? undefined : eq(columns.teamId, filter.teamId),
    filter.teamIds === undefined ? undefined : filter.teamIds.length === 0 ? sql`1 = 0` : inArray(columns.teamId, [...filter.teamIds]),
    filter.status === undefined ? undefined : eq(columns.status, filter.status),
    filter.surveyId === undefined ? undefined : eq(columns.surveyId, filter.surveyId),
    filter.aspectId === undefined ? undefined : eq(columns.aspectId, filter.aspectId),
  );
}

/**
 * Open steps whose date has come (exactly now included) and that have not been asked about since: a
 * check-in is sent once per date, so an unanswered one leaves this read instead of being re-read forever.
 */
export function dueCondition(columns: StepFilterColumns, now: Date): SQL | undefined {
  return and(eq(columns.status, 'open'), lte(columns.dueAt, now), or(isNull(columns.lastCheckInAt), lt(columns.lastCheckInAt, columns.dueAt)));
}

/** Steps adopted within [since.adopted, to) or closed within [since.closed, to). */
export function activeBetweenCondition(columns: StepFilterColumns, since: StepActivitySince, to: Date): SQL | undefined {
  return or(and(gte(columns.adoptedAt, since.adopted), lt(columns.adoptedAt, to)), and(gte(columns.closedAt, since.closed), lt(columns.closedAt, to)));
}
