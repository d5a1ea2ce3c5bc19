import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { liveStorageTarget, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const result = loadConfig({});
    expect(result.ok && result.config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      databasePath: 'data/maturity-pulse.db',
      demoDatabasePath: 'data/demo.db',
      policy: { minRespondents: 3, minCommentRespondents: 5, windowRounds: 3, trendThreshold: 0.3 },
      retentionDays: 730,
      databaseUrl: null,
      databasePoolSize: 10,
      instanceSlot: '0',
      slack: null,
      teams: null,
    });
    expect(result.ok && liveStorageTarget(result.config)).toEqual({ engine: 'sqlite', path: 'data/maturity-pulse.db' });
  });

  it('keeps the data in PostgreSQL when DATABASE_URL is set, and in the SQLite file otherwise', () => {
    const url = 'postgres://pulse:pa%40ss-word-value@db.internal:5432/maturity_pulse';
    const postgres = loadConfig({ DATABASE_URL: url, DATABASE_PATH: '/srv/pulse/ignored.db', DATABASE_POOL_SIZE: '25' });
    expect(postgres.ok && liveStorageTarget(postgres.config)).toEqual({ engine: 'postgres', url, poolSize: 25 });
    // The password is masked wherever it might appear, as written and decoded.
    expect(postgres.ok && postgres.config.secrets).toContain('pa@ss-word-value');
    const postgresql = loadConfig({ DATABASE_URL: 'postgresql://pulse@db.internal/maturity_pulse' });
    expect(postgresql.ok && liveStorageTarget(postgresql.config)).toEqual({ engine: 'postgres', url: 'postgresql://pulse@db.internal/maturity_pulse', poolSize: 10 });
    const blank = loadConfig({ DATABASE_URL: '  ', DATABASE_PATH: '/srv/pulse/live.db' });
    expect(blank.ok && liveStorageTarget(blank.config)).toEqual({ engine: 'sqlite', path: '/srv/pulse/live.db' });
  });

  it('names a bad DATABASE_URL, pool size or instance slot without quoting the URL', () => {
    const result = loadConfig({ DATABASE_URL: 'mysql://root:hunter2-secret@db/pulse', DATABASE_POOL_SIZE: '0', INSTANCE_SLOT: 'web/1' });
    expect(result.ok ? [] : result.problems).toEqual(
      expect.arrayContaining([
        'DATABASE_URL: expected a PostgreSQL URL such as postgres://user:password@host:5432/maturity_pulse, got a value of 36 characters',
        'DATABASE_POOL_SIZE: expected at least 1, got "0"',
        'INSTANCE_SLOT: expected up to 64 letters, digits, dots, dashes or underscores, got "web/1"',
      ]),
    );
    expect((result.ok ? [] : result.problems).join('\n')).not.toContain('hunter2');
    expect(loadConfig({ DATABASE_POOL_SIZE: '501' })).toMatchObject({ ok: false, problems: ['DATABASE_POOL_SIZE: expected at most 500, got "501"'] });
    expect(loadConfig({ INSTANCE_SLOT: 'x'.repeat(65) }).ok).toBe(false);
  });

  it('turns /metrics on only with METRICS_TOKEN or METRICS_PORT, and never echoes the token', () => {
    expect(loadConfig({})).toMatchObject({ ok: true, config: { metrics: null } });
    expect(loadConfig({ METRICS_TOKEN: 'a-long-enough-metrics-token' })).toMatchObject({ ok: true, config: { metrics: { token: 'a-long-enough-metrics-token', port: null } } });
    expect(loadConfig({ METRICS_PORT: '9464' })).toMatchObject({ ok: true, config: { metrics: { token: null, port: 9464 } } });
    expect(loadConfig({ METRICS_TOKEN: 'short-secret' })).toMatchObject({ ok: false, problems: ['METRICS_TOKEN: expected at least 16 characters, got a value of 12 characters'] });
    expect(loadConfig({ METRICS_PORT: 'nine' })).toMatchObject({ ok: false, problems: ['METRICS_PORT: expected a number, got "nine"'] });
    const configured = loadConfig({ METRICS_TOKEN: 'a-long-enough-metrics-token' });
    expect(configured.ok && configured.config.secrets).toContain('a-long-enough-metrics-token');
  });

  it('reads the dashboard settings: sign-in providers need PUBLIC_URL and their secret, Entra a tenant or an allow-list', () => {
    expect(loadConfig({})).toMatchObject({ ok: true, config: { web: { publicUrl: null, sessionSecret: null, sessionHours: 8, slack: null, entra: null } } });
    const slack = { PUBLIC_URL: 'https://pulse.example.com/', SLACK_OIDC_CLIENT_ID: '111.222', SLACK_OIDC_CLIENT_SECRET: 'slack-oidc-secret-value' };
    expect(loadConfig(slack)).toMatchObject({ ok: true, config: { web: { publicUrl: 'https://pulse.example.com', slack: { clientId: '111.222', clientSecret: 'slack-oidc-secret-value' } } } });
    const withSecret = loadConfig({ ...slack, SESSION_SECRET: 's'.repeat(40) });
    expect(withSecret.ok && withSecret.config.secrets).toEqual(expect.arrayContaining(['slack-oidc-secret-value', 's'.repeat(40)]));
    expect(loadConfig({ SLACK_OIDC_CLIENT_ID: '111.222', SLACK_OIDC_CLIENT_SECRET: 'slack-oidc-secret-value' })).toMatchObject({ ok: false, problems: ['PUBLIC_URL: required with SLACK_OIDC_CLIENT_ID: sign-in comes back to PUBLIC_URL/auth/callback/…, got nothing'] });
    expect(loadConfig({ PUBLIC_URL: 'https://pulse.example.com', SLACK_OIDC_CLIENT_ID: '111.222' })).toMatchObject({ ok: false, problems: ['SLACK_OIDC_CLIENT_SECRET: SLACK_OIDC_CLIENT_ID and SLACK_OIDC_CLIENT_SECRET are set together, got nothing'] });
    expect(loadConfig({ PUBLIC_URL: 'ftp://pulse.example.com' }).ok).toBe(false);
    expect(loadConfig({ SESSION_SECRET: 'too-short' })).toMatchObject({ ok: false, problems: ['SESSION_SECRET: expected at least 32 characters, got a value of 9 characters'] });
    expect(loadConfig({ SESSION_HOURS: '0' }).ok).toBe(false);
    const entra = { PUBLIC_URL: 'https://pulse.example.com', ENTRA_CLIENT_ID: 'app-id', ENTRA_CLIENT_SECRET: 'entra-secret-value' };
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(loadConfig(entra).ok).toBe(false);
    expect(loadConfig({ ...entra, ENTRA_TENANT: 'organizations' })).toMatchObject({ ok: false, problems: ['TEAMS_ALLOWED_TENANT_IDS: required with ENTRA_TENANT=organizations: list the tenant ids whose people may sign in, got nothing'] });
    expect(loadConfig({ ...entra, ENTRA_TENANT: tenant })).toMatchObject({ ok: true, config: { web: { entra: { tenant, allowedTenantIds: [tenant] } } } });
    expect(loadConfig({ ...entra, TEAMS_ALLOWED_TENANT_IDS: `${tenant},0badc0de-0000-4000-8000-0000000000ff` })).toMatchObject({ ok: true, config: { web: { entra: { tenant: 'organizations', allowedTenantIds: [tenant, '0badc0de-0000-4000-8000-0000000000ff'] } } } });
    expect(loadConfig({ ...entra, ENTRA_TENANT: 'contoso' }).ok).toBe(false);
  });

  it('reads INSTANCE_SLOT, which tells replicas on one host apart', () => {
    for (const slot of ['1', 'web-2', 'pulse_a.3', 'x'.repeat(64)]) expect(loadConfig({ INSTANCE_SLOT: slot })).toMatchObject({ ok: true, config: { instanceSlot: slot } });
    expect(loadConfig({ INSTANCE_SLOT: '' })).toMatchObject({ ok: true, config: { instanceSlot: '0' } });
  });

  it('treats blank variables as unset and reads platform credentials', () => {
    const result = loadConfig({ PORT: '', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', ADMIN_SLACK_USER_IDS: 'U1, U2,' });
    expect(result.ok && result.config.port).toBe(3000);
    expect(result.ok && result.config.slack).toMatchObject({ botToken: 'xoxb-1', appToken: 'xapp-1', signingSecret: null, adminUserIds: ['U1', 'U2'] });
  });

  it('serves Teams only to the tenants it is told to: a multi-tenant app must list them, a single-tenant one serves its own', () => {
    const credentials = { MicrosoftAppId: '11111111-2222-4333-8444-555555555555', MicrosoftAppPassword: 'a-password-value' };
    const multi = loadConfig({ ...credentials, MicrosoftAppType: 'MultiTenant' });
    expect(multi).toMatchObject({ ok: false, problems: [expect.stringMatching(/^TEAMS_ALLOWED_TENANT_IDS: required for a multi-tenant Teams app/) as unknown] });
    expect(loadConfig(credentials).ok).toBe(false);
    const listed = loadConfig({ ...credentials, MicrosoftAppType: 'MultiTenant', TEAMS_ALLOWED_TENANT_IDS: 'tenant-a, tenant-b' });
    expect(listed.ok && listed.config.teams?.allowedTenantIds).toEqual(['tenant-a', 'tenant-b']);
    const single = loadConfig({ ...credentials, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant-home' });
    expect(single.ok && single.config.teams?.allowedTenantIds).toEqual(['tenant-home']);
    expect(loadConfig({ ...credentials, MicrosoftAppType: 'SingleTenant' })).toMatchObject({ ok: false, problems: [expect.stringMatching(/^MicrosoftAppTenantId: required with MicrosoftAppType=SingleTenant/) as unknown] });
    const dev = loadConfig({ TEAMS_DEV_NO_AUTH: '1' });
    expect(dev.ok && dev.config.teams?.allowedTenantIds).toBeNull();
  });

  it('lists every problem at once, naming what was expected and got, never a secret', () => {
    const result = loadConfig({ MIN_RESPONDENTS: '4', MIN_COMMENT_RESPONDENTS: '3', SLACK_BOT_TOKEN: 'not-a-bot-token-but-secret', MicrosoftAppId: 'app', WINDOW_ROUNDS: '1.5' });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN: expected a bot token starting with xoxb-, got a value of 26 characters',
        'WINDOW_ROUNDS: expected a whole number, got "1.5"',
      ]),
    );
    expect(problems.join('\n')).not.toContain('not-a-bot-token-but-secret');
    // Cross-field rules are reported once the fields themselves parse.
    const crossField = loadConfig({ MIN_RESPONDENTS: '4', MIN_COMMENT_RESPONDENTS: '3', MicrosoftAppId: 'app', SLACK_APP_TOKEN: 'xapp-1' });
    expect(crossField.ok ? [] : crossField.problems).toEqual(
      expect.arrayContaining([
        'MIN_COMMENT_RESPONDENTS: expected at least MIN_RESPONDENTS (4), got "3"',
        'MicrosoftAppPassword: MicrosoftAppId and MicrosoftAppPassword are set together, got nothing',
        'SLACK_BOT_TOKEN: required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set, got nothing',
      ]),
    );
  });
});

describe('logger', () => {
  it('redacts tokens, secrets, signatures and user ids, and masks configured secrets anywhere', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const config = loadConfig({ DATABASE_URL: 'postgres://pulse:database-password-value@db.internal/pulse' });
    const databaseSecrets = config.ok ? config.config.secrets : [];
    expect(databaseSecrets).toEqual(['database-password-value']);
    const log = createLogger({ level: 'info', format: 'json', secrets: ['super-secret-token-value', ...databaseSecrets], destination });
    log.info({ token: 'xoxb-abc', signingSecret: 's3cr3t', headers: { authorization: 'Bearer abc', 'x-slack-signature': 'v0=abc' }, user: { userId: 'U123' }, userId: 'U456', context: { userId: 'U789' } }, 'hello');
    log.warn(`an error message that quotes super-secret-token-value by accident`);
    log.error('connection to postgres://pulse:database-password-value@db.internal/pulse refused');
    const output = lines.join('');
    for (const leaked of ['xoxb-abc', 's3cr3t', 'Bearer abc', 'v0=abc', 'U123', 'U456', 'U789', 'super-secret-token-value', 'database-password-value']) expect(output).not.toContain(leaked);
    expect(output).toContain('[REDACTED]');
    expect(output).toContain('hello');
  });
});
