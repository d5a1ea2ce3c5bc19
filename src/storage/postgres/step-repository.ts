import { and, asc, eq, gte, lt, lte, or } from 'drizzle-orm';
import type { NewStep, NextStep, StepStatus } from '../../core/next-steps.js';
import { ownerColumns, patchColumns, toStep, type StepPatch } from '../step-rows.js';
import type { PgConn } from './postgres-store.js';
import { nextSteps } from './schema.js';

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
