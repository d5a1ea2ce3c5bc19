import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type { Store } from '../store.js';
import * as accessTokens from './access-token-repository.js';
import * as answers from './answer-repository.js';
import * as audit from './audit-repository.js';
import type { PgDb } from './database.js';
import { createPgSignals } from './signals.js';
import * as deliveries from './delivery-repository.js';
import * as digests from './digest-subscription-repository.js';
import * as events from './event-repository.js';
import * as leases from './lease-repository.js';
import * as meta from './meta-repository.js';
import * as roles from './role-repository.js';
import * as rounds from './round-repository.js';
import * as steps from './step-repository.js';
import * as targets from './target-repository.js';
import type * as schema from './schema.js';
import * as teams from './team-repository.js';
import * as conversations from './ms-teams-conversation-repository.js';

/**
 * What the repositories run their statements on: the pool's database or a transaction (a savepoint
 * included), which node-postgres binds to one pooled connection. Both are drizzle `PgDatabase`s.
 */
export type PgConn = PgDatabase<NodePgQueryResultHKT, typeof schema, ExtractTablesWithRelations<typeof schema>>;

export interface PostgresStore extends Store {
  readonly engine: 'postgres';
  readonly db: PgDb;
}

/** Runs a method that issues several statements: in its own transaction, or in the caller's. */
type Atomic = <T>(work: (conn: PgConn) => Promise<T>) => Promise<T>;

/** Checks that a call may go ahead (the root store refuses calls from inside one of its transactions). */
type Guard = () => void;

const OUTER_STORE_IN_TRANSACTION = 'a transaction body used the outer store; use the transaction’s own store (tx)';

/**
 * The PostgreSQL implementation of the storage port, over a node-postgres pool. Transactions are drizzle's
 * (BEGIN … COMMIT on one pooled connection, READ COMMITTED); inside one, `transaction` is a savepoint.
 * Decisions that must not interleave lock the rows they rest on: `findRoundForWrite` and `assertLease`
 * share-lock, `closeRound` and `acquireLease` update-lock, `claimDueDeliveries` skips locked rows.
 */
export function createPostgresStore(db: PgDb): PostgresStore {
  // A body that calls the outer store would run on another connection, outside its transaction (and
  // could wait forever on a row its own transaction locked); SQLite refuses it, so this engine does too.
  const insideTransaction = new AsyncLocalStorage<{ open: boolean }>();
  const guard: Guard = () => {
    if (insideTransaction.getStore()?.open) throw new Error(OUTER_STORE_IN_TRANSACTION);
  };
  let closing: Promise<void> | null = null;
  const signals = createPgSignals(db);

  const root = build(db, db, guard, (work) => db.transaction((tx) => work(tx)), {
    transaction: async (work, options) => {
      guard();
      return db.transaction(async (tx) => {
        if (options?.fence) await leases.assertLease(tx, options.fence);
        const state = { open: true };
        try {
          return await insideTransaction.run(state, () => work(bindTransaction(db, tx, signals)));
        } finally {
          state.open = false;
        }
      });
    },
    signal: signals.signal,
    listen: signals.listen,
    close: () => {
      closing ??= signals.close().then(() => (db.$client.ended ? undefined : db.$client.end()));
      return closing;
    },
  });
  return root;
}

/** The store handed to a transaction body: every statement on `tx`, nested transactions as savepoints. */
function bindTransaction(db: PgDb, tx: PgConn, signals: Pick<Store, 'signal' | 'listen'>): PostgresStore {
  return build(db, tx, () => undefined, (work) => work(tx), {
    ...signals,
    transaction: async (work, options) => {
      if (options?.fence) await leases.assertLease(tx, options.fence);
      return tx.transaction((savepoint) => work(bindTransaction(db, savepoint, signals)));
    },
    close: () => Promise.reject(new Error('close the store, not one of its transactions')),
  });
}

function build(db: PgDb, conn: PgConn, guard: Guard, atomic: Atomic, own: Pick<Store, 'transaction' | 'close' | 'signal' | 'listen'>): PostgresStore {
  // Every method checks the guard before touching the database; a refusal is a rejected promise.
  const run = async <T>(statement: () => Promise<T>): Promise<T> => {
    guard();
    return statement();
  };
  return {
    engine: 'postgres',
    db,
    transaction: own.transaction,
    signal: own.signal,
    listen: own.listen,
    assertLease: (fence) => run(() => leases.assertLease(conn, fence)),

    insertTeam: (team) => run(() => teams.insertTeam(conn, team)),
    findTeamByName: (name) => run(() => teams.findTeamByName(conn, name)),
    findTeamById: (id) => run(() => teams.findTeamById(conn, id)),
    findTeamByChannel: (channel, organisationId) => run(() => teams.findTeamByChannel(conn, channel, organisationId ?? null)),
    listTeams: () => run(() => teams.listTeams(conn)),
    countTeams: (options) => run(() => teams.countTeams(conn, options)),
    setTeamPause: (teamId, pausedUntil) => run(() => teams.setTeamPause(conn, teamId, pausedUntil)),
    setTeamMemberCount: (channel, count) => run(() => teams.setTeamMemberCount(conn, channel, count)),
    deleteTeam: (teamId) => run(() => teams.deleteTeam(conn, teamId)),
    teamsDueForScheduling: (now) => run(() => teams.teamsDueForScheduling(conn, now)),
    setNextRoundCheck: (teamId, at, fence) => run(() => teams.setNextRoundCheck(conn, teamId, at, fence)),
    setTeamOptions: (teamId, options) => run(() => teams.setTeamOptions(conn, teamId, options)),

    insertRound: (round) => run(() => rounds.insertRound(conn, round)),
    findRound: (roundId) => run(() => rounds.findRound(conn, roundId)),
    findRoundForWrite: (roundId) => run(() => rounds.findRoundForWrite(conn, roundId)),
    findOpenRound: (teamId) => run(() => rounds.findOpenRound(conn, teamId)),
    latestRound: (teamId) => run(() => rounds.latestRound(conn, teamId)),
    askedQuestions: (teamId, surveyId) => run(() => rounds.askedQuestions(conn, teamId, surveyId)),
    closedTallies: (teamId, surveyId) => run(() => rounds.closedTallies(conn, teamId, surveyId)),
    closedTalliesByTeam: (teamSurveys) => run(() => rounds.closedTalliesByTeam(conn, teamSurveys)),
    closedRoundHistory: (teamId, surveyId, limit, options) => run(() => rounds.closedRoundHistory(conn, teamId, surveyId, limit, options)),
    dueRounds: (now) => run(() => rounds.dueRounds(conn, now)),
    closeRound: (roundId, now) => run(() => atomic((c) => rounds.closeRound(c, roundId, now))),
    roundsDueForReminder: (now, minRespondents) => run(() => rounds.roundsDueForReminder(conn, now, minRespondents)),

    upsertAnswer: (answer) => run(() => answers.upsertAnswer(conn, answer)),
    findAnswer: (roundId, key) => run(() => answers.findAnswer(conn, roundId, key)),
    countAnswers: (roundId) => run(() => answers.countAnswers(conn, roundId)),
    countLevelAnswers: (roundId) => run(() => answers.countLevelAnswers(conn, roundId)),
    answerKeys: (roundId) => run(() => answers.answerKeys(conn, roundId)),
    upsertComment: (comment) => run(() => answers.upsertComment(conn, comment)),
    deleteComment: (roundId, key) => run(() => answers.deleteComment(conn, roundId, key)),
    findComment: (roundId, key) => run(() => answers.findComment(conn, roundId, key)),
    closedRoundComments: (teamId) => run(() => answers.closedRoundComments(conn, teamId)),
    answersOfRespondent: (key, limit) => run(() => answers.answersOfRespondent(conn, key, limit)),
    deleteRespondentData: (key) => run(() => atomic((c) => answers.deleteRespondentData(c, key))),
    deleteAnswersOfRounds: (roundIds) => run(() => (roundIds.length === 0 ? Promise.resolve({ answers: 0, comments: 0 }) : atomic((c) => answers.deleteAnswersOfRounds(c, roundIds)))),
    closedRoundsWithDataBefore: (before) => run(() => answers.closedRoundsWithDataBefore(conn, before)),

    enqueueDelivery: (intent) => run(() => deliveries.enqueueDelivery(conn, intent)),
    findDelivery: (target, periodKey, kind) => run(() => deliveries.findDelivery(conn, target, periodKey, kind)),
    findDeliveryById: (id) => run(() => deliveries.findDeliveryById(conn, id)),
    claimDueDeliveries: (now, platforms, limit) => run(() => deliveries.claimDueDeliveries(conn, now, platforms, limit)),
    markDeliverySent: (id, messageRef, at) => run(() => deliveries.markDeliverySent(conn, id, messageRef, at)),
    scheduleDeliveryRetry: (id, next, error) => run(() => deliveries.scheduleDeliveryRetry(conn, id, next, error)),
    releaseDeliveryClaim: (id, next) => run(() => deliveries.releaseDeliveryClaim(conn, id, next)),
    markDeliverySending: (id, fence) => run(() => deliveries.markDeliverySending(conn, id, fence)),
    releaseUnsentClaims: (ids) => run(() => deliveries.releaseUnsentClaims(conn, ids)),
    markDeliveryFailed: (id, error, status) => run(() => deliveries.markDeliveryFailed(conn, id, error, status)),
    recoverInterruptedDeliveries: (now) => run(() => atomic((c) => deliveries.recoverInterruptedDeliveries(c, now))),
    countDeliveries: () => run(() => deliveries.countDeliveries(conn)),
    pendingDeliveries: () => run(() => deliveries.pendingDeliveries(conn)),
    listDeliveries: (filter) => run(() => deliveries.listDeliveries(conn, filter)),

    upsertDigestSubscription: (input) => run(() => digests.upsertDigestSubscription(conn, input)),
    deleteDigestSubscription: (channel) => run(() => digests.deleteDigestSubscription(conn, channel)),
    dueDigestSubscriptions: (now) => run(() => digests.dueDigestSubscriptions(conn, now)),
    setNextDigest: (id, at) => run(() => digests.setNextDigest(conn, id, at)),
    listDigestSubscriptions: () => run(() => digests.listDigestSubscriptions(conn)),

    listTargets: (filter) => run(() => targets.listTargets(conn, filter)),
    setTarget: (target) => run(() => targets.setTarget(conn, target)),
    clearTarget: (key) => run(() => targets.clearTarget(conn, key)),

    insertStep: (step) => run(() => steps.insertStep(conn, step)),
    findStep: (id) => run(() => steps.findStep(conn, id)),
    listSteps: (filter) => run(() => steps.listSteps(conn, filter)),
    updateStep: (id, patch) => run(() => steps.updateStep(conn, id, patch)),
    stepsDue: (now) => run(() => steps.stepsDue(conn, now)),
    stepsCheckedInSince: (since) => run(() => steps.stepsCheckedInSince(conn, since)),
    stepsActiveBetween: (since, to) => run(() => steps.stepsActiveBetween(conn, since, to)),

    grantsFor: (user) => run(() => roles.grantsFor(conn, user)),
    grantRole: (user, grant, grantedBy, at) => run(() => roles.grantRole(conn, user, grant, grantedBy, at)),
    revokeRole: (user, grant) => run(() => roles.revokeRole(conn, user, grant)),
    listRoles: (filter) => run(() => roles.listRoles(conn, filter)),
    recordAudit: (entry) => run(() => audit.recordAudit(conn, entry)),
    findAudit: (id) => run(() => audit.findAudit(conn, id)),
    recentAudit: (limit) => run(() => audit.recentAudit(conn, limit)),

    insertAccessToken: (input) => run(() => accessTokens.insertAccessToken(conn, input)),
    findAccessTokenByHash: (tokenHash) => run(() => accessTokens.findAccessTokenByHash(conn, tokenHash)),
    findAccessToken: (id) => run(() => accessTokens.findAccessToken(conn, id)),
    listAccessTokens: (owner) => run(() => accessTokens.listAccessTokens(conn, owner)),
    revokeAccessToken: (id, at) => run(() => accessTokens.revokeAccessToken(conn, id, at)),
    touchAccessToken: (id, at) => run(() => accessTokens.touchAccessToken(conn, id, at)),
    deleteAccessTokensOf: (owner) => run(() => accessTokens.deleteAccessTokensOf(conn, owner)),

    rememberEvent: (source, eventId, at) => run(() => events.rememberEvent(conn, source, eventId, at)),
    forgetEventsBefore: (before) => run(() => events.forgetEventsBefore(conn, before)),
    rememberConversation: (conversation) => run(() => conversations.rememberConversation(conn, conversation)),
    findConversation: (tenantId, conversationId) => run(() => conversations.findConversation(conn, tenantId, conversationId)),
    findPersonalConversation: (tenantId, userKey) => run(() => conversations.findPersonalConversation(conn, tenantId, userKey)),
    markUninstalled: (where, at) => run(() => conversations.markUninstalled(conn, where, at)),
    conversationServiceUrls: () => run(() => conversations.conversationServiceUrls(conn)),
    readMeta: (key) => run(() => meta.readMeta(conn, key)),
    writeMeta: (key, value) => run(() => meta.writeMeta(conn, key, value)),
    writeMetaOnce: (key, value) => run(() => meta.writeMetaOnce(conn, key, value)),
    acquireLease: (request) => run(() => atomic((c) => leases.acquireLease(c, request))),
    releaseLease: (name, holder) => run(() => leases.releaseLease(conn, name, holder)),
    readLease: (name) => run(() => leases.readLease(conn, name)),

    close: own.close,
  };
}
