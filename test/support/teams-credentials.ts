/**
 * The bot's outbound credentials in tests. In production botbuilder's default factory asks Azure AD (MSAL, client
 * credentials) for a token and `signRequest` adds `Authorization: Bearer <token>` to each Bot Connector call. MSAL
 * will not talk to a loopback authority (INFERRED, see platform-facts.md), so tests pass this factory as the second
 * argument of `ConfigurationBotFrameworkAuthentication`: it mints the same kind of token with the stand-in issuer's
 * Azure AD key, and the connector stand-in verifies it (audience, app id, signature, expiry).
 *
 * It is written structurally against botframework-connector 4.23's `ServiceClientCredentialsFactory` (isValidAppId,
 * isAuthenticationDisabled, createCredentials) and `ServiceClientCredentials` (signRequest) so test support does
 * not import a transitive package; passing it to ConfigurationBotFrameworkAuthentication type-checks the shape.
 */
import type { TeamsTokenIssuer } from './teams-token-issuer.js';

/** The part of azure-core's WebResourceLike that signing touches. */
export interface SignableRequest {
  headers: { set(name: string, value: string): void };
}

export interface CredentialsRequest {
  readonly appId: string;
  readonly audience: string | undefined;
  readonly loginEndpoint: string;
  readonly validateAuthority: boolean;
}

/** Mirrors AppCredentials' public surface (appId, oAuthScope, oAuthEndpoint, getToken, signRequest). */
export class StandInAppCredentials {
  private cached: { readonly token: string; readonly refreshAt: number } | null = null;

  constructor(
    readonly appId: string,
    readonly oAuthScope: string,
    readonly oAuthEndpoint: string,
    private readonly mint: () => Promise<string>,
  ) {}

  /** Like AppCredentials.getToken: cached until five minutes before expiry (tokens live an hour). */
  async getToken(forceRefresh = false): Promise<string> {
    if (!forceRefresh && this.cached && this.cached.refreshAt > Date.now()) return this.cached.token;
    const token = await this.mint();
    this.cached = { token, refreshAt: Date.now() + 55 * 60_000 };
    return token;
  }

  async signRequest<T extends SignableRequest>(webResource: T): Promise<T> {
    // AppCredentials skips signing for an empty app id (anonymous); a stand-in bot always has one.
    webResource.headers.set('Authorization', `Bearer ${await this.getToken()}`);
    return webResource;
  }
}

export interface StandInCredentialsFactoryOptions {
  readonly issuer: TeamsTokenIssuer;
  /** The bot's app id: the only one `isValidAppId` accepts, as botbuilder's password/MSAL factories do. */
  readonly appId: string;
  /** The tenant whose Azure AD issues outbound tokens (defaults to the issuer's stand-in tenant). */
  readonly tenantId?: string;
}

/** Implements botframework-connector's ServiceClientCredentialsFactory for tests. */
export class StandInCredentialsFactory {
  /** Every createCredentials call, so a test can check the audience and login URL botbuilder asked for. */
  readonly requests: CredentialsRequest[] = [];

  constructor(private readonly options: StandInCredentialsFactoryOptions) {}

  /**
   * botbuilder calls this with the `aud` of each inbound channel token (and for emulator/skill tokens): only our
   * app id may pass, so a token for another bot is refused with 401.
   */
  async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.options.appId;
  }

  /** Never disabled: true would make botbuilder skip inbound JWT validation altogether. */
  async isAuthenticationDisabled(): Promise<boolean> {
    return false;
  }

  /**
   * botbuilder's ConnectorFactoryImpl calls this per turn with `audience` = ToChannelFromBotOAuthScope and
   * `loginEndpoint` = ToChannelFromBotLoginUrl. A different app id gets credentials whose token the connector
   * stand-in refuses, as Azure AD would refuse a secret that belongs to another app.
   */
  async createCredentials(appId: string, audience: string | undefined, loginEndpoint: string, validateAuthority: boolean): Promise<StandInAppCredentials> {
    this.requests.push({ appId, audience, loginEndpoint, validateAuthority });
    const scope = audience ?? '';
    return new StandInAppCredentials(appId, scope, loginEndpoint, () =>
      this.options.issuer.signBotToken({ appId, audience: scope, ...(this.options.tenantId ? { tenantId: this.options.tenantId } : {}) }),
    );
  }
}
