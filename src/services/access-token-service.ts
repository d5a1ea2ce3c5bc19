import { createHash, randomBytes } from 'node:crypto';
import { samePerson, type UserRef } from '../core/platform.js';
import { isAllowed, type Viewer } from '../core/roles.js';
import type { AccessTokenRecord } from '../storage/records.js';
import type { ServiceContext } from './context.js';
import { rolesOf } from './role-grants.js';

/**
 * Personal access tokens for the web API (`/api/v1`). An admin or PM creates one on the dashboard and sees
 * it once; after that only its SHA-256 is stored. A token authenticates its owner, and the API then checks
 * the owner's roles as they are at that moment: a PM who stops being one keeps a token that can no longer
 * do what a PM may.
 */

export const ACCESS_TOKEN_PREFIX = 'mpat_';
/** How many characters of a token are stored in clear, to tell tokens apart on screen (`mpat_` and 7 more). */
export const ACCESS_TOKEN_DISPLAY_LENGTH = 12;
export const ACCESS_TOKEN_NAME_MAX = 80;
export const ACCESS_TOKEN_MAX_DAYS = 365;

const TOKEN_BYTES = 32;
/** `mpat_` and base64url (no padding) of 32 bytes: 43 characters. */
const TOKEN_SHAPE = /^mpat_[A-Za-z0-9_-]{43}$/;
const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

export type CreateAccessTokenResult =
  | { readonly kind: 'created'; readonly token: string; readonly record: AccessTokenRecord }
  | { readonly kind: 'refused' }
  | { readonly kind: 'invalid'; readonly problem: string };

export type RevokeAccessTokenResult =
  | { readonly kind: 'revoked'; readonly record: AccessTokenRecord }
  | { readonly kind: 'already-revoked'; readonly record: AccessTokenRecord }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'refused' };

export interface AuthenticatedToken {
  readonly owner: UserRef;
  readonly tokenId: number;
}

/**
 * The stored form of a token: SHA-256, hex. A fast, unsalted hash is right here: the token is 256 random
 * bits, so there is no dictionary to try and no point in a slow KDF (which would only make every API
 * request slower). It also makes the hash usable as a unique index to find the token by.
 */
export function hashAccessToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The person's stored roles, with admin added for people made admins by configuration (as in chat). */
async function viewerOf(ctx: ServiceContext, person: UserRef, configuredAdmins: readonly string[]): Promise<Viewer> {
  return { grants: await rolesOf(ctx, person, configuredAdmins), memberOfTeamId: null };
}

/**
 * Admins manage everyone's tokens. core/roles.ts has no permission for that yet; making someone an admin
 * is the admin-only permission closest to it.
 */
function isAdmin(viewer: Viewer): boolean {
  return isAllowed(viewer, { kind: 'grant-role', role: 'admin', teamId: null });
}

function validate(input: { readonly name: string; readonly days: number }): { name: string; days: number } | { problem: string } {
  const name = input.name.trim();
  // Counted in characters (code points), as the database's length() check counts them.
  const length = [...name].length;
  if (length === 0) return { problem: 'Give the token a name.' };
  if (length > ACCESS_TOKEN_NAME_MAX) return { problem: `A token name has at most ${ACCESS_TOKEN_NAME_MAX} characters.` };
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > ACCESS_TOKEN_MAX_DAYS) return { problem: `A token lasts a whole number of days, from 1 to ${ACCESS_TOKEN_MAX_DAYS}.` };
  return { name, days: input.days };
}

/**
 * Creates a token for `creator` (admins and PMs only), valid for `days` days. The token itself is in the
 * result and nowhere else: neither storage nor the audit log holds it.
 */
export async function createAccessToken(
  ctx: ServiceContext,
  creator: UserRef,
  configuredAdmins: readonly string[],
  input: { readonly name: string; readonly days: number },
): Promise<CreateAccessTokenResult> {
  // The API reads what the digest shows (every team's figures): the same people may hold a token.
  if (!isAllowed(await viewerOf(ctx, creator, configuredAdmins), { kind: 'view-digest' })) return { kind: 'refused' };
  const valid = validate(input);
  if ('problem' in valid) return { kind: 'invalid', problem: valid.problem };

  const token = ACCESS_TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + valid.days * DAY_MS);
  const record = await ctx.store.transaction(async (tx) => {
    const stored = await tx.insertAccessToken({ owner: creator, name: valid.name, tokenHash: hashAccessToken(token), prefix: token.slice(0, ACCESS_TOKEN_DISPLAY_LENGTH), createdAt: now, expiresAt });
    await tx.recordAudit({ at: now, actor: creator, action: 'access-token.create', teamName: null, details: { tokenId: stored.id, name: stored.name, prefix: stored.prefix, expiresAt: expiresAt.toISOString() } });
    return stored;
  });
  return { kind: 'created', token, record };
}

/** The person's own tokens, newest first (revoked and expired ones included, for the dashboard to show). */
export async function listAccessTokens(ctx: ServiceContext, owner: UserRef): Promise<AccessTokenRecord[]> {
  return await ctx.store.listAccessTokens(owner);
}

/** Everyone's tokens, newest first: for admins, who may revoke any of them. */
export async function listAllAccessTokens(ctx: ServiceContext, actor: UserRef, configuredAdmins: readonly string[]): Promise<{ readonly kind: 'listed'; readonly tokens: AccessTokenRecord[] } | { readonly kind: 'refused' }> {
  if (!isAdmin(await viewerOf(ctx, actor, configuredAdmins))) return { kind: 'refused' };
  return { kind: 'listed', tokens: await ctx.store.listAccessTokens() };
}

/**
 * Revokes a token: its owner may revoke their own (whatever roles they hold now), admins anyone's. A token
 * already revoked stays revoked from its first revocation, and nothing is written again.
 */
export async function revokeAccessToken(ctx: ServiceContext, actor: UserRef, configuredAdmins: readonly string[], id: number): Promise<RevokeAccessTokenResult> {
  const found = await ctx.store.findAccessToken(id);
  if (!found) return { kind: 'not-found' };
  if (!samePerson(found.owner, actor) && !isAdmin(await viewerOf(ctx, actor, configuredAdmins))) return { kind: 'refused' };
  if (found.revokedAt !== null) return { kind: 'already-revoked', record: found };

  const now = ctx.clock.now();
  return await ctx.store.transaction(async (tx): Promise<RevokeAccessTokenResult> => {
    // Another request may have revoked it since the read above; the conditional update decides.
    if (!(await tx.revokeAccessToken(id, now))) {
      const current = await tx.findAccessToken(id);
      return current ? { kind: 'already-revoked', record: current } : { kind: 'not-found' };
    }
    await tx.recordAudit({ at: now, actor, action: 'access-token.revoke', teamName: null, details: { tokenId: found.id, name: found.name, prefix: found.prefix, owner: found.owner } });
    return { kind: 'revoked', record: { ...found, revokedAt: now } };
  });
}

/**
 * Who a bearer token (the value after `Bearer `) acts for: null when it is malformed, unknown, revoked or
 * expired. The token is looked up by its hash, so no comparison of secrets happens here to be timed.
 */
export async function authenticateAccessToken(ctx: ServiceContext, bearer: string): Promise<AuthenticatedToken | null> {
  if (!TOKEN_SHAPE.test(bearer)) return null;
  const record = await ctx.store.findAccessTokenByHash(hashAccessToken(bearer));
  if (!record) return null;
  const now = ctx.clock.now();
  if (record.revokedAt !== null || now.getTime() >= record.expiresAt.getTime()) return null;
  // At most one write an hour per token: writing on every request would turn each API read into a write
  // (on SQLite, queued behind the one writer), and "last used" only needs to tell a live token from a
  // forgotten one.
  if (record.lastUsedAt === null || now.getTime() - record.lastUsedAt.getTime() >= HOUR_MS) {
    try {
      await ctx.store.touchAccessToken(record.id, now);
    } catch (error) {
      // Bookkeeping only: a failed write must not turn a valid token away.
      ctx.log.warn({ err: error, tokenId: record.id }, 'could not record the use of an access token');
    }
  }
  return { owner: record.owner, tokenId: record.id };
}
