import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import { isPlatform, type UserRef } from '../../core/platform.js';
import type { AccessTokenRecord, NewAccessToken } from '../records.js';
import type { Db } from './database.js';
import { accessTokens } from './schema.js';

type Row = typeof accessTokens.$inferSelect;

/** Every column but the hash: it is matched here and never leaves storage. */
const RECORD_COLUMNS = {
  id: accessTokens.id,
  platform: accessTokens.platform,
  workspaceId: accessTokens.workspaceId,
  userId: accessTokens.userId,
  name: accessTokens.name,
  prefix: accessTokens.prefix,
  createdAt: accessTokens.createdAt,
  expiresAt: accessTokens.expiresAt,
  lastUsedAt: accessTokens.lastUsedAt,
  revokedAt: accessTokens.revokedAt,
};

function toAccessToken(row: Omit<Row, 'tokenHash'>): AccessTokenRecord {
  if (!isPlatform(row.platform)) throw new Error(`access token ${row.id} has an unknown platform`);
  return {
    id: row.id,
    owner: { platform: row.platform, workspaceId: row.workspaceId, userId: row.userId },
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

function ownedBy(owner: UserRef) {
  return and(eq(accessTokens.platform, owner.platform), eq(accessTokens.workspaceId, owner.workspaceId), eq(accessTokens.userId, owner.userId));
}

/** Stores a new token by its hash; a hash already stored throws (the unique index). */
export function insertAccessToken(db: Db, input: NewAccessToken): AccessTokenRecord {
  const row = db
    .insert(accessTokens)
    .values({
      platform: input.owner.platform,
      workspaceId: input.owner.workspaceId,
      userId: input.owner.userId,
      name: input.name,
      tokenHash: input.tokenHash,
      prefix: input.prefix,
      createdAt: input.createdAt,
      expiresAt: input.expiresAt,
    })
    .returning(RECORD_COLUMNS)
    .get();
  return toAccessToken(row);
}

export function findAccessTokenByHash(db: Db, tokenHash: string): AccessTokenRecord | null {
  const row = db.select(RECORD_COLUMNS).from(accessTokens).where(eq(accessTokens.tokenHash, tokenHash)).get();
  return row ? toAccessToken(row) : null;
}

export function findAccessToken(db: Db, id: number): AccessTokenRecord | null {
  const row = db.select(RECORD_COLUMNS).from(accessTokens).where(eq(accessTokens.id, id)).get();
  return row ? toAccessToken(row) : null;
}

/** One person's tokens, or everyone's; newest first. */
export function listAccessTokens(db: Db, owner?: UserRef): AccessTokenRecord[] {
  return db
    .select(RECORD_COLUMNS)
    .from(accessTokens)
    .where(owner ? ownedBy(owner) : undefined)
    .orderBy(desc(accessTokens.createdAt), desc(accessTokens.id))
    .all()
    .map(toAccessToken);
}

/** Revokes a token once; false when it is unknown or already revoked. */
export function revokeAccessToken(db: Db, id: number, at: Date): boolean {
  return db.update(accessTokens).set({ revokedAt: at }).where(and(eq(accessTokens.id, id), isNull(accessTokens.revokedAt))).run().changes > 0;
}

/** Records a use; an older time (a slower request finishing late) leaves a later one in place. */
export function touchAccessToken(db: Db, id: number, at: Date): void {
  db.update(accessTokens)
    .set({ lastUsedAt: at })
    .where(and(eq(accessTokens.id, id), or(isNull(accessTokens.lastUsedAt), lt(accessTokens.lastUsedAt, at))))
    .run();
}

export function deleteAccessTokensOf(db: Db, owner: UserRef): number {
  return db.delete(accessTokens).where(ownedBy(owner)).run().changes;
}
