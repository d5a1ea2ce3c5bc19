import { createHash } from 'node:crypto';
import { asc } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserRef } from '../../src/core/platform.js';
import {
  authenticateAccessToken,
  createAccessToken,
  listAccessTokens,
  listAllAccessTokens,
  revokeAccessToken,
  type CreateAccessTokenResult,
} from '../../src/services/access-token-service.js';
import { forgetMe } from '../../src/services/privacy-service.js';
import * as pgSchema from '../../src/storage/postgres/schema.js';
import type { AccessTokenRecord } from '../../src/storage/records.js';
import * as sqliteSchema from '../../src/storage/sqlite/schema.js';
import type { Store } from '../../src/storage/store.js';
import { buildSurvey } from '../support/factories.js';
import { CLI_ACTOR, engineDb, setUpTeam } from '../support/seed.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

const pm: UserRef = { platform: 'slack', workspaceId: 'T1', userId: 'U_PM' };
const admin: UserRef = { platform: 'slack', workspaceId: 'T1', userId: 'U_ADMIN' };
const configuredAdmin: UserRef = { platform: 'teams', workspaceId: 'tenant-1', userId: 'aad-configured' };
const engineer: UserRef = { platform: 'slack', workspaceId: 'T1', userId: 'U_ENG' };
const CONFIGURED_ADMINS = [configuredAdmin.userId];

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext({ surveys: [buildSurvey()], now: '2026-03-02T09:00:00Z' });
  await ctx.store.grantRole(pm, { role: 'pm', teamId: null }, 'test', ctx.clock.now());
  await ctx.store.grantRole(admin, { role: 'admin', teamId: null }, 'test', ctx.clock.now());
});
afterEach(async () => {
  await ctx.close();
});

async function created(owner: UserRef, input: { name: string; days: number } = { name: 'CI export', days: 30 }): Promise<Extract<CreateAccessTokenResult, { kind: 'created' }>> {
  const result = await createAccessToken(ctx, owner, CONFIGURED_ADMINS, input);
  if (result.kind !== 'created') throw new Error(`not created: ${JSON.stringify(result)}`);
  return result;
}

/** Every stored row of a table, as JSON: what a leak check looks through. */
async function storedJson(store: Store, table: 'auditLog' | 'accessTokens'): Promise<string> {
  const target = engineDb(store);
  const rows =
    target.engine === 'sqlite'
      ? target.db.select().from(sqliteSchema[table]).orderBy(asc(sqliteSchema[table].id)).all()
      : await target.db.select().from(pgSchema[table]).orderBy(asc(pgSchema[table].id));
  return JSON.stringify(rows);
}

async function auditDetails(store: Store): Promise<{ action: string; actorUserId: string; details: unknown }[]> {
  const target = engineDb(store);
  const rows =
    target.engine === 'sqlite'
      ? target.db.select().from(sqliteSchema.auditLog).orderBy(asc(sqliteSchema.auditLog.id)).all()
      : await target.db.select().from(pgSchema.auditLog).orderBy(asc(pgSchema.auditLog.id));
  return rows.map((row) => ({ action: row.action, actorUserId: row.actorUserId, details: row.details }));
}

describe('creating a token', () => {
  it('refuses someone who is neither admin nor PM, and stores nothing', async () => {
    expect(await createAccessToken(ctx, engineer, CONFIGURED_ADMINS, { name: 'mine', days: 30 })).toEqual({ kind: 'refused' });
    // A team's lead is not enough either: the API reads every team.
    const team = await setUpTeam(ctx, 'Payments');
    await ctx.store.grantRole(engineer, { role: 'lead', teamId: team.id }, 'test', ctx.clock.now());
    expect(await createAccessToken(ctx, engineer, CONFIGURED_ADMINS, { name: 'mine', days: 30 })).toEqual({ kind: 'refused' });
    expect(await ctx.store.listAccessTokens()).toEqual([]);
    expect((await ctx.store.recentAudit()).map((entry) => entry.action)).toEqual(['team.setup']);
  });

  it('gives a PM a token shown once, stored only as its SHA-256', async () => {
    const result = await created(pm, { name: '  CI export  ', days: 30 });
    expect(result.token).toMatch(/^mpat_[A-Za-z0-9_-]{43}$/);
    expect(result.record).toEqual({
      id: expect.any(Number) as number,
      owner: pm,
      name: 'CI export',
      prefix: result.token.slice(0, 12),
      createdAt: new Date('2026-03-02T09:00:00Z'),
      expiresAt: new Date('2026-04-01T09:00:00Z'),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(await listAccessTokens(ctx, pm)).toEqual([result.record]);
    const stored = await storedJson(ctx.store, 'accessTokens');
    expect(stored).toContain(createHash('sha256').update(result.token).digest('hex'));
    expect(stored).not.toContain(result.token);
    // Another token is another secret.
    expect((await created(pm)).token).not.toBe(result.token);
  });

  it('lets admins create tokens, stored ones and configured ones', async () => {
    expect((await created(admin)).record.owner).toEqual(admin);
    expect((await created(configuredAdmin)).record.owner).toEqual(configuredAdmin);
  });

  it.each([
    [{ name: '   ', days: 30 }, /name/],
    [{ name: 'x'.repeat(81), days: 30 }, /at most 80 characters/],
    [{ name: 'ok', days: 0 }, /from 1 to 365/],
    [{ name: 'ok', days: 366 }, /from 1 to 365/],
    [{ name: 'ok', days: 1.5 }, /whole number/],
    [{ name: 'ok', days: Number.NaN }, /whole number/],
  ])('refuses %j as invalid', async (input, problem) => {
    const result = await createAccessToken(ctx, pm, CONFIGURED_ADMINS, input);
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.problem).toMatch(problem);
    expect(await ctx.store.listAccessTokens()).toEqual([]);
  });

  it('accepts the limits: 80 characters (counted as characters, not UTF-16 units), 1 and 365 days', async () => {
    expect((await created(pm, { name: '🔑'.repeat(80), days: 1 })).record.expiresAt).toEqual(new Date('2026-03-03T09:00:00Z'));
    expect((await created(pm, { name: 'x'.repeat(80), days: 365 })).record.expiresAt).toEqual(new Date('2027-03-02T09:00:00Z'));
  });
});

describe('authenticating a bearer token', () => {
  it("gives the token's owner and id", async () => {
    const { token, record } = await created(pm);
    expect(await authenticateAccessToken(ctx, token)).toEqual({ owner: pm, tokenId: record.id });
  });

  it('turns malformed and unknown tokens away', async () => {
    const { token } = await created(pm);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    for (const bearer of ['', token.slice(0, -1), `${token}x`, `Bearer ${token}`, ` ${token}`, token.replace('mpat_', 'mpAT_'), `${token.slice(0, -1)}${last}`, `mpat_${'A'.repeat(43)}`, 'mpat_!!!'])
      expect(await authenticateAccessToken(ctx, bearer)).toBeNull();
    // Nothing was touched by the attempts.
    expect((await ctx.store.listAccessTokens(pm))[0]?.lastUsedAt).toBeNull();
  });

  it('turns a revoked token away', async () => {
    const { token, record } = await created(pm);
    expect((await revokeAccessToken(ctx, pm, CONFIGURED_ADMINS, record.id)).kind).toBe('revoked');
    expect(await authenticateAccessToken(ctx, token)).toBeNull();
  });

  it('turns a token away from the moment it expires', async () => {
    const { token, record } = await created(pm, { name: 'short', days: 1 });
    ctx.clock.advance(DAY_MS - 1);
    expect(await authenticateAccessToken(ctx, token)).toEqual({ owner: pm, tokenId: record.id });
    ctx.clock.advance(1);
    expect(await authenticateAccessToken(ctx, token)).toBeNull();
  });

  it('records the last use at most once an hour', async () => {
    const { token, record } = await created(pm);
    const lastUsed = async () => (await ctx.store.findAccessToken(record.id))?.lastUsedAt;
    const first = ctx.clock.now();
    await authenticateAccessToken(ctx, token);
    expect(await lastUsed()).toEqual(first);
    ctx.clock.advance(30 * 60_000);
    await authenticateAccessToken(ctx, token);
    ctx.clock.advance(30 * 60_000 - 1);
    await authenticateAccessToken(ctx, token);
    expect(await lastUsed()).toEqual(first);
    ctx.clock.advance(1);
    await authenticateAccessToken(ctx, token);
    expect(await lastUsed()).toEqual(new Date(first.getTime() + HOUR_MS));
  });

  it('still authenticates a token whose owner lost their role: the API checks current roles itself', async () => {
    const { token, record } = await created(pm);
    await ctx.store.revokeRole(pm, { role: 'pm', teamId: null });
    expect(await authenticateAccessToken(ctx, token)).toEqual({ owner: pm, tokenId: record.id });
    expect(await ctx.store.grantsFor(pm)).toEqual([]);
  });
});

describe('revoking a token', () => {
  it('lets the owner revoke their own, once, and refuses other people', async () => {
    const { record } = await created(pm);
    expect(await revokeAccessToken(ctx, engineer, CONFIGURED_ADMINS, record.id)).toEqual({ kind: 'refused' });
    const other = await created(admin);
    expect(await revokeAccessToken(ctx, pm, CONFIGURED_ADMINS, other.record.id)).toEqual({ kind: 'refused' });

    const revoked = await revokeAccessToken(ctx, pm, CONFIGURED_ADMINS, record.id);
    expect(revoked).toEqual({ kind: 'revoked', record: { ...record, revokedAt: ctx.clock.now() } });
    ctx.clock.advance(60_000);
    expect(await revokeAccessToken(ctx, pm, CONFIGURED_ADMINS, record.id)).toEqual({ kind: 'already-revoked', record: { ...record, revokedAt: new Date('2026-03-02T09:00:00Z') } });
    expect(await revokeAccessToken(ctx, pm, CONFIGURED_ADMINS, record.id + 1000)).toEqual({ kind: 'not-found' });
    expect((await listAccessTokens(ctx, pm))[0]?.revokedAt).toEqual(new Date('2026-03-02T09:00:00Z'));
  });

  it("lets the owner revoke their own after losing the role that let them create it", async () => {
    const { record } = await created(pm);
    await ctx.store.revokeRole(pm, { role: 'pm', teamId: null });
    expect((await revokeAccessToken(ctx, pm, CONFIGURED_ADMINS, record.id)).kind).toBe('revoked');
  });

  it("lets admins, stored or configured, revoke anyone's and list everyone's", async () => {
    const first = await created(pm);
    const second = await created(pm, { name: 'second', days: 7 });
    expect((await revokeAccessToken(ctx, admin, CONFIGURED_ADMINS, first.record.id)).kind).toBe('revoked');
    expect((await revokeAccessToken(ctx, configuredAdmin, CONFIGURED_ADMINS, second.record.id)).kind).toBe('revoked');
    const listed = await listAllAccessTokens(ctx, admin, CONFIGURED_ADMINS);
    expect(listed.kind === 'listed' ? listed.tokens.map((token: AccessTokenRecord) => token.id) : listed).toEqual([second.record.id, first.record.id]);
    expect(await listAllAccessTokens(ctx, pm, CONFIGURED_ADMINS)).toEqual({ kind: 'refused' });
  });
});

describe('the audit log', () => {
  it('records each creation and revocation with the prefix, never the token or its hash', async () => {
    const { token, record } = await created(pm);
    await revokeAccessToken(ctx, admin, CONFIGURED_ADMINS, record.id);
    // A refused or repeated revocation writes nothing.
    await revokeAccessToken(ctx, engineer, CONFIGURED_ADMINS, record.id);
    await revokeAccessToken(ctx, admin, CONFIGURED_ADMINS, record.id);

    expect(await auditDetails(ctx.store)).toEqual([
      { action: 'access-token.create', actorUserId: pm.userId, details: { tokenId: record.id, name: 'CI export', prefix: record.prefix, expiresAt: '2026-04-01T09:00:00.000Z' } },
      { action: 'access-token.revoke', actorUserId: admin.userId, details: { tokenId: record.id, name: 'CI export', prefix: record.prefix, owner: pm } },
    ]);
    const audit = await storedJson(ctx.store, 'auditLog');
    expect(audit).not.toContain(token);
    expect(audit).not.toContain(token.slice(12));
    expect(audit).not.toContain(createHash('sha256').update(token).digest('hex'));
  });
});

describe('forget me', () => {
  it("deletes the person's tokens, and nobody else's", async () => {
    const mine = await created(pm);
    await created(pm, { name: 'second', days: 7 });
    const theirs = await created(admin);
    await forgetMe(ctx, pm, CLI_ACTOR);
    expect(await listAccessTokens(ctx, pm)).toEqual([]);
    expect(await authenticateAccessToken(ctx, mine.token)).toBeNull();
    expect(await authenticateAccessToken(ctx, theirs.token)).toEqual({ owner: admin, tokenId: theirs.record.id });
    const forget = (await auditDetails(ctx.store)).find((entry) => entry.action === 'respondent.forget');
    expect(forget?.details).toMatchObject({ accessTokens: 2 });
  });
});
