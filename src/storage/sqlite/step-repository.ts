import { and, asc, eq, gte, lt, lte, or } from 'drizzle-orm';
import { OWNER_STATUSES, STEP_STATUSES, type NewStep, type NextStep, type StepStatus } from '../../core/next-steps.js';
import { isPlatform, type UserRef } from '../../core/platform.js';
import type { Store } from '../store.js';
import type { Db } from './database.js';
import { nextSteps } from './schema.js';

type Row = typeof nextSteps.$inferSelect;

type StepPatch = Parameters<Store['updateStep']>[1];

function toStep(row: Row): NextStep {
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

function ownerColumns(owner: UserRef | null): Pick<Row, 'ownerPlatform' | 'ownerWorkspaceId' | 'ownerUserId'> {
  return { ownerPlatform: owner?.platform ?? null, ownerWorkspaceId: owner?.workspaceId ?? null, ownerUserId: owner?.userId ?? null };
}

/** The columns a patch changes; a field left out stays as it is, an owner of null clears all three columns. */
function patchColumns(patch: StepPatch): Partial<Row> {
  return {
    ...(patch.status === undefined ? {} : { status: patch.status }),
    ...(patch.closedAt === undefined ? {} : { closedAt: patch.closedAt }),
    ...(patch.owner === undefined ? {} : ownerColumns(patch.owner)),
    ...(patch.ownerStatus === undefined ? {} : { ownerStatus: patch.ownerStatus }),
    ...(patch.dueAt === undefined ? {} : { dueAt: patch.dueAt }),
    ...(patch.lastCheckInAt === undefined ? {} : { lastCheckInAt: patch.lastCheckInAt }),
  };
}

export function insertStep(db: Db, step: NewStep): NextStep {
  const row = db
    .insert(nextSteps)
    .values({
      teamId: step.teamId,
      surveyId: step.surveyId,
      aspectId: step.aspectId,
      suggestionId: step.suggestionId,
      text: step.text,
      ...ownerColumns(step.owner),
      ownerStatus: step.ownerStatus,
      status: 'open',
      adoptedAt: step.adoptedAt,
      dueAt: step.dueAt,
    })
    .returning()
    .get();
  return toStep(row);
}

export function findStep(db: Db, id: number): NextStep | null {
  const row = db.select().from(nextSteps).where(eq(nextSteps.id, id)).get();
  return row ? toStep(row) : null;
}

/** Steps matching every condition given, oldest adoption first (then id). */
export function listSteps(db: Db, filter: { teamId?: number; status?: StepStatus; surveyId?: string; aspectId?: string } = {}): NextStep[] {
  const conditions = [
    filter.teamId === undefined ? undefined : eq(nextSteps.teamId, filter.teamId),
    filter.status === undefined ? undefined : eq(nextSteps.status, filter.status),
    filter.surveyId === undefined ? undefined : eq(nextSteps.surveyId, filter.surveyId),
    filter.aspectId === undefined ? undefined : eq(nextSteps.aspectId, filter.aspectId),
  ];
  return db
    .select()
    .from(nextSteps)
    .where(and(...conditions))
    .orderBy(asc(nextSteps.adoptedAt), asc(nextSteps.id))
    .all()
    .map(toStep);
}

/** Changes the given fields of a step; null when it does not exist. */
export function updateStep(db: Db, id: number, patch: StepPatch): NextStep | null {
  const columns = patchColumns(patch);
  if (Object.keys(columns).length === 0) return findStep(db, id);
  const row = db.update(nextSteps).set(columns).where(eq(nextSteps.id, id)).returning().get();
  return row ? toStep(row) : null;
}

/** Open steps whose due date has come (due exactly now included), earliest first. */
export function stepsDue(db: Db, now: Date): NextStep[] {
  return db
    .select()
    .from(nextSteps)
    .where(and(eq(nextSteps.status, 'open'), lte(nextSteps.dueAt, now)))
    .orderBy(asc(nextSteps.dueAt), asc(nextSteps.id))
    .all()
    .map(toStep);
}

/** Steps adopted or closed within [from, to), oldest adoption first. */
export function stepsActiveBetween(db: Db, from: Date, to: Date): NextStep[] {
  return db
    .select()
    .from(nextSteps)
    .where(or(and(gte(nextSteps.adoptedAt, from), lt(nextSteps.adoptedAt, to)), and(gte(nextSteps.closedAt, from), lt(nextSteps.closedAt, to))))
    .orderBy(asc(nextSteps.adoptedAt), asc(nextSteps.id))
    .all()
    .map(toStep);
}
