import type { NewStep, NextStep, OwnerStatus, StepStatus } from '../core/next-steps.js';
import type { AskedQuestion } from '../core/question-choice.js';
import type { TargetSetting } from '../core/targets.js';
import type { Delivery, DeliveryKind, DeliveryStatus } from '../core/outbox.js';
import type { ChannelRef, Platform, UserRef } from '../core/platform.js';
import type { RoleAssignment, RoleGrant } from '../core/roles.js';
import type { Round } from '../core/round.js';
import type { ClosedRoundTally } from '../core/scoring.js';
import type { QuestionStrategy, Team } from '../core/team.js';
import type {
  AccessTokenRecord,
  AuditEntry,
  AuditRecord,
  ClosedRoundHistory,
  DeliveryIntent,
  DigestSubscription,
  Fence,
  InsertRoundResult,
  InsertTeamResult,
  LeaseRequest,
  LeaseState,
  NewAccessToken,
  NewRound,
  NewTeam,
  OwnAnswer,
  RecordedAnswer,
  UpsertedAnswer,
  TeamsConversation,
} from './records.js';

export type Engine = 'sqlite' | 'postgres';

/**
 * What one process tells the process that sends (the scheduler lease holder), wherever it runs: a new
 * outbox intent to post now, or an answer whose round message shows a count to refresh.
 */
export type StoreSignal = { readonly kind: 'intent' } | { readonly kind: 'answer'; readonly roundId: number; readonly platform: Platform };

/**
 * The storage port: everything services, the scheduler and the CLI read or write, asynchronous on every
 * engine. Two implementations: `sqlite/` (better-sqlite3, the embedded default) and `postgres/` (node-postgres).
 * Each method is one statement or one engine-side transaction; a use case that must change several rows
 * together does it inside `transaction`, so its decisions (core functions) are written once, above storage.
 */
/**
 * Where a digest's look back starts: steps adopted since `adopted` or closed since `closed` (a digest
 * counts this week's adoptions but looks a quarter back for done steps that paid off).
 */
export interface StepActivitySince {
  readonly adopted: Date;
  readonly closed: Date;
}

/** Conditions on steps; every one given must hold. `teamIds` reads several teams' steps at once. */
export interface StepFilter {
  readonly teamId?: number;
  readonly teamIds?: readonly number[];
  readonly status?: StepStatus;
  readonly surveyId?: string;
  readonly aspectId?: string;
}

export interface Store {
  readonly engine: Engine;

  /**
   * Runs `work` in one transaction on a store bound to it, committing when it resolves and rolling back
   * when it throws. Transactions behave as if run one at a time where it matters: SQLite serialises them
   * (BEGIN IMMEDIATE on its one connection); on PostgreSQL the rows a decision rests on are locked by the
   * reads that need it (`findRoundForWrite`, `claimDueDeliveries`, `assertLease`). `work` must only touch
   * `tx` (never this store, never the network): on SQLite the connection is held for its whole duration.
   * Inside a transaction, `tx.transaction` is a savepoint: a failure undoes only its own part.
   * With `fence`, the transaction first checks that the lease is still held under that token and throws
   * `LeaseLostError` (writing nothing) when it is not; a takeover cannot slip in before the commit.
   */
  transaction<T>(work: (tx: Store) => Promise<T>, options?: { fence?: Fence }): Promise<T>;
  /** Checks, inside a transaction, that the lease is still held under the fence's token (see `transaction`). */
  assertLease(fence: Fence): Promise<void>;

  // Teams
  insertTeam(team: NewTeam): Promise<InsertTeamResult>;
  findTeamByName(name: string): Promise<Team | null>;
  findTeamById(id: number): Promise<Team | null>;
  findTeamByChannel(channel: ChannelRef, organisationId?: string | null): Promise<Team | null>;
  listTeams(): Promise<Team[]>;
  countTeams(options?: { demo?: boolean }): Promise<number>;
  setTeamPause(teamId: number, pausedUntil: string | null): Promise<void>;
  setTeamMemberCount(channel: ChannelRef, memberCount: number): Promise<void>;
  deleteTeam(teamId: number): Promise<boolean>;
  /** Teams the scheduler should look at now: those never checked or whose next check is due. */
  teamsDueForScheduling(now: Date): Promise<Team[]>;
  /** When the schedule next looks at the team; with a fence, only while that lease holds (else `LeaseLostError`). */
  setNextRoundCheck(teamId: number, at: Date, fence?: Fence): Promise<void>;
  setTeamOptions(teamId: number, options: { questionStrategy?: QuestionStrategy; nudgeNonRespondents?: boolean }): Promise<void>;

  // Rounds
  /** Opens a round unless the team already has an open one or a round in this period (the unique indexes decide). */
  insertRound(round: NewRound): Promise<InsertRoundResult>;
  findRound(roundId: number): Promise<Round | null>;
  /**
   * The round, read for a write that depends on it being open (an answer, a comment): on PostgreSQL the
   * row is share-locked until the transaction ends, so a close waits for the write and counts it.
   */
  findRoundForWrite(roundId: number): Promise<Round | null>;
  findOpenRound(teamId: number): Promise<Round | null>;
  latestRound(teamId: number): Promise<Round | null>;
  /** What the team was asked under a survey, for choosing the next question. */
  askedQuestions(teamId: number, surveyId: string): Promise<AskedQuestion[]>;
  /** The closed rounds of one team under one survey, oldest first: the input of its report. */
  closedTallies(teamId: number, surveyId: string): Promise<ClosedRoundTally[]>;
  closedTalliesByTeam(teamSurveys: ReadonlyMap<number, string>): Promise<Map<number, ClosedRoundTally[]>>;
  /**
   * The latest `limit` closed rounds of one team under one survey, newest first (by close time, then id),
   * each with the question as it was asked and its frozen tally, in one query. With `asOf`, only rounds
   * closed at or before it: a page as of an earlier instant knows nothing of later closes.
   */
  closedRoundHistory(teamId: number, surveyId: string, limit: number, options?: { asOf?: Date }): Promise<ClosedRoundHistory[]>;
  /** Open rounds whose close time has passed, for every team at once. */
  dueRounds(now: Date): Promise<Round[]>;
  /**
   * Closes an open round, freezes its tally from the respondents' latest answers and makes its comments
   * anonymous. Null when the round was not open (closed by another process or an earlier call).
   */
  closeRound(roundId: number, now: Date): Promise<Round | null>;
  /**
   * Open rounds past their halfway point with fewer than `minRespondents` answers (everyone who answered,
   * "I don't know" included) and no reminder yet.
   */
  roundsDueForReminder(now: Date, minRespondents: number): Promise<number[]>;

  // Answers and comments
  /** Stores an answer; a later one replaces it and counts as a change unless it picks the same option. */
  /** Stores an answer, replacing the respondent's earlier one, in one step; says which option it replaced. */
  upsertAnswer(answer: { roundId: number; respondentKey: string; optionId: string; level: number | null; at: Date }): Promise<UpsertedAnswer>;
  findAnswer(roundId: number, respondentKey: string): Promise<RecordedAnswer | null>;
  /** How many have answered (never who or what). */
  countAnswers(roundId: number): Promise<number>;
  /** Answers of a round that carry a level (not "I don't know"). */
  countLevelAnswers(roundId: number): Promise<number>;
  /** The respondent keys that answered a round: for comparing with channel members, never shown. */
  answerKeys(roundId: number): Promise<string[]>;
  upsertComment(comment: { roundId: number; respondentKey: string; text: string; at: Date }): Promise<void>;
  deleteComment(roundId: number, respondentKey: string): Promise<boolean>;
  findComment(roundId: number, respondentKey: string): Promise<string | null>;
  /** Comments of a team's closed rounds, without their authors. */
  closedRoundComments(teamId: number): Promise<{ roundId: number; text: string }[]>;
  /** A person's own answers and comments, newest first: shown to them and nobody else. */
  answersOfRespondent(respondentKey: string, limit?: number): Promise<OwnAnswer[]>;
  /** Erases one person's answers everywhere and their comments on open rounds. */
  deleteRespondentData(respondentKey: string): Promise<{ answers: number; comments: number }>;
  deleteAnswersOfRounds(roundIds: readonly number[]): Promise<{ answers: number; comments: number }>;
  closedRoundsWithDataBefore(before: Date): Promise<{ roundId: number; teamId: number; surveyId: string; aspectId: string }[]>;

  // Deliveries (the outbox)
  /** Writes the intent to post; a second intent for the same target + period + kind is a no-op. */
  enqueueDelivery(intent: DeliveryIntent): Promise<{ created: boolean; delivery: Delivery }>;
  findDelivery(target: ChannelRef, periodKey: string, kind: DeliveryKind): Promise<Delivery | null>;
  findDeliveryById(id: number): Promise<Delivery | null>;
  /**
   * Claims up to `limit` due deliveries for the given platforms, oldest first (on PostgreSQL with
   * `FOR UPDATE SKIP LOCKED`, so drainers never claim the same row); nothing is sent yet.
   */
  claimDueDeliveries(now: Date, platforms: readonly Platform[], limit: number): Promise<Delivery[]>;
  markDeliverySent(id: number, messageRef: string, at: Date): Promise<void>;
  scheduleDeliveryRetry(id: number, nextAttemptAt: Date, error: string): Promise<void>;
  /** Puts a claimed delivery back without counting the attempt. */
  releaseDeliveryClaim(id: number, nextAttemptAt: Date): Promise<void>;
  /**
   * The platform call for a claimed delivery is about to start: from here a crash leaves its outcome
   * unknown. With a fence, only while that lease holds (else `LeaseLostError`, nothing written), in one step.
   */
  markDeliverySending(id: number, fence?: Fence): Promise<void>;
  /** Returns claimed-but-unsent deliveries to the queue. */
  releaseUnsentClaims(ids?: readonly number[]): Promise<number>;
  markDeliveryFailed(id: number, error: string, status?: 'failed' | 'cancelled'): Promise<void>;
  /** After a takeover: deliveries left mid-send go out again once (logged as possible duplicates), or are given up. */
  recoverInterruptedDeliveries(now: Date): Promise<{ resent: Delivery[]; abandoned: Delivery[] }>;
  countDeliveries(): Promise<Record<DeliveryStatus, number>>;
  /** Deliveries waiting to be sent, and when the oldest of them was written (null when none waits). */
  pendingDeliveries(): Promise<{ count: number; oldestCreatedAt: Date | null }>;
  /** Deliveries matching every condition given (all of them without a filter), in the order they were written. */
  listDeliveries(filter?: { status?: DeliveryStatus; kind?: DeliveryKind; roundId?: number }): Promise<Delivery[]>;

  // Digest subscriptions
  upsertDigestSubscription(input: Omit<DigestSubscription, 'id'> & { at: Date }): Promise<DigestSubscription>;
  deleteDigestSubscription(channel: ChannelRef): Promise<boolean>;
  dueDigestSubscriptions(now: Date): Promise<DigestSubscription[]>;
  setNextDigest(id: number, at: Date): Promise<void>;
  listDigestSubscriptions(): Promise<DigestSubscription[]>;

  // Target levels
  /** Targets matching every condition given; `teamId: null` means the organisation's only. */
  listTargets(filter?: { surveyId?: string; teamId?: number | null }): Promise<TargetSetting[]>;
  /** Sets the target of one aspect for a team (or the organisation, `teamId` null), replacing any earlier one. */
  setTarget(target: TargetSetting): Promise<void>;
  /** Removes a target; false when none was set. */
  clearTarget(key: { surveyId: string; aspectId: string; teamId: number | null }): Promise<boolean>;

  // Adopted next steps
  insertStep(step: NewStep): Promise<NextStep>;
  findStep(id: number): Promise<NextStep | null>;
  /** Steps matching every condition given, oldest adoption first (then id). */
  listSteps(filter?: StepFilter): Promise<NextStep[]>;
  /** Changes the given fields of a step; null when it does not exist. */
  updateStep(id: number, patch: { status?: StepStatus; closedAt?: Date | null; owner?: UserRef | null; ownerName?: string | null; ownerStatus?: OwnerStatus | null; dueAt?: Date; lastCheckInAt?: Date | null }): Promise<NextStep | null>;
  /**
   * Open steps whose due date has come and that were not asked about since it (an unanswered check-in is
   * not repeated, so those drop out of this read), for every team; the caller applies the once-a-week rule.
   */
  stepsDue(now: Date): Promise<NextStep[]>;
  /** Steps whose last check-in went out at or after `since` (any status, any team): who was asked lately. */
  stepsCheckedInSince(since: Date): Promise<NextStep[]>;
  /** Steps adopted within [since.adopted, to) or closed within [since.closed, to), for the digest. */
  stepsActiveBetween(since: StepActivitySince, to: Date): Promise<NextStep[]>;

  // Roles and audit
  grantsFor(user: UserRef): Promise<RoleGrant[]>;
  /** Grants a role; false when the person already held it. */
  grantRole(user: UserRef, grant: RoleGrant, grantedBy: string, at: Date): Promise<boolean>;
  revokeRole(user: UserRef, grant: RoleGrant): Promise<boolean>;
  listRoles(filter?: { platform?: Platform; teamId?: number }): Promise<RoleAssignment[]>;
  /** Records who changed what (raw ids kept here on purpose, for accountability); returns the record's id. */
  recordAudit(entry: AuditEntry): Promise<number>;
  findAudit(id: number): Promise<AuditRecord | null>;
  recentAudit(limit?: number): Promise<Omit<AuditRecord, 'details'>[]>;

  // Access tokens for the web API
  /** Stores a new token (by its hash); a hash already stored is a unique violation, thrown. */
  insertAccessToken(input: NewAccessToken): Promise<AccessTokenRecord>;
  /** The token with this SHA-256 (hex), revoked and expired ones included: the caller decides. */
  findAccessTokenByHash(tokenHash: string): Promise<AccessTokenRecord | null>;
  findAccessToken(id: number): Promise<AccessTokenRecord | null>;
  /** One person's tokens, or everyone's without `owner`; newest first, revoked and expired ones included. */
  listAccessTokens(owner?: UserRef): Promise<AccessTokenRecord[]>;
  /** Marks a token revoked; false when it does not exist or was already revoked (the first time stays). */
  revokeAccessToken(id: number, at: Date): Promise<boolean>;
  /** Records a use of the token; never moves `lastUsedAt` back. */
  touchAccessToken(id: number, at: Date): Promise<void>;
  /** Deletes every token of a person (forget-me); returns how many. */
  deleteAccessTokensOf(owner: UserRef): Promise<number>;

  // Platform events, Teams conversations, metadata, leases
  /** Records an event id; false when it was seen before (a redelivery to ignore). */
  rememberEvent(source: string, eventId: string, at: Date): Promise<boolean>;
  forgetEventsBefore(before: Date): Promise<number>;
  rememberConversation(conversation: Omit<TeamsConversation, 'installed'> & { installed?: boolean; at: Date }): Promise<void>;
  findConversation(tenantId: string, conversationId: string): Promise<TeamsConversation | null>;
  findPersonalConversation(tenantId: string, userKey: string): Promise<TeamsConversation | null>;
  markUninstalled(where: { tenantId: string; msTeamId?: string; conversationId?: string }, at: Date): Promise<string[]>;
  conversationServiceUrls(): Promise<string[]>;
  readMeta(key: string): Promise<string | null>;
  writeMeta(key: string, value: string): Promise<void>;
  /** Stores `value` unless the key is already set; returns what is stored afterwards. */
  writeMetaOnce(key: string, value: string): Promise<string>;
  /**
   * Takes or renews the named lease: it succeeds when nobody holds it, when `holder` already does, when
   * the lease has expired, or when it is held by `takeOverFrom`. The conditional upsert makes the race
   * between processes safe; the token goes up whenever the holder changes.
   */
  acquireLease(request: LeaseRequest): Promise<LeaseState>;
  /** Gives the lease up at shutdown so a standby process can take over at once. */
  releaseLease(name: string, holder: string): Promise<void>;
  readLease(name: string): Promise<{ holder: string; expiresAt: Date; token: number } | null>;

  /**
   * Tells every process listening on this database (this one included). SQLite has one process that
   * sends, so this stays in-process; PostgreSQL uses NOTIFY, delivered after the sender's commit.
   * Best effort: a lost signal only delays a post until the next tick.
   */
  signal(event: StoreSignal): void;
  /** Calls `listener` for every signal from now on; the returned function stops listening. */
  listen(listener: (event: StoreSignal) => void): Promise<() => Promise<void>>;

  /** Closes the connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
