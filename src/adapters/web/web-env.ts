import type { Context } from 'hono';
import type { UserRef } from '../../core/platform.js';
import type { DemoPerson } from '../../demo/demo-people.js';
import type { Logger } from '../../logger.js';
import type { TrendChartInput } from '../charts/trend-chart-spec.js';
import type { Metrics } from '../../metrics.js';
import type { ServiceContext } from '../../services/context.js';
import type { ChannelPeopleLookup } from '../../services/step-board-service.js';
import type { OidcProviders } from './auth/oidc.js';
import type { Session, SessionSealer } from './session.js';

/** What the web adapter is built from; main wires it. */
export interface WebDependencies {
  readonly ctx: ServiceContext;
  readonly log: Logger;
  readonly metrics?: Metrics;
  /** Where people open the dashboard (no trailing slash); sign-in callbacks are built from it, never from Host. */
  readonly publicUrl: string;
  /** Origins whose forms are accepted: PUBLIC_URL's, or on loopback without it both spellings of the loopback host. */
  readonly allowedOrigins: readonly string[];
  readonly sealer: SessionSealer;
  /** People made admins by configuration (ADMIN_SLACK_USER_IDS, ADMIN_TEAMS_AAD_OBJECT_IDS). */
  readonly configuredAdmins: readonly string[];
  /** The channel ids a person is in now, asked of their platform; null when it cannot be asked (roles alone then decide). */
  readonly channelsOf: (person: UserRef) => Promise<ReadonlySet<string> | null>;
  /**
   * The people of a team's channel with their names, asked of its platform (Slack: conversations.members and
   * users.info; Teams: the Bot Connector's member list; the demo's people), for the owner picker of the step
   * forms; null when the platform could not say. Without it no owner can be picked on the dashboard.
   */
  readonly channelPeople?: ChannelPeopleLookup;
  /** Sign in with Slack / Entra ID; null when neither is configured. */
  readonly oidc: OidcProviders | null;
  /** Draws a team's trend chart as SVG (in the chart worker); without it the page shows the trend as a table only. */
  readonly trendSvg?: (input: TrendChartInput) => Promise<string>;
  /** The demo's "sign in as…" people; null outside the demo. */
  readonly demoPeople: readonly DemoPerson[] | null;
}

export interface WebVariables {
  readonly session: Session | null;
}

export interface WebEnv {
  Variables: WebVariables;
}

export type WebContext = Context<WebEnv>;

/** Whether the dashboard is reached over TLS: cookies are then Secure and `__Host-` prefixed. */
export function isSecure(publicUrl: string): boolean {
  return publicUrl.startsWith('https://');
}

export function sessionCookieName(publicUrl: string): string {
  return isSecure(publicUrl) ? '__Host-mp_session' : 'mp_session';
}

export function signInCookieName(publicUrl: string): string {
  return isSecure(publicUrl) ? '__Host-mp_sign_in' : 'mp_sign_in';
}

/** Only a path of this site: anything else (`//evil.example`, `https://…`) would make sign-in an open redirect. */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/';
}
