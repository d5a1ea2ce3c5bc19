import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import { isPlatform, type UserRef } from '../../core/platform.js';
import type { AccessTokenRecord, NewAccessToken } from '../records.js';
import type { PgConn } from './postgres-store.js';
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
export async function insertAccessToken(db: PgConn, input: NewAccessToken): Promise<AccessTokenRecord> {
  const [row] = await db
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
    .returning(RECORD_COLUMNS);
  if (!row) throw new Error('the access token insert returned nothing');
  return toAccessToken(row);
}

export async function findAccessTokenByHash(db: PgConn, tokenHash: string): Promise<AccessTokenRecord | null> {
  const [row] = await db.select(RECORD_COLUMNS).from(accessTokens).where(eq(accessTokens.tokenHash, tokenHash));
  return row ? toAccessToken(row) : null;
}

export async function findAccessToken(db: PgConn, id: number): Promise<AccessTokenRecord | null> {
  const [row] = await db.select(RECORD_COLUMNS).from(accessTokens).where(eq(accessTokens.id, id));
  return row ? toAccessToken(row) : null;
}

/** One person's tokens, or everyone's; newest first. */
export async function listAccessTokens(db: PgConn, owner?: UserRef): Promise<AccessTokenRecord[]> {
  const rows = await db
    .select(RECORD_COLUMNS)
    .from(accessTokens)
    .where(owner ? ownedBy(owner) : undefined)
    .orderBy(desc(accessTokens.createdAt), desc(accessTokens.id));
  return rows.map(toAccessToken);
}

/** Revokes a token once; false when it is unknown or already revoked. */
export async function revokeAccessToken(db: PgConn, id: number, at: Date): Promise<boolean> {
  const result = await db.update(accessTokens).set({ revokedAt: at }).where(and(eq(accessTokens.id, id), isNull(accessTokens.revokedAt)));
  return (result.rowCount ?? 0) > 0;
}

/** Records a use; an older time (a slower request finishing late) leaves a later one in place. */
export async function touchAccessToken(db: PgConn, id: number, at: Date): Promise<void> {
  await db
    .update(accessTokens)
    .set({ lastUsedAt: at })
    .where(and(eq(accessTokens.id, id), or(isNull(accessTokens.lastUsedAt), lt(accessTokens.lastUsedAt, at))));
}

export async function deleteAccessTokensOf(db: PgConn, owner: UserRef): Promise<number> {
  const result = await db.delete(accessTokens).where(ownedBy(owner));
  return result.rowCount ?? 0;
}
