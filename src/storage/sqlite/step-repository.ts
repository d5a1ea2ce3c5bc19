import { and, asc, eq, gte, lt, lte, or } from 'drizzle-orm';
import type { NewStep, NextStep, StepStatus } from '../../core/next-steps.js';
import { ownerColumns, patchColumns, toStep, type StepPatch } from '../step-rows.js';
import type { Db } from './database.js';
import { nextSteps } from './schema.js';

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
