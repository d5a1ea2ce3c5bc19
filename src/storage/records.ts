import { z } from 'zod';
import type { ChannelRef, UserRef } from '../core/platform.js';
import type { Round, RoundTally } from '../core/round.js';
import type { Cadence, QuestionStrategy, Team } from '../core/team.js';
import type { DeliveryPayload } from '../core/outbox.js';

/**
 * What the storage port takes and returns besides the core's own types: the same on every engine, so
 * nothing above storage/ can tell SQLite from PostgreSQL.
 */

export interface RecordedAnswer {
  readonly roundId: number;
  readonly optionId: string;
  readonly level: number | null;
  readonly answeredAt: Date;
  /** How often the respondent changed their answer in this round. */
  readonly changes: number;
}

/** An answer as `upsertAnswer` stored it, with the option it replaced (null for a first answer). */
export interface UpsertedAnswer extends RecordedAnswer {
  readonly previousOptionId: string | null;
}

export interface OwnAnswer {
  readonly roundId: number;
  readonly teamId: number;
  readonly aspectId: string;
  readonly aspectName: string;
  /** Null when the person commented on the round without answering it. */
  readonly optionId: string | null;
  /** The statement the person picked, as the round asked it; null with `optionId`. */
  readonly optionText: string | null;
  /** When they last answered; for a comment alone, when they last wrote it. */
  readonly at: Date;
  readonly comment: string | null;
  readonly roundOpen: boolean;
}

/**
 * A closed round as a team's history lists it: the question as the round asked it (its stored snapshot,
 * whatever the survey file says now) and the tally frozen at its close.
 */
export interface ClosedRoundHistory {
  readonly roundId: number;
  readonly aspectId: string;
  readonly aspectName: string;
  readonly prompt: string;
  readonly openedAt: Date;
  readonly closedAt: Date;
  readonly tally: RoundTally;
}

/** Who did something: a chat user, or the operator at the command line (platform `cli`). */
export interface AuditActor {
  readonly platform: string;
  readonly workspaceId: string;
  readonly userId: string;
}

export interface AuditEntry {
  readonly at: Date;
  readonly actor: AuditActor;
  readonly action: string;
  readonly teamName: string | null;
  readonly details: Record<string, unknown>;
}

export interface AuditRecord {
  readonly at: Date;
  readonly action: string;
  readonly teamName: string | null;
  readonly actorUserId: string;
  readonly details: unknown;
}

export interface DeliveryIntent {
  readonly target: ChannelRef;
  readonly periodKey: string;
  readonly payload: DeliveryPayload;
  readonly teamId: number | null;
  readonly roundId: number | null;
  readonly at: Date;
}

export interface DigestSubscription {
  readonly id: number;
  readonly channel: ChannelRef;
  readonly weekday: number;
  readonly localTime: string;
  readonly timeZone: string;
  readonly nextDigestAt: Date;
}

export interface LeaseRequest {
  readonly name: string;
  readonly holder: string;
  /** A holder whose lease may be taken at once, expired or not: an earlier incarnation of this process. */
  readonly takeOverFrom: string | null;
  readonly ttlMs: number;
  /** The caller's clock; SQLite uses it (one machine), PostgreSQL uses its own (`clock_timestamp()`). */
  readonly now: Date;
}

export interface LeaseState {
  /** Whether `holder` holds the lease after this call. */
  readonly held: boolean;
  /** True when this call took the lease over (first start, or after another holder stopped or died). */
  readonly newlyAcquired: boolean;
  readonly holder: string;
  readonly expiresAt: Date;
  /** The fencing token: raised each time the lease changes hands. */
  readonly token: number;
}

/** A lease a transaction's writes are made under: they commit only while it still holds (see `Store.transaction`). */
export interface Fence {
  readonly name: string;
  readonly token: number;
}

export const META_KEYS = {
  respondentKeyFingerprint: 'respondent_key_fingerprint',
} as const;

/** A round about to open: everything but what the database and the close decide. */
export type NewRound = Omit<Round, 'id' | 'closedAt' | 'status' | 'tally'>;

export type InsertRoundResult =
  | { readonly kind: 'opened'; readonly round: Round }
  | { readonly kind: 'already-open'; readonly round: Round }
  | { readonly kind: 'period-taken'; readonly round: Round };

export interface NewTeam {
  readonly name: string;
  readonly channel: ChannelRef;
  readonly organisationId?: string | null;
  readonly surveyId: string;
  readonly cadence: Cadence;
  readonly questionStrategy?: QuestionStrategy;
  readonly isDemo?: boolean;
  readonly createdAt: Date;
}

export type InsertTeamResult = { readonly kind: 'created'; readonly team: Team } | { readonly kind: 'name-taken' } | { readonly kind: 'channel-taken' };

/** The parts of a Bot Framework conversation reference the bot needs to write to a conversation later. */
export const StoredReferenceSchema = z.object({
  channelId: z.string(),
  serviceUrl: z.string(),
  conversation: z.object({ id: z.string(), conversationType: z.string().optional(), tenantId: z.string().optional(), isGroup: z.boolean().optional() }).loose(),
  bot: z.object({ id: z.string(), name: z.string().optional() }).loose(),
  locale: z.string().optional(),
});
export type StoredReference = z.infer<typeof StoredReferenceSchema>;

export interface TeamsConversation {
  readonly tenantId: string;
  readonly conversationId: string;
  readonly conversationType: string;
  readonly msTeamId: string | null;
  /** For a 1:1 chat: the person's contact key (`core/respondent-key.ts#contactKey`), never their raw id. */
  readonly userKey: string | null;
  readonly reference: StoredReference;
  readonly installed: boolean;
}

/**
 * A personal access token for the web API as storage returns it: never the secret, nor its hash (a
 * request is matched by hash inside storage, and the hash goes no further).
 */
export interface AccessTokenRecord {
  readonly id: number;
  /** The person the token acts for, with whatever roles they hold when it is used. */
  readonly owner: UserRef;
  readonly name: string;
  /** The token's first characters, to tell tokens apart on screen. */
  readonly prefix: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** A token about to be stored: its SHA-256 (hex), never the token itself. */
export interface NewAccessToken {
  readonly owner: UserRef;
  readonly name: string;
  readonly tokenHash: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** Thrown by a fenced transaction whose lease changed hands: none of its writes were committed. */
export class LeaseLostError extends Error {
  constructor(readonly fence: Fence) {
    super(`the ${fence.name} lease changed hands (token ${fence.token} is stale); nothing was written`);
    this.name = 'LeaseLostError';
  }
}
