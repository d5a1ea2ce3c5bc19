import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WORKSPACE } from '../../src/demo/demo-organisation.js';
import { createAccessToken, revokeAccessToken } from '../../src/services/access-token-service.js';
import { signInAs, startWebHarness, WEB_NOW, type WebHarness } from '../support/web-harness.js';

/**
 * Every page, download and API route against every kind of visitor: who gets it (200), who is sent to sign
 * in (302) or refused (401 without credentials, 403 without the right), as designed in README's Dashboard
 * section. Engineers and leads reach the API with their session (they cannot create tokens); PMs and admins
 * with tokens; a revoked token counts as none.
 */
type Actor = 'engineer' | 'other-engineer' | 'lead' | 'pm' | 'admin' | 'signed-out' | 'revoked-token';
const ACTORS: readonly Actor[] = ['engineer', 'other-engineer', 'lead', 'pm', 'admin', 'signed-out', 'revoked-token'];

// [path, expected status per actor in ACTORS order]; {own} is Payments, {other} is Checkout.
const PAGES: readonly [string, readonly number[]][] = [
  ['/', [302, 302, 302, 200, 200, 302, 302]],
  ['/teams', [200, 200, 200, 200, 200, 302, 302]],
  ['/teams/{own}', [200, 403, 200, 200, 200, 302, 302]],
  ['/teams/{other}', [403, 200, 403, 200, 200, 302, 302]],
  ['/aspects/cncf-platform-maturity/investment', [403, 403, 403, 200, 200, 302, 302]],
  ['/digests', [403, 403, 403, 200, 200, 302, 302]],
  ['/digests/{digest}', [403, 403, 403, 200, 200, 302, 302]],
  ['/me', [200, 200, 200, 200, 200, 302, 302]],
  ['/me/forget', [200, 200, 200, 200, 200, 302, 302]],
  ['/tokens', [403, 403, 403, 200, 200, 302, 302]],
  ['/export/organisation.csv', [403, 403, 403, 200, 200, 302, 302]],
  ['/export/organisation.json', [403, 403, 403, 200, 200, 302, 302]],
  ['/export/teams/{own}.csv', [200, 403, 200, 200, 200, 302, 302]],
  ['/export/teams/{other}.json', [403, 200, 403, 200, 200, 302, 302]],
  ['/export/aspects/cncf-platform-maturity/investment.csv', [403, 403, 403, 200, 200, 302, 302]],
];
const API: readonly [string, readonly number[]][] = [
  ['/api/v1/teams', [200, 200, 200, 200, 200, 401, 401]],
  ['/api/v1/teams/{own}', [200, 403, 200, 200, 200, 401, 401]],
  ['/api/v1/teams/{other}', [403, 200, 403, 200, 200, 401, 401]],
  ['/api/v1/teams/{own}/trends', [200, 403, 200, 200, 200, 401, 401]],
  ['/api/v1/teams/{own}/rounds', [200, 403, 200, 200, 200, 401, 401]],
  ['/api/v1/organisation', [403, 403, 403, 200, 200, 401, 401]],
  ['/api/v1/digests', [403, 403, 403, 200, 200, 401, 401]],
  ['/api/v1/digests/{digest}', [403, 403, 403, 200, 200, 401, 401]],
  ['/api/v1/openapi.json', [200, 200, 200, 200, 200, 200, 200]],
];

describe('authorization matrix of the dashboard and the API', () => {
  let harness: WebHarness;
  const credentials = new Map<Actor, Record<string, string>>();
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    harness = await startWebHarness({
      extraPeople: [{ key: 'other-engineer', name: 'Otto (engineer in Checkout)', description: 'another team', person: { platform: 'demo', workspaceId: DEMO_WORKSPACE, userId: '#checkout-member-1' }, roles: [] }],
    });
    const teams = await harness.ctx.store.listTeams();
    ids.own = teams.find((team) => team.name === 'Payments')!.id;
    ids.other = teams.find((team) => team.name === 'Checkout')!.id;
    const { delivery } = await harness.ctx.store.enqueueDelivery({ target: { platform: 'demo', workspaceId: DEMO_WORKSPACE, channelId: '#platform' }, periodKey: 'digest-2026-W48', payload: { kind: 'digest', at: WEB_NOW.toISOString() }, teamId: null, roundId: null, at: WEB_NOW });
    await harness.ctx.store.markDeliverySent(delivery.id, 'demo-message', WEB_NOW);
    ids.digest = delivery.id;
    for (const actor of ['engineer', 'other-engineer', 'lead', 'pm', 'admin'] as const) credentials.set(actor, { cookie: await signInAs(harness, actor) });
    for (const actor of ['pm', 'admin'] as const) {
      const created = await createAccessToken(harness.ctx, harness.person(actor).person, [], { name: `${actor} matrix`, days: 30 });
      if (created.kind !== 'created') throw new Error(`could not create a token for ${actor}`);
      credentials.set(`${actor}-token` as Actor, { authorization: `Bearer ${created.token}` });
    }
    const revoked = await createAccessToken(harness.ctx, harness.person('pm').person, [], { name: 'revoked', days: 30 });
    if (revoked.kind !== 'created') throw new Error('could not create the token to revoke');
    expect((await revokeAccessToken(harness.ctx, harness.person('pm').person, [], revoked.record.id)).kind).toBe('revoked');
    credentials.set('revoked-token', { authorization: `Bearer ${revoked.token}` });
    credentials.set('signed-out', {});
  });
  afterAll(async () => {
    await harness?.close();
  });

  const resolve = (template: string): string => template.replace('{own}', String(ids.own)).replace('{other}', String(ids.other)).replace('{digest}', String(ids.digest));

  async function statusOf(path: string, headers: Record<string, string>): Promise<number> {
    const response = await fetch(`${harness.baseUrl}${resolve(path)}`, { redirect: 'manual', headers });
    await response.arrayBuffer();
    return response.status;
  }

  it('serves, redirects or refuses every page and download as designed', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const [path, expected] of PAGES) {
      for (const [index, actor] of ACTORS.entries()) {
        got.push(`${actor} ${path} ${await statusOf(path, actor === 'revoked-token' ? {} : credentials.get(actor)!)}`);
        want.push(`${actor} ${path} ${expected[index]}`);
      }
    }
    expect(got).toEqual(want);
  });

  it('answers every API route as designed, with tokens for PMs and admins and sessions for the rest', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const [path, expected] of API) {
      for (const [index, actor] of ACTORS.entries()) {
        const headers = actor === 'pm' || actor === 'admin' ? credentials.get(`${actor}-token` as Actor)! : credentials.get(actor)!;
        got.push(`${actor} ${path} ${await statusOf(path, headers)}`);
        want.push(`${actor} ${path} ${expected[index]}`);
      }
    }
    expect(got).toEqual(want);
  });

  it('sends a signed-out visitor to sign in, and back to the page afterwards', async () => {
    const response = await fetch(`${harness.baseUrl}/teams/${ids.own}`, { redirect: 'manual' });
    expect(response.headers.get('location')).toBe(`/sign-in?returnTo=${encodeURIComponent(`/teams/${ids.own}`)}`);
  });
});
