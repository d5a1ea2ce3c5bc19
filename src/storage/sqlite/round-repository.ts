import { and, asc, desc, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import type { AskedQuestion } from '../../core/question-choice.js';
import { QuestionSnapshotSchema, RoundTallySchema, type QuestionSnapshot, type Round, type RoundTally } from '../../core/round.js';
import type { ClosedRoundTally } from '../../core/scoring.js';
import { anonymiseComments } from './answer-repository.js';
import type { ClosedRoundHistory, InsertRoundResult, NewRound } from '../records.js';
import { inTransaction, isUniqueViolation, type Db } from './database.js';
import { answers, rounds } from './schema.js';
import { perDatabase } from './statement-cache.js';

type RoundRow = typeof rounds.$inferSelect;

function toTally(respondents: number | null, unknown: number | null, levelCounts: unknown): RoundTally | null {
  if (respondents === null || unknown === null || levelCounts === null) return null;
  return RoundTallySchema.parse({ respondents, unknown, levelCounts });
}

/** Question snapshots never change once stored, so each is validated once per database and round. */
function questionOf(db: Db | null, row: Pick<RoundRow, 'id' | 'question'>): QuestionSnapshot {
  if (!db) return QuestionSnapshotSchema.parse(row.question);
  const cache = perDatabase(db, 'question-snapshots', () => new Map<number, QuestionSnapshot>());
  let question = cache.get(row.id);
  if (!question) {
    question = QuestionSnapshotSchema.parse(row.question);
    if (cache.size > 5_000) cache.clear();
    cache.set(row.id, question);
  }
  return question;
}

export function toRound(row: RoundRow, db: Db | null = null): Round {
  return {
    id: row.id,
    teamId: row.teamId,
    surveyId: row.surveyId,
    surveyHash: row.surveyHash,
    question: questionOf(db, row),
    periodKey: row.periodKey,
    origin: row.origin === 'ad-hoc' ? 'ad-hoc' : 'scheduled',
    openedAt: row.openedAt,
    closesAt: row.closesAt,
    closedAt: row.closedAt,
    status: row.status === 'closed' ? 'closed' : 'open',
    tally: toTally(row.respondents, row.unknownCount, row.levelCounts),
  };
}

/** Opens a round unless the team already has an open one or a round in this period (the unique indexes decide). */
export function insertRound(db: Db, round: NewRound): InsertRoundResult {
  try {
    const row = db
      .insert(rounds)
      .values({ ...round, aspectId: round.question.aspectId, questionId: round.question.questionId, status: 'open' })
      .returning()
      .get();
    return { kind: 'opened', round: toRound(row) };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const open = findOpenRound(db, round.teamId);
    if (open) return { kind: 'already-open', round: open };
    const taken = db.select().from(rounds).where(and(eq(rounds.teamId, round.teamId), eq(rounds.periodKey, round.periodKey))).get();
    if (taken) return { kind: 'period-taken', round: toRound(taken) };
    throw error;
  }
}

export function findRound(db: Db, roundId: number): Round | null {
  const statement = perDatabase(db, 'findRound', () =>
    db
      .select()
      .from(rounds)
      .where(eq(rounds.id, sql.placeholder('id')))
      .prepare(),
  );
  const row = statement.get({ id: roundId });
  return row ? toRound(row, db) : null;
}

export function findOpenRound(db: Db, teamId: number): Round | null {
  const row = db.select().from(rounds).where(and(eq(rounds.teamId, teamId), eq(rounds.status, 'open'))).get();
  return row ? toRound(row) : null;
}

export function latestRound(db: Db, teamId: number): Round | null {
  const row = db.select().from(rounds).where(eq(rounds.teamId, teamId)).orderBy(sql`${rounds.openedAt} desc`).limit(1).get();
  return row ? toRound(row) : null;
}

/** What the team was asked under a survey, for choosing the next question. */
export function askedQuestions(db: Db, teamId: number, surveyId: string): AskedQuestion[] {
  return db
    .select({ aspectId: rounds.aspectId, questionId: rounds.questionId, openedAt: rounds.openedAt })
    .from(rounds)
    .where(and(eq(rounds.teamId, teamId), eq(rounds.surveyId, surveyId)))
    .all();
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
export function closedTallies(db: Db, teamId: number, surveyId: string): ClosedRoundTally[] {
  return db
    .select(tallyColumns)
    .from(rounds)
    .where(and(eq(rounds.teamId, teamId), eq(rounds.surveyId, surveyId), eq(rounds.status, 'closed')))
    .orderBy(asc(rounds.closedAt), asc(rounds.id))
    .all()
    .flatMap((row) => toClosedRoundTally(row) ?? []);
}

/** Closed rounds of many teams in one query, grouped by team and kept only under each team's survey. */
export function closedTalliesByTeam(db: Db, teamSurveys: ReadonlyMap<number, string>): Map<number, ClosedRoundTally[]> {
  const byTeam = new Map<number, ClosedRoundTally[]>();
  const teamIds = [...teamSurveys.keys()];
  if (teamIds.length === 0) return byTeam;
  const rows = db
    .select({ ...tallyColumns, surveyId: rounds.surveyId })
    .from(rounds)
    .where(and(eq(rounds.status, 'closed'), isNotNull(rounds.closedAt), teamIds.length <= 500 ? inArray(rounds.teamId, teamIds) : undefined))
    .orderBy(asc(rounds.closedAt), asc(rounds.id))
    .all();
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
export function closedRoundHistory(db: Db, teamId: number, surveyId: string, limit: number, options: { asOf?: Date } = {}): ClosedRoundHistory[] {
  if (limit <= 0) return [];
  return db
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
    .limit(limit)
    .all()
    .flatMap((row): ClosedRoundHistory[] => {
      const tally = toTally(row.respondents, row.unknownCount, row.levelCounts);
      if (!tally || !row.closedAt) return [];
      const question = questionOf(db, { id: row.roundId, question: row.question });
      return [{ roundId: row.roundId, aspectId: question.aspectId, aspectName: question.aspectName, prompt: question.prompt, openedAt: row.openedAt, closedAt: row.closedAt, tally }];
    });
}

/** Open rounds whose close time has passed, for every team at once. */
export function dueRounds(db: Db, now: Date): Round[] {
  return db
    .select()
    .from(rounds)
    .where(and(eq(rounds.status, 'open'), lte(rounds.closesAt, now)))
    .orderBy(asc(rounds.closesAt))
    .all()
    .map((row) => toRound(row, db));
}

/**
 * Closes an open round and freezes its tally from the respondents' latest answers, in one transaction.
 * Returns null when the round was not open (already closed by another process or an earlier call).
 */
export function closeRound(db: Db, roundId: number, now: Date): Round | null {
  return inTransaction(db, () => {
    const row = db.select().from(rounds).where(and(eq(rounds.id, roundId), eq(rounds.status, 'open'))).get();
    if (!row) return null;
    const question = QuestionSnapshotSchema.parse(row.question);
    const counts = db
      .select({ level: answers.level, count: sql<number>`count(*)` })
      .from(answers)
      .where(eq(answers.roundId, roundId))
      .groupBy(answers.level)
      .all();
    const levelCounts = new Array<number>(question.levelCount).fill(0);
    let respondents = 0;
    let unknown = 0;
    for (const { level, count } of counts) {
      respondents += count;
      if (level === null) unknown += count;
      else if (level >= 1 && level <= question.levelCount) levelCounts[level - 1] = count;
    }
    const closed = db
      .update(rounds)
      .set({ status: 'closed', closedAt: now, respondents, unknownCount: unknown, levelCounts })
      .where(eq(rounds.id, roundId))
      .returning()
      .get();
    anonymiseComments(db, roundId, now);
    return toRound(closed);
  });
}

/** Open rounds past halfway with fewer than `minRespondents` answers and no reminder yet (see `Store`). */
export function roundsDueForReminder(db: Db, now: Date, minRespondents: number): number[] {
  return db
    .all<{ id: number }>(
      sql`
    select r.id from rounds r
    where r.status = 'open'
      and r.opened_at + (r.closes_at - r.opened_at) / 2 <= ${now.getTime()}
      and r.closes_at > ${now.getTime()}
      and not exists (select 1 from deliveries d where d.round_id = r.id and d.kind = 'reminder')
      and (select count(*) from answers a where a.round_id = r.id) < ${minRespondents}
    order by r.id`,
    )
    .map((row) => row.id);
}
