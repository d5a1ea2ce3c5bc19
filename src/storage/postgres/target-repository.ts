import { and, eq, isNull, sql } from 'drizzle-orm';
import type { TargetSetting } from '../../core/targets.js';
import type { PgConn } from './postgres-store.js';
import { targets } from './schema.js';

type Row = typeof targets.$inferSelect;

function toTarget(row: Row): TargetSetting {
  return { surveyId: row.surveyId, aspectId: row.aspectId, teamId: row.teamId, level: row.level, reason: row.reason, setAt: row.setAt };
}

/** Targets matching every condition given; `teamId: null` means the organisation's only. */
export async function listTargets(db: PgConn, filter: { surveyId?: string; teamId?: number | null } = {}): Promise<TargetSetting[]> {
  const scope = filter.teamId === undefined ? undefined : filter.teamId === null ? isNull(targets.teamId) : eq(targets.teamId, filter.teamId);
  const rows = await db
    .select()
    .from(targets)
    .where(and(filter.surveyId === undefined ? undefined : eq(targets.surveyId, filter.surveyId), scope))
    // Binary text order and the organisation's target first, as SQLite sorts.
    .orderBy(sql`${targets.surveyId} collate "C"`, sql`${targets.aspectId} collate "C"`, sql`${targets.teamId} asc nulls first`);
  return rows.map(toTarget);
}

/**
 * Sets a target, replacing an earlier one for the same survey, aspect and scope in one statement. The
 * conflict target names the partial unique index of that scope (with its WHERE), so two processes setting
 * the same target at once leave one row: the second waits for the first and updates it.
 */
export async function setTarget(db: PgConn, target: TargetSetting): Promise<void> {
  const values = { level: target.level, reason: target.reason, setAt: target.setAt };
  const conflict =
    target.teamId === null
      ? { target: [targets.surveyId, targets.aspectId], targetWhere: sql`team_id is null` }
      : { target: [targets.surveyId, targets.aspectId, targets.teamId], targetWhere: sql`team_id is not null` };
  await db
    .insert(targets)
    .values({ surveyId: target.surveyId, aspectId: target.aspectId, teamId: target.teamId, ...values })
    .onConflictDoUpdate({ ...conflict, set: values });
}

/** Removes a target; false when none was set. */
export async function clearTarget(db: PgConn, key: { surveyId: string; aspectId: string; teamId: number | null }): Promise<boolean> {
  const scope = key.teamId === null ? isNull(targets.teamId) : eq(targets.teamId, key.teamId);
  const result = await db.delete(targets).where(and(eq(targets.surveyId, key.surveyId), eq(targets.aspectId, key.aspectId), scope));
  return (result.rowCount ?? 0) > 0;
}
