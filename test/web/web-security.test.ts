import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcProviders } from '../../src/adapters/web/auth/oidc.js';
import { sessionKey } from '../../src/core/respondent-key.js';
import { OidcStandIn } from '../support/oidc-stand-in.js';
import { signInAs, startWebHarness, WEB_NOW, type WebHarness } from '../support/web-harness.js';

const SLACK_CLIENT = { clientId: '1111111111.2222222222', clientSecret: 'slack-oidc-secret-for-security-tests' };
const PUBLIC_URL = 'https://pulse.example.com';

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** The value of the hidden csrf input of a page. */
function csrfOf(html: string): string {
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no csrf input on the page');
  return token;
}

describe('dashboard sessions, CSRF and sign-in failures (behind https)', () => {
  let harness: WebHarness;
  let standIn: OidcStandIn;

  beforeAll(async () => {
    standIn = await OidcStandIn.start({ mode: 'slack', ...SLACK_CLIENT });
    harness = await startWebHarness({
      publicUrl: PUBLIC_URL,
      teams: 4,
      oidc: (publicUrl) =>
        new OidcProviders({
          web: { publicUrl, sessionSecret: null, previousSessionSecret: null, sessionHours: 8, slack: SLACK_CLIENT, entra: null },
          publicUrl,
          customFetch: (url, init) => fetch(standIn.serves(String(url)) ? standIn.toLoopback(String(url)) : url, init),
        }),
    });
  });
  afterAll(async () => {
    await harness?.close();
    await standIn?.close();
  });

  it('sets a Secure, HttpOnly, SameSite=Lax, __Host- session cookie when the public URL is https', async () => {
    const response = await fetch(`${harness.baseUrl}/auth/demo`, { method: 'POST', redirect: 'manual', headers: { origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ person: 'pm' }) });
    expect(response.status).toBe(302);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Host-mp_session=/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Max-Age=28800/);
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
  });

  it('refuses a form posted from another site, and a form without the session token', async () => {
    const crossSite = await fetch(`${harness.baseUrl}/auth/demo`, { method: 'POST', redirect: 'manual', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: form({ person: 'pm' }) });
    expect(crossSite.status).toBe(403);
    const cookie = await signInAs(harness, 'engineer');
    const noToken = await fetch(`${harness.baseUrl}/me/forget`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded' }, body: form({}) });
    expect(noToken.status).toBe(403);
    const wrongToken = await fetch(`${harness.baseUrl}/me/forget`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ csrf: 'x'.repeat(43) }) });
    expect(wrongToken.status).toBe(403);
    // Nothing was erased by the refused forms.
    const me = await (await fetch(`${harness.baseUrl}/me`, { headers: { cookie } })).text();
    expect(me).not.toContain('No answers stored.');
    const token = csrfOf(await (await fetch(`${harness.baseUrl}/me/forget`, { headers: { cookie } })).text());
    const confirmed = await fetch(`${harness.baseUrl}/me/forget`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ csrf: token }) });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toMatch(/^\/me\?erased=\d+-\d+$/);
  });

  it('answers a bodiless, an oversized and a chunked unsafe request with a sentence, never a failure', async () => {
    const bodiless = await fetch(`${harness.baseUrl}/api/v1/teams`, { method: 'DELETE' });
    expect(bodiless.status).toBe(405);
    const cookie = await signInAs(harness, 'pm');
    const big = await fetch(`${harness.baseUrl}/tokens`, { method: 'POST', headers: { cookie, origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded' }, body: `name=${'x'.repeat(20_000)}` });
    expect([big.status, await big.text()]).toEqual([413, 'That form is too large.']);
    const chunked = await fetch(`${harness.baseUrl}/tokens`, {
      method: 'POST',
      headers: { cookie, origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded' },
      body: new ReadableStream({ start: (controller) => { controller.enqueue(new TextEncoder().encode('name=x')); controller.close(); } }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
    const malformed = await fetch(`${harness.baseUrl}/tokens`, { method: 'POST', headers: { cookie, origin: PUBLIC_URL, 'content-type': 'multipart/form-data; boundary=x' }, body: 'not multipart at all' });
    expect(malformed.status).toBe(400);
    expect(harness.ctx.lines.join('\n')).not.toContain('a dashboard request failed');
  });

  it('masks the CSRF token afresh on every page, so no two responses carry the same bytes', async () => {
    const cookie = await signInAs(harness, 'engineer');
    const first = csrfOf(await (await fetch(`${harness.baseUrl}/me/forget`, { headers: { cookie } })).text());
    const second = csrfOf(await (await fetch(`${harness.baseUrl}/me/forget`, { headers: { cookie } })).text());
    expect(first).not.toBe(second);
    const response = await fetch(`${harness.baseUrl}/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ csrf: first }) });
    expect([response.status, response.headers.get('location')]).toEqual([302, '/sign-in']);
  });

  it('ends a session everywhere on sign-out: a copy of the cookie kept elsewhere is signed out too, and signing in again works', async () => {
    const here = await signInAs(harness, 'lead');
    const elsewhere = await signInAs(harness, 'lead');
    const other = await signInAs(harness, 'pm');
    const teams = (cookie: string) => fetch(`${harness.baseUrl}/teams`, { redirect: 'manual', headers: { cookie } });
    expect((await teams(here)).status).toBe(200);
    const token = csrfOf(await (await fetch(`${harness.baseUrl}/me/forget`, { headers: { cookie: here } })).text());
    const signedOut = await fetch(`${harness.baseUrl}/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie: here, origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ csrf: token }) });
    expect(signedOut.status).toBe(302);
    for (const stale of [here, elsewhere]) {
      const response = await teams(stale);
      expect([response.status, response.headers.get('location')]).toEqual([302, '/sign-in?returnTo=%2Fteams']);
    }
    // Someone else stays signed in; the same person signs in afresh.
    expect((await teams(other)).status).toBe(200);
    expect((await teams(await signInAs(harness, 'lead'))).status).toBe(200);
    // Counted under a keyed hash of the person, never their raw id.
    const lead = harness.person('lead').person;
    expect(await harness.ctx.store.readMeta(`web-session-generation:${sessionKey(harness.ctx.respondentSecret, lead)}`)).toBe('1');
  });

  it('treats a tampered, foreign or expired session cookie as signed out', async () => {
    const cookie = await signInAs(harness, 'pm');
    const [name, value] = cookie.split('=') as [string, string];
    const tampered = `${name}=${value.slice(0, -3)}${value.endsWith('A') ? 'BBB' : 'AAA'}`;
    for (const bad of [tampered, `${name}=not-a-session`]) {
      const response = await fetch(`${harness.baseUrl}/teams`, { redirect: 'manual', headers: { cookie: bad } });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/sign-in?returnTo=%2Fteams');
    }
    harness.ctx.clock.set(new Date(WEB_NOW.getTime() + 8 * 3600_000 + 1000));
    try {
      const expired = await fetch(`${harness.baseUrl}/teams`, { redirect: 'manual', headers: { cookie } });
      expect(expired.status).toBe(302);
    } finally {
      harness.ctx.clock.set(WEB_NOW);
    }
  });

  it('never redirects off the site after sign-in', async () => {
    for (const returnTo of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const response = await fetch(`${harness.baseUrl}/auth/demo`, { method: 'POST', redirect: 'manual', headers: { origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ person: 'pm', returnTo }) });
      expect(response.headers.get('location')).toBe('/');
    }
  });

  it('logs a refused sign-in with its reason, but no token, code or secret', async () => {
    standIn.signInAs('ada');
    standIn.nextSignIn({ wrongNonce: true });
    const start = await fetch(`${harness.baseUrl}/auth/slack`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const signInCookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
    const atProvider = await fetch(standIn.toLoopback(start.headers.get('location')!), { redirect: 'manual' });
    const callback = new URL(atProvider.headers.get('location')!);
    expect(callback.origin).toBe(PUBLIC_URL);
    const code = callback.searchParams.get('code')!;
    const finish = await fetch(`${harness.baseUrl}${callback.pathname}${callback.search}`, { redirect: 'manual', headers: { cookie: signInCookie } });
    expect(finish.status).toBe(403);
    expect(await finish.text()).toContain('Signing in did not work');
    expect(finish.headers.get('set-cookie') ?? '').not.toContain('mp_session=ey');
    const logged = harness.ctx.lines.join('\n');
    expect(logged).toContain('sign-in refused');
    for (const secret of [code, SLACK_CLIENT.clientSecret, ...standIn.issuedIdTokens]) expect(logged).not.toContain(secret);
  });

  it('times dashboard requests under their route template, never the path or anyone\'s id', async () => {
    const cookie = await signInAs(harness, 'pm');
    const teams = await harness.ctx.store.listTeams();
    const team = teams[0]!;
    expect((await fetch(`${harness.baseUrl}/teams/${team.id}`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${harness.baseUrl}/no/such/page`, { headers: { cookie } })).status).toBe(404);
    const { body } = await harness.metrics.render();
    expect(body).toMatch(/maturity_pulse_http_request_duration_seconds_count\{route="\/teams\/:teamId",method="GET",status_class="2xx"\} [1-9]/);
    expect(body).toMatch(/route="unmatched",method="GET",status_class="4xx"/);
    expect(body).toMatch(/maturity_pulse_sign_ins_total\{provider="demo",result="signed-in"\} [1-9]/);
    expect(body).not.toContain(`/teams/${team.id}"`);
    expect(body).not.toContain('/no/such/page');
    expect(body).not.toContain(team.name);
  });

  it('refuses a callback that arrives without the pending sign-in of this browser', async () => {
    const response = await fetch(`${harness.baseUrl}/auth/callback/slack?code=abc&state=def`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Signing in took longer than 10 minutes');
  });
});
