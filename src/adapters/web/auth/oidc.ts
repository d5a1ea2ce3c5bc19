import * as client from 'openid-client';
import { z } from 'zod';
import type { WebConfig } from '../../../config.js';
import type { UserRef } from '../../../core/platform.js';

/**
 * Sign in with Slack and with Microsoft Entra ID (OpenID Connect, authorization-code flow) through openid-client.
 *
 * The issuers are always the real ones (https://slack.com, https://login.microsoftonline.com/<tenant>/v2.0): tests
 * swap only the transport (`customFetch`), so production code has no "allow http" switch and the issuer checks that
 * run in tests are the ones that run in production.
 */
export type OidcProvider = 'slack' | 'entra';

/** What a sign-in in progress must remember (in a sealed cookie) between leaving for the provider and coming back. */
export interface PendingSignIn {
  readonly provider: OidcProvider;
  readonly state: string;
  readonly nonce: string;
  /** Only when PKCE is used (Entra); Slack does not support it. */
  readonly codeVerifier?: string;
  /** Carried as given: the caller accepts only paths of this site. */
  readonly returnTo: string;
}

export type SignInOutcome =
  | { readonly kind: 'signed-in'; readonly person: UserRef; readonly displayName: string | null }
  /** `reason` is for the log: it never holds a token, code, state, nonce or secret. */
  | { readonly kind: 'refused'; readonly reason: string };

export interface OidcProvidersOptions {
  readonly web: WebConfig;
  /** Where people open the dashboard, without a trailing slash; redirect URIs are built from it, never from Host. */
  readonly publicUrl: string;
  /** The transport for every call to a provider; tests route the real issuers to a loopback stand-in with it. */
  readonly customFetch?: client.CustomFetch;
  /**
   * The workspace a Slack person is keyed on, from the ID token's team id. The ID token names no Enterprise Grid
   * organisation, while chat interactions key Grid people on it (adapters/slack/inbound.ts#personOf), so the caller
   * maps a Grid team to its organisation here. Default: the team id itself. Errors it throws propagate.
   */
  readonly resolveSlackWorkspace?: (teamId: string) => Promise<string>;
  /** Seconds before a call to a provider is abandoned (openid-client's default, 30 s, is long for a sign-in page). */
  readonly timeoutSeconds?: number;
}

/** Thrown by `start` when the provider's discovery document cannot be had; the next attempt tries again. */
export class SignInUnavailableError extends Error {
  readonly code = 'sign-in-unavailable';
  constructor(
    readonly provider: OidcProvider,
    options: { cause: unknown },
  ) {
    super(`the ${provider === 'slack' ? 'Slack' : 'Entra ID'} sign-in service could not be reached`, options);
    this.name = 'SignInUnavailableError';
  }
}

// No `email`: the dashboard needs who someone is and their name, nothing more.
const SCOPE = 'openid profile';
const SLACK_ISSUER = 'https://slack.com';

// Parse the claims we key people on at the edge: a token without them is refused, not half-used.
const SlackClaims = z.object({ 'https://slack.com/team_id': z.string().min(1), 'https://slack.com/user_id': z.string().min(1), name: z.string().optional() });
const EntraClaims = z.object({ tid: z.string().min(1), oid: z.string().min(1), name: z.string().optional() });

interface ProviderSettings {
  readonly issuer: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * Entra supports PKCE S256 (learn.microsoft.com, v2-oauth2-auth-code-flow) but its discovery document omits
   * `code_challenge_methods_supported`, so metadata alone would silently turn PKCE off there.
   */
  readonly pkceKnownSupported: boolean;
}

export class OidcProviders {
  private readonly settings = new Map<OidcProvider, ProviderSettings>();
  /** One discovery per provider, shared by concurrent sign-ins; a failed one is forgotten so the next sign-in retries. */
  private readonly discovered = new Map<OidcProvider, Promise<client.Configuration>>();

  constructor(private readonly options: OidcProvidersOptions) {
    const { slack, entra } = options.web;
    if (slack) this.settings.set('slack', { issuer: new URL(SLACK_ISSUER), ...slack, pkceKnownSupported: false });
    if (entra) {
      // `organizations` discovers the `{tenantid}` template issuer, which openid-client fills from each token's
      // `tid`: it then accepts every tenant, so `finish` checks `tid` against the allowed tenants itself.
      const issuer = new URL(`https://login.microsoftonline.com/${encodeURIComponent(entra.tenant)}/v2.0`);
      this.settings.set('entra', { issuer, clientId: entra.clientId, clientSecret: entra.clientSecret, pkceKnownSupported: true });
    }
  }

  /** The providers that are configured, in the order the sign-in page shows them. */
  providers(): OidcProvider[] {
    return (['slack', 'entra'] as const).filter((provider) => this.settings.has(provider));
  }

  /** Where the provider sends the person back; must be registered with the provider exactly like this. */
  redirectUri(provider: OidcProvider): string {
    return `${this.options.publicUrl}/auth/callback/${provider}`;
  }

  /**
   * Starts a sign-in: the URL to send the browser to, and what to remember until it comes back. Discovers the
   * provider on first use; throws SignInUnavailableError when that fails.
   */
  async start(provider: OidcProvider, returnTo: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const settings = this.settingsOf(provider);
    const config = await this.configuration(provider);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const parameters: Record<string, string> = { redirect_uri: this.redirectUri(provider), scope: SCOPE, state, nonce };
    let codeVerifier: string | undefined;
    if (settings.pkceKnownSupported || config.serverMetadata().supportsPKCE()) {
      codeVerifier = client.randomPKCECodeVerifier();
      parameters['code_challenge'] = await client.calculatePKCECodeChallenge(codeVerifier);
      parameters['code_challenge_method'] = 'S256';
    }
    const url = client.buildAuthorizationUrl(config, parameters);
    return { url, pending: { provider, state, nonce, ...(codeVerifier === undefined ? {} : { codeVerifier }), returnTo } };
  }

  /**
   * Finishes a sign-in from the callback's path and query: checks state, redeems the code (with the PKCE verifier
   * when one was used), verifies the ID token (signature against jwks_uri, issuer, audience, expiry, nonce) and maps its claims to
   * the person as the chat adapters key them. Every failure is a refusal with a loggable reason.
   */
  async finish(provider: OidcProvider, callbackPathAndQuery: string, pending: PendingSignIn): Promise<SignInOutcome> {
    if (pending.provider !== provider) return { kind: 'refused', reason: `the pending sign-in is for ${pending.provider}, the callback for ${provider}` };
    const settings = this.settingsOf(provider);
    // Only the query is taken from the request. The rest is our own redirect URI, which openid-client sends again
    // at the token call and the provider compares byte for byte: behind a proxy the request's own URL
    // (http://internal:3000/…) would not match it.
    const query = new URL(callbackPathAndQuery, 'http://callback.invalid').search;
    const currentUrl = new URL(`${this.redirectUri(provider)}${query}`);
    const secrets = [settings.clientSecret, pending.state, pending.nonce, pending.codeVerifier, currentUrl.searchParams.get('code')];
    let claims: client.IDToken;
    try {
      const config = await this.configuration(provider);
      const tokens = await client.authorizationCodeGrant(config, currentUrl, { expectedState: pending.state, expectedNonce: pending.nonce, pkceCodeVerifier: pending.codeVerifier });
      const idClaims = tokens.claims();
      if (!idClaims) return { kind: 'refused', reason: `${provider} returned no ID token` };
      claims = idClaims;
    } catch (error) {
      return { kind: 'refused', reason: `${provider}: ${describe(error, secrets)}` };
    }
    return provider === 'slack' ? this.slackPerson(claims) : this.entraPerson(claims);
  }

  private async slackPerson(claims: client.IDToken): Promise<SignInOutcome> {
    const parsed = SlackClaims.safeParse(claims);
    if (!parsed.success) return { kind: 'refused', reason: 'slack: the ID token lacks https://slack.com/team_id or https://slack.com/user_id' };
    const teamId = parsed.data['https://slack.com/team_id'];
    const workspaceId = this.options.resolveSlackWorkspace ? await this.options.resolveSlackWorkspace(teamId) : teamId;
    const person: UserRef = { platform: 'slack', workspaceId, userId: parsed.data['https://slack.com/user_id'] };
    return { kind: 'signed-in', person, displayName: parsed.data.name || null };
  }

  private entraPerson(claims: client.IDToken): SignInOutcome {
    const parsed = EntraClaims.safeParse(claims);
    if (!parsed.success) return { kind: 'refused', reason: 'entra: the ID token lacks tid or oid' };
    // An empty list refuses everyone: with `organizations` and no allowed tenants, no tenant was vouched for.
    const allowed = this.options.web.entra?.allowedTenantIds ?? [];
    if (!allowed.includes(parsed.data.tid)) return { kind: 'refused', reason: `entra: tenant ${parsed.data.tid} is not an allowed tenant` };
    // The same key as a Teams activity (tenant id + AAD object id), so a role granted in Teams applies here.
    const person: UserRef = { platform: 'teams', workspaceId: parsed.data.tid, userId: parsed.data.oid };
    return { kind: 'signed-in', person, displayName: parsed.data.name || null };
  }

  private settingsOf(provider: OidcProvider): ProviderSettings {
    const settings = this.settings.get(provider);
    if (!settings) throw new Error(`sign-in with ${provider} is not configured`);
    return settings;
  }

  private configuration(provider: OidcProvider): Promise<client.Configuration> {
    const cached = this.discovered.get(provider);
    if (cached) return cached;
    const { issuer, clientId, clientSecret } = this.settingsOf(provider);
    // openid-client skips the ID token's signature when the token came straight from the token endpoint (OIDC Core
    // 3.1.3.7: TLS vouches for it). Check it against jwks_uri anyway: it costs one cached fetch and still holds when
    // the transport is not what it should be (a misrouted proxy, a wrongly wired customFetch).
    const options: client.DiscoveryRequestOptions = { timeout: this.options.timeoutSeconds ?? 10, execute: [client.enableNonRepudiationChecks] };
    if (this.options.customFetch) options[client.customFetch] = this.options.customFetch;
    // Both providers accept client_secret_post, and it needs no encoding rules (client_secret_basic does).
    const pending = client.discovery(issuer, clientId, undefined, client.ClientSecretPost(clientSecret), options).catch((error: unknown) => {
      this.discovered.delete(provider);
      throw new SignInUnavailableError(provider, { cause: error });
    });
    this.discovered.set(provider, pending);
    return pending;
  }
}

/** A failure as one log-safe line: the library's code and messages, the provider's error code, nothing sensitive. */
function describe(error: unknown, secrets: readonly (string | null | undefined)[]): string {
  let text: string;
  if (error instanceof client.AuthorizationResponseError) text = `the provider answered the sign-in with ${safeWord(error.error)}`;
  else if (error instanceof client.ResponseBodyError) text = `the token endpoint answered HTTP ${error.status} ${safeWord(error.error)}`;
  else if (error instanceof Error) {
    // openid-client's own message is generic ("unexpected JWT claim value encountered"); its cause names the check.
    const messages = causes(error).map((each) => each.message);
    const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
    text = `${code}${[...new Set(messages)].join('; ')}${slackApiError(error)}`;
  } else text = 'unknown failure';
  // Library messages name claims, not values; scrub anyway, so a future message that quotes one cannot leak it.
  for (const secret of secrets) if (secret) text = text.split(secret).join('[redacted]');
  return text.replace(/[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g, '[jwt]').slice(0, 300);
}

/** An error and the errors it wraps, outermost first (three at most). */
function causes(error: Error): Error[] {
  const chain = [error];
  for (let cause = error.cause; cause instanceof Error && chain.length < 3; cause = cause.cause) chain.push(cause);
  return chain;
}

const SlackApiFailure = z.object({ body: z.object({ ok: z.literal(false), error: z.string() }) });

/** Slack's Web API answers a failed token call with HTTP 200 and `{ ok: false, error }`: name that error. */
function slackApiError(error: Error): string {
  for (const each of causes(error)) {
    const parsed = SlackApiFailure.safeParse(each.cause);
    if (parsed.success) return ` (Slack: ${safeWord(parsed.data.body.error)})`;
  }
  return '';
}

/** Error codes come from the provider or the callback URL (anyone can craft one): keep them to a short word. */
function safeWord(value: string): string {
  return value.replace(/[^\w.-]/g, '').slice(0, 60) || 'an unnamed error';
}
