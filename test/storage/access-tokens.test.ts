import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { UserRef } from '../../src/core/platform.js';
import type * as pg from '../../src/storage/postgres/schema.js';
import type { NewAccessToken } from '../../src/storage/records.js';
import type * as sqlite from '../../src/storage/sqlite/schema.js';
import { buildSurvey } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext({ surveys: [buildSurvey()] });
});
afterEach(async () => {
  await ctx.close();
});

const ann: UserRef = { platform: 'slack', workspaceId: 'T1', userId: 'U_ANN' };
const bob: UserRef = { platform: 'teams', workspaceId: 'tenant-1', userId: 'aad-bob' };
// The same user id in another workspace is another person.
const annElsewhere: UserRef = { ...ann, workspaceId: 'T2' };

const CREATED = new Date('2026-03-02T09:00:00.123Z');

function tokenInput(owner: UserRef, hashDigit: string, overrides: Partial<NewAccessToken> = {}): NewAccessToken {
  return {
    owner,
    name: `token ${hashDigit}`,
    tokenHash: hashDigit.repeat(64),
    prefix: `mpat_${hashDigit.repeat(7)}`,
    createdAt: CREATED,
    expiresAt: new Date(CREATED.getTime() + 30 * 24 * 3600_000),
    ...overrides,
  };
}

/** An error's message with those of its causes (drizzle wraps the engine's error in a "Failed query" one). */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) parts.push(current.message);
  return parts.join(' <- ');
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, and it succeeded');
}

describe('access tokens', () => {
  it('stores a token and finds it by its hash, without ever returning the hash', async () => {
    const stored = await ctx.store.insertAccessToken(tokenInput(ann, 'a'));
    expect(stored).toEqual({
      id: expect.any(Number) as number,
      owner: ann,
      name: 'token a',
      prefix: 'mpat_aaaaaaa',
      createdAt: CREATED,
      expiresAt: new Date('2026-04-01T09:00:00.123Z'),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(await ctx.store.findAccessTokenByHash('a'.repeat(64))).toEqual(stored);
    expect(await ctx.store.findAccessToken(stored.id)).toEqual(stored);
    expect(await ctx.store.findAccessTokenByHash('b'.repeat(64))).toBeNull();
    expect(await ctx.store.findAccessToken(stored.id + 1000)).toBeNull();
    for (const record of [stored, ...(await ctx.store.listAccessTokens())]) expect(JSON.stringify(record)).not.toContain('a'.repeat(64));
  });

  it('refuses a second token with the same hash (the unique index), and names longer than 80 characters', async () => {
    await ctx.store.insertAccessToken(tokenInput(ann, 'a'));
    const duplicate = await failure(ctx.store.insertAccessToken(tokenInput(bob, 'a', { name: 'other' })));
    expect(messages(duplicate)).toMatch(/UNIQUE constraint failed: access_tokens\.token_hash|duplicate key value violates unique constraint "access_tokens_hash_unique"/);
    expect(await ctx.store.listAccessTokens()).toHaveLength(1);

    await expect(ctx.store.insertAccessToken(tokenInput(ann, 'b', { name: 'x'.repeat(81) }))).rejects.toThrow();
    await expect(ctx.store.insertAccessToken(tokenInput(ann, 'c', { name: '' }))).rejects.toThrow();
    // 80 characters that are 160 UTF-16 units: both engines count characters.
    const emoji = await ctx.store.insertAccessToken(tokenInput(ann, 'd', { name: '🔑'.repeat(80) }));
    expect(emoji.name).toBe('🔑'.repeat(80));
  });

  it("lists one person's tokens or everyone's, newest first", async () => {
    const first = await ctx.store.insertAccessToken(tokenInput(ann, '1'));
    const bobs = await ctx.store.insertAccessToken(tokenInput(bob, '2', { createdAt: new Date(CREATED.getTime() + 1000) }));
    const latest = await ctx.store.insertAccessToken(tokenInput(ann, '3', { createdAt: new Date(CREATED.getTime() + 2000) }));
    // Created in the same millisecond as the first: the later insert comes first.
    const sameTime = await ctx.store.insertAccessToken(tokenInput(ann, '4'));
    const other = await ctx.store.insertAccessToken(tokenInput(annElsewhere, '5'));

    expect((await ctx.store.listAccessTokens(ann)).map((token) => token.id)).toEqual([latest.id, sameTime.id, first.id]);
    expect((await ctx.store.listAccessTokens(bob)).map((token) => token.id)).toEqual([bobs.id]);
    expect((await ctx.store.listAccessTokens(annElsewhere)).map((token) => token.id)).toEqual([other.id]);
    expect((await ctx.store.listAccessTokens()).map((token) => token.id)).toEqual([latest.id, bobs.id, other.id, sameTime.id, first.id]);
    expect(await ctx.store.listAccessTokens({ platform: 'slack', workspaceId: 'T1', userId: 'nobody' })).toEqual([]);
  });

  it('revokes a token once: the first time stays', async () => {
    const token = await ctx.store.insertAccessToken(tokenInput(ann, 'a'));
    const revokedAt = new Date('2026-03-03T10:00:00.456Z');
    expect(await ctx.store.revokeAccessToken(token.id, revokedAt)).toBe(true);
    expect(await ctx.store.revokeAccessToken(token.id, new Date('2026-03-04T10:00:00Z'))).toBe(false);
    expect(await ctx.store.revokeAccessToken(token.id + 1000, revokedAt)).toBe(false);
    expect((await ctx.store.findAccessTokenByHash('a'.repeat(64)))?.revokedAt).toEqual(revokedAt);
  });

  it('records the latest use and never moves it back', async () => {
    const token = await ctx.store.insertAccessToken(tokenInput(ann, 'a'));
    const untouched = await ctx.store.insertAccessToken(tokenInput(ann, 'b'));
    const later = new Date('2026-03-02T12:00:00.789Z');
    await ctx.store.touchAccessToken(token.id, later);
    expect((await ctx.store.findAccessToken(token.id))?.lastUsedAt).toEqual(later);
    await ctx.store.touchAccessToken(token.id, new Date('2026-03-02T11:00:00Z'));
    expect((await ctx.store.findAccessToken(token.id))?.lastUsedAt).toEqual(later);
    const latest = new Date('2026-03-02T13:00:00Z');
    await ctx.store.touchAccessToken(token.id, latest);
    expect((await ctx.store.findAccessToken(token.id))?.lastUsedAt).toEqual(latest);
    expect((await ctx.store.findAccessToken(untouched.id))?.lastUsedAt).toBeNull();
  });

  it("deletes every token of one person and nobody else's", async () => {
    await ctx.store.insertAccessToken(tokenInput(ann, '1'));
    await ctx.store.insertAccessToken(tokenInput(ann, '2'));
    const bobs = await ctx.store.insertAccessToken(tokenInput(bob, '3'));
    const other = await ctx.store.insertAccessToken(tokenInput(annElsewhere, '4'));
    expect(await ctx.store.deleteAccessTokensOf(ann)).toBe(2);
    expect(await ctx.store.deleteAccessTokensOf(ann)).toBe(0);
    expect((await ctx.store.listAccessTokens()).map((token) => token.id).sort()).toEqual([bobs.id, other.id].sort());
    expect(await ctx.store.findAccessTokenByHash('1'.repeat(64))).toBeNull();
  });

  it('works inside a transaction and rolls back with it', async () => {
    await expect(
      ctx.store.transaction(async (tx) => {
        await tx.insertAccessToken(tokenInput(ann, 'a'));
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await ctx.store.listAccessTokens()).toEqual([]);
  });

  it('has rows of the same shape on both engines', () => {
    // Checked by tsc; schema-parity.test.ts compares columns, indexes and checks at run time.
    expectTypeOf<typeof pg.accessTokens.$inferSelect>().toEqualTypeOf<typeof sqlite.accessTokens.$inferSelect>();
    expectTypeOf<typeof pg.accessTokens.$inferInsert>().toEqualTypeOf<typeof sqlite.accessTokens.$inferInsert>();
  });
});
