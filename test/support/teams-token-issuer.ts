/**
 * A stand-in for the two Microsoft token authorities a Teams bot deals with, on loopback:
 *
 * - The Bot Framework channel's OpenID metadata and JWKS (login.botframework.com/v1/.well-known/…), which
 *   botbuilder's JwtTokenExtractor fetches to check the `Authorization: Bearer` JWT on every inbound activity.
 *   `signChannelToken` mints what the channel sends: RS256, `iss` https://api.botframework.com, `aud` the bot's
 *   app id, a `serviceurl` claim, and no `ver`/`appid`/`azp` (those make botbuilder treat a token as a skill's).
 * - Azure AD, which gives the bot its outbound tokens for the Bot Connector (`signBotToken`, a v1 client-credentials
 *   shaped token with `appid` and `aud` https://api.botframework.com). The connector stand-in verifies those with
 *   `verifyBotToken`. botbuilder never calls this part over HTTP: tests inject StandInCredentialsFactory.
 *
 * Keys are generated once per process and reused by every issuer, because botbuilder caches metadata and keys per
 * URL for 24 hours in a static map: a key that changed under a cached URL would fail every later test.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';

/** The `iss` of every Bot Framework channel token in the public cloud (AuthenticationConstants.ToBotFromChannelTokenIssuer). */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** The audience of the bot's outbound tokens in the public cloud (AuthenticationConstants.ToChannelFromBotOAuthScope). */
export const BOT_CONNECTOR_AUDIENCE = 'https://api.botframework.com';
/** CallerIdConstants.PublicAzureChannel: botbuilder stamps it on authenticated activities as `callerId`. */
export const PUBLIC_AZURE_CALLER_ID = 'urn:botframework:azure';
/** A fixed, obviously fake tenant so test data reads the same in every run. */
export const STAND_IN_TENANT_ID = '72f988bf-0000-4000-8000-00000000c0de';
/**
 * Never sent anywhere: with StandInCredentialsFactory injected, botbuilder does not read it. It is in the settings
 * only because a configuration that requires MicrosoftAppPassword alongside MicrosoftAppId should still load.
 */
export const STAND_IN_APP_PASSWORD = 'stand-in-app-password-never-sent';

/** jose's key type, named through jose so this compiles without the DOM lib. */
type JoseKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

interface KeyPairWithJwk {
  readonly privateKey: JoseKey;
  readonly publicKey: JoseKey;
  readonly publicJwk: JWK;
  readonly kid: string;
}

interface IssuerKeys {
  /** Signs channel tokens; published in the channel JWKS. */
  readonly channel: KeyPairWithJwk;
  /** Signs forgeries: never published anywhere. */
  readonly foreign: KeyPairWithJwk;
  /** Signs the bot's outbound (Azure AD) tokens. */
  readonly aad: KeyPairWithJwk;
}

async function makeKeyPair(): Promise<KeyPairWithJwk> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  // A thumbprint is stable for the key's lifetime, like Microsoft's kids, and needs no counter.
  return { privateKey, publicKey, publicJwk, kid: await calculateJwkThumbprint(publicJwk) };
}

let processKeys: Promise<IssuerKeys> | undefined;
function issuerKeys(): Promise<IssuerKeys> {
  processKeys ??= (async () => ({ channel: await makeKeyPair(), foreign: await makeKeyPair(), aad: await makeKeyPair() }))();
  return processKeys;
}

export interface ChannelTokenOptions {
  /** The bot's Microsoft app id: becomes `aud`. */
  readonly appId: string;
  /** Must equal the activity's `serviceUrl` byte for byte, or botbuilder answers 401. */
  readonly serviceUrl: string;
  /**
   * Lifetime from now; negative for an already expired token. botbuilder allows 300 s of clock skew, so an
   * "expired" token must be more than 300 s past `exp` to be refused (use -600 or less).
   */
  readonly expiresInSeconds?: number;
  /** Overrides `iss` (default https://api.botframework.com). */
  readonly issuer?: string;
  /** Overrides `aud` (default `appId`). */
  readonly audience?: string;
  /** 'foreign' signs with a key the JWKS does not hold: a forgery. */
  readonly key?: 'valid' | 'foreign';
  /**
   * The header `kid`. Defaults to the published kid for both keys, because a forger copies the real kid from the
   * public JWKS; pass another value to model a token whose key is not published at all.
   */
  readonly kid?: string;
  /** Extra claims, e.g. to prove that a `ver`+`appid` pair turns the token into a skill token. */
  readonly extraClaims?: Readonly<Record<string, string | number>>;
}

export interface BotTokenOptions {
  readonly appId: string;
  /** The scope botbuilder asks for (ToChannelFromBotOAuthScope): becomes `aud`. */
  readonly audience: string;
  /** The tenant whose Azure AD issues the token (single-tenant bots: their own tenant). */
  readonly tenantId?: string;
  readonly expiresInSeconds?: number;
}

export type BotTokenCheck = { readonly ok: true; readonly appId: string; readonly audience: string } | { readonly ok: false; readonly reason: string };

/** The settings ConfigurationBotFrameworkAuthentication reads, under botbuilder's own key names. */
export type TeamsAuthSettings = {
  readonly MicrosoftAppId: string;
  readonly MicrosoftAppPassword: string;
  readonly MicrosoftAppType: 'SingleTenant' | 'MultiTenant';
  readonly MicrosoftAppTenantId: string;
  readonly ToBotFromChannelOpenIdMetadataUrl: string;
  readonly ToBotFromChannelTokenIssuer: string;
  readonly ToChannelFromBotLoginUrl: string;
  readonly ToChannelFromBotOAuthScope: string;
  readonly ToBotFromEmulatorOpenIdMetadataUrl: string;
  readonly OAuthUrl: string;
  readonly CallerId: string;
};

export class TeamsTokenIssuer {
  /** How many times each document was fetched: botbuilder should fetch them once per URL and then cache. */
  readonly fetches = { metadata: 0, keys: 0, emulatorMetadata: 0, aadKeys: 0 };

  private constructor(
    private readonly server: Server,
    private readonly keys: IssuerKeys,
    /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
    readonly url: string,
  ) {}

  /** Starts the issuer on 127.0.0.1 with an ephemeral port. */
  static async start(): Promise<TeamsTokenIssuer> {
    const keys = await issuerKeys();
    // The URL is known only once listening, and the handler needs the instance: hand it over through a holder.
    const holder: { issuer?: TeamsTokenIssuer } = {};
    const server = createServer((req, res) => holder.issuer?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.issuer = new TeamsTokenIssuer(server, keys, `http://127.0.0.1:${port}`);
    return holder.issuer;
  }

  /** The channel's OpenID metadata, at the same path as https://login.botframework.com/v1/.well-known/openidconfiguration. */
  get openIdMetadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  get jwksUrl(): string {
    return `${this.url}/v1/.well-known/keys`;
  }

  /** Azure AD's v2 metadata: botbuilder reads it only for emulator and skill tokens, which Teams never sends. */
  get emulatorOpenIdMetadataUrl(): string {
    return `${this.url}/common/v2.0/.well-known/openid-configuration`;
  }

  /** The kid of the published channel key. */
  get kid(): string {
    return this.keys.channel.kid;
  }

  /**
   * Everything ConfigurationBotFrameworkAuthentication needs to validate inbound tokens against this issuer.
   * All parameterised keys are set on purpose: setting any of them makes botbuilder take all of them literally
   * (BotFrameworkAuthenticationFactory), so a missing one would become an empty string, not the public default.
   * The login URL and OAuth URL are never called when StandInCredentialsFactory is injected; they point here so
   * a misconfigured test fails on loopback rather than reaching login.microsoftonline.com.
   */
  authSettings(appId: string, options: { readonly tenantId?: string } = {}): TeamsAuthSettings {
    const tenantId = options.tenantId ?? STAND_IN_TENANT_ID;
    return {
      MicrosoftAppId: appId,
      MicrosoftAppPassword: STAND_IN_APP_PASSWORD,
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: tenantId,
      ToBotFromChannelOpenIdMetadataUrl: this.openIdMetadataUrl,
      ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
      ToChannelFromBotLoginUrl: `${this.url}/${tenantId}`,
      ToChannelFromBotOAuthScope: BOT_CONNECTOR_AUDIENCE,
      ToBotFromEmulatorOpenIdMetadataUrl: this.emulatorOpenIdMetadataUrl,
      OAuthUrl: `${this.url}/oauth`,
      CallerId: PUBLIC_AZURE_CALLER_ID,
    };
  }

  /** A JWT as the Bot Framework channel sends it with each activity (see ChannelTokenOptions for forgeries). */
  async signChannelToken(options: ChannelTokenOptions): Promise<string> {
    const pair = options.key === 'foreign' ? this.keys.foreign : this.keys.channel;
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresInSeconds ?? 3600;
    // An expired token was issued an hour before it expired, so nbf/iat stay before exp.
    const issuedAt = expiresIn > 0 ? now : now + expiresIn - 3600;
    return new SignJWT({ serviceurl: options.serviceUrl, ...options.extraClaims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? this.keys.channel.kid })
      .setIssuer(options.issuer ?? BOT_FRAMEWORK_ISSUER)
      .setAudience(options.audience ?? options.appId)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(now + expiresIn)
      .sign(pair.privateKey);
  }

  /**
   * The token Azure AD would give the bot for `scope = {audience}/.default` (client credentials, v1 shape: `appid`,
   * `ver: '1.0'`, `iss` https://sts.windows.net/{tenant}/). INFERRED from Microsoft's v1 access-token reference.
   */
  async signBotToken(options: BotTokenOptions): Promise<string> {
    const tenantId = options.tenantId ?? STAND_IN_TENANT_ID;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ appid: options.appId, appidacr: '1', tid: tenantId, ver: '1.0' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.keys.aad.kid })
      .setIssuer(`https://sts.windows.net/${tenantId}/`)
      .setAudience(options.audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
      .sign(this.keys.aad.privateKey);
  }

  /** What the Bot Connector checks on the bot's outbound calls: our AAD key, not expired, audience, app id. */
  async verifyBotToken(token: string, expected: { readonly audience: string; readonly appIds: readonly string[] }): Promise<BotTokenCheck> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys.aad.publicKey, { algorithms: ['RS256'], audience: expected.audience }));
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
    if (typeof payload.iss !== 'string' || !payload.iss.startsWith('https://sts.windows.net/')) return { ok: false, reason: `unexpected issuer ${String(payload.iss)}` };
    const appId = payload['appid'];
    if (typeof appId !== 'string' || !expected.appIds.includes(appId)) return { ok: false, reason: `token is for app ${String(appId)}` };
    return { ok: true, appId, audience: expected.audience };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' });
    switch (path) {
      case '/v1/.well-known/openidconfiguration':
        this.fetches.metadata += 1;
        // The fields of Microsoft's real document; botbuilder reads only jwks_uri.
        return sendJson(res, 200, {
          issuer: BOT_FRAMEWORK_ISSUER,
          authorization_endpoint: 'https://invalid.botframework.com',
          jwks_uri: this.jwksUrl,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        });
      case '/v1/.well-known/keys':
        this.fetches.keys += 1;
        // `endorsements` lists the channels a key may sign for; botbuilder refuses a key that does not endorse the
        // activity's channelId. Microsoft's real keys also carry x5t/x5c, which botbuilder does not read.
        return sendJson(res, 200, { keys: [{ ...this.keys.channel.publicJwk, kid: this.keys.channel.kid, use: 'sig', alg: 'RS256', endorsements: ['msteams'] }] });
      case '/common/v2.0/.well-known/openid-configuration':
        this.fetches.emulatorMetadata += 1;
        return sendJson(res, 200, {
          issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
          jwks_uri: `${this.url}/common/discovery/v2.0/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        });
      case '/common/discovery/v2.0/keys':
        this.fetches.aadKeys += 1;
        return sendJson(res, 200, { keys: [{ ...this.keys.aad.publicJwk, kid: this.keys.aad.kid, use: 'sig', alg: 'RS256' }] });
      default:
        return sendJson(res, 404, { error: 'not_found' });
    }
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
