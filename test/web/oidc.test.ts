import { afterEach, describe, expect, it } from 'vitest';
import type { WebConfig } from '../../src/config.js';
import { OidcProviders, SignInUnavailableError, type OidcProvider, type PendingSignIn, type SignInOutcome } from '../../src/adapters/web/auth/oidc.js';
import { OidcStandIn, routeFetch, STAND_IN_ENTRA_TENANT, STAND_IN_SLACK_TEAM, type SignInTwist } from '../support/oidc-stand-in.js';

// Sign-in runs against the real issuers (https://slack.com, https://login.microsoftonline.com/…): only the transport
// goes to the loopback stand-in, and the browser's part (following the authorization redirect) is a manual fetch.
const PUBLIC_URL = 'https://pulse.example.com';
const SLACK = { clientId: '1111111111.2222222222', clientSecret: 'slack-oidc-secret-for-tests-only' };
const ENTRA = { clientId: '3c1d5e0a-0000-4000-8000-00000000a99d', clientSecret: 'entra-oidc-secret-for-tests-only' };
const OTHER_TENANT = '0badc0de-0000-4000-8000-0000000000ff';

function webConfig(entraTenant = 'organizations'): WebConfig {
  return {
    publicUrl: PUBLIC_URL,
    sessionSecret: null,
    previousSessionSecret: null,
    sessionHours: 8,
    slack: SLACK,
    entra: { ...ENTRA, tenant: entraTenant, allowedTenantIds: [STAND_IN_ENTRA_TENANT] },
  };
}

const running: OidcStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

async function standIns(): Promise<{ slack: OidcStandIn; entra: OidcStandIn }> {
  const slack = await OidcStandIn.start({ mode: 'slack', ...SLACK });
  const entra = await OidcStandIn.start({ mode: 'entra', ...ENTRA });
  running.push(slack, entra);
  slack.signInAs('ada');
  entra.signInAs('ada');
  return { slack, entra };
}

function providersFor(stands: { slack: OidcStandIn; entra: OidcStandIn }, options: { entraTenant?: string; resolveSlackWorkspace?: (teamId: string) => Promise<string> } = {}): OidcProviders {
  return new OidcProviders({ web: webConfig(options.entraTenant), publicUrl: PUBLIC_URL, customFetch: routeFetch(stands.slack, stands.entra), resolveSlackWorkspace: options.resolveSlackWorkspace });
}

/** What the browser does at the provider: follow the authorization URL and read where the provider sends it back. */
async function authorize(standIn: OidcStandIn, url: URL, provider: OidcProvider): Promise<string> {
  const response = await fetch(standIn.toLoopback(url.href), { redirect: 'manual' });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(`${PUBLIC_URL}/auth/callback/${provider}`);
  return `${back.pathname}${back.search}`;
}

interface Attempt {
  readonly outcome: SignInOutcome;
  readonly pending: PendingSignIn;
  readonly callback: string;
  readonly url: URL;
}

async function signIn(oidc: OidcProviders, standIn: OidcStandIn, provider: OidcProvider, twist: SignInTwist = {}): Promise<Attempt> {
  standIn.nextSignIn(twist);
  const { url, pending } = await oidc.start(provider, '/teams/platform');
  const callback = await authorize(standIn, url, provider);
  return { outcome: await oidc.finish(provider, callback, pending), pending, callback, url };
}

/** A refusal's reason goes to the log: it must hold no credential of the attempt. */
function expectRefusedWithoutSecrets(attempt: Attempt, standIn: OidcStandIn, pattern: RegExp): void {
  expect(attempt.outcome.kind).toBe('refused');
  const reason = attempt.outcome.kind === 'refused' ? attempt.outcome.reason : '';
  expect(reason).toMatch(pattern);
  const code = new URL(attempt.callback, PUBLIC_URL).searchParams.get('code');
  const credentials = [SLACK.clientSecret, ENTRA.clientSecret, attempt.pending.state, attempt.pending.nonce, attempt.pending.codeVerifier, code, ...standIn.issuedIdTokens];
  for (const credential of credentials) if (credential) expect(reason).not.toContain(credential);
}

describe('Sign in with Slack', () => {
  it('signs a person in with state and nonce, sends no PKCE, and keys them like the Slack adapter', async () => {
    const stands = await standIns();
    const oidc = providersFor(stands);
    const { outcome, pending, url } = await signIn(oidc, stands.slack, 'slack');

    expect(outcome).toEqual({ kind: 'signed-in', person: { platform: 'slack', workspaceId: STAND_IN_SLACK_TEAM, userId: 'U0ADA' }, displayName: 'Ada Lovelace' });
    expect(`${url.origin}${url.pathname}`).toBe('https://slack.com/openid/connect/authorize');
    const asked = stands.slack.authorizeRequests[0]!;
    expect(asked).toMatchObject({ client_id: SLACK.clientId, response_type: 'code', scope: 'openid profile', redirect_uri: `${PUBLIC_URL}/auth/callback/slack`, state: pending.state, nonce: pending.nonce });
    expect(asked).not.toHaveProperty('code_challenge');
    expect(pending).toEqual({ provider: 'slack', state: pending.state, nonce: pending.nonce, returnTo: '/teams/platform' });
    // The stand-in records the token call as received: client_secret_post, the same redirect_uri, no code_verifier.
    const redeemed = stands.slack.tokenRequests[0]!;
    expect(redeemed).toMatchObject({ grant_type: 'authorization_code', client_id: SLACK.clientId, client_secret: SLACK.clientSecret, redirect_uri: `${PUBLIC_URL}/auth/callback/slack` });
    expect(redeemed).not.toHaveProperty('code_verifier');
  });

  it('keys an Enterprise Grid person on the workspace the caller resolves from the team id', async () => {
    const stands = await standIns();
    const asked: string[] = [];
    const oidc = providersFor(stands, { resolveSlackWorkspace: (teamId) => (asked.push(teamId), Promise.resolve('E0GRID')) });
    const { outcome } = await signIn(oidc, stands.slack, 'slack');
    expect(asked).toEqual([STAND_IN_SLACK_TEAM]);
    expect(outcome).toMatchObject({ kind: 'signed-in', person: { platform: 'slack', workspaceId: 'E0GRID', userId: 'U0ADA' } });
  });

  it('refuses a callback whose state is not the pending one, before redeeming the code', async () => {
    const stands = await standIns();
    const oidc = providersFor(stands);
    const { url, pending } = await oidc.start('slack', '/');
    const callback = await authorize(stands.slack, url, 'slack');
    const outcome = await oidc.finish('slack', callback, { ...pending, state: 'state-of-another-sign-in' });
    expectRefusedWithoutSecrets({ outcome, pending, callback, url }, stands.slack, /state/);
    expect(stands.slack.tokenRequests).toHaveLength(0);
  });

  it('refuses a code used twice, naming Slack’s own error', async () => {
    const stands = await standIns();
    const oidc = providersFor(stands);
    const first = await signIn(oidc, stands.slack, 'slack');
    expect(first.outcome.kind).toBe('signed-in');
    const again = await oidc.finish('slack', first.callback, first.pending);
    expectRefusedWithoutSecrets({ ...first, outcome: again }, stands.slack, /invalid_code/);
    expect(stands.slack.tokenRequests).toHaveLength(2);
  });

  it('refuses when the person cancels at Slack', async () => {
    const stands = await standIns();
    const attempt = await signIn(providersFor(stands), stands.slack, 'slack', { deny: true });
    expectRefusedWithoutSecrets(attempt, stands.slack, /access_denied/);
  });
});

describe('Sign in with Entra ID', () => {
  it('signs a person in with PKCE S256 and keys them like the Teams adapter (tenant id + object id)', async () => {
    const stands = await standIns();
    const oidc = providersFor(stands);
    const { outcome, pending, url } = await signIn(oidc, stands.entra, 'entra');

    expect(outcome).toEqual({ kind: 'signed-in', person: { platform: 'teams', workspaceId: STAND_IN_ENTRA_TENANT, userId: stands.entra.people[0]!.userId }, displayName: 'Ada Lovelace' });
    expect(`${url.origin}${url.pathname}`).toBe('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize');
    expect(pending.codeVerifier).toMatch(/^[\w-]{43,}$/);
    expect(stands.entra.authorizeRequests[0]).toMatchObject({ scope: 'openid profile', code_challenge_method: 'S256', state: pending.state, nonce: pending.nonce });
    // The stand-in checked S256(code_verifier) against the challenge before answering.
    expect(stands.entra.tokenRequests[0]).toMatchObject({ code_verifier: pending.codeVerifier, client_secret: ENTRA.clientSecret, redirect_uri: `${PUBLIC_URL}/auth/callback/entra` });
  });

  it('refuses a code redeemed with another PKCE verifier', async () => {
    const stands = await standIns();
    const oidc = providersFor(stands);
    const { url, pending } = await oidc.start('entra', '/');
    const callback = await authorize(stands.entra, url, 'entra');
    const outcome = await oidc.finish('entra', callback, { ...pending, codeVerifier: 'a'.repeat(43) });
    expectRefusedWithoutSecrets({ outcome, pending, callback, url }, stands.entra, /HTTP 400 invalid_grant/);
  });

  it('refuses a person of a tenant that is not allowed, although openid-client accepts its token', async () => {
    const stands = await standIns();
    const attempt = await signIn(providersFor(stands), stands.entra, 'entra', { tenantId: OTHER_TENANT });
    expectRefusedWithoutSecrets(attempt, stands.entra, new RegExp(`tenant ${OTHER_TENANT} is not an allowed tenant`));
    expect(stands.entra.issuedIdTokens).toHaveLength(1);
  });

  it('with one tenant configured, discovers its own issuer and refuses another tenant’s token at the issuer check', async () => {
    const stands = await standIns();
    const oidc = providersFor(stands, { entraTenant: STAND_IN_ENTRA_TENANT });
    const ok = await signIn(oidc, stands.entra, 'entra');
    expect(ok.outcome).toMatchObject({ kind: 'signed-in', person: { workspaceId: STAND_IN_ENTRA_TENANT } });
    expect(ok.url.pathname).toBe(`/${STAND_IN_ENTRA_TENANT}/oauth2/v2.0/authorize`);
    const other = await signIn(oidc, stands.entra, 'entra', { tenantId: OTHER_TENANT });
    expectRefusedWithoutSecrets(other, stands.entra, /"iss"/);
  });

  it('shows a "Sign in as …" page when nobody is preselected, whose links finish the sign-in (for browser tests)', async () => {
    const stands = await standIns();
    stands.entra.signInAs(null);
    const oidc = providersFor(stands);
    const { url, pending } = await oidc.start('entra', '/');
    const page = await fetch(stands.entra.toLoopback(url.href));
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const href = /<a href="([^"]+)">Sign in as Grace Hopper<\/a>/.exec(html)?.[1]?.replaceAll('&#38;', '&');
    expect(href).toBeDefined();
    // The link is relative to the page's real-origin URL, which is where a routed browser would be.
    const callback = await authorize(stands.entra, new URL(href!, url), 'entra');
    expect(await oidc.finish('entra', callback, pending)).toMatchObject({ kind: 'signed-in', displayName: 'Grace Hopper', person: { userId: stands.entra.people[1]!.userId } });
  });

  it('refuses a pending sign-in that belongs to the other provider', async () => {
    const stands = await standIns();
    const oidc = providersFor(stands);
    const { url, pending } = await oidc.start('slack', '/');
    const callback = await authorize(stands.slack, url, 'slack');
    expect(await oidc.finish('entra', callback, pending)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/pending sign-in is for slack/) });
  });
});

// The same ID-token checks for both providers: each twist makes the stand-in sign one token wrongly.
describe.each(['slack', 'entra'] as const)('ID token checks (%s)', (provider) => {
  const cases: [string, SignInTwist, RegExp][] = [
    ['a nonce from another sign-in', { wrongNonce: true }, /"nonce"/],
    ['a token for another client', { wrongAudience: true }, /"aud"/],
    ['a token from another issuer', { wrongIssuer: true }, /"iss"/],
    ['an expired token', { expired: true }, /"exp"/],
    ['a token signed with a key the provider does not publish', { foreignKey: true }, /signature/],
  ];
  it.each(cases)('refuses %s', async (_name, twist, pattern) => {
    const stands = await standIns();
    const attempt = await signIn(providersFor(stands), stands[provider], provider, twist);
    expectRefusedWithoutSecrets(attempt, stands[provider], pattern);
    expect(stands[provider].issuedIdTokens).toHaveLength(1);
  });
});

describe('discovery', () => {
  it('happens on the first sign-in, once per provider, and not for providers never used', async () => {
    const stands = await standIns();
    const oidc = providersFor(stands);
    expect(oidc.providers()).toEqual(['slack', 'entra']);
    expect(stands.slack.fetches.discovery).toBe(0);
    await oidc.start('slack', '/');
    await oidc.start('slack', '/');
    expect(stands.slack.fetches.discovery).toBe(1);
    expect(stands.entra.fetches.discovery).toBe(0);
  });

  it('fails while the provider is unreachable and succeeds on the next attempt once it is back', async () => {
    const stands = await standIns();
    // One stand-in's own fetchOverride is a customFetch too.
    const oidc = new OidcProviders({ web: { ...webConfig(), entra: null }, publicUrl: PUBLIC_URL, customFetch: stands.slack.fetchOverride });
    await stands.slack.pause();
    await expect(oidc.start('slack', '/')).rejects.toThrow(SignInUnavailableError);
    await stands.slack.resume();
    const { outcome } = await signIn(oidc, stands.slack, 'slack');
    expect(outcome).toMatchObject({ kind: 'signed-in', person: { userId: 'U0ADA' } });
    expect(stands.slack.fetches.discovery).toBe(1);
  });

  it('lists only configured providers and refuses to start another', async () => {
    const oidc = new OidcProviders({ web: { ...webConfig(), slack: null }, publicUrl: PUBLIC_URL });
    expect(oidc.providers()).toEqual(['entra']);
    await expect(oidc.start('slack', '/')).rejects.toThrow(/not configured/);
  });
});
