import { and, desc, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { QuestionSnapshotSchema } from '../../core/round.js';
import type { OwnAnswer, RecordedAnswer, UpsertedAnswer } from '../records.js';
import type { Db } from './database.js';
import { perDatabase } from './statement-cache.js';
import { answers, comments, rounds } from './schema.js';

/**
 * Stores a respondent's answer; a later answer replaces the earlier one and counts as a change (picking
 * the same option again is not a change). Returns the stored answer.
 */
export function upsertAnswer(db: Db, answer: { roundId: number; respondentKey: string; optionId: string; level: number | null; at: Date }): UpsertedAnswer {
  // Read in the same synchronous step as the write: nothing can come between them on the one connection.
  const previous = findAnswer(db, answer.roundId, answer.respondentKey);
  const statement = perDatabase(db, 'upsertAnswer', () =>
    db
      .insert(answers)
      .values({
        roundId: sql.placeholder('roundId'),
        respondentKey: sql.placeholder('respondentKey'),
        optionId: sql.placeholder('optionId'),
        level: sql.placeholder('level'),
        firstAnsweredAt: sql.placeholder('at'),
        answeredAt: sql.placeholder('at'),
      })
      .onConflictDoUpdate({
        target: [answers.roundId, answers.respondentKey],
        set: {
          optionId: sql`excluded.option_id`,
          level: sql`excluded.level`,
          answeredAt: sql`excluded.answered_at`,
          changes: sql`${answers.changes} + (case when ${answers.optionId} = excluded.option_id then 0 else 1 end)`,
        },
      })
      .returning()
      .prepare(),
  );
  const row = statement.get({ roundId: answer.roundId, respondentKey: answer.respondentKey, optionId: answer.optionId, level: answer.level, at: answer.at });
  if (!row) throw new Error('the answer upsert returned nothing');
  return { roundId: row.roundId, optionId: row.optionId, level: row.level, answeredAt: row.answeredAt, changes: row.changes, previousOptionId: previous?.optionId ?? null };
}

export function findAnswer(db: Db, roundId: number, respondentKey: string): RecordedAnswer | null {
  const statement = perDatabase(db, 'findAnswer', () =>
    db
      .select()
      .from(answers)
      .where(and(eq(answers.roundId, sql.placeholder('roundId')), eq(answers.respondentKey, sql.placeholder('respondentKey'))))
      .prepare(),
  );
  const row = statement.get({ roundId, respondentKey });
  return row ? { roundId: row.roundId, optionId: row.optionId, level: row.level, answeredAt: row.answeredAt, changes: row.changes } : null;
}

/** How many have answered (never who or what): what the round message shows while it runs. */
export function countAnswers(db: Db, roundId: number): number {
  return db.select({ count: sql<number>`count(*)` }).from(answers).where(eq(answers.roundId, roundId)).get()?.count ?? 0;
}

/** Answers of a round that carry a level (not "I don't know"): what the minimum counts. */
export function countLevelAnswers(db: Db, roundId: number): number {
  return db.select({ count: sql<number>`count(*)` }).from(answers).where(and(eq(answers.roundId, roundId), isNotNull(answers.level))).get()?.count ?? 0;
}

/** The respondent keys that answered a round: for comparing with channel members, never shown. */
export function answerKeys(db: Db, roundId: number): string[] {
  return db.select({ key: answers.respondentKey }).from(answers).where(eq(answers.roundId, roundId)).all().map((row) => row.key);
}

/**
 * Makes a closing round's comments anonymous: the respondent key goes, both times become the close time,
 * and the rows are written again in the order of their text, so neither a key, a time nor a row id ties a
 * comment to its author's answer (the order of the texts says nothing about who wrote them, and unlike a
 * random order it builds the same database from the same data). Runs inside the close's transaction.
 */
export function anonymiseComments(db: Db, roundId: number, closedAt: Date): void {
  const texts = db.select({ text: comments.text }).from(comments).where(eq(comments.roundId, roundId)).all().map((row) => row.text);
  if (texts.length === 0) return;
  db.delete(comments).where(eq(comments.roundId, roundId)).run();
  texts.sort();
  db.insert(comments)
    .values(texts.map((text) => ({ roundId, respondentKey: null, text, createdAt: closedAt, updatedAt: closedAt })))
    .run();
}

export function upsertComment(db: Db, comment: { roundId: number; respondentKey: string; text: string; at: Date }): void {
  db.insert(comments)
    .values({ roundId: comment.roundId, respondentKey: comment.respondentKey, text: comment.text, createdAt: comment.at, updatedAt: comment.at })
    .onConflictDoUpdate({ target: [comments.roundId, comments.respondentKey], set: { text: comment.text, updatedAt: comment.at } })
    .run();
}

export function deleteComment(db: Db, roundId: number, respondentKey: string): boolean {
  return db.delete(comments).where(and(eq(comments.roundId, roundId), eq(comments.respondentKey, respondentKey))).run().changes > 0;
}

export function findComment(db: Db, roundId: number, respondentKey: string): string | null {
  return db.select({ text: comments.text }).from(comments).where(and(eq(comments.roundId, roundId), eq(comments.respondentKey, respondentKey))).get()?.text ?? null;
}

/** Comments of a team's closed rounds, without their authors. */
export function closedRoundComments(db: Db, teamId: number): { roundId: number; text: string }[] {
  return db
    .select({ roundId: comments.roundId, text: comments.text })
    .from(comments)
    .innerJoin(rounds, eq(rounds.id, comments.roundId))
    .where(and(eq(rounds.teamId, teamId), eq(rounds.status, 'closed')))
    .all();
}

/**
 * A person's own answers and comments, newest first: shown to them and nobody else. A comment may come
 * without an answer (commenting does not require picking a level), so a round counts as theirs when
 * either holds their key.
 */
export function answersOfRespondent(db: Db, respondentKey: string, limit = 50): OwnAnswer[] {
  // Both sides are indexed on the respondent key, so this never scans every round.
  const mine = db
    .select({ roundId: answers.roundId })
    .from(answers)
    .where(eq(answers.respondentKey, respondentKey))
    .union(db.select({ roundId: comments.roundId }).from(comments).where(eq(comments.respondentKey, respondentKey)))
    .as('mine');
  return db
    .select({
      roundId: mine.roundId,
      teamId: rounds.teamId,
      aspectId: rounds.aspectId,
      question: rounds.question,
      status: rounds.status,
      optionId: answers.optionId,
      // Every row has an answer or a comment (that is how `mine` was built), so this is never null.
      at: sql<Date>`coalesce(${answers.answeredAt}, ${comments.updatedAt})`.mapWith(answers.answeredAt),
      comment: comments.text,
    })
    .from(mine)
    .innerJoin(rounds, eq(rounds.id, mine.roundId))
    .leftJoin(answers, and(eq(answers.roundId, mine.roundId), eq(answers.respondentKey, respondentKey)))
    .leftJoin(comments, and(eq(comments.roundId, mine.roundId), eq(comments.respondentKey, respondentKey)))
    .orderBy(desc(sql`coalesce(${answers.answeredAt}, ${comments.updatedAt})`), desc(mine.roundId))
    .limit(limit)
    .all()
    .map((row) => {
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
 * Erases one person's answers everywhere and their comments on open rounds. Tallies of closed rounds
 * were frozen at close and comments of closed rounds lost their key then, so nothing anyone else can see
 * changes (a comment vanishing from a report would say whose it was).
 */
export function deleteRespondentData(db: Db, respondentKey: string): { answers: number; comments: number } {
  const removedAnswers = db.delete(answers).where(eq(answers.respondentKey, respondentKey)).run().changes;
  const removedComments = db.delete(comments).where(eq(comments.respondentKey, respondentKey)).run().changes;
  return { answers: removedAnswers, comments: removedComments };
}

/** Deletes answers and comments of the given closed rounds that closed before `before`. */
export function deleteAnswersOfRounds(db: Db, roundIds: readonly number[]): { answers: number; comments: number } {
  if (roundIds.length === 0) return { answers: 0, comments: 0 };
  let removedAnswers = 0;
  let removedComments = 0;
  for (let i = 0; i < roundIds.length; i += 500) {
    const chunk = roundIds.slice(i, i + 500);
    removedAnswers += db.delete(answers).where(inArray(answers.roundId, chunk)).run().changes;
    removedComments += db.delete(comments).where(inArray(comments.roundId, chunk)).run().changes;
  }
  return { answers: removedAnswers, comments: removedComments };
}

/** Closed rounds that closed before `before` and still hold answers or comments. */
export function closedRoundsWithDataBefore(db: Db, before: Date): { roundId: number; teamId: number; surveyId: string; aspectId: string }[] {
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
    .all();
}
