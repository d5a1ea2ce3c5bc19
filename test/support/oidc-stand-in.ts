/**
 * A local OpenID provider that plays Slack ("Sign in with Slack") or Microsoft Entra ID, on node:http + jose.
 *
 * It keeps the real issuers: discovery documents, token `iss` and endpoint URLs say https://slack.com and
 * https://login.microsoftonline.com, and only the transport is rewritten to loopback (`fetchOverride`, given to
 * openid-client as `customFetch`). So the code under test runs with production issuers and no "allow http" switch.
 *
 * Quirks reproduced on purpose (each is what a generic provider such as oidc-provider cannot do):
 * - slack: Slack's own discovery fields (api.slack.com/.well-known/openid-configuration), no
 *   `code_challenge_methods_supported`; claims https://slack.com/team_id and …/user_id; a failed token call is
 *   HTTP 200 `{ ok: false, error }` like every Slack Web API method; client_secret_post only.
 * - entra: `organizations`/`common` discovery has the issuer template …/{tenantid}/v2.0 and each token's `iss`
 *   carries its own `tid`; `tid`/`oid`/`name`; PKCE S256 verified at /token although discovery, like Microsoft's,
 *   does not advertise it.
 *
 * Browser tests (Playwright) route the real origin here and let the browser follow redirects itself:
 *   await context.route('https://slack.com/**', async (route) => {
 *     const response = await route.fetch({ url: standIn.toLoopback(route.request().url()), maxRedirects: 0 });
 *     await route.fulfill({ response });
 *   });
 * With no person preselected (or `choose=1` in the authorization URL) /authorize shows "Sign in as …" links.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export type StandInMode = 'slack' | 'entra';

/** `workspaceId` is the Slack team id or the Entra tenant id; `userId` the Slack user id or the Entra object id. */
export interface StandInPerson {
  readonly key: string;
  readonly name: string;
  readonly workspaceId: string;
  readonly userId: string;
  readonly email: string;
}

/** What goes wrong with the next sign-in (one authorization); cleared once used. */
export interface SignInTwist {
  readonly wrongNonce?: boolean;
  readonly wrongAudience?: boolean;
  readonly wrongIssuer?: boolean;
  /** Entra: the person signs in from this tenant (its `tid`, and the `iss` that goes with it). */
  readonly tenantId?: string;
  readonly expired?: boolean;
  /** Signed by a key the JWKS does not hold, under the published `kid` (a forger copies it). */
  readonly foreignKey?: boolean;
  /** The person cancels at the provider: the callback gets `error=access_denied`. */
  readonly deny?: boolean;
}

export interface StandInOptions {
  readonly mode: StandInMode;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly people?: readonly StandInPerson[];
}

export const STAND_IN_SLACK_TEAM = 'T0STANDIN';
export const STAND_IN_ENTRA_TENANT = '72f988bf-0000-4000-8000-00000000c0de';

const ORIGINS = { slack: 'https://slack.com', entra: 'https://login.microsoftonline.com' } as const;
const DEFAULT_PEOPLE: Record<StandInMode, StandInPerson[]> = {
  slack: [
    { key: 'ada', name: 'Ada Lovelace', workspaceId: STAND_IN_SLACK_TEAM, userId: 'U0ADA', email: 'ada@example.com' },
    { key: 'grace', name: 'Grace Hopper', workspaceId: STAND_IN_SLACK_TEAM, userId: 'U0GRACE', email: 'grace@example.com' },
  ],
  entra: [
    { key: 'ada', name: 'Ada Lovelace', workspaceId: STAND_IN_ENTRA_TENANT, userId: '00000000-0000-4000-8000-0000000000ad', email: 'ada@contoso.example' },
    { key: 'grace', name: 'Grace Hopper', workspaceId: STAND_IN_ENTRA_TENANT, userId: '00000000-0000-4000-8000-00000000064a', email: 'grace@contoso.example' },
  ],
};

type JoseKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
interface Keys { readonly signing: JoseKey; readonly foreign: JoseKey; readonly jwk: JWK; readonly kid: string }
let processKeys: Promise<Keys> | undefined;
function keys(): Promise<Keys> {
  // RSA generation is slow; one pair per process serves every stand-in (each test builds a fresh client anyway).
  processKeys ??= (async () => {
    const [signing, foreign] = [await generateKeyPair('RS256', { extractable: true }), await generateKeyPair('RS256')];
    const jwk = await exportJWK(signing.publicKey);
    return { signing: signing.privateKey, foreign: foreign.privateKey, jwk, kid: await calculateJwkThumbprint(jwk) };
  })();
  return processKeys;
}

type Route = 'discovery' | 'jwks' | 'authorize' | 'token';
const SLACK_ROUTES: Record<string, Route> = { '/.well-known/openid-configuration': 'discovery', '/openid/connect/keys': 'jwks', '/openid/connect/authorize': 'authorize', '/api/openid.connect.token': 'token' };
const ENTRA_ROUTES: Record<string, Route> = { 'v2.0/.well-known/openid-configuration': 'discovery', 'discovery/v2.0/keys': 'jwks', 'oauth2/v2.0/authorize': 'authorize', 'oauth2/v2.0/token': 'token' };

interface Grant { readonly person: StandInPerson; readonly redirectUri: string; readonly nonce: string | null; readonly challenge: string | null; readonly twist: SignInTwist }

export class OidcStandIn {
  /** The real origin this stand-in plays. */
  readonly origin: string;
  readonly people: readonly StandInPerson[];
  /** Query parameters of every /authorize request, and form fields of every /token request, as received. */
  readonly authorizeRequests: Record<string, string>[] = [];
  readonly tokenRequests: Record<string, string>[] = [];
  /** Every ID token handed out, so a test can check none reaches a log line. */
  readonly issuedIdTokens: string[] = [];
  readonly fetches = { discovery: 0, jwks: 0 };
  private readonly codes = new Map<string, Grant>();
  private preselected: StandInPerson | null = null;
  private twist: SignInTwist = {};
  private readonly server: Server;
  private port = 0;

  private constructor(
    private readonly options: StandInOptions,
    private readonly keys: Keys,
  ) {
    this.origin = ORIGINS[options.mode];
    this.people = options.people ?? DEFAULT_PEOPLE[options.mode];
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => send(res, 500, 'text/plain', 'stand-in failure')));
  }

  /** Starts on 127.0.0.1 with an ephemeral port. */
  static async start(options: StandInOptions): Promise<OidcStandIn> {
    const standIn = new OidcStandIn(options, await keys());
    await standIn.resume();
    return standIn;
  }

  /** Loopback base URL, e.g. http://127.0.0.1:40123. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The person later authorizations sign in at once; null shows the "Sign in as …" page instead. */
  signInAs(key: string | null): void {
    this.preselected = key === null ? null : this.person(key);
  }

  nextSignIn(twist: SignInTwist): void {
    this.twist = twist;
  }

  serves(url: string): boolean {
    return new URL(url).origin === this.origin;
  }

  /** The loopback address of a URL at the real origin (path and query kept). */
  toLoopback(url: string): string {
    const parsed = new URL(url);
    if (parsed.origin !== this.origin) throw new Error(`the ${this.options.mode} stand-in does not serve ${parsed.origin}`);
    return `${this.url}${parsed.pathname}${parsed.search}`;
  }

  /** A fetch for openid-client's `customFetch`: the real origin goes to loopback, anything else is refused. */
  readonly fetchOverride = (url: string, init?: RequestInit): Promise<Response> => routeFetch(this)(url, init);

  /** Stops listening (connections refused) until `resume`, on the same port: an identity provider outage. */
  async pause(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async resume(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.pause();
  }

  private person(key: string): StandInPerson {
    const found = this.people.find((candidate) => candidate.key === key);
    if (!found) throw new Error(`no stand-in person ${key}`);
    return found;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    // Entra's paths start with the tenant segment (`organizations`, `common` or a tenant id); Slack's are fixed.
    const [, segment = '', rest = ''] = /^\/([^/]+)\/(.*)$/.exec(url.pathname) ?? [];
    const route = this.options.mode === 'slack' ? SLACK_ROUTES[url.pathname] : ENTRA_ROUTES[rest];
    if (route === 'discovery') return this.discovery(res, segment);
    if (route === 'jwks') {
      this.fetches.jwks += 1;
      return send(res, 200, 'application/json', JSON.stringify({ keys: [{ ...this.keys.jwk, kid: this.keys.kid, alg: 'RS256', use: 'sig' }] }));
    }
    if (route === 'authorize' && req.method === 'GET') return this.authorize(res, url);
    if (route === 'token' && req.method === 'POST') return this.token(res, new URLSearchParams(await readBody(req)), segment);
    send(res, 404, 'application/json', JSON.stringify({ error: 'not_found' }));
  }

  private discovery(res: ServerResponse, segment: string): void {
    this.fetches.discovery += 1;
    if (this.options.mode === 'slack') {
      // Field for field what Slack publishes: note no code_challenge_methods_supported.
      return send(res, 200, 'application/json', JSON.stringify({
        issuer: 'https://slack.com', authorization_endpoint: 'https://slack.com/openid/connect/authorize', token_endpoint: 'https://slack.com/api/openid.connect.token',
        userinfo_endpoint: 'https://slack.com/api/openid.connect.userInfo', jwks_uri: 'https://slack.com/openid/connect/keys', scopes_supported: ['openid', 'profile', 'email'],
        response_types_supported: ['code'], response_modes_supported: ['query'], grant_types_supported: ['authorization_code'], subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'], claims_supported: ['sub', 'auth_time', 'iss'], claims_parameter_supported: false, request_parameter_supported: false,
        request_uri_parameter_supported: true, token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      }));
    }
    const base = `https://login.microsoftonline.com/${segment}`;
    const multiTenant = segment === 'organizations' || segment === 'common';
    send(res, 200, 'application/json', JSON.stringify({
      token_endpoint: `${base}/oauth2/v2.0/token`, token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`, response_modes_supported: ['query', 'fragment', 'form_post'], subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'], response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'], issuer: `https://login.microsoftonline.com/${multiTenant ? '{tenantid}' : segment}/v2.0`,
      request_uri_parameter_supported: false, userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo', authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`, claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'email'],
    }));
  }

  private authorize(res: ServerResponse, url: URL): void {
    const q = url.searchParams;
    this.authorizeRequests.push(Object.fromEntries(q));
    const redirectUri = q.get('redirect_uri');
    // Real providers show an error page (never a redirect) for an unknown client or redirect URI.
    if (q.get('client_id') !== this.options.clientId || !redirectUri || q.get('response_type') !== 'code' || !q.get('scope')?.split(' ').includes('openid')) return send(res, 400, 'text/plain', 'stand-in: bad authorization request');
    const chosen = q.get('stand_in_person');
    const back = new URL(redirectUri);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const challenge = q.get('code_challenge');
    if (challenge !== null && q.get('code_challenge_method') !== 'S256') return send(res, 400, 'text/plain', 'stand-in: only S256 code challenges');
    const twist = this.twist;
    if (twist.deny || q.has('stand_in_cancel')) {
      this.twist = {};
      back.searchParams.set('error', 'access_denied');
      return redirect(res, back);
    }
    if (chosen === null && (this.preselected === null || q.get('choose') === '1')) return this.choosePage(res, q);
    this.twist = {};
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { person: chosen === null ? (this.preselected as StandInPerson) : this.person(chosen), redirectUri, nonce: q.get('nonce'), challenge, twist });
    back.searchParams.set('code', code);
    redirect(res, back);
  }

  private choosePage(res: ServerResponse, q: URLSearchParams): void {
    // Query-only links resolve against the page's own URL, so they work at the real origin a browser was routed from.
    const link = (extra: Record<string, string>): string => `?${new URLSearchParams([...[...q].filter(([name]) => name !== 'choose'), ...Object.entries(extra)])}`;
    const items = this.people.map((p) => `<li><a href="${escapeHtml(link({ stand_in_person: p.key }))}">Sign in as ${escapeHtml(p.name)}</a></li>`).join('');
    const provider = this.options.mode === 'slack' ? 'Slack' : 'Microsoft';
    send(res, 200, 'text/html; charset=utf-8', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in with ${provider} (stand-in)</title></head><body><main><h1>Sign in with ${provider} (test stand-in)</h1><ul>${items}</ul><p><a href="${escapeHtml(link({ stand_in_cancel: '1' }))}">Cancel</a></p></main></body></html>`);
  }

  private async token(res: ServerResponse, form: URLSearchParams, segment: string): Promise<void> {
    this.tokenRequests.push(Object.fromEntries(form));
    const slack = this.options.mode === 'slack';
    // Slack's Web API fails with HTTP 200 and ok:false; Entra with an OAuth error body.
    const fail = (slackError: string, status: number, error: string, description: string): void =>
      send(res, slack ? 200 : status, 'application/json', JSON.stringify(slack ? { ok: false, error: slackError } : { error, error_description: `stand-in: ${description}` }));
    if (form.get('client_id') !== this.options.clientId) return fail('invalid_client_id', 400, 'invalid_client', 'unknown client');
    if (form.get('client_secret') !== this.options.clientSecret) return fail('bad_client_secret', 401, 'invalid_client', 'invalid client secret');
    if (form.get('grant_type') !== 'authorization_code') return fail('invalid_grant_type', 400, 'unsupported_grant_type', 'unsupported grant type');
    const code = form.get('code') ?? '';
    const grant = this.codes.get(code);
    this.codes.delete(code); // single use, even when the redemption fails
    if (!grant) return fail('invalid_code', 400, 'invalid_grant', 'the code is unknown or was already redeemed');
    if (form.get('redirect_uri') !== grant.redirectUri) return fail('bad_redirect_uri', 400, 'invalid_grant', 'redirect_uri differs from the authorization request');
    const verifier = form.get('code_verifier');
    // Slack does not do PKCE (it would ignore the fields); Entra checks whichever side was sent.
    if (!slack && (grant.challenge !== null || verifier !== null) && (verifier === null || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge)) return fail('invalid_code', 400, 'invalid_grant', 'the code_verifier does not match the code_challenge');
    const idToken = await this.idToken(grant, segment);
    this.issuedIdTokens.push(idToken);
    const accessToken = `${slack ? 'xoxp-' : ''}stand-in-${randomBytes(12).toString('hex')}`;
    send(res, 200, 'application/json', JSON.stringify(slack ? { ok: true, access_token: accessToken, token_type: 'Bearer', id_token: idToken } : { token_type: 'Bearer', scope: 'openid profile email', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken, id_token: idToken }));
  }

  private idToken(grant: Grant, segment: string): Promise<string> {
    const { person, twist } = grant;
    const now = Math.floor(Date.now() / 1000);
    // An expired token was issued an hour before it expired, well past openid-client's 30 s tolerance.
    const [issuedAt, expiresAt] = twist.expired ? [now - 3600, now - 600] : [now, now + (this.options.mode === 'slack' ? 300 : 3600)];
    let claims: Record<string, unknown>;
    let issuer: string;
    if (this.options.mode === 'slack') {
      issuer = twist.wrongIssuer ? 'https://slack.example.org' : 'https://slack.com';
      claims = { sub: person.userId, auth_time: issuedAt, 'https://slack.com/team_id': person.workspaceId, 'https://slack.com/user_id': person.userId, email: person.email, email_verified: true, name: person.name, locale: 'en-US' };
    } else {
      const tid = twist.tenantId ?? (segment === 'organizations' || segment === 'common' ? person.workspaceId : segment);
      // The v1 issuer (sts.windows.net) is the realistic wrong one: a v1 token presented to a v2 client.
      issuer = twist.wrongIssuer ? `https://sts.windows.net/${tid}/` : `https://login.microsoftonline.com/${tid}/v2.0`;
      const sub = createHash('sha256').update(`${person.userId}:${this.options.clientId}`).digest('base64url').slice(0, 43); // pairwise
      claims = { sub, ver: '2.0', tid, oid: person.userId, name: person.name, preferred_username: person.email, nbf: issuedAt };
    }
    if (grant.nonce !== null) claims['nonce'] = twist.wrongNonce ? 'a-nonce-from-another-sign-in' : grant.nonce;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.keys.kid })
      .setIssuer(issuer)
      .setAudience(twist.wrongAudience ? 'another-client-id' : this.options.clientId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(twist.foreignKey ? this.keys.foreign : this.keys.signing);
  }
}

/** One fetch for several stand-ins (Slack and Entra at once): each URL goes to the stand-in of its origin. */
export function routeFetch(...standIns: OidcStandIn[]): (url: string, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const standIn = standIns.find((candidate) => candidate.serves(url));
    // Never the real internet from a test: an unexpected origin is a bug in the test or the code.
    if (!standIn) throw new TypeError(`no stand-in serves ${new URL(url).origin}`);
    return fetch(standIn.toLoopback(url), init);
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function redirect(res: ServerResponse, location: URL): void {
  res.writeHead(302, { location: location.href, 'cache-control': 'no-store' });
  res.end();
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Signs in to the app at `appUrl` through `provider` as a browser would, the provider's part answered by
 * the stand-in as `person`; returns the session cookie (`name=value`), or throws saying which step failed.
 */
export async function signInThroughProvider(appUrl: string, standIn: OidcStandIn, provider: 'slack' | 'entra', person: string): Promise<string> {
  standIn.signInAs(person);
  const start = await fetch(`${appUrl}/auth/${provider}?returnTo=/`, { redirect: 'manual' });
  const pending = start.headers.get('set-cookie')?.split(';')[0];
  const authorization = start.headers.get('location');
  if (start.status !== 302 || !pending || !authorization) throw new Error(`/auth/${provider} answered ${start.status}`);
  const atProvider = await fetch(standIn.toLoopback(authorization), { redirect: 'manual' });
  const back = atProvider.headers.get('location');
  if (atProvider.status !== 302 || !back) throw new Error(`the provider answered ${atProvider.status}`);
  const callback = new URL(back);
  const signedIn = await fetch(`${appUrl}${callback.pathname}${callback.search}`, { redirect: 'manual', headers: { cookie: pending } });
  const session = signedIn.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0]!)
    .find((cookie) => /mp_session=./.test(cookie));
  if (signedIn.status !== 302 || !session) throw new Error(`the sign-in callback answered ${signedIn.status} without a session (${signedIn.headers.get('location') ?? 'no redirect'})`);
  return session;
}
