import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { PRIVACY_FLOOR } from './core/privacy.js';
import type { ScoringPolicy } from './core/scoring.js';
import type { StorageTarget } from './storage/open-store.js';

/**
 * The only reader of process.env. Every variable is declared here once; start-up lists every problem at
 * once, naming the variable, what it expects and what it got (never a secret's value).
 */

const SECRET_VARIABLES = new Set(['DATABASE_URL', 'RESPONDENT_KEY_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'MicrosoftAppPassword', 'METRICS_TOKEN', 'SESSION_SECRET', 'SESSION_SECRET_PREVIOUS', 'SLACK_OIDC_CLIENT_SECRET', 'ENTRA_CLIENT_SECRET']);

const blankAsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema);
const wholeNumber = (min: number, max: number, fallback: number) =>
  blankAsUnset(z.coerce.number({ error: 'expected a number' }).int('expected a whole number').min(min, `expected at least ${min}`).max(max, `expected at most ${max}`).default(fallback));
const csv = blankAsUnset(
  z
    .string()
    .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
    .optional(),
);

export const EnvSchema = z
  .object({
    LOG_LEVEL: blankAsUnset(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    LOG_FORMAT: blankAsUnset(z.enum(['auto', 'json', 'pretty']).default('auto')),
    HOST: blankAsUnset(z.string().default('127.0.0.1')),
    PORT: wholeNumber(0, 65535, 3000),
    DATA_DIR: blankAsUnset(z.string().default('./data')),
    DATABASE_PATH: blankAsUnset(z.string().optional()),
    // PostgreSQL instead of the embedded SQLite file: any number of replicas can share it.
    DATABASE_URL: blankAsUnset(z.string().regex(/^postgres(ql)?:\/\//, 'expected a PostgreSQL URL such as postgres://user:password@host:5432/maturity_pulse').optional()),
    DATABASE_POOL_SIZE: wholeNumber(1, 500, 10),
    // Tells replicas on one host apart (systemd template units, several containers per host); see the README.
    INSTANCE_SLOT: blankAsUnset(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected up to 64 letters, digits, dots, dashes or underscores').default('0')),
    DEMO_DATABASE_PATH: blankAsUnset(z.string().optional()),
    // Optional: the shipped surveys always load from the package; this directory adds the organisation's own.
    SURVEYS_DIR: blankAsUnset(z.string().optional()),
    RESPONDENT_KEY_SECRET: blankAsUnset(z.string().min(32, 'expected at least 32 characters').optional()),
    MIN_RESPONDENTS: wholeNumber(PRIVACY_FLOOR, 1000, 3),
    MIN_COMMENT_RESPONDENTS: wholeNumber(PRIVACY_FLOOR, 1000, 5),
    WINDOW_ROUNDS: wholeNumber(1, 12, 3),
    TREND_THRESHOLD: blankAsUnset(z.coerce.number({ error: 'expected a number' }).min(0.1, 'expected at least 0.1').max(2, 'expected at most 2').default(0.3)),
    RETENTION_DAYS: wholeNumber(30, 36500, 730),
    TICK_CRON: blankAsUnset(z.string().refine((value) => cron.validate(value), 'expected a cron expression such as "* * * * *"').default('* * * * *')),
    LEASE_TTL_SECONDS: wholeNumber(3, 3600, 90),
    METRICS_TOKEN: blankAsUnset(z.string().min(16, 'expected at least 16 characters').optional()),
    METRICS_PORT: blankAsUnset(z.coerce.number({ error: 'expected a number' }).int('expected a whole number').min(0, 'expected at least 0').max(65535, 'expected at most 65535').optional()),
    // The web dashboard: where people reach it (sign-in redirects come back here) and how its sessions are sealed.
    PUBLIC_URL: blankAsUnset(z.url({ protocol: /^https?$/, error: 'expected the URL people open the dashboard at, such as https://maturity.example.com' }).optional()),
    SESSION_SECRET: blankAsUnset(z.string().min(32, 'expected at least 32 characters').optional()),
    SESSION_SECRET_PREVIOUS: blankAsUnset(z.string().min(32, 'expected at least 32 characters').optional()),
    SESSION_HOURS: wholeNumber(1, 720, 8),
    SLACK_OIDC_CLIENT_ID: blankAsUnset(z.string().optional()),
    SLACK_OIDC_CLIENT_SECRET: blankAsUnset(z.string().optional()),
    ENTRA_CLIENT_ID: blankAsUnset(z.string().optional()),
    ENTRA_CLIENT_SECRET: blankAsUnset(z.string().optional()),
    ENTRA_TENANT: blankAsUnset(z.string().regex(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|organizations)$/i, 'expected a tenant id (a GUID) or organizations').optional()),
    SLACK_BOT_TOKEN: blankAsUnset(z.string().regex(/^xoxb-/, 'expected a bot token starting with xoxb-').optional()),
    SLACK_SIGNING_SECRET: blankAsUnset(z.string().min(16, 'expected the app signing secret').optional()),
    SLACK_APP_TOKEN: blankAsUnset(z.string().regex(/^xapp-/, 'expected an app-level token starting with xapp-').optional()),
    SLACK_API_URL: blankAsUnset(z.url('expected a URL such as https://slack.com/api/').optional()),
    ADMIN_SLACK_USER_IDS: csv,
    MicrosoftAppId: blankAsUnset(z.string().optional()),
    MicrosoftAppPassword: blankAsUnset(z.string().optional()),
    MicrosoftAppType: blankAsUnset(z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional()),
    MicrosoftAppTenantId: blankAsUnset(z.string().optional()),
    // botbuilder's own endpoint overrides, under its own names so Microsoft's documentation applies as is.
    ToBotFromChannelOpenIdMetadataUrl: blankAsUnset(z.url().optional()),
    ToBotFromChannelTokenIssuer: blankAsUnset(z.string().optional()),
    ToChannelFromBotLoginUrl: blankAsUnset(z.url().optional()),
    ToChannelFromBotOAuthScope: blankAsUnset(z.string().optional()),
    ToBotFromEmulatorOpenIdMetadataUrl: blankAsUnset(z.url().optional()),
    OAuthUrl: blankAsUnset(z.url().optional()),
    CallerId: blankAsUnset(z.string().optional()),
    ADMIN_TEAMS_AAD_OBJECT_IDS: csv,
    TEAMS_ALLOWED_TENANT_IDS: csv,
    TEAMS_DEV_NO_AUTH: blankAsUnset(z.enum(['0', '1'], { error: 'expected 1 (local testing without authentication) or 0' }).optional()),
  })
  .superRefine((env, ctx) => {
    if (env.MIN_COMMENT_RESPONDENTS < env.MIN_RESPONDENTS) {
      ctx.addIssue({ code: 'custom', path: ['MIN_COMMENT_RESPONDENTS'], message: `expected at least MIN_RESPONDENTS (${env.MIN_RESPONDENTS})` });
    }
    if (env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)' });
    }
    if (!env.SLACK_BOT_TOKEN && (env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN)) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set' });
    }
    if (env.TEAMS_DEV_NO_AUTH === '1' && !['127.0.0.1', 'localhost', '::1'].includes(env.HOST)) {
      ctx.addIssue({ code: 'custom', path: ['TEAMS_DEV_NO_AUTH'], message: 'only allowed with a loopback HOST (127.0.0.1, localhost or ::1)' });
    }
    if (env.MicrosoftAppId && env.MicrosoftAppPassword && !env.TEAMS_ALLOWED_TENANT_IDS && (env.MicrosoftAppType ?? 'MultiTenant') === 'MultiTenant') {
      ctx.addIssue({ code: 'custom', path: ['TEAMS_ALLOWED_TENANT_IDS'], message: 'required for a multi-tenant Teams app: list the Microsoft Entra tenant ids whose people may use this bot (or set MicrosoftAppType=SingleTenant with MicrosoftAppTenantId)' });
    }
    if (env.MicrosoftAppType === 'SingleTenant' && env.MicrosoftAppId && !env.MicrosoftAppTenantId) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: 'required with MicrosoftAppType=SingleTenant' });
    }
    for (const [id, secret] of [['SLACK_OIDC_CLIENT_ID', 'SLACK_OIDC_CLIENT_SECRET'], ['ENTRA_CLIENT_ID', 'ENTRA_CLIENT_SECRET']] as const) {
      if (Boolean(env[id]) !== Boolean(env[secret])) ctx.addIssue({ code: 'custom', path: [env[id] ? secret : id], message: `${id} and ${secret} are set together` });
      if (env[id] && !env.PUBLIC_URL) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: `required with ${id}: sign-in comes back to PUBLIC_URL/auth/callback/…` });
    }
    if (env.ENTRA_CLIENT_ID && (!env.ENTRA_TENANT || env.ENTRA_TENANT.toLowerCase() === 'organizations') && !env.TEAMS_ALLOWED_TENANT_IDS && !env.MicrosoftAppTenantId) {
      // "organizations" accepts sign-ins from any tenant: without a list of ours, nobody could be let in.
      ctx.addIssue({ code: 'custom', path: [env.ENTRA_TENANT ? 'TEAMS_ALLOWED_TENANT_IDS' : 'ENTRA_TENANT'], message: env.ENTRA_TENANT ? 'required with ENTRA_TENANT=organizations: list the tenant ids whose people may sign in' : 'required with ENTRA_CLIENT_ID unless TEAMS_ALLOWED_TENANT_IDS lists the tenants whose people may sign in' });
    }
    if (Boolean(env.MicrosoftAppId) !== Boolean(env.MicrosoftAppPassword)) {
      ctx.addIssue({ code: 'custom', path: [env.MicrosoftAppId ? 'MicrosoftAppPassword' : 'MicrosoftAppId'], message: 'MicrosoftAppId and MicrosoftAppPassword are set together' });
    }
  });

export interface SlackConfig {
  readonly botToken: string;
  readonly signingSecret: string | null;
  readonly appToken: string | null;
  readonly apiUrl: string | null;
  readonly adminUserIds: readonly string[];
}

export interface TeamsConfig {
  /** Empty only in local development without authentication (TEAMS_DEV_NO_AUTH=1). */
  readonly appId: string;
  readonly appPassword: string;
  readonly appType: string;
  readonly tenantId: string | null;
  readonly adminObjectIds: readonly string[];
  /**
   * Tenants whose activities are served; everyone else's get 403. Null only in local development without
   * authentication. A single-tenant app defaults to its own tenant.
   */
  readonly allowedTenantIds: readonly string[] | null;
  /** The settings botbuilder's ConfigurationBotFrameworkAuthentication reads, by its own key names. */
  readonly settings: Readonly<Record<string, string>>;
  readonly devNoAuth: boolean;
}

/** An OpenID Connect client registered with an identity provider. */
export interface OidcClientConfig {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** The web dashboard (served on HOST/PORT under `/`). */
export interface WebConfig {
  /** Where people open the dashboard; sign-in callbacks and cookie security follow from it. Null: http://HOST:PORT. */
  readonly publicUrl: string | null;
  /** Seals session cookies; null: a secret generated once and kept in the database (shared by every replica). */
  readonly sessionSecret: string | null;
  /** Still opens cookies sealed before a rotation. */
  readonly previousSessionSecret: string | null;
  readonly sessionHours: number;
  /** Sign in with Slack (OpenID Connect). */
  readonly slack: OidcClientConfig | null;
  /**
   * Sign in with Microsoft Entra ID. `tenant` is a tenant id or `organizations`; `allowedTenantIds` are the
   * tenants whose people may sign in (an `organizations` sign-in from any other tenant is refused).
   */
  readonly entra: (OidcClientConfig & { readonly tenant: string; readonly allowedTenantIds: readonly string[] }) | null;
}

export interface AppConfig {
  readonly logLevel: string;
  /** `auto` is pretty on a terminal and JSON otherwise. */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databasePath: string;
  /** Set when the data lives in PostgreSQL (DATABASE_URL); DATABASE_PATH is then unused. */
  readonly databaseUrl: string | null;
  readonly databasePoolSize: number;
  /** This process's place on its host, so a restart takes over its own earlier lease at once. */
  readonly instanceSlot: string;
  readonly demoDatabasePath: string;
  /** The organisation's own surveys, loaded on top of the shipped ones; null when SURVEYS_DIR is unset. */
  readonly surveysDir: string | null;
  /** Null when unset: a key is then generated once into the data directory. */
  readonly respondentKeySecret: string | null;
  readonly policy: ScoringPolicy;
  readonly retentionDays: number;
  readonly tickCron: string;
  readonly leaseTtlMs: number;
  /**
   * `GET /metrics`: off (null) unless METRICS_TOKEN (a bearer token, on the main port) or METRICS_PORT (a
   * listener of its own, token optional) is set.
   */
  readonly metrics: { readonly token: string | null; readonly port: number | null } | null;
  readonly slack: SlackConfig | null;
  readonly teams: TeamsConfig | null;
  readonly web: WebConfig;
  /** Every secret value configured, for the logger's last-resort scrubbing. */
  readonly secrets: readonly string[];
}

export type ConfigResult = { readonly ok: true; readonly config: AppConfig } | { readonly ok: false; readonly problems: readonly string[] };

/** Variables that connect each platform, for the message shown when none is configured. */
export const CONNECTION_VARIABLES = {
  slack: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET (HTTP mode)', 'SLACK_APP_TOKEN (Socket Mode)'],
  teams: ['MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppType', 'MicrosoftAppTenantId'],
} as const;

function describeReceived(variable: string, raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') return 'nothing';
  if (SECRET_VARIABLES.has(variable)) return `a value of ${raw.length} characters`;
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
}

/** Reads and validates the environment. Pass `env` in tests; `overrides` win over it (CLI flags). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<string, string>> = {}): ConfigResult {
  const source: Record<string, string | undefined> = { ...env, ...overrides };
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      return `${variable}: ${issue.message}, got ${describeReceived(variable, source[variable])}`;
    });
    return { ok: false, problems: [...new Set(problems)] };
  }
  const e = parsed.data;
  const dataDir = e.DATA_DIR;
  const slack: SlackConfig | null = e.SLACK_BOT_TOKEN
    ? { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET ?? null, appToken: e.SLACK_APP_TOKEN ?? null, apiUrl: e.SLACK_API_URL ?? null, adminUserIds: e.ADMIN_SLACK_USER_IDS ?? [] }
    : null;
  const devNoAuth = e.TEAMS_DEV_NO_AUTH === '1';
  const settingKeys = ['MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppType', 'MicrosoftAppTenantId', 'ToBotFromChannelOpenIdMetadataUrl', 'ToBotFromChannelTokenIssuer', 'ToChannelFromBotLoginUrl', 'ToChannelFromBotOAuthScope', 'ToBotFromEmulatorOpenIdMetadataUrl', 'OAuthUrl', 'CallerId'] as const;
  const settings: Record<string, string> = {};
  for (const key of settingKeys) {
    const value = e[key];
    if (typeof value === 'string') settings[key] = value;
  }
  const teams: TeamsConfig | null =
    (e.MicrosoftAppId && e.MicrosoftAppPassword) || devNoAuth
      ? {
          appId: e.MicrosoftAppId ?? '',
          appPassword: e.MicrosoftAppPassword ?? '',
          appType: e.MicrosoftAppType ?? 'MultiTenant',
          tenantId: e.MicrosoftAppTenantId ?? null,
          adminObjectIds: e.ADMIN_TEAMS_AAD_OBJECT_IDS ?? [],
          allowedTenantIds: e.TEAMS_ALLOWED_TENANT_IDS ?? (e.MicrosoftAppTenantId && e.MicrosoftAppType !== 'MultiTenant' ? [e.MicrosoftAppTenantId] : null),
          settings,
          devNoAuth,
        }
      : null;
  const allowedTenants = e.TEAMS_ALLOWED_TENANT_IDS ?? (e.MicrosoftAppTenantId ? [e.MicrosoftAppTenantId] : []);
  const entraTenant = e.ENTRA_TENANT ?? (allowedTenants.length === 1 ? (allowedTenants[0] as string) : 'organizations');
  const web: WebConfig = {
    publicUrl: e.PUBLIC_URL ? e.PUBLIC_URL.replace(/\/+$/, '') : null,
    sessionSecret: e.SESSION_SECRET ?? null,
    previousSessionSecret: e.SESSION_SECRET_PREVIOUS ?? null,
    sessionHours: e.SESSION_HOURS,
    slack: e.SLACK_OIDC_CLIENT_ID && e.SLACK_OIDC_CLIENT_SECRET ? { clientId: e.SLACK_OIDC_CLIENT_ID, clientSecret: e.SLACK_OIDC_CLIENT_SECRET } : null,
    entra:
      e.ENTRA_CLIENT_ID && e.ENTRA_CLIENT_SECRET
        ? { clientId: e.ENTRA_CLIENT_ID, clientSecret: e.ENTRA_CLIENT_SECRET, tenant: entraTenant, allowedTenantIds: entraTenant === 'organizations' ? allowedTenants : [entraTenant, ...allowedTenants.filter((id) => id !== entraTenant)] }
        : null,
  };
  const secrets = [databaseUrlPassword(e.DATABASE_URL), e.RESPONDENT_KEY_SECRET, e.SLACK_BOT_TOKEN, e.SLACK_SIGNING_SECRET, e.SLACK_APP_TOKEN, e.MicrosoftAppPassword, e.METRICS_TOKEN, e.SESSION_SECRET, e.SESSION_SECRET_PREVIOUS, e.SLACK_OIDC_CLIENT_SECRET, e.ENTRA_CLIENT_SECRET].filter((value): value is string => typeof value === 'string');
  return {
    ok: true,
    config: {
      logLevel: e.LOG_LEVEL,
      logFormat: e.LOG_FORMAT,
      host: e.HOST,
      port: e.PORT,
      dataDir,
      databasePath: e.DATABASE_PATH ?? path.join(dataDir, 'maturity-pulse.db'),
      databaseUrl: e.DATABASE_URL ?? null,
      databasePoolSize: e.DATABASE_POOL_SIZE,
      instanceSlot: e.INSTANCE_SLOT,
      demoDatabasePath: e.DEMO_DATABASE_PATH ?? path.join(dataDir, 'demo.db'),
      surveysDir: e.SURVEYS_DIR ?? null,
      respondentKeySecret: e.RESPONDENT_KEY_SECRET ?? null,
      policy: { minRespondents: e.MIN_RESPONDENTS, minCommentRespondents: e.MIN_COMMENT_RESPONDENTS, windowRounds: e.WINDOW_ROUNDS, trendThreshold: e.TREND_THRESHOLD },
      retentionDays: e.RETENTION_DAYS,
      tickCron: e.TICK_CRON,
      leaseTtlMs: e.LEASE_TTL_SECONDS * 1000,
      metrics: e.METRICS_TOKEN !== undefined || e.METRICS_PORT !== undefined ? { token: e.METRICS_TOKEN ?? null, port: e.METRICS_PORT ?? null } : null,
      slack,
      teams,
      web,
      secrets,
    },
  };
}

/**
 * The configuration with DATA_DIR, the database files and SURVEYS_DIR made absolute against `cwd`, so
 * every log line and message names where data really lives, whichever directory the process started in.
 * (`loadConfig` itself keeps the values as given.)
 */
export function withAbsolutePaths(config: AppConfig, cwd: string = process.cwd()): AppConfig {
  // ':memory:' is SQLite's name for a database that is no file at all.
  const absolute = (file: string): string => (file === ':memory:' ? file : path.resolve(cwd, file));
  return {
    ...config,
    dataDir: path.resolve(cwd, config.dataDir),
    databasePath: absolute(config.databasePath),
    demoDatabasePath: absolute(config.demoDatabasePath),
    surveysDir: config.surveysDir === null ? null : path.resolve(cwd, config.surveysDir),
  };
}

/** The password inside a DATABASE_URL, for the logger's scrubbing (the URL itself is never logged unredacted). */
function databaseUrlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password.length > 0 ? password : undefined;
  } catch {
    return undefined;
  }
}

/** Where the live data is: PostgreSQL when DATABASE_URL is set, otherwise the SQLite file at DATABASE_PATH. */
export function liveStorageTarget(config: AppConfig): StorageTarget {
  return config.databaseUrl ? { engine: 'postgres', url: config.databaseUrl, poolSize: config.databasePoolSize } : { engine: 'sqlite', path: config.databasePath };
}

/** Whether any chat platform is configured; without one, `start` runs the demo. */
export function hasChatCredentials(config: AppConfig): boolean {
  return config.slack !== null || config.teams !== null;
}
