import { and, asc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { isPlatform, type ChannelRef } from '../../core/platform.js';
import { teamNameKey, type QuestionStrategy, type Team } from '../../core/team.js';
import type { Fence, InsertTeamResult, NewTeam } from '../records.js';
import { inTransaction, isUniqueViolation, type Db } from './database.js';
import { assertLease } from './lease-repository.js';
import { teams } from './schema.js';
import { perDatabase } from './statement-cache.js';

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

/** Creates a team; a name already used (ignoring case) or a channel already bound is an outcome, not an error. */
export function insertTeam(db: Db, team: NewTeam): InsertTeamResult {
  try {
    const row = db
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
      .returning()
      .get();
    return { kind: 'created', team: toTeam(row) };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const nameTaken = db.select({ id: teams.id }).from(teams).where(eq(teams.nameKey, teamNameKey(team.name))).get();
    return nameTaken ? { kind: 'name-taken' } : { kind: 'channel-taken' };
  }
}

export function findTeamByName(db: Db, name: string): Team | null {
  const row = db.select().from(teams).where(eq(teams.nameKey, teamNameKey(name))).get();
  return row ? toTeam(row) : null;
}

export function findTeamById(db: Db, id: number): Team | null {
  // Prepared once per database: every answer click looks its round's team up.
  const statement = perDatabase(db, 'findTeamById', () => db.select().from(teams).where(eq(teams.id, sql.placeholder('id'))).prepare());
  const row = statement.get({ id });
  return row ? toTeam(row) : null;
}

export function findTeamByChannel(db: Db, channel: ChannelRef, organisationId: string | null = null): Team | null {
  const row = db
    .select()
    .from(teams)
    .where(and(eq(teams.platform, channel.platform), eq(teams.workspaceId, channel.workspaceId), eq(teams.channelId, channel.channelId)))
    .get();
  if (row) return toTeam(row);
  if (organisationId === null) return null;
  // A channel shared between workspaces of one Enterprise Grid organisation keeps its id in each of them.
  const shared = db
    .select()
    .from(teams)
    .where(and(eq(teams.platform, channel.platform), eq(teams.organisationId, organisationId), eq(teams.channelId, channel.channelId)))
    .get();
  return shared ? toTeam(shared) : null;
}

export function listTeams(db: Db): Team[] {
  return db.select().from(teams).orderBy(asc(teams.nameKey)).all().map(toTeam);
}

export function countTeams(db: Db, options: { demo?: boolean } = {}): number {
  const query = db.select({ count: sql<number>`count(*)` }).from(teams);
  const row = options.demo === undefined ? query.get() : query.where(eq(teams.isDemo, options.demo)).get();
  return row?.count ?? 0;
}

/** Sets or clears a pause; the scheduler looks at the team again at its next tick. */
export function setTeamPause(db: Db, teamId: number, pausedUntil: string | null): void {
  db.update(teams).set({ pausedUntil, nextRoundCheckAt: null }).where(eq(teams.id, teamId)).run();
}

/** Records how many people the team's channel holds, as the platform said when a round was posted there. */
export function setTeamMemberCount(db: Db, channel: ChannelRef, memberCount: number): void {
  db.update(teams)
    .set({ memberCount })
    .where(and(eq(teams.platform, channel.platform), eq(teams.workspaceId, channel.workspaceId), eq(teams.channelId, channel.channelId)))
    .run();
}

/** Deletes a team; rounds, answers, comments, lead roles and deliveries go with it (foreign keys cascade). */
export function deleteTeam(db: Db, teamId: number): boolean {
  return db.delete(teams).where(eq(teams.id, teamId)).run().changes > 0;
}

/**
 * Teams the scheduler should look at now: one indexed query, whatever the number of idle teams. (An ORDER
 * BY here would make SQLite scan the table; the few due teams are sorted afterwards.)
 */
export function teamsDueForScheduling(db: Db, now: Date): Team[] {
  return db
    .select()
    .from(teams)
    .where(or(isNull(teams.nextRoundCheckAt), lte(teams.nextRoundCheckAt, now)))
    .all()
    .map(toTeam)
    .sort((a, b) => a.id - b.id);
}

export function setNextRoundCheck(db: Db, teamId: number, at: Date, fence?: Fence): void {
  inTransaction(db, () => {
    if (fence) assertLease(db, fence);
    db.update(teams).set({ nextRoundCheckAt: at }).where(eq(teams.id, teamId)).run();
  });
}

export function setTeamOptions(db: Db, teamId: number, options: { questionStrategy?: QuestionStrategy; nudgeNonRespondents?: boolean }): void {
  db.update(teams).set(options).where(eq(teams.id, teamId)).run();
}
