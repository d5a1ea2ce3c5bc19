import { AsyncLocalStorage } from 'node:async_hooks';
import type { Store, StoreSignal } from '../store.js';
import * as accessTokens from './access-token-repository.js';
import * as answers from './answer-repository.js';
import * as audit from './audit-repository.js';
import { backupDatabase, closeDatabase, type Db } from './database.js';
import * as deliveries from './delivery-repository.js';
import * as digests from './digest-subscription-repository.js';
import * as events from './event-repository.js';
import * as leases from './lease-repository.js';
import * as meta from './meta-repository.js';
import * as roles from './role-repository.js';
import * as rounds from './round-repository.js';
import * as steps from './step-repository.js';
import * as targets from './target-repository.js';
import * as teams from './team-repository.js';
import * as conversations from './ms-teams-conversation-repository.js';

/** A SQLite store also offers an online copy of its file (PostgreSQL has pg_dump for that). */
export interface SqliteStore extends Store {
  readonly engine: 'sqlite';
  readonly db: Db;
  backup(destination: string): Promise<void>;
}

/**
 * Who holds the one connection for a transaction. better-sqlite3 is synchronous, so a statement outside a
 * transaction runs to completion before anything else; only a transaction spans awaits. While one is open,
 * every other caller waits for it, or its statements would join (and roll back with) the transaction.
 */
class ConnectionLock {
  private holder: symbol | null = null;
  private readonly waiting: (() => void)[] = [];
  /** Which transaction the current async call chain belongs to, to catch a body using the outer store. */
  readonly owner = new AsyncLocalStorage<symbol>();

  get free(): boolean {
    return this.holder === null;
  }

  isHeldByCaller(): boolean {
    return this.holder !== null && this.owner.getStore() === this.holder;
  }

  async acquire(): Promise<symbol> {
    while (this.holder !== null) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const token = Symbol('sqlite-transaction');
    this.holder = token;
    return token;
  }

  release(): void {
    this.holder = null;
    this.waiting.shift()?.();
  }
}

type Runner = <T>(statement: () => T) => Promise<T>;

/**
 * The SQLite implementation of the storage port. Statements run synchronously and resolve at once;
 * `transaction` issues BEGIN IMMEDIATE / COMMIT itself on the one connection and holds it until the body
 * settles (drizzle's own transaction helper cannot take an async body on better-sqlite3: it commits early
 * and does not roll back, drizzle issues #1472 and #2275).
 */
export function createSqliteStore(db: Db): SqliteStore {
  const lock = new ConnectionLock();
  // One process sends on SQLite (the standby on the same file waits for the lease), so signals stay here.
  const listeners = new Set<(event: StoreSignal) => void>();
  const signals: Pick<Store, 'signal' | 'listen'> = {
    signal: (event) => {
      for (const listener of listeners) listener(event);
    },
    listen: (listener) => {
      listeners.add(listener);
      return Promise.resolve(() => {
        listeners.delete(listener);
        return Promise.resolve();
      });
    },
  };

  const outside: Runner = (statement) => {
    if (lock.free) return settle(statement);
    if (lock.isHeldByCaller()) return Promise.reject(new Error('a transaction body used the outer store; use the transaction’s own store (tx)'));
    return lock.acquire().then((token) => {
      try {
        return statement();
      } finally {
        if (token) lock.release();
      }
    });
  };
  const inside: Runner = (statement) => settle(statement);

  let savepoints = 0;
  async function savepoint<T>(tx: Store, work: (tx: Store) => Promise<T>): Promise<T> {
    const name = `sp_${++savepoints}`;
    db.$client.exec(`SAVEPOINT ${name}`);
    try {
      const result = await work(tx);
      db.$client.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      db.$client.exec(`ROLLBACK TO ${name}`);
      db.$client.exec(`RELEASE ${name}`);
      throw error;
    }
  }

  const txStore: SqliteStore = build(db, inside, signals, async (work, options) => {
    if (options?.fence) leases.assertLease(db, options.fence);
    return savepoint(txStore, work);
  });

  const store: SqliteStore = build(db, outside, signals, async (work, options) => {
    if (lock.isHeldByCaller()) throw new Error('a transaction body used the outer store; use the transaction’s own store (tx)');
    const token = await lock.acquire();
    try {
      db.$client.exec('BEGIN IMMEDIATE');
      try {
        if (options?.fence) leases.assertLease(db, options.fence);
        const result = await lock.owner.run(token, () => work(txStore));
        db.$client.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.$client.inTransaction) db.$client.exec('ROLLBACK');
        throw error;
      }
    } finally {
      lock.release();
    }
  });
  return store;
}

function settle<T>(statement: () => T): Promise<T> {
  try {
    return Promise.resolve(statement());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function build(db: Db, run: Runner, signals: Pick<Store, 'signal' | 'listen'>, transaction: Store['transaction']): SqliteStore {
  return {
    engine: 'sqlite',
    db,
    transaction,
    ...signals,
    backup: (destination) => backupDatabase(db, destination),
    assertLease: (fence) => run(() => leases.assertLease(db, fence)),

    insertTeam: (team) => run(() => teams.insertTeam(db, team)),
    findTeamByName: (name) => run(() => teams.findTeamByName(db, name)),
    findTeamById: (id) => run(() => teams.findTeamById(db, id)),
    findTeamByChannel: (channel, organisationId) => run(() => teams.findTeamByChannel(db, channel, organisationId ?? null)),
    listTeams: () => run(() => teams.listTeams(db)),
    countTeams: (options) => run(() => teams.countTeams(db, options)),
    setTeamPause: (teamId, pausedUntil) => run(() => teams.setTeamPause(db, teamId, pausedUntil)),
    setTeamMemberCount: (channel, count) => run(() => teams.setTeamMemberCount(db, channel, count)),
    deleteTeam: (teamId) => run(() => teams.deleteTeam(db, teamId)),
    teamsDueForScheduling: (now) => run(() => teams.teamsDueForScheduling(db, now)),
    setNextRoundCheck: (teamId, at, fence) => run(() => teams.setNextRoundCheck(db, teamId, at, fence)),
    setTeamOptions: (teamId, options) => run(() => teams.setTeamOptions(db, teamId, options)),

    insertRound: (round) => run(() => rounds.insertRound(db, round)),
    findRound: (roundId) => run(() => rounds.findRound(db, roundId)),
    // Transactions are serialised on SQLite: the plain read is already as good as a lock.
    findRoundForWrite: (roundId) => run(() => rounds.findRound(db, roundId)),
    findOpenRound: (teamId) => run(() => rounds.findOpenRound(db, teamId)),
    latestRound: (teamId) => run(() => rounds.latestRound(db, teamId)),
    askedQuestions: (teamId, surveyId) => run(() => rounds.askedQuestions(db, teamId, surveyId)),
    closedTallies: (teamId, surveyId) => run(() => rounds.closedTallies(db, teamId, surveyId)),
    closedTalliesByTeam: (teamSurveys) => run(() => rounds.closedTalliesByTeam(db, teamSurveys)),
    closedRoundHistory: (teamId, surveyId, limit, options) => run(() => rounds.closedRoundHistory(db, teamId, surveyId, limit, options)),
    dueRounds: (now) => run(() => rounds.dueRounds(db, now)),
    closeRound: (roundId, now) => run(() => rounds.closeRound(db, roundId, now)),
    roundsDueForReminder: (now, minRespondents) => run(() => rounds.roundsDueForReminder(db, now, minRespondents)),

    upsertAnswer: (answer) => run(() => answers.upsertAnswer(db, answer)),
    findAnswer: (roundId, key) => run(() => answers.findAnswer(db, roundId, key)),
    countAnswers: (roundId) => run(() => answers.countAnswers(db, roundId)),
    countLevelAnswers: (roundId) => run(() => answers.countLevelAnswers(db, roundId)),
    answerKeys: (roundId) => run(() => answers.answerKeys(db, roundId)),
    upsertComment: (comment) => run(() => answers.upsertComment(db, comment)),
    deleteComment: (roundId, key) => run(() => answers.deleteComment(db, roundId, key)),
    findComment: (roundId, key) => run(() => answers.findComment(db, roundId, key)),
    closedRoundComments: (teamId) => run(() => answers.closedRoundComments(db, teamId)),
    answersOfRespondent: (key, limit) => run(() => answers.answersOfRespondent(db, key, limit)),
    deleteRespondentData: (key) => run(() => answers.deleteRespondentData(db, key)),
    deleteAnswersOfRounds: (roundIds) => run(() => answers.deleteAnswersOfRounds(db, roundIds)),
    closedRoundsWithDataBefore: (before) => run(() => answers.closedRoundsWithDataBefore(db, before)),

    enqueueDelivery: (intent) => run(() => deliveries.enqueueDelivery(db, intent)),
    findDelivery: (target, periodKey, kind) => run(() => deliveries.findDelivery(db, target, periodKey, kind)),
    findDeliveryById: (id) => run(() => deliveries.findDeliveryById(db, id)),
    claimDueDeliveries: (now, platforms, limit) => run(() => deliveries.claimDueDeliveries(db, now, platforms, limit)),
    markDeliverySent: (id, messageRef, at) => run(() => deliveries.markDeliverySent(db, id, messageRef, at)),
    scheduleDeliveryRetry: (id, next, error) => run(() => deliveries.scheduleDeliveryRetry(db, id, next, error)),
    releaseDeliveryClaim: (id, next) => run(() => deliveries.releaseDeliveryClaim(db, id, next)),
    markDeliverySending: (id, fence) => run(() => deliveries.markDeliverySending(db, id, fence)),
    releaseUnsentClaims: (ids) => run(() => deliveries.releaseUnsentClaims(db, ids)),
    markDeliveryFailed: (id, error, status) => run(() => deliveries.markDeliveryFailed(db, id, error, status)),
    recoverInterruptedDeliveries: (now) => run(() => deliveries.recoverInterruptedDeliveries(db, now)),
    countDeliveries: () => run(() => deliveries.countDeliveries(db)),
    pendingDeliveries: () => run(() => deliveries.pendingDeliveries(db)),
    listDeliveries: (filter) => run(() => deliveries.listDeliveries(db, filter)),

    upsertDigestSubscription: (input) => run(() => digests.upsertDigestSubscription(db, input)),
    deleteDigestSubscription: (channel) => run(() => digests.deleteDigestSubscription(db, channel)),
    dueDigestSubscriptions: (now) => run(() => digests.dueDigestSubscriptions(db, now)),
    setNextDigest: (id, at) => run(() => digests.setNextDigest(db, id, at)),
    listDigestSubscriptions: () => run(() => digests.listDigestSubscriptions(db)),

    listTargets: (filter) => run(() => targets.listTargets(db, filter)),
    setTarget: (target) => run(() => targets.setTarget(db, target)),
    clearTarget: (key) => run(() => targets.clearTarget(db, key)),

    insertStep: (step) => run(() => steps.insertStep(db, step)),
    findStep: (id) => run(() => steps.findStep(db, id)),
    listSteps: (filter) => run(() => steps.listSteps(db, filter)),
    updateStep: (id, patch) => run(() => steps.updateStep(db, id, patch)),
    stepsDue: (now) => run(() => steps.stepsDue(db, now)),
    stepsCheckedInSince: (since) => run(() => steps.stepsCheckedInSince(db, since)),
    stepsActiveBetween: (since, to) => run(() => steps.stepsActiveBetween(db, since, to)),

    grantsFor: (user) => run(() => roles.grantsFor(db, user)),
    grantRole: (user, grant, grantedBy, at) => run(() => roles.grantRole(db, user, grant, grantedBy, at)),
    revokeRole: (user, grant) => run(() => roles.revokeRole(db, user, grant)),
    listRoles: (filter) => run(() => roles.listRoles(db, filter)),
    recordAudit: (entry) => run(() => audit.recordAudit(db, entry)),
    findAudit: (id) => run(() => audit.findAudit(db, id)),
    recentAudit: (limit) => run(() => audit.recentAudit(db, limit)),

    insertAccessToken: (input) => run(() => accessTokens.insertAccessToken(db, input)),
    findAccessTokenByHash: (tokenHash) => run(() => accessTokens.findAccessTokenByHash(db, tokenHash)),
    findAccessToken: (id) => run(() => accessTokens.findAccessToken(db, id)),
    listAccessTokens: (owner) => run(() => accessTokens.listAccessTokens(db, owner)),
    revokeAccessToken: (id, at) => run(() => accessTokens.revokeAccessToken(db, id, at)),
    touchAccessToken: (id, at) => run(() => accessTokens.touchAccessToken(db, id, at)),
    deleteAccessTokensOf: (owner) => run(() => accessTokens.deleteAccessTokensOf(db, owner)),

    rememberEvent: (source, eventId, at) => run(() => events.rememberEvent(db, source, eventId, at)),
    forgetEventsBefore: (before) => run(() => events.forgetEventsBefore(db, before)),
    rememberConversation: (conversation) => run(() => conversations.rememberConversation(db, conversation)),
    findConversation: (tenantId, conversationId) => run(() => conversations.findConversation(db, tenantId, conversationId)),
    findPersonalConversation: (tenantId, userKey) => run(() => conversations.findPersonalConversation(db, tenantId, userKey)),
    markUninstalled: (where, at) => run(() => conversations.markUninstalled(db, where, at)),
    conversationServiceUrls: () => run(() => conversations.conversationServiceUrls(db)),
    readMeta: (key) => run(() => meta.readMeta(db, key)),
    writeMeta: (key, value) => run(() => meta.writeMeta(db, key, value)),
    writeMetaOnce: (key, value) => run(() => meta.writeMetaOnce(db, key, value)),
    acquireLease: (request) => run(() => leases.acquireLease(db, request)),
    releaseLease: (name, holder) => run(() => leases.releaseLease(db, name, holder)),
    readLease: (name) => run(() => leases.readLease(db, name)),

    close: () => run(() => closeDatabase(db)),
  };
}
