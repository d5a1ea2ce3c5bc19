import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAX_UNCERTAIN_RESENDS, type DeliveryPayload } from '../../src/core/outbox.js';
import type { ChannelRef, UserRef } from '../../src/core/platform.js';
import { snapshotQuestion } from '../../src/core/round.js';
import { UNKNOWN_OPTION_ID } from '../../src/core/survey.js';
import { LeaseLostError, type LeaseState, type NewRound, type NewTeam, type StoredReference } from '../../src/storage/records.js';
import type { Store } from '../../src/storage/store.js';
import { closePostgres, openPostgres, type PgDb } from '../../src/storage/postgres/database.js';
import { createPostgresStore, type PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { openDatabase } from '../../src/storage/sqlite/database.js';
import { createSqliteStore, type SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { buildSurvey } from '../support/factories.js';
import { createTestDatabase, startPostgresServer, type PostgresServer, type TestDatabase } from '../support/postgres-server.js';
import { tempDir } from '../support/test-context.js';

/**
 * The PostgreSQL store against the SQLite one: the same calls on the same data must give the same results
 * (ids, order, nulls, mapped types), step by step. Then what only PostgreSQL has to get right: concurrent
 * drainers, lease races and a close racing an answer, on two pools over one database.
 */

const survey = buildSurvey();
const cadence = { everyWeeks: 1 as const, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96, anchorWeek: '2026-W10' };
const T0 = new Date('2026-03-02T10:00:00.123Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;

let serverUrl: string;
let ownServer: PostgresServer | undefined;
const databases: TestDatabase[] = [];
const pools: PgDb[] = [];
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const provided = inject('postgresUrl');
  if (provided) {
    serverUrl = provided;
  } else {
    // Run on its own (no global setup providing a server): start one for this file.
    ownServer = await startPostgresServer();
    serverUrl = ownServer.url;
  }
});

afterAll(async () => {
  for (const pool of pools) await closePostgres(pool);
  for (const database of databases) await database.drop();
  for (const cleanup of cleanups) cleanup();
  await ownServer?.stop();
});

/**
 * A session time zone far from UTC, with daylight saving and a 45-minute offset: times must round-trip
 * whatever the server's setting, and no computation may depend on it.
 */
const SESSION_TIME_ZONE = 'Pacific/Chatham';

async function freshPostgres(poolSize = 10): Promise<{ url: string; db: PgDb }> {
  const database = await createTestDatabase(serverUrl);
  databases.push(database);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`alter database ${database.name} set timezone to '${SESSION_TIME_ZONE}'`);
  } finally {
    await admin.end();
  }
  const db = await openPostgres(database.url, { poolSize });
  pools.push(db);
  return { url: database.url, db };
}

async function openPool(url: string, poolSize = 10): Promise<PgDb> {
  const db = await openPostgres(url, { poolSize, migrate: false });
  pools.push(db);
  return db;
}

function freshSqlite(): SqliteStore {
  const { dir, cleanup } = tempDir('mp-pg-parity-');
  const store = createSqliteStore(openDatabase(path.join(dir, 'test.db')));
  cleanups.push(() => {
    void store.close();
    cleanup();
  });
  return store;
}

interface Pair {
  readonly sqlite: SqliteStore;
  readonly pg: PostgresStore;
  /** Runs `call` on SQLite, then on PostgreSQL, and expects the same result; returns it. */
  both<T>(step: string, call: (store: Store) => Promise<T>): Promise<T>;
  /** Runs `call` on each and expects both to reject; returns both errors. */
  bothReject(step: string, call: (store: Store) => Promise<unknown>): Promise<[unknown, unknown]>;
  /** The same query's rows on each engine, times as Dates. */
  rows(query: string): Promise<[unknown[], unknown[]]>;
}

async function freshPair(): Promise<Pair> {
  const sqlite = freshSqlite();
  const pg = createPostgresStore((await freshPostgres()).db);
  return {
    sqlite,
    pg,
    async both(step, call) {
      const expected = await call(sqlite);
      const actual = await call(pg);
      expect(actual, step).toEqual(expected);
      return actual;
    },
    async bothReject(step, call) {
      const fail = (store: Store) =>
        call(store).then(
          (value) => {
            throw new Error(`${step}: expected a rejection on ${store.engine}, got ${JSON.stringify(value)}`);
          },
          (error: unknown) => error,
        );
      return [await fail(sqlite), await fail(pg)];
    },
    async rows(query) {
      const fromSqlite = sqlite.db.$client.prepare(query).all();
      const fromPg = (await pg.db.$client.query(query)).rows;
      return [fromSqlite, fromPg];
    },
  };
}

const slack = (channelId: string, workspaceId = 'T1'): ChannelRef => ({ platform: 'slack', workspaceId, channelId });

function newTeam(name: string, channel: ChannelRef, extra: Partial<NewTeam> = {}): NewTeam {
  return { name, channel, surveyId: survey.id, cadence, createdAt: T0, ...extra };
}

function newRound(teamId: number, periodKey: string, options: { aspect?: number; question?: number; openedAt?: Date; closesAt?: Date } = {}): NewRound {
  const aspect = survey.aspects[options.aspect ?? 0]!;
  return {
    teamId,
    surveyId: survey.id,
    surveyHash: 'hash',
    question: snapshotQuestion(survey, aspect, aspect.questions[options.question ?? 0]!),
    periodKey,
    origin: 'scheduled',
    openedAt: options.openedAt ?? T0,
    closesAt: options.closesAt ?? at(96 * HOUR),
  };
}

async function createdTeam(pair: Pair, step: string, team: NewTeam): Promise<number> {
  const result = await pair.both(step, (store) => store.insertTeam(team));
  if (result.kind !== 'created') throw new Error(`${step}: ${result.kind}`);
  return result.team.id;
}

async function openedRound(pair: Pair, step: string, round: NewRound): Promise<number> {
  const result = await pair.both(step, (store) => store.insertRound(round));
  if (result.kind !== 'opened') throw new Error(`${step}: ${result.kind}`);
  return result.round.id;
}

function intent(channel: ChannelRef, periodKey: string, payload: DeliveryPayload, when: Date, ids: { teamId?: number | null; roundId?: number | null } = {}) {
  return { target: channel, periodKey, payload, teamId: ids.teamId ?? null, roundId: ids.roundId ?? null, at: when };
}

describe('the PostgreSQL store gives what the SQLite store gives', () => {
  it('teams: clashes, look-ups, counts, options, scheduling and deletion', async () => {
    const pair = await freshPair();
    const payments = await createdTeam(pair, 'insert Payments', newTeam('Payments', slack('C1'), { organisationId: 'E1' }));
    await pair.both('a name clash, ignoring case and spacing', (store) => store.insertTeam(newTeam('  PAYMENTS ', slack('C2'))));
    await pair.both('a channel clash', (store) => store.insertTeam(newTeam('Other', slack('C1'))));
    // A refused team takes no id on either engine.
    const zebra = await createdTeam(pair, 'insert Zebra (demo)', newTeam('zebra', slack('C3'), { isDemo: true, questionStrategy: 'adaptive' }));
    const alpha = await createdTeam(pair, 'insert Alpha on Teams', newTeam('Alpha', { platform: 'teams', workspaceId: 'tenant', channelId: '19:abc' }));
    expect([payments, zebra, alpha]).toEqual([1, 2, 3]);
    await createdTeam(pair, 'insert Äpfel (non-ASCII sorts last in binary order)', newTeam('Äpfel', slack('C4')));
    await createdTeam(pair, 'the shared channel bound again in another workspace', newTeam('Payments B', slack('C1', 'T0'), { organisationId: 'E1' }));

    await pair.both('findTeamByName', (store) => store.findTeamByName('payments'));
    await pair.both('findTeamByName (none)', (store) => store.findTeamByName('nobody'));
    await pair.both('findTeamById', (store) => store.findTeamById(zebra));
    await pair.both('findTeamById (none)', (store) => store.findTeamById(999));
    await pair.both('findTeamByChannel', (store) => store.findTeamByChannel(slack('C1')));
    await pair.both('findTeamByChannel shared in the organisation', (store) => store.findTeamByChannel(slack('C1', 'T9'), 'E1'));
    await pair.both('findTeamByChannel shared, other organisation', (store) => store.findTeamByChannel(slack('C1', 'T9'), 'E2'));
    await pair.both('listTeams', (store) => store.listTeams());
    await pair.both('countTeams', (store) => store.countTeams());
    await pair.both('countTeams demo', (store) => store.countTeams({ demo: true }));
    await pair.both('countTeams not demo', (store) => store.countTeams({ demo: false }));

    await pair.both('setTeamPause', (store) => store.setTeamPause(payments, '2026-04-01'));
    await pair.both('setTeamMemberCount', (store) => store.setTeamMemberCount(slack('C1'), 12));
    await pair.both('setTeamOptions', (store) => store.setTeamOptions(payments, { questionStrategy: 'adaptive', nudgeNonRespondents: true }));
    await pair.both('setTeamOptions partly', (store) => store.setTeamOptions(zebra, { nudgeNonRespondents: true }));
    await pair.both('teamsDueForScheduling (never checked)', (store) => store.teamsDueForScheduling(T0));
    await pair.both('setNextRoundCheck', (store) => store.setNextRoundCheck(payments, at(5)));
    await pair.both('setNextRoundCheck later', (store) => store.setNextRoundCheck(zebra, at(HOUR)));
    await pair.both('teamsDueForScheduling at the millisecond', (store) => store.teamsDueForScheduling(at(5)));
    await pair.both('teamsDueForScheduling a millisecond early', (store) => store.teamsDueForScheduling(at(4)));
    await pair.both('the team after all that', (store) => store.findTeamById(payments));

    const round = await openedRound(pair, 'a round of Zebra', newRound(zebra, '2026-W10'));
    await pair.both('deleteTeam', (store) => store.deleteTeam(zebra));
    await pair.both('deleteTeam again', (store) => store.deleteTeam(zebra));
    await pair.both('its round went with it', (store) => store.findRound(round));
    await pair.both('listTeams after deletion', (store) => store.listTeams());
    // Ids are never reused after a deletion.
    await pair.both('insert after deletion', (store) => store.insertTeam(newTeam('Zebra', slack('C3'))));
  });

  it('rounds, answers, comments, the close and its tally, reminders', async () => {
    const pair = await freshPair();
    const team = await createdTeam(pair, 'team', newTeam('Payments', slack('C1')));
    const other = await createdTeam(pair, 'other team', newTeam('Platform', slack('C2')));
    const first = await openedRound(pair, 'open a round', newRound(team, '2026-W10'));
    await pair.both('already open', (store) => store.insertRound(newRound(team, '2026-W11')));
    await pair.both('findRound', (store) => store.findRound(first));
    await pair.both('findRound (none)', (store) => store.findRound(999));
    await pair.both('findRoundForWrite', (store) => store.findRoundForWrite(first));
    await pair.both('findOpenRound', (store) => store.findOpenRound(team));
    await pair.both('findOpenRound (none)', (store) => store.findOpenRound(other));

    // Answers: a change, the same option again (no change), "I don't know".
    await pair.both('answer a', (store) => store.upsertAnswer({ roundId: first, respondentKey: 'key-a', optionId: '2', level: 2, at: at(1000) }));
    await pair.both('a changes their answer', (store) => store.upsertAnswer({ roundId: first, respondentKey: 'key-a', optionId: '3', level: 3, at: at(2000) }));
    await pair.both('a picks the same again', (store) => store.upsertAnswer({ roundId: first, respondentKey: 'key-a', optionId: '3', level: 3, at: at(3000) }));
    await pair.both('b does not know', (store) => store.upsertAnswer({ roundId: first, respondentKey: 'key-b', optionId: UNKNOWN_OPTION_ID, level: null, at: at(4000) }));
    await pair.both('c answers 3', (store) => store.upsertAnswer({ roundId: first, respondentKey: 'KEY-c', optionId: '3', level: 3, at: at(5000) }));
    await pair.both('d answers 1', (store) => store.upsertAnswer({ roundId: first, respondentKey: 'key-d', optionId: '1', level: 1, at: at(6000) }));
    await pair.both('findAnswer', (store) => store.findAnswer(first, 'key-a'));
    await pair.both('findAnswer (none)', (store) => store.findAnswer(first, 'nobody'));
    await pair.both('countAnswers', (store) => store.countAnswers(first));
    await pair.both('countLevelAnswers', (store) => store.countLevelAnswers(first));
    await pair.both('answerKeys (binary order)', (store) => store.answerKeys(first));

    // Comments, written out of text order; one person comments without answering.
    await pair.both('comment by a', (store) => store.upsertComment({ roundId: first, respondentKey: 'key-a', text: 'zzz last', at: at(7000) }));
    await pair.both('comment by b', (store) => store.upsertComment({ roundId: first, respondentKey: 'key-b', text: 'Mmm middle', at: at(8000) }));
    await pair.both('comment by e only', (store) => store.upsertComment({ roundId: first, respondentKey: 'key-e', text: 'aaa first', at: at(9000) }));
    await pair.both('a edits their comment', (store) => store.upsertComment({ roundId: first, respondentKey: 'key-a', text: 'yyy edited', at: at(10_000) }));
    await pair.both('comment by d, then removed', (store) => store.upsertComment({ roundId: first, respondentKey: 'key-d', text: 'gone', at: at(11_000) }));
    await pair.both('deleteComment', (store) => store.deleteComment(first, 'key-d'));
    await pair.both('deleteComment again', (store) => store.deleteComment(first, 'key-d'));
    await pair.both('findComment', (store) => store.findComment(first, 'key-a'));
    await pair.both('findComment (none)', (store) => store.findComment(first, 'key-d'));
    await pair.both('answersOfRespondent while open (answer + comment)', (store) => store.answersOfRespondent('key-a'));
    await pair.both('answersOfRespondent while open (comment only)', (store) => store.answersOfRespondent('key-e'));

    // Reminders: halfway in whole milliseconds (SQLite's integer division), and the open-round conditions.
    const odd = await createdTeam(pair, 'team with an odd-length round', newTeam('Odd', slack('C3')));
    const oddRound = await openedRound(pair, 'a 3 ms round', newRound(odd, '2026-W10', { openedAt: at(0), closesAt: at(3) }));
    await pair.both('not yet halfway', (store) => store.roundsDueForReminder(at(0), 3));
    await pair.both('halfway of a 3 ms round is 1 ms in', (store) => store.roundsDueForReminder(at(1), 3));
    await pair.both('halfway of the long round', (store) => store.roundsDueForReminder(at(48 * HOUR), 5));
    await pair.both('fewer than 4 answers', (store) => store.roundsDueForReminder(at(48 * HOUR), 4));
    await pair.both('enqueue a reminder', (store) => store.enqueueDelivery(intent(slack('C1'), `round-${first}`, { kind: 'reminder', roundId: first }, at(48 * HOUR), { teamId: team, roundId: first })));
    await pair.both('a reminder was sent already', (store) => store.roundsDueForReminder(at(48 * HOUR), 5));
    await pair.both('past the close time', (store) => store.roundsDueForReminder(at(3), 3));
    await pair.both('dueRounds', (store) => store.dueRounds(at(3)));
    await pair.both('dueRounds later', (store) => store.dueRounds(at(96 * HOUR)));
    await pair.both('close the odd round (no answers)', (store) => store.closeRound(oddRound, at(3)));
    // Halfway of a round across a daylight-saving change of the session time zone is still 48 hours in
    // (interval arithmetic would add two calendar days there: 49 hours).
    const dst = await createdTeam(pair, 'team with a round across a DST change', newTeam('Dst', slack('C4')));
    await openedRound(pair, 'a round across the end of DST in Chatham', newRound(dst, '2026-W14', { openedAt: new Date('2026-04-03T00:00:00Z'), closesAt: new Date('2026-04-07T00:00:00Z') }));
    expect(await pair.both('a millisecond before halfway', (store) => store.roundsDueForReminder(new Date('2026-04-04T23:59:59.999Z'), 3))).toEqual([]);
    expect(await pair.both('at halfway', (store) => store.roundsDueForReminder(new Date('2026-04-05T00:00:00Z'), 3))).toHaveLength(1);
    expect((await pair.pg.db.$client.query<{ TimeZone: string }>('show timezone')).rows[0]?.TimeZone).toBe(SESSION_TIME_ZONE);

    // The close: tally, anonymous comments, a second close.
    await pair.both('closeRound', (store) => store.closeRound(first, at(96 * HOUR)));
    await pair.both('closeRound again', (store) => store.closeRound(first, at(97 * HOUR)));
    await pair.both('the closed round', (store) => store.findRound(first));
    await pair.both('closedRoundComments', (store) => store.closedRoundComments(team));
    const [sqliteComments, pgComments] = await pair.rows('select id, round_id, respondent_key, text, created_at, updated_at from comments order by id');
    // SQLite keeps times as epoch milliseconds, node-postgres hands out Dates.
    const asDates = sqliteComments.map((row) => {
      const { created_at: created, updated_at: updated, ...rest } = row as { id: number; round_id: number; respondent_key: string | null; text: string; created_at: number; updated_at: number };
      return { ...rest, created_at: new Date(created), updated_at: new Date(updated) };
    });
    expect(pgComments).toEqual(asDates);
    // Rewritten in text order, without keys, both times the close.
    expect(asDates.map(({ respondent_key: key, text, created_at: created, updated_at: updated }) => [key, text, created.getTime(), updated.getTime()])).toEqual(
      ['Mmm middle', 'aaa first', 'yyy edited'].map((text) => [null, text, at(96 * HOUR).getTime(), at(96 * HOUR).getTime()]),
    );
    await pair.both('findComment after the close', (store) => store.findComment(first, 'key-a'));
    await pair.both('answersOfRespondent after the close', (store) => store.answersOfRespondent('key-a'));
    await pair.both('a comment alone is no longer theirs after the close', (store) => store.answersOfRespondent('key-e'));

    // More rounds: period taken, latest, asked questions, tallies in order.
    await pair.both('the period is taken', (store) => store.insertRound(newRound(team, '2026-W10')));
    const second = await openedRound(pair, 'second round', newRound(team, '2026-W11', { aspect: 1, openedAt: at(168 * HOUR), closesAt: at(264 * HOUR) }));
    await pair.both('latestRound', (store) => store.latestRound(team));
    await pair.both('latestRound (none)', (store) => store.latestRound(999));
    await pair.both('answer the second round', (store) => store.upsertAnswer({ roundId: second, respondentKey: 'key-a', optionId: '4', level: 4, at: at(170 * HOUR) }));
    await pair.both('comment on the second round', (store) => store.upsertComment({ roundId: second, respondentKey: 'key-e', text: 'second', at: at(171 * HOUR) }));
    await pair.both('answersOfRespondent across rounds, newest first', (store) => store.answersOfRespondent('key-a'));
    await pair.both('answersOfRespondent with a limit', (store) => store.answersOfRespondent('key-a', 1));
    await pair.both('askedQuestions (open first, then by close)', (store) => store.askedQuestions(team, survey.id));
    await pair.both('close the second round', (store) => store.closeRound(second, at(264 * HOUR)));
    const third = await openedRound(pair, 'third round', newRound(team, '2026-W12', { aspect: 2, openedAt: at(336 * HOUR), closesAt: at(432 * HOUR) }));
    await pair.both('askedQuestions', (store) => store.askedQuestions(team, survey.id));
    await pair.both('askedQuestions (other survey)', (store) => store.askedQuestions(team, 'other'));
    await pair.both('closedTallies', (store) => store.closedTallies(team, survey.id));
    await pair.both('closedTalliesByTeam', (store) => store.closedTalliesByTeam(new Map([[team, survey.id], [odd, survey.id], [other, 'other-survey']])));
    await pair.both('closedTalliesByTeam (none)', (store) => store.closedTalliesByTeam(new Map()));
    await pair.both('closedRoundComments of both rounds', (store) => store.closedRoundComments(team));

    // Forget-me and retention.
    await pair.both('comment on the open third round', (store) => store.upsertComment({ roundId: third, respondentKey: 'key-a', text: 'open', at: at(337 * HOUR) }));
    await pair.both('answer the third round', (store) => store.upsertAnswer({ roundId: third, respondentKey: 'key-a', optionId: '1', level: 1, at: at(337 * HOUR) }));
    await pair.both('closedRoundsWithDataBefore', (store) => store.closedRoundsWithDataBefore(at(300 * HOUR)));
    await pair.both('closedRoundsWithDataBefore (early)', (store) => store.closedRoundsWithDataBefore(at(96 * HOUR)));
    await pair.both('deleteRespondentData', (store) => store.deleteRespondentData('key-a'));
    await pair.both('deleteRespondentData again', (store) => store.deleteRespondentData('key-a'));
    await pair.both('deleteAnswersOfRounds', (store) => store.deleteAnswersOfRounds([first, second, 999]));
    await pair.both('deleteAnswersOfRounds (none)', (store) => store.deleteAnswersOfRounds([]));
    await pair.both('closedRoundsWithDataBefore afterwards', (store) => store.closedRoundsWithDataBefore(at(300 * HOUR)));
    await pair.both('tallies survive the deletion', (store) => store.closedTallies(team, survey.id));
  });

  it('deliveries: enqueue, claim, send, retry, release, recover, count and list', async () => {
    const pair = await freshPair();
    const team = await createdTeam(pair, 'team', newTeam('Payments', slack('C1')));
    const round = await openedRound(pair, 'round', newRound(team, '2026-W10'));
    const teamsChannel: ChannelRef = { platform: 'teams', workspaceId: 'tenant', channelId: '19:abc' };
    const opened = await pair.both('enqueue round-opened', (store) => store.enqueueDelivery(intent(slack('C1'), `round-${round}`, { kind: 'round-opened', roundId: round }, at(0), { teamId: team, roundId: round })));
    await pair.both('enqueue it again (no-op)', (store) => store.enqueueDelivery(intent(slack('C1'), `round-${round}`, { kind: 'round-opened', roundId: round }, at(50), { teamId: team, roundId: round })));
    await pair.both('enqueue a digest', (store) => store.enqueueDelivery(intent(slack('C9'), 'digest-2026-W10', { kind: 'digest', at: at(0).toISOString(), surveyIds: ['a', 'b'] }, at(-10))));
    await pair.both('enqueue a role change', (store) => store.enqueueDelivery(intent(slack('C9'), 'role-1', { kind: 'role-change', auditId: 1 }, at(0))));
    await pair.both('enqueue on Teams', (store) => store.enqueueDelivery(intent(teamsChannel, `round-${round}`, { kind: 'round-opened', roundId: round }, at(0))));
    await pair.both('enqueue a future one', (store) => store.enqueueDelivery(intent(slack('C8'), 'digest-2026-W11', { kind: 'digest', at: at(HOUR).toISOString() }, at(HOUR))));
    await pair.both('findDelivery', (store) => store.findDelivery(slack('C1'), `round-${round}`, 'round-opened'));
    await pair.both('findDelivery (other kind)', (store) => store.findDelivery(slack('C1'), `round-${round}`, 'reminder'));
    await pair.both('findDeliveryById', (store) => store.findDeliveryById(opened.delivery.id));
    await pair.both('findDeliveryById (none)', (store) => store.findDeliveryById(999));

    await pair.both('claim nothing for no platform', (store) => store.claimDueDeliveries(at(0), [], 10));
    const claimed = await pair.both('claim two on Slack, oldest first', (store) => store.claimDueDeliveries(at(0), ['slack'], 2));
    await pair.both('claim the rest that is due', (store) => store.claimDueDeliveries(at(0), ['slack', 'teams'], 10));
    await pair.both('claim again: nothing due', (store) => store.claimDueDeliveries(at(0), ['slack', 'teams'], 10));
    const [digest, roleChange] = claimed.map((delivery) => delivery.id);
    await pair.both('markDeliverySending', (store) => store.markDeliverySending(digest!));
    await pair.both('markDeliverySent', (store) => store.markDeliverySent(digest!, 'ts-1', at(100)));
    await pair.both('releaseDeliveryClaim', (store) => store.releaseDeliveryClaim(roleChange!, at(200)));
    await pair.both('releaseDeliveryClaim of an unclaimed one (no-op)', (store) => store.releaseDeliveryClaim(digest!, at(200)));
    await pair.both('scheduleDeliveryRetry', (store) => store.scheduleDeliveryRetry(opened.delivery.id, at(300), 'ratelimited'));
    await pair.both('releaseUnsentClaims (none)', (store) => store.releaseUnsentClaims([]));
    await pair.both('releaseUnsentClaims (some ids)', (store) => store.releaseUnsentClaims([999]));
    await pair.both('releaseUnsentClaims (all)', (store) => store.releaseUnsentClaims());
    await pair.both('listDeliveries', (store) => store.listDeliveries());
    await pair.both('listDeliveries pending', (store) => store.listDeliveries({ status: 'pending' }));
    await pair.both('listDeliveries of the round', (store) => store.listDeliveries({ roundId: round }));
    await pair.both('countDeliveries', (store) => store.countDeliveries());

    // Interrupted sends: resent up to MAX_UNCERTAIN_RESENDS times in a row, then given up.
    await pair.both('claim everything due', (store) => store.claimDueDeliveries(at(HOUR), ['slack', 'teams'], 10));
    await pair.both('markDeliverySending on a claimed one', (store) => store.markDeliverySending(opened.delivery.id));
    await pair.both('markDeliverySending on one not claimed (no-op)', (store) => store.markDeliverySending(digest!));
    await pair.both('recover: the claimed go back, the one mid-send is resent', (store) => store.recoverInterruptedDeliveries(at(HOUR)));
    for (let cycle = 1; cycle <= MAX_UNCERTAIN_RESENDS; cycle += 1) {
      await pair.both(`cycle ${cycle}: claim`, (store) => store.claimDueDeliveries(at(HOUR), ['slack'], 1));
      await pair.both(`cycle ${cycle}: sending`, (store) => store.markDeliverySending(opened.delivery.id));
      await pair.both(`cycle ${cycle}: recover`, (store) => store.recoverInterruptedDeliveries(at(HOUR + cycle)));
    }
    await pair.both('given up', (store) => store.findDeliveryById(opened.delivery.id));
    await pair.both('markDeliveryFailed', (store) => store.markDeliveryFailed(roleChange!, 'channel_not_found'));
    await pair.both('markDeliveryFailed cancelled', (store) => store.markDeliveryFailed(digest!, 'superseded', 'cancelled'));
    await pair.both('countDeliveries at the end', (store) => store.countDeliveries());
    await pair.both('listDeliveries at the end', (store) => store.listDeliveries());
    await pair.both('listDeliveries failed of the round', (store) => store.listDeliveries({ status: 'failed', roundId: round }));
  });

  it('digest subscriptions, roles, audit, events, conversations and metadata', async () => {
    const pair = await freshPair();
    const team = await createdTeam(pair, 'team', newTeam('Payments', slack('C1')));
    const team2 = await createdTeam(pair, 'team 2', newTeam('Platform', slack('C2')));

    const subscription = { channel: slack('C5'), weekday: 1, localTime: '09:00', timeZone: 'Europe/Berlin', nextDigestAt: at(HOUR), at: T0 };
    await pair.both('subscribe', (store) => store.upsertDigestSubscription(subscription));
    await pair.both('change the time (same id)', (store) => store.upsertDigestSubscription({ ...subscription, weekday: 5, localTime: '16:30', nextDigestAt: at(2 * HOUR) }));
    await pair.both('subscribe another channel', (store) => store.upsertDigestSubscription({ ...subscription, channel: slack('C6'), nextDigestAt: at(2 * HOUR) }));
    await pair.both('subscribe a third channel', (store) => store.upsertDigestSubscription({ ...subscription, channel: slack('C7'), nextDigestAt: at(HOUR) }));
    await pair.both('dueDigestSubscriptions', (store) => store.dueDigestSubscriptions(at(2 * HOUR)));
    await pair.both('dueDigestSubscriptions (early)', (store) => store.dueDigestSubscriptions(at(HOUR - 1)));
    await pair.both('setNextDigest', (store) => store.setNextDigest(1, at(7 * 24 * HOUR)));
    await pair.both('listDigestSubscriptions', (store) => store.listDigestSubscriptions());
    await pair.both('deleteDigestSubscription', (store) => store.deleteDigestSubscription(slack('C6')));
    await pair.both('deleteDigestSubscription again', (store) => store.deleteDigestSubscription(slack('C6')));
    await pair.both('listDigestSubscriptions after', (store) => store.listDigestSubscriptions());

    const ann: UserRef = { platform: 'slack', workspaceId: 'T1', userId: 'U2' };
    const bob: UserRef = { platform: 'slack', workspaceId: 'T1', userId: 'U1' };
    const cat: UserRef = { platform: 'teams', workspaceId: 'tenant', userId: 'aad-1' };
    await pair.both('grant admin', (store) => store.grantRole(ann, { role: 'admin', teamId: null }, 'U0', at(1)));
    await pair.both('grant admin again', (store) => store.grantRole(ann, { role: 'admin', teamId: null }, 'U0', at(2)));
    await pair.both('grant lead of team 2', (store) => store.grantRole(ann, { role: 'lead', teamId: team2 }, 'U0', at(3)));
    await pair.both('grant lead of team 1', (store) => store.grantRole(ann, { role: 'lead', teamId: team }, 'U0', at(4)));
    await pair.both('grant pm', (store) => store.grantRole(bob, { role: 'pm', teamId: null }, 'U0', at(5)));
    await pair.both('grant lead of team 1 to bob', (store) => store.grantRole(bob, { role: 'lead', teamId: team }, 'U0', at(6)));
    await pair.both('grant admin on Teams', (store) => store.grantRole(cat, { role: 'admin', teamId: null }, 'aad-0', at(7)));
    await pair.both('a pm grant ignores a team', (store) => store.grantRole(cat, { role: 'pm', teamId: team }, 'aad-0', at(8)));
    await pair.both('grantsFor', (store) => store.grantsFor(ann));
    await pair.both('grantsFor (nobody)', (store) => store.grantsFor({ ...ann, userId: 'U9' }));
    await pair.both('listRoles', (store) => store.listRoles());
    await pair.both('listRoles on Slack', (store) => store.listRoles({ platform: 'slack' }));
    await pair.both('listRoles of team 1', (store) => store.listRoles({ teamId: team }));
    await pair.both('revoke a lead role', (store) => store.revokeRole(ann, { role: 'lead', teamId: team }));
    await pair.both('revoke it again', (store) => store.revokeRole(ann, { role: 'lead', teamId: team }));
    await pair.both('revoke admin', (store) => store.revokeRole(ann, { role: 'admin', teamId: null }));
    await pair.both('grantsFor after revoking', (store) => store.grantsFor(ann));
    await pair.bothReject('a lead role needs a team (check constraint)', (store) => store.grantRole(bob, { role: 'lead', teamId: null }, 'U0', at(9)));

    const actor = { platform: 'slack', workspaceId: 'T1', userId: 'U0' };
    const firstAudit = await pair.both('recordAudit', (store) => store.recordAudit({ at: at(10), actor, action: 'role.grant', teamName: 'Payments', details: { zeta: 1, alpha: ['x', { nested: true }], mid: null, text: 'ünïcode' } }));
    await pair.both('recordAudit (no team)', (store) => store.recordAudit({ at: at(11), actor: { platform: 'cli', workspaceId: '', userId: 'operator' }, action: 'data.delete', teamName: null, details: {} }));
    await pair.both('findAudit', (store) => store.findAudit(firstAudit));
    await pair.both('findAudit (none)', (store) => store.findAudit(999));
    await pair.both('recentAudit', (store) => store.recentAudit());
    await pair.both('recentAudit limited', (store) => store.recentAudit(1));

    await pair.both('rememberEvent', (store) => store.rememberEvent('slack', 'Ev1', at(0)));
    await pair.both('rememberEvent again', (store) => store.rememberEvent('slack', 'Ev1', at(5)));
    await pair.both('same id, other source', (store) => store.rememberEvent('teams', 'Ev1', at(10)));
    await pair.both('forgetEventsBefore', (store) => store.forgetEventsBefore(at(10)));
    await pair.both('forgotten, so new again', (store) => store.rememberEvent('slack', 'Ev1', at(20)));

    const reference = (conversationId: string, serviceUrl: string): StoredReference => ({
      channelId: 'msteams',
      serviceUrl,
      conversation: { id: conversationId, conversationType: 'channel', tenantId: 'tenant', extra: 'kept' },
      bot: { id: 'bot', name: 'Pulse' },
      locale: 'de-DE',
    });
    await pair.both('remember a channel', (store) => store.rememberConversation({ tenantId: 'tenant', conversationId: '19:b', conversationType: 'channel', msTeamId: 'team-1', userKey: null, reference: reference('19:b', 'https://smba.one/'), at: at(0) }));
    await pair.both('remember another channel', (store) => store.rememberConversation({ tenantId: 'tenant', conversationId: '19:a', conversationType: 'channel', msTeamId: 'team-1', userKey: null, reference: reference('19:a', 'https://smba.two/'), at: at(1) }));
    await pair.both('remember a personal chat', (store) => store.rememberConversation({ tenantId: 'tenant', conversationId: 'a:1', conversationType: 'personal', msTeamId: null, userKey: 'contact-1', reference: reference('a:1', 'https://smba.one/'), at: at(2) }));
    await pair.both('a newer reference for the first channel', (store) => store.rememberConversation({ tenantId: 'tenant', conversationId: '19:b', conversationType: 'channel', msTeamId: 'team-1', userKey: null, reference: reference('19:b', 'https://smba.three/'), at: at(3) }));
    await pair.both('findConversation', (store) => store.findConversation('tenant', '19:b'));
    await pair.both('findConversation (none)', (store) => store.findConversation('tenant', 'none'));
    await pair.both('findPersonalConversation', (store) => store.findPersonalConversation('tenant', 'contact-1'));
    await pair.both('conversationServiceUrls', (store) => store.conversationServiceUrls());
    await pair.both('markUninstalled by Teams team', (store) => store.markUninstalled({ tenantId: 'tenant', msTeamId: 'team-1' }, at(4)));
    await pair.both('markUninstalled one conversation', (store) => store.markUninstalled({ tenantId: 'tenant', conversationId: 'a:1' }, at(5)));
    await pair.both('findPersonalConversation once uninstalled', (store) => store.findPersonalConversation('tenant', 'contact-1'));
    await pair.both('an uninstalled channel', (store) => store.findConversation('tenant', '19:a'));
    await pair.both('reinstalled', (store) => store.rememberConversation({ tenantId: 'tenant', conversationId: 'a:1', conversationType: 'personal', msTeamId: null, userKey: 'contact-1', reference: reference('a:1', 'https://smba.one/'), installed: true, at: at(6) }));
    await pair.both('findPersonalConversation again', (store) => store.findPersonalConversation('tenant', 'contact-1'));

    await pair.both('readMeta (none)', (store) => store.readMeta('k'));
    await pair.both('writeMeta', (store) => store.writeMeta('k', 'v1'));
    await pair.both('writeMeta again', (store) => store.writeMeta('k', 'v2'));
    await pair.both('readMeta', (store) => store.readMeta('k'));
    await pair.both('writeMetaOnce (kept)', (store) => store.writeMetaOnce('k', 'v3'));
    await pair.both('writeMetaOnce (new)', (store) => store.writeMetaOnce('fingerprint', 'abc'));
  });

  it('leases: acquire, renew, refuse, take over, fence, release and expire', async () => {
    const pair = await freshPair();
    // The lease clock is the caller's on SQLite and the database's on PostgreSQL: on one machine both are
    // the real clock, so the outcomes match; expiry times are compared against it, not with each other.
    const acquire = async (step: string, holder: string, options: { takeOverFrom?: string; ttlMs?: number } = {}): Promise<LeaseState> => {
      const ttlMs = options.ttlMs ?? 60_000;
      const results: LeaseState[] = [];
      for (const store of [pair.sqlite, pair.pg]) {
        const before = Date.now();
        const state = await store.acquireLease({ name: 'scheduler', holder, takeOverFrom: options.takeOverFrom ?? null, ttlMs, now: new Date() });
        const after = Date.now();
        if (state.held && state.holder === holder) {
          expect(state.expiresAt.getTime(), `${step} on ${store.engine}: expiry`).toBeGreaterThanOrEqual(before + ttlMs - 1);
          expect(state.expiresAt.getTime(), `${step} on ${store.engine}: expiry`).toBeLessThanOrEqual(after + ttlMs + 1);
        }
        results.push(state);
      }
      const [fromSqlite, fromPg] = results;
      const { expiresAt: _sqliteExpiry, ...expected } = fromSqlite!;
      const { expiresAt: _pgExpiry, ...actual } = fromPg!;
      expect(actual, step).toEqual(expected);
      return fromPg!;
    };

    expect(await acquire('first acquisition', 'a')).toMatchObject({ held: true, newlyAcquired: true, holder: 'a', token: 1 });
    expect(await acquire('renewal', 'a')).toMatchObject({ held: true, newlyAcquired: false, token: 1 });
    expect(await acquire('refused while held', 'b')).toMatchObject({ held: false, newlyAcquired: false, holder: 'a', token: 1 });
    expect(await acquire('take over from an earlier incarnation', 'b', { takeOverFrom: 'a' })).toMatchObject({ held: true, newlyAcquired: true, holder: 'b', token: 2 });
    expect(await acquire('the old holder is refused', 'a')).toMatchObject({ held: false, holder: 'b', token: 2 });

    // A fenced transaction under a stale token writes nothing; under the current one it commits.
    const [lostOnSqlite, lostOnPg] = await pair.bothReject('fenced with a stale token', (store) =>
      store.transaction(
        async (tx) => {
          await tx.writeMeta('fenced', 'stale');
          return 'committed';
        },
        { fence: { name: 'scheduler', token: 1 } },
      ),
    );
    expect(lostOnSqlite).toBeInstanceOf(LeaseLostError);
    expect(lostOnPg).toBeInstanceOf(LeaseLostError);
    await pair.both('nothing was written', (store) => store.readMeta('fenced'));
    await pair.both('fenced with the current token', (store) => store.transaction((tx) => tx.writeMeta('fenced', 'current'), { fence: { name: 'scheduler', token: 2 } }));
    await pair.both('written', (store) => store.readMeta('fenced'));
    const [unknownOnSqlite, unknownOnPg] = await pair.bothReject('fenced on a lease that does not exist', (store) => store.transaction(() => Promise.resolve(), { fence: { name: 'none', token: 1 } }));
    expect([unknownOnSqlite, unknownOnPg].every((error) => error instanceof LeaseLostError)).toBe(true);
    const [assertOnSqlite, assertOnPg] = await pair.bothReject('assertLease with a stale token', (store) => store.assertLease({ name: 'scheduler', token: 1 }));
    expect([assertOnSqlite, assertOnPg].every((error) => error instanceof LeaseLostError)).toBe(true);
    await pair.both('assertLease with the current token', (store) => store.assertLease({ name: 'scheduler', token: 2 }));
    // Inside a transaction, a fenced savepoint that lost the lease fails alone.
    await pair.both('a stale fence on a savepoint', (store) =>
      store.transaction(async (tx) => {
        await tx.writeMeta('outer', 'kept');
        // (An async wrapper: the SQLite store throws the LeaseLostError synchronously here.)
        const inner = await (async () => tx.transaction(() => tx.writeMeta('inner', 'lost'), { fence: { name: 'scheduler', token: 1 } }))().then(
          () => 'committed',
          (error: unknown) => (error instanceof LeaseLostError ? 'lease lost' : String(error)),
        );
        return [inner, await tx.readMeta('outer'), await tx.readMeta('inner')];
      }),
    );

    // Release: the row stays with its token and expires at the epoch; only the holder can release.
    await pair.both('release by someone else (no-op)', (store) => store.releaseLease('scheduler', 'a'));
    expect(await pair.pg.readLease('scheduler')).toMatchObject({ holder: 'b', token: 2 });
    await pair.both('release', (store) => store.releaseLease('scheduler', 'b'));
    expect(await pair.both('readLease after release', (store) => store.readLease('scheduler'))).toEqual({ holder: 'b', expiresAt: new Date(0), token: 2 });
    await pair.both('readLease (none)', (store) => store.readLease('none'));
    expect(await acquire('taken after the release', 'a', { ttlMs: 50 })).toMatchObject({ held: true, newlyAcquired: true, holder: 'a', token: 3 });
    await sleep(120);
    expect(await acquire('taken after expiry', 'c')).toMatchObject({ held: true, newlyAcquired: true, holder: 'c', token: 4 });
    expect(await acquire('the holder itself after its lease was taken', 'a')).toMatchObject({ held: false, holder: 'c', token: 4 });
  });

  it('transactions: commit, roll back, savepoints, and no use of the outer store inside', async () => {
    const pair = await freshPair();
    await pair.both('a transaction that commits', (store) =>
      store.transaction(async (tx) => {
        const team = await tx.insertTeam(newTeam('Payments', slack('C1')));
        // A clash inside a transaction is an outcome and leaves the transaction usable (on PostgreSQL
        // a failed statement would abort it).
        const clash = await tx.insertTeam(newTeam('payments', slack('C2')));
        const round = team.kind === 'created' ? await tx.insertRound(newRound(team.team.id, '2026-W10')) : null;
        const again = team.kind === 'created' ? await tx.insertRound(newRound(team.team.id, '2026-W11')) : null;
        await tx.writeMeta('k', 'v');
        return { team, clash, round, again };
      }),
    );
    await pair.both('committed', (store) => Promise.all([store.listTeams(), store.readMeta('k')]));

    const [sqliteError, pgError] = await pair.bothReject('a transaction that throws', (store) =>
      store.transaction(async (tx) => {
        await tx.insertTeam(newTeam('Platform', slack('C2')));
        await tx.writeMeta('k', 'changed');
        throw new Error('boom');
      }),
    );
    expect([sqliteError, pgError].map((error) => (error instanceof Error ? error.message : error))).toEqual(['boom', 'boom']);
    await pair.both('rolled back', (store) => Promise.all([store.listTeams(), store.readMeta('k')]));
    // Here the engines part: SQLite's rollback takes back the id the rolled-back team took, a PostgreSQL
    // sequence never goes back. So the next team is compared by everything but its id.
    const next = await Promise.all([pair.sqlite.insertTeam(newTeam('Platform', slack('C2'))), pair.pg.insertTeam(newTeam('Platform', slack('C2')))]);
    const [sqliteTeam, pgTeam] = next.map((result) => (result.kind === 'created' ? { ...result.team, id: 0 } : result.kind));
    expect(pgTeam).toEqual(sqliteTeam);
    expect(next.map((result) => (result.kind === 'created' ? result.team.id : 0))).toEqual([2, 3]);

    await pair.both('a failing savepoint keeps the outer writes', (store) =>
      store.transaction(async (tx) => {
        await tx.writeMeta('outer', 'before');
        const thrown = await tx
          .transaction(async (inner) => {
            await inner.writeMeta('inner', 'lost');
            throw new Error('inner failure');
          })
          .catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
        // A failing statement (a check constraint) inside a savepoint: undone alone on both engines.
        const failedStatement = await tx
          .transaction((inner) => inner.grantRole({ platform: 'slack', workspaceId: 'T1', userId: 'U1' }, { role: 'lead', teamId: null }, 'U0', at(0)))
          .then(
            () => 'granted',
            () => 'failed',
          );
        const nested = await tx.transaction(async (inner) => {
          await inner.writeMeta('nested', 'kept');
          return inner.transaction(async (deeper) => {
            await deeper.writeMeta('deeper', 'kept');
            return deeper.readMeta('nested');
          });
        });
        await tx.writeMeta('outer', 'after');
        return { thrown, failedStatement, nested };
      }),
    );
    await pair.both('the outer writes and the good savepoints committed', (store) => Promise.all(['outer', 'inner', 'nested', 'deeper'].map((key) => store.readMeta(key))));
    await pair.both('no role was granted', (store) => store.listRoles());

    const [sqliteMisuse, pgMisuse] = await pair.bothReject('the outer store used inside a transaction', (store) => store.transaction(() => store.readMeta('k')));
    expect(pgMisuse).toEqual(sqliteMisuse);
    await pair.both('the store works afterwards', (store) => store.readMeta('k'));
  });
});

describe('PostgreSQL under concurrency (two pools on one database)', () => {
  async function twoStores(poolSize = 10): Promise<[PostgresStore, PostgresStore, PgDb]> {
    const { url, db } = await freshPostgres(poolSize);
    return [createPostgresStore(db), createPostgresStore(await openPool(url, poolSize)), db];
  }

  it('concurrent drainers never claim the same delivery', async () => {
    const [a, b] = await twoStores();
    for (let i = 0; i < 200; i += 1) {
      await a.enqueueDelivery(intent(slack(`C${i % 7}`), `digest-${i}`, { kind: 'digest', at: at(i).toISOString() }, at(i % 13)));
    }
    const claims = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).claimDueDeliveries(at(HOUR), ['slack'], 10)));
    const ids = claims.flat().map((delivery) => delivery.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const claim of claims) {
      expect(claim.length).toBeLessThanOrEqual(10);
      // Each claim comes back oldest first.
      const order = claim.map((delivery) => [delivery.nextAttemptAt.getTime(), delivery.id] as const);
      expect(order).toEqual([...order].sort((x, y) => x[0] - y[0] || x[1] - y[1]));
    }
    const rest = await a.claimDueDeliveries(at(HOUR), ['slack'], 1000);
    expect(new Set([...ids, ...rest.map((delivery) => delivery.id)]).size).toBe(200);
    expect(ids.length + rest.length).toBe(200);
    expect(await b.countDeliveries()).toMatchObject({ pending: 0, claimed: 200 });
    expect((await a.listDeliveries()).every((delivery) => delivery.attempts === 1)).toBe(true);
  });

  it('of two processes acquiring a lease at once, exactly one holds it', async () => {
    const [a, b] = await twoStores();
    for (let i = 0; i < 20; i += 1) {
      const name = `lease-${i}`;
      const request = (holder: string) => ({ name, holder, takeOverFrom: null, ttlMs: 60_000, now: new Date() });
      const results = await Promise.all([a.acquireLease(request('a')), b.acquireLease(request('b'))]);
      expect(results.filter((state) => state.held)).toHaveLength(1);
      const winner = results.find((state) => state.held)!;
      const loser = results.find((state) => !state.held)!;
      expect(winner).toMatchObject({ newlyAcquired: true, token: 1 });
      expect(loser).toMatchObject({ newlyAcquired: false, holder: winner.holder, token: 1 });
    }
    // And when the lease has expired, a race to take it over also has one winner, raising the token once.
    await a.acquireLease({ name: 'expiring', holder: 'old', takeOverFrom: null, ttlMs: 1, now: new Date() });
    await sleep(20);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((holder, i) => (i % 2 === 0 ? a : b).acquireLease({ name: 'expiring', holder, takeOverFrom: null, ttlMs: 60_000, now: new Date() })));
    expect(results.filter((state) => state.held)).toHaveLength(1);
    expect(await a.readLease('expiring')).toMatchObject({ token: 2 });
  });

  it('a takeover waits for a fenced transaction to commit', async () => {
    const [a, b, admin] = await twoStores();
    const held = await a.acquireLease({ name: 'scheduler', holder: 'a', takeOverFrom: null, ttlMs: 60_000, now: new Date() });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let fenced!: () => void;
    const inside = new Promise<void>((resolve) => (fenced = resolve));
    const work = a.transaction(
      async (tx) => {
        fenced();
        await released;
        await tx.writeMeta('under-lease', 'a');
      },
      { fence: { name: 'scheduler', token: held.token } },
    );
    await inside;
    let takeoverDone = false;
    const takeover = b.acquireLease({ name: 'scheduler', holder: 'b', takeOverFrom: 'a', ttlMs: 60_000, now: new Date() }).then((state) => {
      takeoverDone = true;
      return state;
    });
    await waitForLockWait(admin);
    expect(takeoverDone).toBe(false);
    release();
    await work;
    expect(await takeover).toMatchObject({ held: true, newlyAcquired: true, token: held.token + 1 });
    expect(await a.readMeta('under-lease')).toBe('a');
    // From now on the old token is refused.
    await expect(a.transaction((tx) => tx.writeMeta('under-lease', 'stale'), { fence: { name: 'scheduler', token: held.token } })).rejects.toThrow(LeaseLostError);
  });

  it('a close waits for an answer whose transaction read the round for writing, and counts it', async () => {
    const [a, b, admin] = await twoStores();
    const team = await a.insertTeam(newTeam('Payments', slack('C1')));
    if (team.kind !== 'created') throw new Error(team.kind);
    const opened = await a.insertRound(newRound(team.team.id, '2026-W10'));
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    const roundId = opened.round.id;
    await a.upsertAnswer({ roundId, respondentKey: 'early', optionId: '1', level: 1, at: at(1) });

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const readForWrite = new Promise<void>((resolve) => (locked = resolve));
    const answering = a.transaction(async (tx) => {
      const round = await tx.findRoundForWrite(roundId);
      locked();
      await released;
      if (round?.status !== 'open') return 'refused';
      await tx.upsertAnswer({ roundId, respondentKey: 'late', optionId: '4', level: 4, at: at(2) });
      return 'answered';
    });
    await readForWrite;
    let closeDone = false;
    const closing = b.closeRound(roundId, at(3)).then((round) => {
      closeDone = true;
      return round;
    });
    await waitForLockWait(admin);
    expect(closeDone).toBe(false);
    release();
    expect(await answering).toBe('answered');
    const closed = await closing;
    expect(closed?.tally).toEqual({ respondents: 2, unknown: 0, levelCounts: [1, 0, 0, 1] });

    // The other way round: an answer that reads the round after a close began waits and finds it closed.
    const second = await a.insertRound(newRound(team.team.id, '2026-W11'));
    if (second.kind !== 'opened') throw new Error(second.kind);
    const secondId = second.round.id;
    let closeRelease!: () => void;
    const closeReleased = new Promise<void>((resolve) => (closeRelease = resolve));
    let closedInside!: () => void;
    const closeStarted = new Promise<void>((resolve) => (closedInside = resolve));
    const closingFirst = b.transaction(async (tx) => {
      const round = await tx.closeRound(secondId, at(4));
      closedInside();
      await closeReleased;
      return round;
    });
    await closeStarted;
    const lateAnswer = a.transaction(async (tx) => ((await tx.findRoundForWrite(secondId))?.status === 'open' ? tx.upsertAnswer({ roundId: secondId, respondentKey: 'late', optionId: '2', level: 2, at: at(5) }) : 'refused'));
    await waitForLockWait(admin);
    closeRelease();
    expect((await closingFirst)?.tally).toEqual({ respondents: 0, unknown: 0, levelCounts: [0, 0, 0, 0] });
    expect(await lateAnswer).toBe('refused');
    expect(await a.countAnswers(secondId)).toBe(0);
  });

  it('of two concurrent closes, one closes the round and the other finds it closed', async () => {
    const [a, b] = await twoStores();
    const team = await a.insertTeam(newTeam('Payments', slack('C1')));
    if (team.kind !== 'created') throw new Error(team.kind);
    for (let week = 10; week < 20; week += 1) {
      const opened = await a.insertRound(newRound(team.team.id, `2026-W${week}`));
      if (opened.kind !== 'opened') throw new Error(opened.kind);
      await a.upsertAnswer({ roundId: opened.round.id, respondentKey: 'k', optionId: '2', level: 2, at: at(1) });
      await a.upsertComment({ roundId: opened.round.id, respondentKey: 'k', text: 'hi', at: at(1) });
      const results = await Promise.all([a.closeRound(opened.round.id, at(2)), b.closeRound(opened.round.id, at(3))]);
      expect(results.filter((round) => round !== null)).toHaveLength(1);
      expect(results.find((round) => round !== null)?.tally).toEqual({ respondents: 1, unknown: 0, levelCounts: [0, 1, 0, 0] });
    }
    const comments = await a.closedRoundComments(team.team.id);
    expect(comments).toHaveLength(10);
  });

  it('runs a multi-statement method inside the caller’s transaction and rolls it back with it', async () => {
    const [a] = await twoStores();
    const team = await a.insertTeam(newTeam('Payments', slack('C1')));
    if (team.kind !== 'created') throw new Error(team.kind);
    const opened = await a.insertRound(newRound(team.team.id, '2026-W10'));
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    await expect(
      a.transaction(async (tx) => {
        await tx.closeRound(opened.round.id, at(1));
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect((await a.findRound(opened.round.id))?.status).toBe('open');
  });

  it('closes idempotently', async () => {
    const { db } = await freshPostgres(2);
    const store = createPostgresStore(db);
    await Promise.all([store.close(), store.close()]);
    await store.close();
    expect(db.$client.ended).toBe(true);
  });
});

/** Until some backend of this database waits for a lock (the racing statement is blocked, not just slow). */
async function waitForLockWait(db: PgDb): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const result = await db.$client.query<{ waiting: number }>("select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
    if ((result.rows[0]?.waiting ?? 0) > 0) return;
    await sleep(25);
  }
  throw new Error('no statement ever waited for a lock');
}
