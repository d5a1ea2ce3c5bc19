import { asc, eq } from 'drizzle-orm';
import type { ChannelRef, Origin } from '../../src/core/platform.js';
import type { Team } from '../../src/core/team.js';
import type { ServiceContext } from '../../src/services/context.js';
import { recordAnswer } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import * as pgSchema from '../../src/storage/postgres/schema.js';
import type { PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import * as sqliteSchema from '../../src/storage/sqlite/schema.js';
import type { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../../src/storage/store.js';

export const CLI_ACTOR = { platform: 'cli', workspaceId: 'test-host', userId: 'tester' };

let channelCounter = 0;

/** Sets a team up through the real setup use case. */
export async function setUpTeam(ctx: ServiceContext, name: string, overrides: { surveyId?: string; timeZone?: string; channel?: ChannelRef } = {}): Promise<Team> {
  channelCounter += 1;
  const result = await setupTeam(ctx, CLI_ACTOR, {
    name,
    channel: overrides.channel ?? { platform: 'slack', workspaceId: 'T1', channelId: `C${channelCounter}` },
    surveyId: overrides.surveyId ?? [...ctx.surveys.keys()][0] ?? '',
    cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: overrides.timeZone ?? 'Europe/Berlin', roundLengthHours: 96 },
  });
  if (result.kind !== 'created') throw new Error(`setup failed: ${JSON.stringify(result)}`);
  return result.team;
}

/** Where a click on the round's own message comes from: its team's channel. */
export async function roundOrigin(ctx: ServiceContext, roundId: number): Promise<Origin> {
  const round = await ctx.store.findRound(roundId);
  const team = round ? await ctx.store.findTeamById(round.teamId) : null;
  if (!team) throw new Error(`no team for round ${roundId}`);
  return { channel: team.channel, organisationId: team.organisationId };
}

/** Answers a round as users U1, U2, … (in that order, one after another) with the given option ids. */
export async function answerAs(ctx: ServiceContext, roundId: number, optionIds: readonly string[], workspaceId = 'T1'): Promise<void> {
  const origin = await roundOrigin(ctx, roundId);
  for (const [index, optionId] of optionIds.entries()) {
    const outcome = await recordAnswer(ctx, { platform: 'slack', workspaceId, userId: `U${index + 1}` }, roundId, optionId, origin);
    if (outcome.kind !== 'recorded') throw new Error(`answer not recorded: ${outcome.kind}`);
  }
}

/*
 * Rows no store method reads or changes, for tests that check what is stored (or set up a state no use
 * case produces). They go through the store's own drizzle database, on either engine; both schemas have
 * the same tables and property names.
 */

type EngineDb = { readonly engine: 'sqlite'; readonly db: SqliteStore['db'] } | { readonly engine: 'postgres'; readonly db: PostgresStore['db'] };

/** The drizzle database behind a store (never one of its transactions). */
export function engineDb(store: Store): EngineDb {
  return store.engine === 'sqlite' ? { engine: 'sqlite', db: (store as SqliteStore).db } : { engine: 'postgres', db: (store as PostgresStore).db };
}

export interface StoredComment {
  readonly respondentKey: string | null;
  readonly text: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A round's comment rows as stored, in the order they were written. */
export async function storedComments(store: Store, roundId: number): Promise<StoredComment[]> {
  const target = engineDb(store);
  if (target.engine === 'sqlite') {
    const t = sqliteSchema.comments;
    return target.db.select({ respondentKey: t.respondentKey, text: t.text, createdAt: t.createdAt, updatedAt: t.updatedAt }).from(t).where(eq(t.roundId, roundId)).orderBy(asc(t.id)).all();
  }
  const t = pgSchema.comments;
  return target.db.select({ respondentKey: t.respondentKey, text: t.text, createdAt: t.createdAt, updatedAt: t.updatedAt }).from(t).where(eq(t.roundId, roundId)).orderBy(asc(t.id));
}

export interface StoredRound {
  readonly id: number;
  readonly periodKey: string;
  readonly openedAt: Date;
  readonly closesAt: Date;
  readonly aspectId: string;
  readonly questionId: string;
  readonly origin: string;
  readonly status: string;
}

/** Every round of a team as stored, oldest first. */
export async function storedRounds(store: Store, teamId: number): Promise<StoredRound[]> {
  const target = engineDb(store);
  if (target.engine === 'sqlite') {
    const t = sqliteSchema.rounds;
    const columns = { id: t.id, periodKey: t.periodKey, openedAt: t.openedAt, closesAt: t.closesAt, aspectId: t.aspectId, questionId: t.questionId, origin: t.origin, status: t.status };
    return target.db.select(columns).from(t).where(eq(t.teamId, teamId)).orderBy(asc(t.openedAt), asc(t.id)).all();
  }
  const t = pgSchema.rounds;
  const columns = { id: t.id, periodKey: t.periodKey, openedAt: t.openedAt, closesAt: t.closesAt, aspectId: t.aspectId, questionId: t.questionId, origin: t.origin, status: t.status };
  return target.db.select(columns).from(t).where(eq(t.teamId, teamId)).orderBy(asc(t.openedAt), asc(t.id));
}

/** Changes stored round columns no use case changes (a closed round's frozen counts, its period key). */
export async function changeStoredRound(store: Store, roundId: number, change: { readonly levelCounts?: readonly number[]; readonly periodKey?: string }): Promise<void> {
  const target = engineDb(store);
  const set = { ...(change.levelCounts === undefined ? {} : { levelCounts: [...change.levelCounts] }), ...(change.periodKey === undefined ? {} : { periodKey: change.periodKey }) };
  const changed =
    target.engine === 'sqlite'
      ? target.db.update(sqliteSchema.rounds).set(set).where(eq(sqliteSchema.rounds.id, roundId)).returning({ id: sqliteSchema.rounds.id }).all()
      : await target.db.update(pgSchema.rounds).set(set).where(eq(pgSchema.rounds.id, roundId)).returning({ id: pgSchema.rounds.id });
  if (changed.length !== 1) throw new Error(`round ${roundId} not found`);
}

/** Changes a stored team's cadence to every other week (setup has no option for it). */
export async function setStoredEveryWeeks(store: Store, teamId: number, everyWeeks: 1 | 2): Promise<void> {
  const target = engineDb(store);
  const changed =
    target.engine === 'sqlite'
      ? target.db.update(sqliteSchema.teams).set({ everyWeeks }).where(eq(sqliteSchema.teams.id, teamId)).returning({ id: sqliteSchema.teams.id }).all()
      : await target.db.update(pgSchema.teams).set({ everyWeeks }).where(eq(pgSchema.teams.id, teamId)).returning({ id: pgSchema.teams.id });
  if (changed.length !== 1) throw new Error(`team ${teamId} not found`);
}

/** The next moment the scheduler has something to do: a team's next check or an open round's close. */
export async function nextSchedulerMoment(store: Store): Promise<Date | null> {
  const target = engineDb(store);
  let moments: (Date | null)[];
  if (target.engine === 'sqlite') {
    const { teams, rounds } = sqliteSchema;
    moments = [
      ...target.db.select({ at: teams.nextRoundCheckAt }).from(teams).all().map((row) => row.at),
      ...target.db.select({ at: rounds.closesAt }).from(rounds).where(eq(rounds.status, 'open')).all().map((row) => row.at),
    ];
  } else {
    const { teams, rounds } = pgSchema;
    moments = [...(await target.db.select({ at: teams.nextRoundCheckAt }).from(teams)).map((row) => row.at), ...(await target.db.select({ at: rounds.closesAt }).from(rounds).where(eq(rounds.status, 'open'))).map((row) => row.at)];
  }
  const times = moments.filter((at): at is Date => at !== null).map((at) => at.getTime());
  return times.length === 0 ? null : new Date(Math.min(...times));
}
