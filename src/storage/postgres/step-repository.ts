import { asc, eq, gte } from 'drizzle-orm';
import type { NewStep, NextStep } from '../../core/next-steps.js';
import { activeBetweenCondition, dueCondition, insertColumns, patchColumns, stepFilterCondition, toStep, type StepPatch } from '../step-rows.js';
import type { StepActivitySince, StepFilter } from '../store.js';
import type { PgConn } from './postgres-store.js';
import { nextSteps } from './schema.js';

export async function insertStep(db: PgConn, step: NewStep): Promise<NextStep> {
  const [row] = await db
    .insert(nextSteps)
    .values(insertColumns(step))
    .returning();
  if (!row) throw new Error('the step insert returned nothing');
  return toStep(row);
}

export async function findStep(db: PgConn, id: number): Promise<NextStep | null> {
  const [row] = await db.select().from(nextSteps).where(eq(nextSteps.id, id));
  return row ? toStep(row) : null;
}

/** Steps matching every condition given, oldest adoption first (then id). */
export async function listSteps(db: PgConn, filter: StepFilter = {}): Promise<NextStep[]> {
  const rows = await db
    .select()
    .from(nextSteps)
    .where(stepFilterCondition(nextSteps, filter))
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

/** Open steps whose due date has come and that were not asked about since, earliest first. */
export async function stepsDue(db: PgConn, now: Date): Promise<NextStep[]> {
  const rows = await db
    .select()
    .from(nextSteps)
    .where(dueCondition(nextSteps, now))
    .orderBy(asc(nextSteps.dueAt), asc(nextSteps.id));
  return rows.map(toStep);
}

/** Steps adopted within [since.adopted, to) or closed within [since.closed, to), oldest adoption first. */
export async function stepsActiveBetween(db: PgConn, since: StepActivitySince, to: Date): Promise<NextStep[]> {
  const rows = await db
    .select()
    .from(nextSteps)
    .where(activeBetweenCondition(nextSteps, since, to))
    .orderBy(asc(nextSteps.adoptedAt), asc(nextSteps.id));
  return rows.map(toStep);
}

/** Steps whose last check-in went out at or after `since`. */
export async function stepsCheckedInSince(db: PgConn, since: Date): Promise<NextStep[]> {
  const rows = await db.select().from(nextSteps).where(gte(nextSteps.lastCheckInAt, since)).orderBy(asc(nextSteps.id));
  return rows.map(toStep);
}
