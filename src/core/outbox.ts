import { z } from 'zod';
import type { ChannelRef } from './platform.js';

/** Everything the bot posts goes through the outbox as one of these. */
export const DELIVERY_KINDS = ['round-opened', 'round-closed', 'round-result', 'reminder', 'nudge', 'digest', 'digest-files', 'role-change', 'step-adopted', 'step-owner', 'step-check-in'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

/**
 * pending → claimed (taken by the sending process, nothing sent yet) → sending (the platform call is under
 * way: after a crash its outcome is unknown) → sent | pending (retry) | failed | cancelled.
 */
export const DELIVERY_STATUSES = ['pending', 'claimed', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Payloads reference frozen facts (a round, a point in time) rather than copies of rendered text: a round's
 * question and tally never change once stored, so the message built from them is the same on every retry.
 */
export const RoundDeliveryPayloadSchema = z.object({ roundId: z.number().int().positive() });
export const DigestDeliveryPayloadSchema = z.object({ at: z.iso.datetime(), surveyIds: z.array(z.string()).optional() });
/** A role change is announced from its audit record, so the outbox holds no user id of its own. */
export const RoleChangeDeliveryPayloadSchema = z.object({ auditId: z.number().int().positive() });
/**
 * A step's messages are built from the step as it stands when sent (a step dropped meanwhile makes its
 * check-in obsolete); the owner request names its audit record, which holds who was asked.
 */
export const StepDeliveryPayloadSchema = z.object({ stepId: z.number().int().positive(), auditId: z.number().int().positive().optional() });

export type DeliveryPayload =
  | { readonly kind: 'round-opened' | 'round-closed' | 'round-result' | 'reminder' | 'nudge'; readonly roundId: number }
  | { readonly kind: 'digest' | 'digest-files'; readonly at: string; readonly surveyIds?: string[] }
  | { readonly kind: 'role-change'; readonly auditId: number }
  | { readonly kind: 'step-adopted' | 'step-owner' | 'step-check-in'; readonly stepId: number; readonly auditId?: number };

/** Parses a stored payload for its kind; throws on a payload the code never writes. */
export function parseDeliveryPayload(kind: DeliveryKind, json: unknown): DeliveryPayload {
  if (kind === 'digest' || kind === 'digest-files') return { kind, ...DigestDeliveryPayloadSchema.parse(json) };
  if (kind === 'role-change') return { kind, ...RoleChangeDeliveryPayloadSchema.parse(json) };
  if (kind === 'step-adopted' || kind === 'step-owner' || kind === 'step-check-in') {
    const { stepId, auditId } = StepDeliveryPayloadSchema.parse(json);
    return auditId === undefined ? { kind, stepId } : { kind, stepId, auditId };
  }
  return { kind, ...RoundDeliveryPayloadSchema.parse(json) };
}

/** The period key that makes each announced role change its own delivery. */
export function roleChangePeriodKey(auditId: number): string {
  return `role-${auditId}`;
}

export function payloadBody(payload: DeliveryPayload): Record<string, unknown> {
  const { kind: _kind, ...body } = payload;
  return body;
}

/** The period key that makes a round's deliveries unique per round. */
export function roundPeriodKey(roundId: number): string {
  return `round-${roundId}`;
}

/** A delivery that edits or replies to another message (the round's, the digest's) waits for it. */
export function parentKind(kind: DeliveryKind): DeliveryKind | null {
  if (kind === 'round-closed' || kind === 'round-result' || kind === 'reminder') return 'round-opened';
  if (kind === 'digest-files') return 'digest';
  return null;
}

/** The period key that makes a channel's digest unique per ISO week. */
export function digestPeriodKey(isoWeek: string): string {
  return `digest-${isoWeek}`;
}

export interface Delivery {
  readonly id: number;
  readonly kind: DeliveryKind;
  readonly target: ChannelRef;
  readonly periodKey: string;
  readonly payload: DeliveryPayload;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** Times it was sent again because an earlier attempt ended with an unknown outcome. */
  readonly resends: number;
  readonly nextAttemptAt: Date;
  readonly messageRef: string | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 5_000, maxDelayMs: 15 * 60_000 };

/**
 * How long to wait before attempt `attempts + 1`: the platform's Retry-After when it gave one, otherwise
 * exponential backoff with full jitter (`random` in [0, 1)), capped. Null when the attempts are used up.
 * A rate limit with Retry-After is the platform asking for patience, not a failure: it never uses the
 * attempts up, or a busy Monday (count edits, closes and digests sharing one workspace's budget) would
 * give up a round's closing edit or its result.
 */
export function retryDelayMs(attempts: number, retryAfterMs: number | null, random: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number | null {
  if (retryAfterMs !== null) return Math.min(Math.max(retryAfterMs, 0), policy.maxDelayMs);
  if (attempts >= policy.maxAttempts) return null;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(policy.baseDelayMs / 2 + random * (ceiling - policy.baseDelayMs / 2));
}

/** How a reply or an edit goes out, given the state of the message it belongs to. */
export type ParentDecision =
  | { readonly kind: 'attach'; readonly parentRef: string }
  | { readonly kind: 'alone' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'cancel'; readonly reason: string };

/**
 * A reply or edit waits until its parent is posted. When the parent was given up after interrupted sends,
 * it may well be in the channel but its reference is lost: what carries news of its own (a round's result,
 * the digest's files) is posted on its own rather than lost, and edits and reminders, which make sense
 * only attached to it, are dropped. A parent that failed outright (or never existed) takes its replies with it.
 */
export function parentDecision(kind: DeliveryKind, parent: Pick<Delivery, 'status' | 'messageRef' | 'resends'> | null | undefined): ParentDecision {
  if (!parent || parent.status === 'cancelled' || (parent.status === 'failed' && parent.resends === 0)) {
    return { kind: 'cancel', reason: 'the message it belongs to was never posted' };
  }
  if (parent.status === 'failed') {
    return kind === 'round-result' || kind === 'digest-files' ? { kind: 'alone' } : { kind: 'cancel', reason: 'the message it belongs to was given up after interrupted sends' };
  }
  if (parent.messageRef === null) return { kind: 'wait' };
  return { kind: 'attach', parentRef: parent.messageRef };
}

/**
 * An interrupted send (the process died between the platform call and recording its reference) is sent
 * again once per interruption, each logged as a possible duplicate. Only a send interrupted this many times
 * in a row is given up: at that point it is more likely what kills the process than a victim of it.
 */
export const MAX_UNCERTAIN_RESENDS = 5;
