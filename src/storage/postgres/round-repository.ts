import { and, asc, desc, eq, isNotNull, lte, or, sql } from 'drizzle-orm';
import type { AskedQuestion } from '../../core/question-choice.js';
import { QuestionSnapshotSchema, RoundTallySchema, type Round, type RoundTally } from '../../core/round.js';
import type { ClosedRoundTally } from '../../core/scoring.js';
import type { ClosedRoundHistory, InsertRoundResult, NewRound } from '../records.js';
import { anonymiseComments } from './answer-repository.js';
import type { PgConn } from './postgres-store.js';
import { answers, deliveries, rounds } from './schema.js';

type RoundRow = typeof rounds.$inferSelect;

function toTally(respondents: number | null, unknown: number | null, levelCounts: unknown): RoundTally | null {
  if (respondents === null || unknown === null || levelCounts === null) return null;
  return RoundTallySchema.parse({ respondents, unknown, levelCounts });
}

export function toRound(row: RoundRow): Round {
  return {
    id: row.id,
    teamId: row.teamId,
    surveyId: row.surveyId,
    surveyHash: row.surveyHash,
    question: QuestionSnapshotSchema.parse(row.question),
    periodKey: row.periodKey,
    origin: row.origin === 'ad-hoc' ? 'ad-hoc' : 'scheduled',
    openedAt: row.openedAt,
    closesAt: row.closesAt,
    closedAt: row.closedAt,
    status: row.status === 'closed' ? 'closed' : 'open',
    tally: toTally(row.respondents, row.unknownCount, row.levelCounts),
  };
}

async function clashingRound(db: PgConn, round: NewRound): Promise<InsertRoundResult | null> {
  // Both clashes in one round trip (at most two rows: the open round and the period's round).
  const found = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.teamId, round.teamId), or(eq(rounds.status, 'open'), eq(rounds.periodKey, round.periodKey))));
  const open = found.find((row) => row.status === 'open');
  if (open) return { kind: 'already-open', round: toRound(open) };
  const taken = found[0];
  return taken ? { kind: 'period-taken', round: toRound(taken) } : null;
}

/**
 * Opens a round unless the team already has an open one or a round in this period. The clash is looked
 * for first (a refused round takes no id, as on SQLite); the unique indexes still decide a race, through
 * `on conflict do nothing`, which unlike a caught violation leaves the caller's transaction usable.
 */
export async function insertRound(db: PgConn, round: NewRound): Promise<InsertRoundResult> {
  const clash = await clashingRound(db, round);
  if (clash) return clash;
  const [row] = await db
    .insert(rounds)
    .values({
      teamId: round.teamId,
      surveyId: round.surveyId,
      surveyHash: round.surveyHash,
      aspectId: round.question.aspectId,
      questionId: round.question.questionId,
      question: round.question,
      periodKey: round.periodKey,
      origin: round.origin,
      status: 'open',
      openedAt: round.openedAt,
      closesAt: round.closesAt,
    })
    .onConflictDoNothing()
    .returning();
  if (row) return { kind: 'opened', round: toRound(row) };
  const raced = await clashingRound(db, round);
  if (raced) return raced;
  throw new Error(`opening a round for team ${round.teamId} conflicted with a round that is gone`);
}

export async function findRound(db: PgConn, roundId: number): Promise<Round | null> {
  const [row] = await db.select().from(rounds).where(eq(rounds.id, roundId));
  return row ? toRound(row) : null;
}

/**
 * The round, share-locked until the transaction ends: a close (an update of the row) waits for the write
 * that depends on the round being open, and then counts it (see `Store.findRoundForWrite`).
 */
export async function findRoundForWrite(db: PgConn, roundId: number): Promise<Round | null> {
  const [row] = await db.select().from(rounds).where(eq(rounds.id, roundId)).for('share');
  return row ? toRound(row) : null;
}

export async function findOpenRound(db: PgConn, teamId: number): Promise<Round | null> {
  const [row] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.teamId, teamId), eq(rounds.status, 'open')));
  return row ? toRound(row) : null;
}

export async function latestRound(db: PgConn, teamId: number): Promise<Round | null> {
  const [row] = await db.select().from(rounds).where(eq(rounds.teamId, teamId)).orderBy(desc(rounds.openedAt), desc(rounds.id)).limit(1);
  return row ? toRound(row) : null;
}

/**
 * What the team was asked under a survey, for choosing the next question. In the order SQLite reads them
 * (its `rounds_team_closed` index: open rounds first, then by close time), though nothing depends on it.
 */
export async function askedQuestions(db: PgConn, teamId: number, surveyId: string): Promise<AskedQuestion[]> {
  return db
    .select({ aspectId: rounds.aspectId, questionId: rounds.questionId, openedAt: rounds.openedAt })
    .from(rounds)
    .where(and(eq(rounds.teamId, teamId), eq(rounds.surveyId, surveyId)))
    .orderBy(sql`${rounds.closedAt} asc nulls first`, asc(rounds.id));
}

const tallyColumns = {
  teamId: rounds.teamId,
  roundId: rounds.id,
  aspectId: rounds.aspectId,
  closedAt: rounds.closedAt,
  respondents: rounds.respondents,
  unknownCount: rounds.unknownCount,
  levelCounts: rounds.levelCounts,
};

type TallyRow = { teamId: number; roundId: number; aspectId: string; closedAt: Date | null; respondents: number | null; unknownCount: number | null; levelCounts: unknown };

function toClosedRoundTally(row: TallyRow): ClosedRoundTally | null {
  const tally = toTally(row.respondents, row.unknownCount, row.levelCounts);
  if (!tally || !row.closedAt) return null;
  return { roundId: row.roundId, aspectId: row.aspectId, closedAt: row.closedAt, tally };
}

/** The closed rounds of one team under one survey, oldest first: the input of its report. */
export async function closedTallies(db: PgConn, teamId: number, surveyId: string): Promise<ClosedRoundTally[]> {
  const rows = await db
    .select(tallyColumns)
    .from(rounds)
    .where(and(eq(rounds.teamId, teamId), eq(rounds.surveyId, surveyId), eq(rounds.status, 'closed')))
    .orderBy(asc(rounds.closedAt), asc(rounds.id));
  return rows.flatMap((row) => toClosedRoundTally(row) ?? []);
}

/** Closed rounds of many teams in one query, grouped by team and kept only under each team's survey. */
export async function closedTalliesByTeam(db: PgConn, teamSurveys: ReadonlyMap<number, string>): Promise<Map<number, ClosedRoundTally[]>> {
  const byTeam = new Map<number, ClosedRoundTally[]>();
  const teamIds = [...teamSurveys.keys()];
  if (teamIds.length === 0) return byTeam;
  const rows = await db
    .select({ ...tallyColumns, surveyId: rounds.surveyId })
    .from(rounds)
    .where(and(eq(rounds.status, 'closed'), isNotNull(rounds.closedAt), sql`${rounds.teamId} = any(${sql.param(teamIds)}::integer[])`))
    .orderBy(asc(rounds.closedAt), asc(rounds.id));
  for (const row of rows) {
    if (teamSurveys.get(row.teamId) !== row.surveyId) continue;
    const tally = toClosedRoundTally(row);
    if (!tally) continue;
    const list = byTeam.get(row.teamId);
    if (list) list.push(tally);
    else byTeam.set(row.teamId, [tally]);
  }
  return byTeam;
}

const historyColumns = {
  roundId: rounds.id,
  question: rounds.question,
  openedAt: rounds.openedAt,
  closedAt: rounds.closedAt,
  respondents: rounds.respondents,
  unknownCount: rounds.unknownCount,
  levelCounts: rounds.levelCounts,
};

/**
 * The latest `limit` closed rounds of one team under one survey, newest first, with the question as asked
 * and the frozen tally, in one query (read off the `rounds_team_closed` index); see `Store.closedRoundHistory`.
 */
export async function closedRoundHistory(db: PgConn, teamId: number, surveyId: string, limit: number, options: { asOf?: Date } = {}): Promise<ClosedRoundHistory[]> {
  if (limit <= 0) return [];
  const rows = await db
    .select(historyColumns)
    .from(rounds)
    .where(
      and(
        eq(rounds.teamId, teamId),
        eq(rounds.surveyId, surveyId),
        eq(rounds.status, 'closed'),
        // A closed round always has its tally; the conditions keep the limit exact all the same.
        isNotNull(rounds.closedAt),
        isNotNull(rounds.respondents),
        isNotNull(rounds.unknownCount),
        isNotNull(rounds.levelCounts),
        options.asOf ? lte(rounds.closedAt, options.asOf) : undefined,
      ),
    )
    .orderBy(desc(rounds.closedAt), desc(rounds.id))
    .limit(limit);
  return rows.flatMap((row): ClosedRoundHistory[] => {
    const tally = toTally(row.respondents, row.unknownCount, row.levelCounts);
    if (!tally || !row.closedAt) return [];
    const question = QuestionSnapshotSchema.parse(row.question);
    return [{ roundId: row.roundId, aspectId: question.aspectId, aspectName: question.aspectName, prompt: question.prompt, openedAt: row.openedAt, closedAt: row.closedAt, tally }];
  });
}

/** Open rounds whose close time has passed, for every team at once. */
export async function dueRounds(db: PgConn, now: Date): Promise<Round[]> {
  const rows = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.status, 'open'), lte(rounds.closesAt, now)))
    .orderBy(asc(rounds.closesAt), asc(rounds.id));
  return rows.map(toRound);
}

/**
 * Closes an open round, freezes its tally from the respondents' latest answers and makes its comments
 * anonymous. Must run inside a transaction (the store sees to it). The first statement flips the status
 * and so locks the row: a second closer waits and then finds it closed, and an answer transaction that
 * share-locked the round (`findRoundForWrite`) commits before the tally below is read, so it is counted.
 * Null when the round was not open.
 */
export async function closeRound(db: PgConn, roundId: number, now: Date): Promise<Round | null> {
  const [row] = await db
    .update(rounds)
    .set({ status: 'closed', closedAt: now })
    .where(and(eq(rounds.id, roundId), eq(rounds.status, 'open')))
    .returning();
  if (!row) return null;
  const question = QuestionSnapshotSchema.parse(row.question);
  const counts = await db
    .select({ level: answers.level, count: sql<number>`count(*)::int` })
    .from(answers)
    .where(eq(answers.roundId, roundId))
    .groupBy(answers.level);
  const levelCounts = new Array<number>(question.levelCount).fill(0);
  let respondents = 0;
  let unknown = 0;
  for (const { level, count } of counts) {
    respondents += count;
    if (level === null) unknown += count;
    else if (level >= 1 && level <= question.levelCount) levelCounts[level - 1] = count;
  }
  const [closed] = await db.update(rounds).set({ respondents, unknownCount: unknown, levelCounts }).where(eq(rounds.id, roundId)).returning();
  if (!closed) throw new Error(`round ${roundId} vanished while closing`);
  await anonymiseComments(db, roundId, now);
  return toRound(closed);
}

/**
 * Open rounds past halfway with fewer than `minRespondents` answers and no reminder yet (see `Store`).
 * Halfway is computed in whole milliseconds, truncated as SQLite's integer division does: interval
 * arithmetic would keep half milliseconds and, in a session time zone with daylight saving, add calendar
 * days (`timestamptz - timestamptz` justifies hours into days).
 */
export async function roundsDueForReminder(db: PgConn, now: Date, minRespondents: number): Promise<number[]> {
  const epochMs = (column: typeof rounds.openedAt) => sql`(extract(epoch from ${column}) * 1000)::bigint`;
  const rows = await db
    .select({ id: rounds.id })
    .from(rounds)
    .where(
      and(
        eq(rounds.status, 'open'),
        sql`${epochMs(rounds.openedAt)} + (${epochMs(rounds.closesAt)} - ${epochMs(rounds.openedAt)}) / 2 <= ${now.getTime()}::bigint`,
        sql`${rounds.closesAt} > ${now.toISOString()}::timestamptz`,
        sql`not exists (select 1 from ${deliveries} where ${deliveries.roundId} = ${rounds.id} and ${deliveries.kind} = 'reminder')`,
        sql`(select count(*) from ${answers} where ${answers.roundId} = ${rounds.id}) < ${minRespondents}`,
      ),
    )
    .orderBy(asc(rounds.id));
  return rows.map((row) => row.id);
}
