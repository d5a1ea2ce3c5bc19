import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { TargetSetting } from '../../core/targets.js';
import type { Db } from './database.js';
import { targets } from './schema.js';

type Row = typeof targets.$inferSelect;

function toTarget(row: Row): TargetSetting {
  return { surveyId: row.surveyId, aspectId: row.aspectId, teamId: row.teamId, level: row.level, reason: row.reason, setAt: row.setAt };
}

/** Targets matching every condition given; `teamId: null` means the organisation's only. */
export function listTargets(db: Db, filter: { surveyId?: string; teamId?: number | null } = {}): TargetSetting[] {
  const scope = filter.teamId === undefined ? undefined : filter.teamId === null ? isNull(targets.teamId) : eq(targets.teamId, filter.teamId);
  return db
    .select()
    .from(targets)
    .where(and(filter.surveyId === undefined ? undefined : eq(targets.surveyId, filter.surveyId), scope))
    // SQLite sorts nulls first: the organisation's target before the teams'.
    .orderBy(asc(targets.surveyId), asc(targets.aspectId), asc(targets.teamId))
    .all()
    .map(toTarget);
}

/**
 * Sets a target, replacing an earlier one for the same survey, aspect and scope in one statement: the
 * conflict is on the partial unique index of that scope, so a second setter at the same time updates.
 */
export function setTarget(db: Db, target: TargetSetting): void {
  const values = { level: target.level, reason: target.reason, setAt: target.setAt };
  const conflict =
    target.teamId === null
      ? { target: [targets.surveyId, targets.aspectId], targetWhere: sql`team_id is null` }
      : { target: [targets.surveyId, targets.aspectId, targets.teamId], targetWhere: sql`team_id is not null` };
  db.insert(targets)
    .values({ surveyId: target.surveyId, aspectId: target.aspectId, teamId: target.teamId, ...values })
    .onConflictDoUpdate({ ...conflict, set: values })
    .run();
}

/** Removes a target; false when none was set. */
export function clearTarget(db: Db, key: { surveyId: string; aspectId: string; teamId: number | null }): boolean {
  const scope = key.teamId === null ? isNull(targets.teamId) : eq(targets.teamId, key.teamId);
  return db.delete(targets).where(and(eq(targets.surveyId, key.surveyId), eq(targets.aspectId, key.aspectId), scope)).run().changes > 0;
}
