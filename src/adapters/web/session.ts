import { hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';
import { z } from 'zod';
import { PLATFORMS, type UserRef } from '../../core/platform.js';

/**
 * Sessions live in the browser, sealed (encrypted and authenticated) with a key derived from the session
 * secret: any replica can serve any request, and the database keeps no row per session (only, per person
 * who ever signed out, their session generation). A session holds who the person is and their CSRF token,
 * never their roles: every request reads those afresh, so a revoked role applies at once. Signing out moves the person's session generation on, which ends the session
 * everywhere (see the session middleware in app.ts).
 */
export const SessionSchema = z.object({
  platform: z.enum(PLATFORMS),
  workspaceId: z.string().min(1),
  userId: z.string().min(1),
  name: z.string().nullable(),
  csrf: z.string().min(32),
  /** The person's session generation at sign-in (`services/web-sign-in-service.ts#sessionGeneration`); 0 in cookies sealed before generations existed. */
  generation: z.number().int().nonnegative().default(0),
});
export type Session = z.infer<typeof SessionSchema>;

/** What a sign-in in progress remembers between leaving for the identity provider and coming back. */
export const PendingSignInSchema = z.object({
  provider: z.enum(['slack', 'entra']),
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().optional(),
  returnTo: z.string(),
});
export type PendingSignInCookie = z.infer<typeof PendingSignInSchema>;

/** How long a sign-in may take at the identity provider before it has to start again. */
export const SIGN_IN_MINUTES = 10;

function keyFrom(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, '', 'maturity-pulse session v1', 32));
}

export class SessionSealer {
  private readonly keys: readonly Uint8Array[];

  /** `secrets[0]` seals; every one of them opens, so a rotated secret does not sign everybody out at once. */
  constructor(secrets: readonly string[], private readonly sessionHours: number) {
    if (secrets.length === 0) throw new Error('a session secret is required');
    this.keys = secrets.map(keyFrom);
  }

  get maxAgeSeconds(): number {
    return this.sessionHours * 3600;
  }

  sealSession(person: UserRef, name: string | null, generation: number, now: Date): Promise<string> {
    const session: Session = { platform: person.platform, workspaceId: person.workspaceId, userId: person.userId, name, csrf: randomBytes(32).toString('base64url'), generation };
    return this.seal({ ...session, typ: 'session' }, now, this.maxAgeSeconds);
  }

  async openSession(sealed: string | undefined, now: Date): Promise<Session | null> {
    const payload = await this.open(sealed, now);
    // Both cookies are sealed with one key: the purpose claim keeps one from ever being read as the other.
    const parsed = SessionSchema.safeParse(payload);
    return parsed.success && payload?.typ === 'session' ? parsed.data : null;
  }

  sealPendingSignIn(pending: PendingSignInCookie, now: Date): Promise<string> {
    return this.seal({ ...pending, typ: 'sign-in' }, now, SIGN_IN_MINUTES * 60);
  }

  async openPendingSignIn(sealed: string | undefined, now: Date): Promise<PendingSignInCookie | null> {
    const payload = await this.open(sealed, now);
    const parsed = PendingSignInSchema.safeParse(payload);
    return parsed.success && payload?.typ === 'sign-in' ? parsed.data : null;
  }

  private async seal(payload: JWTPayload, now: Date, seconds: number): Promise<string> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return await new EncryptJWT(payload).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).setIssuedAt(issuedAt).setExpirationTime(issuedAt + seconds).encrypt(this.keys[0] as Uint8Array);
  }

  private async open(sealed: string | undefined, now: Date): Promise<JWTPayload | null> {
    if (!sealed) return null;
    for (const key of this.keys) {
      try {
        const { payload } = await jwtDecrypt(sealed, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'], currentDate: now });
        return payload;
      } catch {
        // Another key, an expired or a tampered cookie: try the next key, else treat as signed out.
      }
    }
    return null;
  }
}

/**
 * The session's CSRF token as a page carries it: XORed with a fresh random pad, pad first. Every response
 * then holds different bytes, so compressing a page next to text an attacker reflects into it (BREACH)
 * cannot recover the token byte by byte.
 */
export function maskCsrf(token: string): string {
  const secret = Buffer.from(token, 'base64url');
  const pad = randomBytes(secret.length);
  const masked = Buffer.alloc(secret.length);
  for (let index = 0; index < secret.length; index += 1) masked[index] = (secret[index] ?? 0) ^ (pad[index] ?? 0);
  return Buffer.concat([pad, masked]).toString('base64url');
}

/** Compares a submitted (masked) CSRF token with the session's in constant time. */
export function csrfMatches(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const secret = Buffer.from(expected, 'base64url');
  const raw = Buffer.from(submitted, 'base64url');
  if (raw.length !== secret.length * 2) return false;
  const unmasked = Buffer.alloc(secret.length);
  for (let index = 0; index < secret.length; index += 1) unmasked[index] = (raw[index] ?? 0) ^ (raw[index + secret.length] ?? 0);
  return timingSafeEqual(unmasked, secret);
}

/** The person a session belongs to. */
export function personOf(session: Session): UserRef {
  return { platform: session.platform, workspaceId: session.workspaceId, userId: session.userId };
}
