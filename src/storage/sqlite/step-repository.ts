import { asc, eq, gte } from 'drizzle-orm';
import type { NewStep, NextStep } from '../../core/next-steps.js';
import { activeBetweenCondition, dueCondition, insertColumns, patchColumns, stepFilterCondition, toStep, type StepPatch } from '../step-rows.js';
import type { StepActivitySince, StepFilter } from '../store.js';
import type { Db } from './database.js';
import { nextSteps } from './schema.js';

export function insertStep(db: Db, step: NewStep): NextStep {
  const row = db
    .insert(nextSteps)
    .values(insertColumns(step))
    .returning()
    .get();
  return toStep(row);
}

export function findStep(db: Db, id: number): NextStep | null {
  const row = db.select().from(nextSteps).where(eq(nextSteps.id, id)).get();
  return row ? toStep(row) : null;
}

/** Steps matching every condition given, oldest adoption first (then id). */
export function listSteps(db: Db, filter: StepFilter = {}): NextStep[] {
  return db
    .select()
    .from(nextSteps)
    .where(stepFilterCondition(nextSteps, filter))
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

/** Open steps whose due date has come and that were not asked about since, earliest first. */
export function stepsDue(db: Db, now: Date): NextStep[] {
  return db
    .select()
    .from(nextSteps)
    .where(dueCondition(nextSteps, now))
    .orderBy(asc(nextSteps.dueAt), asc(nextSteps.id))
    .all()
    .map(toStep);
}

/** Steps adopted within [since.adopted, to) or closed within [since.closed, to), oldest adoption first. */
export function stepsActiveBetween(db: Db, since: StepActivitySince, to: Date): NextStep[] {
  return db
    .select()
    .from(nextSteps)
    .where(activeBetweenCondition(nextSteps, since, to))
    .orderBy(asc(nextSteps.adoptedAt), asc(nextSteps.id))
    .all()
    .map(toStep);
}

/** Steps whose last check-in went out at or after `since`. */
export function stepsCheckedInSince(db: Db, since: Date): NextStep[] {
  return db.select().from(nextSteps).where(gte(nextSteps.lastCheckInAt, since)).orderBy(asc(nextSteps.id)).all().map(toStep);
}
