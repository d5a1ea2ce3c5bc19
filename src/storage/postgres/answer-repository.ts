import { and, desc, eq, isNotNull, lt, sql } from 'drizzle-orm';
import { QuestionSnapshotSchema } from '../../core/round.js';
import type { OwnAnswer, RecordedAnswer, UpsertedAnswer } from '../records.js';
import type { PgConn } from './postgres-store.js';
import { answers, comments, rounds } from './schema.js';

type AnswerRow = typeof answers.$inferSelect;

function toRecordedAnswer(row: AnswerRow): RecordedAnswer {
  return { roundId: row.roundId, optionId: row.optionId, level: row.level, answeredAt: row.answeredAt, changes: row.changes };
}

/** `column = any($ids)`: one parameter whatever the number of ids. */
function anyId(column: typeof answers.roundId | typeof comments.roundId, ids: readonly number[]) {
  return sql`${column} = any(${sql.param([...ids])}::integer[])`;
}

/**
 * Stores a respondent's answer; a later answer replaces the earlier one and counts as a change (picking
 * the same option again is not a change). Returns the stored answer.
 */
export async function upsertAnswer(db: PgConn, answer: { roundId: number; respondentKey: string; optionId: string; level: number | null; at: Date }): Promise<UpsertedAnswer> {
  // The replaced option comes back from the same statement (its snapshot is taken before the write): one
  // round trip per click instead of a read and then a write.
  const previous = db.$with('previous').as(db.select({ optionId: answers.optionId }).from(answers).where(and(eq(answers.roundId, answer.roundId), eq(answers.respondentKey, answer.respondentKey))));
  const [row] = await db
    .with(previous)
    .insert(answers)
    .values({ roundId: answer.roundId, respondentKey: answer.respondentKey, optionId: answer.optionId, level: answer.level, firstAnsweredAt: answer.at, answeredAt: answer.at })
    .onConflictDoUpdate({
      target: [answers.roundId, answers.respondentKey],
      set: {
        optionId: sql`excluded.option_id`,
        level: sql`excluded.level`,
        answeredAt: sql`excluded.answered_at`,
        changes: sql`${answers.changes} + (case when ${answers.optionId} = excluded.option_id then 0 else 1 end)`,
      },
    })
    .returning({ roundId: answers.roundId, optionId: answers.optionId, level: answers.level, answeredAt: answers.answeredAt, changes: answers.changes, previousOptionId: sql<string | null>`(select ${previous.optionId} from ${previous})` });
  if (!row) throw new Error('the answer upsert returned nothing');
  return row;
}

export async function findAnswer(db: PgConn, roundId: number, respondentKey: string): Promise<RecordedAnswer | null> {
  const [row] = await db
    .select()
    .from(answers)
    .where(and(eq(answers.roundId, roundId), eq(answers.respondentKey, respondentKey)));
  return row ? toRecordedAnswer(row) : null;
}

/** How many have answered (never who or what): what the round message shows while it runs. */
export async function countAnswers(db: PgConn, roundId: number): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(answers).where(eq(answers.roundId, roundId));
  return row?.count ?? 0;
}

/** Answers of a round that carry a level (not "I don't know"): what the minimum counts. */
export async function countLevelAnswers(db: PgConn, roundId: number): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(answers)
    .where(and(eq(answers.roundId, roundId), isNotNull(answers.level)));
  return row?.count ?? 0;
}

/** The respondent keys that answered a round, in binary order (SQLite reads them off its primary key). */
export async function answerKeys(db: PgConn, roundId: number): Promise<string[]> {
  const rows = await db
    .select({ key: answers.respondentKey })
    .from(answers)
    .where(eq(answers.roundId, roundId))
    .orderBy(sql`${answers.respondentKey} collate "C"`);
  return rows.map((row) => row.key);
}

/**
 * Makes a closing round's comments anonymous: the respondent key goes, both times become the close time,
 * and the rows are written again in the order of their text, so neither a key, a time nor a row id ties a
 * comment to its author's answer (see the SQLite twin). Runs inside the close's transaction.
 */
export async function anonymiseComments(db: PgConn, roundId: number, closedAt: Date): Promise<void> {
  const rows = await db.delete(comments).where(eq(comments.roundId, roundId)).returning({ text: comments.text });
  if (rows.length === 0) return;
  // The same sort as SQLite's twin (UTF-16 code units), so both engines write the same rows.
  const texts = rows.map((row) => row.text).sort();
  // A multi-row insert takes its ids in the order of its rows.
  await db.insert(comments).values(texts.map((text) => ({ roundId, respondentKey: null, text, createdAt: closedAt, updatedAt: closedAt })));
}

export async function upsertComment(db: PgConn, comment: { roundId: number; respondentKey: string; text: string; at: Date }): Promise<void> {
  await db
    .insert(comments)
    .values({ roundId: comment.roundId, respondentKey: comment.respondentKey, text: comment.text, createdAt: comment.at, updatedAt: comment.at })
    .onConflictDoUpdate({ target: [comments.roundId, comments.respondentKey], set: { text: comment.text, updatedAt: comment.at } });
}

export async function deleteComment(db: PgConn, roundId: number, respondentKey: string): Promise<boolean> {
  const result = await db.delete(comments).where(and(eq(comments.roundId, roundId), eq(comments.respondentKey, respondentKey)));
  return (result.rowCount ?? 0) > 0;
}

export async function findComment(db: PgConn, roundId: number, respondentKey: string): Promise<string | null> {
  const [row] = await db
    .select({ text: comments.text })
    .from(comments)
    .where(and(eq(comments.roundId, roundId), eq(comments.respondentKey, respondentKey)));
  return row?.text ?? null;
}

/**
 * Comments of a team's closed rounds, without their authors. In the order SQLite reads them (rounds by
 * its `rounds_team_closed` index, then each round's comments by key and row id, i.e. by text since the
 * close rewrote them), so both engines list them alike.
 */
export async function closedRoundComments(db: PgConn, teamId: number): Promise<{ roundId: number; text: string }[]> {
  return db
    .select({ roundId: comments.roundId, text: comments.text })
    .from(comments)
    .innerJoin(rounds, eq(rounds.id, comments.roundId))
    .where(and(eq(rounds.teamId, teamId), eq(rounds.status, 'closed')))
    .orderBy(
      sql`${rounds.surveyId} collate "C"`,
      sql`${rounds.closedAt} asc nulls first`,
      rounds.id,
      sql`${comments.respondentKey} collate "C" asc nulls first`,
      comments.id,
    );
}

/**
 * A person's own answers and comments, newest first: shown to them and nobody else. A comment may come
 * without an answer (commenting does not require picking a level), so a round counts as theirs when
 * either holds their key.
 */
export async function answersOfRespondent(db: PgConn, respondentKey: string, limit = 50): Promise<OwnAnswer[]> {
  // Both sides are indexed on the respondent key, so this never scans every round.
  const mine = db
    .select({ roundId: answers.roundId })
    .from(answers)
    .where(eq(answers.respondentKey, respondentKey))
    .union(db.select({ roundId: comments.roundId }).from(comments).where(eq(comments.respondentKey, respondentKey)))
    .as('mine');
  const at = sql`coalesce(${answers.answeredAt}, ${comments.updatedAt})`;
  const rows = await db
    .select({
      roundId: mine.roundId,
      teamId: rounds.teamId,
      aspectId: rounds.aspectId,
      question: rounds.question,
      status: rounds.status,
      optionId: answers.optionId,
      // Every row has an answer or a comment (that is how `mine` was built), so this is never null.
      at: sql<Date>`${at}`.mapWith(answers.answeredAt),
      comment: comments.text,
    })
    .from(mine)
    .innerJoin(rounds, eq(rounds.id, mine.roundId))
    .leftJoin(answers, and(eq(answers.roundId, mine.roundId), eq(answers.respondentKey, respondentKey)))
    .leftJoin(comments, and(eq(comments.roundId, mine.roundId), eq(comments.respondentKey, respondentKey)))
    .orderBy(desc(at), desc(mine.roundId))
    .limit(limit);
  return rows.map((row) => {
    const question = QuestionSnapshotSchema.parse(row.question);
    return {
      roundId: row.roundId,
      teamId: row.teamId,
      aspectId: row.aspectId,
      aspectName: question.aspectName,
      optionId: row.optionId,
      optionText: row.optionId === null ? null : (question.options.find((option) => option.id === row.optionId)?.text ?? row.optionId),
      at: row.at,
      comment: row.comment,
      roundOpen: row.status === 'open',
    };
  });
}

/**
 * Erases one person's answers everywhere and their comments on open rounds (comments of closed rounds
 * lost their key at close). Two statements: the store runs them in one transaction.
 */
export async function deleteRespondentData(db: PgConn, respondentKey: string): Promise<{ answers: number; comments: number }> {
  const removedAnswers = await db.delete(answers).where(eq(answers.respondentKey, respondentKey));
  const removedComments = await db.delete(comments).where(eq(comments.respondentKey, respondentKey));
  return { answers: removedAnswers.rowCount ?? 0, comments: removedComments.rowCount ?? 0 };
}

/** Deletes answers and comments of the given rounds (the store runs both in one transaction). */
export async function deleteAnswersOfRounds(db: PgConn, roundIds: readonly number[]): Promise<{ answers: number; comments: number }> {
  if (roundIds.length === 0) return { answers: 0, comments: 0 };
  const removedAnswers = await db.delete(answers).where(anyId(answers.roundId, roundIds));
  const removedComments = await db.delete(comments).where(anyId(comments.roundId, roundIds));
  return { answers: removedAnswers.rowCount ?? 0, comments: removedComments.rowCount ?? 0 };
}

/** Closed rounds that closed before `before` and still hold answers or comments, by their scheduled close. */
export async function closedRoundsWithDataBefore(db: PgConn, before: Date): Promise<{ roundId: number; teamId: number; surveyId: string; aspectId: string }[]> {
  return db
    .select({ roundId: rounds.id, teamId: rounds.teamId, surveyId: rounds.surveyId, aspectId: rounds.aspectId })
    .from(rounds)
    .where(
      and(
        eq(rounds.status, 'closed'),
        lt(rounds.closedAt, before),
        sql`(exists (select 1 from ${answers} where ${answers.roundId} = ${rounds.id}) or exists (select 1 from ${comments} where ${comments.roundId} = ${rounds.id}))`,
      ),
    )
    // SQLite reads them off its rounds_due (status, closes_at) index.
    .orderBy(rounds.closesAt, rounds.id);
}
