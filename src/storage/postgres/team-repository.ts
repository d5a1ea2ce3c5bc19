import { and, asc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { isPlatform, type ChannelRef } from '../../core/platform.js';
import { teamNameKey, type QuestionStrategy, type Team } from '../../core/team.js';
import type { Fence, InsertTeamResult, NewTeam } from '../records.js';
import { assertLease, leaseGuard } from './lease-repository.js';
import type { PgConn } from './postgres-store.js';
import { teams } from './schema.js';

type TeamRow = typeof teams.$inferSelect;

export function toTeam(row: TeamRow): Team {
  if (!isPlatform(row.platform)) throw new Error(`team ${row.id} has an unknown platform`);
  return {
    id: row.id,
    name: row.name,
    channel: { platform: row.platform, workspaceId: row.workspaceId, channelId: row.channelId },
    organisationId: row.organisationId,
    surveyId: row.surveyId,
    cadence: {
      everyWeeks: row.everyWeeks === 2 ? 2 : 1,
      weekday: row.weekday,
      localTime: row.localTime,
      timeZone: row.timeZone,
      roundLengthHours: row.roundLengthHours,
      anchorWeek: row.anchorWeek,
    },
    pausedUntil: row.pausedUntil,
    questionStrategy: row.questionStrategy === 'adaptive' ? 'adaptive' : 'rotation',
    nudgeNonRespondents: row.nudgeNonRespondents,
    isDemo: row.isDemo,
    createdAt: row.createdAt,
    memberCount: row.memberCount,
  };
}

const sameChannel = (channel: ChannelRef) => and(eq(teams.platform, channel.platform), eq(teams.workspaceId, channel.workspaceId), eq(teams.channelId, channel.channelId));

async function takenBy(db: PgConn, team: NewTeam): Promise<InsertTeamResult | null> {
  const [name] = await db.select({ id: teams.id }).from(teams).where(eq(teams.nameKey, teamNameKey(team.name))).limit(1);
  if (name) return { kind: 'name-taken' };
  const [channel] = await db.select({ id: teams.id }).from(teams).where(sameChannel(team.channel)).limit(1);
  return channel ? { kind: 'channel-taken' } : null;
}

/**
 * Creates a team; a name already used (ignoring case) or a channel already bound is an outcome, not an
 * error. The clash is looked for first, so a refused team takes no id (as on SQLite, whose failed insert
 * allocates none); `on conflict do nothing` covers a concurrent insert without aborting the caller's
 * transaction, which a caught unique violation would.
 */
export async function insertTeam(db: PgConn, team: NewTeam): Promise<InsertTeamResult> {
  const clash = await takenBy(db, team);
  if (clash) return clash;
  const [row] = await db
    .insert(teams)
    .values({
      name: team.name,
      nameKey: teamNameKey(team.name),
      platform: team.channel.platform,
      workspaceId: team.channel.workspaceId,
      channelId: team.channel.channelId,
      organisationId: team.organisationId ?? null,
      surveyId: team.surveyId,
      everyWeeks: team.cadence.everyWeeks,
      weekday: team.cadence.weekday,
      localTime: team.cadence.localTime,
      timeZone: team.cadence.timeZone,
      roundLengthHours: team.cadence.roundLengthHours,
      anchorWeek: team.cadence.anchorWeek,
      questionStrategy: team.questionStrategy ?? 'rotation',
      isDemo: team.isDemo ?? false,
      createdAt: team.createdAt,
    })
    .onConflictDoNothing()
    .returning();
  if (row) return { kind: 'created', team: toTeam(row) };
  // Another process inserted a clashing team between the look and the insert.
  return (await takenBy(db, team)) ?? { kind: 'channel-taken' };
}

export async function findTeamByName(db: PgConn, name: string): Promise<Team | null> {
  const [row] = await db.select().from(teams).where(eq(teams.nameKey, teamNameKey(name)));
  return row ? toTeam(row) : null;
}

export async function findTeamById(db: PgConn, id: number): Promise<Team | null> {
  const [row] = await db.select().from(teams).where(eq(teams.id, id));
  return row ? toTeam(row) : null;
}

export async function findTeamByChannel(db: PgConn, channel: ChannelRef, organisationId: string | null = null): Promise<Team | null> {
  const [row] = await db.select().from(teams).where(sameChannel(channel));
  if (row) return toTeam(row);
  if (organisationId === null) return null;
  // A channel shared between workspaces of one Enterprise Grid organisation keeps its id in each of them.
  // Should two workspaces have bound it, the first workspace id in binary order wins, as on SQLite.
  const [shared] = await db
    .select()
    .from(teams)
    .where(and(eq(teams.platform, channel.platform), eq(teams.organisationId, organisationId), eq(teams.channelId, channel.channelId)))
    .orderBy(sql`${teams.workspaceId} collate "C"`)
    .limit(1);
  return shared ? toTeam(shared) : null;
}

export async function listTeams(db: PgConn): Promise<Team[]> {
  // Binary order, as SQLite sorts text, whatever the database's collation.
  const rows = await db.select().from(teams).orderBy(sql`${teams.nameKey} collate "C"`);
  return rows.map(toTeam);
}

export async function countTeams(db: PgConn, options: { demo?: boolean } = {}): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(teams)
    .where(options.demo === undefined ? undefined : eq(teams.isDemo, options.demo));
  return row?.count ?? 0;
}

/** Sets or clears a pause; the scheduler looks at the team again at its next tick. */
export async function setTeamPause(db: PgConn, teamId: number, pausedUntil: string | null): Promise<void> {
  await db.update(teams).set({ pausedUntil, nextRoundCheckAt: null }).where(eq(teams.id, teamId));
}

/** Records how many people the team's channel holds, as the platform said when a round was posted there. */
export async function setTeamMemberCount(db: PgConn, channel: ChannelRef, memberCount: number): Promise<void> {
  await db.update(teams).set({ memberCount }).where(sameChannel(channel));
}

/** Deletes a team; rounds, answers, comments, lead roles and deliveries go with it (foreign keys cascade). */
export async function deleteTeam(db: PgConn, teamId: number): Promise<boolean> {
  const result = await db.delete(teams).where(eq(teams.id, teamId));
  return (result.rowCount ?? 0) > 0;
}

/** Teams the scheduler should look at now: those never checked or whose next check is due, by id. */
export async function teamsDueForScheduling(db: PgConn, now: Date): Promise<Team[]> {
  const rows = await db
    .select()
    .from(teams)
    .where(or(isNull(teams.nextRoundCheckAt), lte(teams.nextRoundCheckAt, now)))
    .orderBy(asc(teams.id));
  return rows.map(toTeam);
}

export async function setNextRoundCheck(db: PgConn, teamId: number, at: Date, fence?: Fence): Promise<void> {
  if (!fence) {
    await db.update(teams).set({ nextRoundCheckAt: at }).where(eq(teams.id, teamId));
    return;
  }
  const guard = leaseGuard(db, fence);
  const updated = await db.with(guard.lease).update(teams).set({ nextRoundCheckAt: at }).where(and(eq(teams.id, teamId), guard.holds)).returning({ id: teams.id });
  if (updated.length === 0) await assertLease(db, fence);
}

export async function setTeamOptions(db: PgConn, teamId: number, options: { questionStrategy?: QuestionStrategy; nudgeNonRespondents?: boolean }): Promise<void> {
  await db.update(teams).set(options).where(eq(teams.id, teamId));
}
