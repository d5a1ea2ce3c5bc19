import { and, asc, eq, gte, lt, lte, or } from 'drizzle-orm';
import { OWNER_STATUSES, STEP_STATUSES, type NewStep, type NextStep, type StepStatus } from '../../core/next-steps.js';
import { isPlatform, type UserRef } from '../../core/platform.js';
import type { Store } from '../store.js';
import type { PgConn } from './postgres-store.js';
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

export async function insertStep(db: PgConn, step: NewStep): Promise<NextStep> {
  const [row] = await db
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
    .returning();
  if (!row) throw new Error('the step insert returned nothing');
  return toStep(row);
}

export async function findStep(db: PgConn, id: number): Promise<NextStep | null> {
  const [row] = await db.select().from(nextSteps).where(eq(nextSteps.id, id));
  return row ? toStep(row) : null;
}

/** Steps matching every condition given, oldest adoption first (then id). */
export async function listSteps(db: PgConn, filter: { teamId?: number; status?: StepStatus; surveyId?: string; aspectId?: string } = {}): Promise<NextStep[]> {
  const conditions = [
    filter.teamId === undefined ? undefined : eq(nextSteps.teamId, filter.teamId),
    filter.status === undefined ? undefined : eq(nextSteps.status, filter.status),
    filter.surveyId === undefined ? undefined : eq(nextSteps.surveyId, filter.surveyId),
    filter.aspectId === undefined ? undefined : eq(nextSteps.aspectId, filter.aspectId),
  ];
  const rows = await db
    .select()
    .from(nextSteps)
    .where(and(...conditions))
    .orderBy(asc(nextSteps.adoptedAt), asc(nextSteps.id));
  return rows.map(toStep);
}

/** Changes the given fields of a step; null when it does not exist. */
export async function updateStep(db: PgConn, id: number, patch: StepPatch): Promise<NextStep | null> {
  const columns = patchColumns(patch);
  if (Object.keys(columns).length === 0) return findStep(db, id);
  const [row] = await db.update(nextSteps).set(columns).where(eq(nextSteps.id, id)).returning();
  return row ? toStep(row) : null;
}

/** Open steps whose due date has come (due exactly now included), earliest first. */
export async function stepsDue(db: PgConn, now: Date): Promise<NextStep[]> {
  const rows = await db
    .select()
    .from(nextSteps)
    .where(and(eq(nextSteps.status, 'open'), lte(nextSteps.dueAt, now)))
    .orderBy(asc(nextSteps.dueAt), asc(nextSteps.id));
  return rows.map(toStep);
}

/** Steps adopted or closed within [from, to), oldest adoption first. */
export async function stepsActiveBetween(db: PgConn, from: Date, to: Date): Promise<NextStep[]> {
  const rows = await db
    .select()
    .from(nextSteps)
    .where(or(and(gte(nextSteps.adoptedAt, from), lt(nextSteps.adoptedAt, to)), and(gte(nextSteps.closedAt, from), lt(nextSteps.closedAt, to))))
    .orderBy(asc(nextSteps.adoptedAt), asc(nextSteps.id));
  return rows.map(toStep);
}
