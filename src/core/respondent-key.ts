import { createHmac, timingSafeEqual } from 'node:crypto';
import type { UserRef } from './platform.js';

/**
 * The pseudonymous key answers are stored under: HMAC-SHA256 over platform, workspace and user id. The
 * same person always gets the same key, and without the secret the key cannot be traced back.
 */
export function respondentKey(secret: string, user: UserRef): string {
  return keyOf(secret, '', user);
}

/** HMAC-SHA256 of a person under the secret; each purpose prefixes its own input, so keys of different purposes never join. */
function keyOf(secret: string, purpose: string, user: UserRef): string {
  return createHmac('sha256', secret).update(`${purpose}${user.platform}\u0000${user.workspaceId}\u0000${user.userId}`).digest('base64url');
}

/**
 * The key a person's 1:1 chat with the bot is found under: an HMAC like the respondent key but over a
 * different input, so the chat (which can reach the person) cannot be joined to their answers.
 */
export function contactKey(secret: string, user: UserRef): string {
  return keyOf(secret, 'contact\u0000', user);
}

/**
 * The key a person's dashboard sessions are counted under (see `services/web-sign-in-service.ts`): an HMAC
 * over yet another input, so it joins to neither their answers nor their chat.
 */
export function sessionKey(secret: string, user: UserRef): string {
  return keyOf(secret, 'web-session\u0000', user);
}

/** A fingerprint stored in the database so a changed secret is noticed before it orphans every answer. */
export function secretFingerprint(secret: string): string {
  return createHmac('sha256', secret).update('maturity-pulse respondent key fingerprint v1').digest('base64url').slice(0, 22);
}

export function fingerprintsMatch(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
