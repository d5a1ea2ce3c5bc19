import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WORKSPACE } from '../../src/demo/demo-organisation.js';
import { signInAs, startWebHarness, WEB_NOW, type WebHarness } from '../support/web-harness.js';

// Real HTTP against the dashboard on this project's storage engine, with the demo organisation: tokens are
// made the way a person makes them (the tokens page's form) and sent the way a script sends them.

const TOKEN_PATTERN = /mpat_[A-Za-z0-9_-]{43}/g;
const DOC_ID = 'https://maturity-pulse.test/openapi.json';
const DAY = 24 * 60 * 60 * 1000;

/** Every route of /api/v1, as the document must list it. */
const API_PATHS = [
  '/api/v1/teams',
  '/api/v1/teams/{teamId}',
  '/api/v1/teams/{teamId}/trends',
  '/api/v1/teams/{teamId}/rounds',
  '/api/v1/organisation',
  '/api/v1/digests',
  '/api/v1/digests/{digestId}',
  '/api/v1/steps',
  '/api/v1/openapi.json',
];

interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: unknown;
}

type Auth = { readonly token: string } | { readonly cookie: string } | null;

interface OpenApiDocument {
  readonly paths: Record<string, Record<string, { responses: Record<string, { content: { 'application/json': { schema: Record<string, unknown> } } }> }>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

describe('the /api/v1 API', () => {
  let harness: WebHarness;
  const cookies: Record<string, string> = {};
  let doc: OpenApiDocument;
  let ajv: Ajv2020;
  let digestId: number;
  /** Every API answer of this file, with the person it was for, to search for comment texts at the end. */
  const answers: { readonly who: string; readonly path: string; readonly text: string }[] = [];

  async function api(path: string, auth: Auth, who = 'anonymous', init: RequestInit = {}): Promise<ApiAnswer> {
    const headers = new Headers(init.headers);
    if (auth && 'token' in auth) headers.set('authorization', `Bearer ${auth.token}`);
    if (auth && 'cookie' in auth) headers.set('cookie', auth.cookie);
    const response = await fetch(`${harness.baseUrl}${path}`, { ...init, headers, redirect: 'manual' });
    const text = await response.text();
    answers.push({ who, path, text });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as unknown };
  }

  async function page(path: string, cookie: string): Promise<{ status: number; html: string }> {
    const response = await fetch(`${harness.baseUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
    return { status: response.status, html: await response.text() };
  }

  function csrfOf(html: string): string {
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!csrf) throw new Error('no CSRF token on the page');
    return csrf;
  }

  async function postForm(path: string, cookie: string, fields: Record<string, string>): Promise<{ status: number; html: string; location: string | null }> {
    const response = await fetch(`${harness.baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: harness.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  }

  /** Creates a token on the tokens page, as a person would, and reads the secret off the result page. */
  async function createToken(who: string, name: string, days = 30): Promise<string> {
    const form = await page('/tokens', cookies[who]!);
    expect(form.status).toBe(200);
    const created = await postForm('/tokens', cookies[who]!, { csrf: csrfOf(form.html), name, days: String(days) });
    expect(created.status).toBe(200);
    const tokens = created.html.match(TOKEN_PATTERN) ?? [];
    expect(tokens).toHaveLength(1);
    return tokens[0]!;
  }

  /** The id of one of the listed tokens, from its revoke form. */
  async function tokenIdOf(who: string, name: string): Promise<number> {
    const listed = await page('/tokens', cookies[who]!);
    const row = listed.html.split('<tr>').find((part) => part.includes(`<th scope="row">${name}</th>`));
    const id = row ? /action="\/tokens\/(\d+)\/revoke"/.exec(row)?.[1] : undefined;
    if (!id) throw new Error(`no revoke form for the token ${name}`);
    return Number(id);
  }

  /** The validator of the schema the document gives for this route and status. */
  function documentValidator(template: string, status: number) {
    const schema = doc.paths[template]?.get?.responses[String(status)]?.content['application/json'].schema;
    expect(schema, `${template} ${status} is in the document`).toBeDefined();
    const ref = schema!.$ref;
    return ajv.compile(typeof ref === 'string' ? { $ref: `${DOC_ID}${ref}` } : schema!);
  }

  /** Validates a body against the schema the document gives for this route and status. */
  function expectMatchesDocument(template: string, status: number, body: unknown): void {
    const validate = documentValidator(template, status);
    const valid = validate(body);
    expect(validate.errors ?? [], `${template} ${status}`).toEqual([]);
    expect(valid).toBe(true);
  }

  async function teamIdOf(name: string): Promise<number> {
    const team = (await harness.ctx.store.listTeams()).find((candidate) => candidate.name === name);
    if (!team) throw new Error(`no team ${name}`);
    return team.id;
  }

  beforeAll(async () => {
    harness = await startWebHarness();
    for (const key of ['pm', 'lead', 'engineer', 'admin']) cookies[key] = await signInAs(harness, key);
    // A digest that was posted last week, for the archive endpoints.
    const at = new Date(WEB_NOW.getTime() - 7 * DAY);
    const channel = { platform: 'demo' as const, workspaceId: DEMO_WORKSPACE, channelId: '#platform-leads' };
    const sent = await harness.ctx.store.enqueueDelivery({ target: channel, periodKey: 'digest-test', payload: { kind: 'digest', at: at.toISOString() }, teamId: null, roundId: null, at });
    await harness.ctx.store.markDeliverySent(sent.delivery.id, '1700000000.000100', new Date(at.getTime() + 60_000));
    digestId = sent.delivery.id;

    const document = await api('/api/v1/openapi.json', null);
    expect(document.status).toBe(200);
    doc = document.body as OpenApiDocument;
    ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
    // The document is not a schema; only its components are. Unknown keywords are refused everywhere else.
    ajv.addVocabulary(['openapi', 'info', 'security', 'paths', 'components']);
    ajv.addSchema({ ...doc, $id: DOC_ID });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('publishes an OpenAPI 3.1 document listing every route, without authentication', () => {
    expect((doc as unknown as { openapi: string }).openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([...API_PATHS].sort());
    for (const path of API_PATHS) expect(doc.paths[path]?.get?.responses['200'], path).toBeDefined();
    expect(doc.components.schemas).toHaveProperty('TeamDetail');
    const security = (doc as unknown as { components: { securitySchemes: Record<string, { type: string; scheme?: string }> } }).components.securitySchemes;
    expect(security.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    // The document's schemas are closed: a field they do not name (a distribution, a user id) does not validate.
    const teams = documentValidator('/api/v1/teams', 200);
    expect(teams({ teams: [{ id: 1, name: 'Payments', surveyId: 'x' }] })).toBe(true);
    expect(teams({ teams: [{ id: 1, name: 'Payments', surveyId: 'x', userId: 'U1' }] })).toBe(false);
    const team = documentValidator('/api/v1/teams/{teamId}', 200);
    expect(team({})).toBe(false);
  });

  it('lets a PM create a token on the tokens page, shows it once and answers every endpoint with it', async () => {
    const token = await createToken('pm', 'reporting script');
    const listed = await page('/tokens', cookies.pm!);
    expect(listed.html).toContain('reporting script');
    expect(listed.html).toContain(token.slice(0, 12));
    expect(listed.html).not.toContain(token);

    const auth = { token };
    const teams = await api('/api/v1/teams', auth, 'pm');
    expect(teams.status).toBe(200);
    expectMatchesDocument('/api/v1/teams', 200, teams.body);
    const listedTeams = (teams.body as { teams: { id: number; name: string }[] }).teams;
    expect(listedTeams.map((team) => team.name)).toEqual((await harness.ctx.store.listTeams()).map((team) => team.name).sort((a, b) => a.localeCompare(b)));

    for (const team of listedTeams) {
      const detail = await api(`/api/v1/teams/${team.id}`, auth, 'pm');
      expect(detail.status).toBe(200);
      expectMatchesDocument('/api/v1/teams/{teamId}', 200, detail.body);
      expect((detail.body as { comments: unknown }).comments).toBeNull();
      const trends = await api(`/api/v1/teams/${team.id}/trends`, auth, 'pm');
      expect(trends.status).toBe(200);
      expectMatchesDocument('/api/v1/teams/{teamId}/trends', 200, trends.body);
      const rounds = await api(`/api/v1/teams/${team.id}/rounds`, auth, 'pm');
      expect(rounds.status).toBe(200);
      expectMatchesDocument('/api/v1/teams/{teamId}/rounds', 200, rounds.body);
    }

    const organisation = await api('/api/v1/organisation', auth, 'pm');
    expect(organisation.status).toBe(200);
    expectMatchesDocument('/api/v1/organisation', 200, organisation.body);
    const rows = (organisation.body as { surveys: { rows: unknown[] }[] }).surveys.flatMap((survey) => survey.rows);
    expect(rows).toHaveLength(listedTeams.length);

    const filtered = await api('/api/v1/organisation?team=pay&sort=participation&dir=desc', auth, 'pm');
    expect(filtered.status).toBe(200);
    expectMatchesDocument('/api/v1/organisation', 200, filtered.body);
    const filteredBody = filtered.body as { query: Record<string, unknown>; surveys: { rows: { teamName: string }[] }[] };
    expect(filteredBody.query).toEqual({ team: 'pay', sort: 'participation', dir: 'desc' });
    expect(filteredBody.surveys.flatMap((survey) => survey.rows.map((row) => row.teamName))).toEqual(['Payments']);

    const digests = await api('/api/v1/digests', auth, 'pm');
    expect(digests.status).toBe(200);
    expectMatchesDocument('/api/v1/digests', 200, digests.body);
    expect((digests.body as { digests: { id: number }[] }).digests.map((entry) => entry.id)).toEqual([digestId]);
    const digest = await api(`/api/v1/digests/${digestId}`, auth, 'pm');
    expect(digest.status).toBe(200);
    expectMatchesDocument('/api/v1/digests/{digestId}', 200, digest.body);
    expect((digest.body as { sections: unknown[] }).sections.length).toBeGreaterThan(0);
    // The digest says where it was posted by platform only: no channel id, no raw id of anyone.
    expect(digest.text).not.toContain('#platform-leads');
    expect(digest.text).not.toContain('demo-pm');

    const document = await api('/api/v1/openapi.json', auth, 'pm');
    expectMatchesDocument('/api/v1/openapi.json', 200, document.body);
  });

  it('answers 404 for what does not exist and 405 for a method no endpoint takes, as JSON', async () => {
    const token = await createToken('admin', 'admin script');
    const auth = { token };
    const missingTeam = await api('/api/v1/teams/999999', auth, 'admin');
    expect(missingTeam.status).toBe(404);
    expectMatchesDocument('/api/v1/teams/{teamId}', 404, missingTeam.body);
    expect((await api('/api/v1/teams/not-a-number', auth, 'admin')).status).toBe(404);
    const missingDigest = await api('/api/v1/digests/999999', auth, 'admin');
    expect(missingDigest.status).toBe(404);
    expectMatchesDocument('/api/v1/digests/{digestId}', 404, missingDigest.body);
    expect((await api('/api/v1/no-such-thing', auth, 'admin')).status).toBe(404);
    // (With a JSON body: app.ts's body limit cannot yet take an unsafe request without Content-Length.)
    const wrongMethod = await api('/api/v1/teams', auth, 'admin', { method: 'DELETE', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    // An admin sees every team but, not being a lead, no comments.
    const payments = await api(`/api/v1/teams/${await teamIdOf('Payments')}`, auth, 'admin');
    expect((payments.body as { comments: unknown }).comments).toBeNull();
  });

  it('refuses requests without a valid token with 401 and a Bearer challenge, and counts the refusals', async () => {
    const none = await api('/api/v1/teams', null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expectMatchesDocument('/api/v1/teams', 401, none.body);

    const forged = await api('/api/v1/teams', { token: `mpat_${'A'.repeat(43)}` });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    expect((await api('/api/v1/organisation', { token: 'not-even-a-token' })).status).toBe(401);
    // A bad token is refused even with a valid session cookie alongside it.
    const mixed = await api('/api/v1/teams', null, 'pm', { headers: { authorization: 'Bearer mpat_nope', cookie: cookies.pm! } });
    expect(mixed.status).toBe(401);

    const metrics = await harness.metrics.registry.getSingleMetricAsString('maturity_pulse_api_token_auth_total');
    const count = (result: string) => Number(new RegExp(`result="${result}"} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(count('refused')).toBeGreaterThanOrEqual(3);
    expect(count('accepted')).toBeGreaterThanOrEqual(1);
  });

  it('refuses a token once it is revoked on the tokens page', async () => {
    const token = await createToken('pm', 'to revoke');
    expect((await api('/api/v1/teams', { token }, 'pm')).status).toBe(200);
    const id = await tokenIdOf('pm', 'to revoke');
    const listed = await page('/tokens', cookies.pm!);
    const revoked = await postForm(`/tokens/${id}/revoke`, cookies.pm!, { csrf: csrfOf(listed.html) });
    expect(revoked.status).toBe(303);
    expect(revoked.location).toBe('/tokens?notice=revoked');
    const after = await page(revoked.location!, cookies.pm!);
    expect(after.html).toContain('The token was revoked.');
    expect(after.html).toContain('Revoked');
    expect((await api('/api/v1/teams', { token }, 'pm')).status).toBe(401);
  });

  it('refuses a token after it expires', async () => {
    const token = await createToken('pm', 'one day', 1);
    expect((await api('/api/v1/teams', { token }, 'pm')).status).toBe(200);
    harness.ctx.clock.advance(DAY + 60_000);
    try {
      expect((await api('/api/v1/teams', { token }, 'pm')).status).toBe(401);
    } finally {
      harness.ctx.clock.set(WEB_NOW);
    }
  });

  it("acts with the owner's current roles: a PM's token loses the organisation when the PM role is revoked", async () => {
    const token = await createToken('pm', 'former pm');
    expect((await api('/api/v1/organisation', { token }, 'pm')).status).toBe(200);
    const pm = harness.person('pm').person;
    await harness.ctx.store.revokeRole(pm, { role: 'pm', teamId: null });
    try {
      const refused = await api('/api/v1/organisation', { token }, 'pm');
      expect(refused.status).toBe(403);
      expectMatchesDocument('/api/v1/organisation', 403, refused.body);
      expect((await api('/api/v1/digests', { token }, 'pm')).status).toBe(403);
      expect((await api(`/api/v1/teams/${await teamIdOf('Checkout')}`, { token }, 'pm')).status).toBe(403);
    } finally {
      await harness.ctx.store.grantRole(pm, { role: 'pm', teamId: null }, 'test', WEB_NOW);
    }
    expect((await api('/api/v1/organisation', { token }, 'pm')).status).toBe(200);
  });

  it("lets an engineer's session read their own team over the API, and nothing else", async () => {
    const auth = { cookie: cookies.engineer! };
    const teams = await api('/api/v1/teams', auth, 'engineer');
    expect(teams.status).toBe(200);
    expectMatchesDocument('/api/v1/teams', 200, teams.body);
    expect((teams.body as { teams: { name: string }[] }).teams.map((team) => team.name)).toEqual(['Payments']);
    const payments = await api(`/api/v1/teams/${await teamIdOf('Payments')}`, auth, 'engineer');
    expect(payments.status).toBe(200);
    expectMatchesDocument('/api/v1/teams/{teamId}', 200, payments.body);
    expect((payments.body as { comments: unknown }).comments).toBeNull();
    const other = await api(`/api/v1/teams/${await teamIdOf('Checkout')}`, auth, 'engineer');
    expect(other.status).toBe(403);
    expectMatchesDocument('/api/v1/teams/{teamId}', 403, other.body);
    expect((await api(`/api/v1/teams/${await teamIdOf('Checkout')}/rounds`, auth, 'engineer')).status).toBe(403);
    expect((await api('/api/v1/organisation', auth, 'engineer')).status).toBe(403);
    expect((await api('/api/v1/digests', auth, 'engineer')).status).toBe(403);
    // The session works for reading only.
    expect((await api('/api/v1/teams', auth, 'engineer', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(405);
  });

  it('does not let an engineer hold a token', async () => {
    const form = await page('/tokens', cookies.engineer!);
    expect(form.status).toBe(403);
    const created = await postForm('/tokens', cookies.engineer!, { csrf: csrfOf(form.html), name: 'sneaky', days: '30' });
    expect(created.status).toBe(403);
    expect(created.html).not.toMatch(TOKEN_PATTERN);
  });

  it('refuses a token form without the session CSRF token, and explains a bad form next to its fields', async () => {
    const missing = await postForm('/tokens', cookies.pm!, { name: 'no csrf', days: '30' });
    expect(missing.status).toBe(403);
    expect(missing.html).not.toMatch(TOKEN_PATTERN);
    const wrong = await postForm('/tokens', cookies.pm!, { csrf: 'x'.repeat(43), name: 'wrong csrf', days: '30' });
    expect(wrong.status).toBe(403);

    const form = await page('/tokens', cookies.pm!);
    const invalid = await postForm('/tokens', cookies.pm!, { csrf: csrfOf(form.html), name: '  ', days: '400' });
    expect(invalid.status).toBe(400);
    expect(invalid.html).not.toMatch(TOKEN_PATTERN);
    expect(invalid.html).toContain('role="alert"');
    expect(invalid.html).toMatch(/id="token-name"[^>]*aria-describedby="token-name-hint token-name-error"|aria-describedby="token-name-hint token-name-error"[^>]*id="token-name"/);
    expect(invalid.html).toContain('id="token-days-error"');
  });

  it('shows an admin every token with its owner only as "you" or "another person"', async () => {
    const listed = await page('/tokens', cookies.admin!);
    expect(listed.status).toBe(200);
    expect(listed.html).toContain('reporting script');
    expect(listed.html).toContain('another person');
    for (const demo of harness.people) expect(listed.html).not.toContain(demo.person.userId);
  });

  it("gives comments to the team's lead only, and to nobody else through any endpoint", async () => {
    const lead = await api(`/api/v1/teams/${await teamIdOf('Payments')}`, { cookie: cookies.lead! }, 'lead');
    expect(lead.status).toBe(200);
    expectMatchesDocument('/api/v1/teams/{teamId}', 200, lead.body);
    const texts = ((lead.body as { comments: { texts: string[] }[] | null }).comments ?? []).flatMap((group) => group.texts);
    expect(texts.length).toBeGreaterThan(0);
    const others = answers.filter((answer) => answer.who !== 'lead');
    expect(others.length).toBeGreaterThan(20);
    for (const answer of others) for (const text of texts) expect(answer.text, `${answer.who} ${answer.path}`).not.toContain(text);
  });
});
