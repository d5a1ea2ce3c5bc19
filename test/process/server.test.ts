import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { setupTeam } from '../../src/services/team-service.js';
import { describeTarget, openStore } from '../../src/storage/open-store.js';
import type { Store } from '../../src/storage/store.js';
import { cleanEnv, eventually, runCli, ServerProcess } from '../support/processes.js';
import { SlackApiStandIn } from '../support/slack-stand-in.js';
import { BOT_CONNECTOR_AUDIENCE, BOT_FRAMEWORK_ISSUER, PUBLIC_AZURE_CALLER_ID } from '../support/teams-token-issuer.js';
import { createTestStorage, memoryLogger, tempDir, testEngine, type TestStorage } from '../support/test-context.js';
import { UnreachablePlatform } from '../support/unreachable-platform.js';
import { waitUntil } from '../support/wait.js';

const running: ServerProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop('SIGKILL')));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workspace(): string {
  const { dir, cleanup } = tempDir('mp-proc-');
  cleanups.push(cleanup);
  return dir;
}

/** Fresh live storage on this project's engine (a SQLite file in `dir`, or a PostgreSQL database), dropped afterwards. */
async function liveStorage(dir: string): Promise<TestStorage> {
  const storage = await createTestStorage(dir);
  cleanups.push(() => storage.drop());
  return storage;
}

/** A store on the same data the processes use, for reading what they wrote; closed afterwards. */
async function observe(storage: TestStorage): Promise<Store> {
  const store = await openStore(storage.target, { migrate: false });
  cleanups.push(() => store.close());
  return store;
}

function start(env: Record<string, string>): ServerProcess {
  const server = new ServerProcess(env);
  running.push(server);
  return server;
}

/** A loopback endpoint that drops every connection, for platforms a test must not reach. */
async function unreachable(): Promise<UnreachablePlatform> {
  const endpoint = new UnreachablePlatform();
  await endpoint.start();
  cleanups.push(() => endpoint.stop());
  return endpoint;
}

/** A Slack Web API stand-in for workspace T1 that knows the bot token `token` and channel C1. */
async function slackStandIn(token: string): Promise<SlackApiStandIn> {
  const slack = new SlackApiStandIn({ teamId: 'T1', botToken: token, triggerNow: () => 0 });
  await slack.start();
  cleanups.push(() => slack.stop());
  for (const id of ['U1', 'U2', 'U3']) slack.addUser({ id, name: id.toLowerCase() });
  slack.addChannel({ id: 'C1', name: 'payments', members: ['U1', 'U2', 'U3'] });
  return slack;
}

/**
 * Every Bot Framework endpoint botbuilder would call, pointed at `endpoint`: setting any of them makes it
 * take all of them literally (see TeamsTokenIssuer.authSettings), so the non-URL ones get their public values.
 */
function teamsEndpoints(endpoint: UnreachablePlatform): Record<string, string> {
  return {
    ToBotFromChannelOpenIdMetadataUrl: endpoint.url('/openid-configuration'),
    ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
    ToChannelFromBotLoginUrl: endpoint.url('/login'),
    ToChannelFromBotOAuthScope: BOT_CONNECTOR_AUDIENCE,
    ToBotFromEmulatorOpenIdMetadataUrl: endpoint.url('/emulator-openid-configuration'),
    OAuthUrl: endpoint.url('/oauth'),
    CallerId: PUBLIC_AZURE_CALLER_ID,
  };
}

async function health(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

// The demo runs on its own SQLite file whatever the engine, and configuration is checked before storage opens:
// these run once, in the SQLite project.
describe.runIf(testEngine() === 'sqlite')('npm start without credentials', () => {
  it('runs the demo: prints a report and the digest, serves /healthz, and posts what the CLI asks for', async () => {
    const dir = workspace();
    const env = cleanEnv(dir, { PORT: '0', TICK_CRON: '* * * * * *' });
    const server = start(env);
    const port = await server.port();
    expect(server.output).toMatch(/No Slack or Teams credentials are set, so this is the demo\. Set SLACK_BOT_TOKEN/);
    expect(server.output).toMatch(/MicrosoftAppId/);
    expect(server.output).toMatch(/\nPayments · CNCF platform engineering maturity · last 3 rounds per aspect\n/);
    expect(server.output).toMatch(/\nPlatform maturity · week \d{4}-W\d{2}\n/);
    expect(await health(port)).toMatchObject({ status: 200, body: { status: 'ok', mode: 'demo' } });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    // The dashboard is there at once, with the demo's people to sign in as.
    expect(server.output).toContain(`Dashboard: http://127.0.0.1:${port}/`);
    const home = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect([home.status, home.headers.get('location')]).toEqual([302, '/sign-in']);
    expect(await (await fetch(`http://127.0.0.1:${port}/sign-in`)).text()).toContain('Sign in as Priya');
    const signedIn = await fetch(`http://127.0.0.1:${port}/auth/demo`, { method: 'POST', redirect: 'manual', headers: { origin: `http://127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'person=pm' });
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const organisation = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie } });
    expect(organisation.status).toBe(200);
    expect(await organisation.text()).toContain('All teams');

    // The live rounds the demo opened are posted through the outbox by the running process.
    await server.waitFor(/"kind":"round-opened"[^\n]*demo post/);
    const opened = await runCli(['round', 'open', '--team', 'Mobile', '--aspect', 'measurement', '--database', path.join(dir, 'demo.db')], env);
    expect(opened.code).toBe(0);
    await server.waitFor(/"channel":"#mobile","kind":"round-opened"[^\n]*demo post:\\nPlatform pulse · Measurement/);
    const closed = await runCli(['round', 'close', '--team', 'Mobile', '--database', path.join(dir, 'demo.db')], env);
    expect(closed.code).toBe(0);
    await server.waitFor(/"channel":"#mobile","kind":"round-closed"/);
    await server.waitFor(/"channel":"#mobile","kind":"round-result","threadOf":"demo-#mobile-/);

    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.output).toMatch(/"msg":"stopped"/);
  });

  it('refuses to start on bad configuration, listing every problem', async () => {
    const dir = workspace();
    const server = start(cleanEnv(dir, { PORT: '70000', MIN_RESPONDENTS: '1', TICK_CRON: 'every minute' }));
    expect(await server.exited()).toBe(1);
    expect(server.output).toMatch(/PORT: expected at most 65535, got "70000"/);
    expect(server.output).toMatch(/MIN_RESPONDENTS: expected at least 3, got "1"/);
    expect(server.output).toMatch(/TICK_CRON: expected a cron expression/);
    expect(server.output).not.toMatch(/\n\s+at /);
  });
});

// The scheduler lease between two live processes (one ticks, the other stands by, reports 'standby' on /healthz
// and takes over once the killed holder's lease expires) is test/process/takeover.test.ts, on both engines.

describe('with credentials', () => {
  const secrets = {
    SLACK_BOT_TOKEN: 'xoxb-1111-2222-secrettokenvalue',
    SLACK_SIGNING_SECRET: 'signing-secret-value-0123456789abcdef',
    MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
    MicrosoftAppPassword: 'teams-password-secret-value',
    RESPONDENT_KEY_SECRET: 'respondent-key-secret-value-0123456789',
    SESSION_SECRET: 'session-secret-value-0123456789abcdefghij',
    SLACK_OIDC_CLIENT_SECRET: 'slack-oidc-client-secret-value',
  };
  // Who may use the multi-tenant Teams app (not a secret); configurations without it are refused.
  const tenants = { TEAMS_ALLOWED_TENANT_IDS: '00000000-0000-0000-0000-0000000000aa', PUBLIC_URL: 'https://pulse.example.com', SLACK_OIDC_CLIENT_ID: '1111.2222' };

  it('never writes a configured secret to its output', async () => {
    const dir = workspace();
    const storage = await liveStorage(dir);
    const slack = await slackStandIn(secrets.SLACK_BOT_TOKEN);
    // On PostgreSQL the URL carries a password too (the test server trusts local connections and ignores it).
    const databasePassword = 'database-password-secret-value';
    const storageEnv = storage.target.engine === 'postgres' ? { DATABASE_URL: withPassword(storage.target.url, databasePassword) } : storage.env;
    const allSecrets: Record<string, string> = storage.target.engine === 'postgres' ? { ...secrets, DATABASE_URL: databasePassword } : secrets;
    const env = cleanEnv(dir, { PORT: '0', LOG_LEVEL: 'trace', TICK_CRON: '* * * * * *', ...secrets, ...tenants, SLACK_API_URL: slack.apiUrl, ...teamsEndpoints(await unreachable()), ...storageEnv });
    // A team exists only through setup; create one the way the chat setup does, on the same database.
    const config = loadConfig(env);
    if (!config.ok) throw new Error(config.problems.join('; '));
    const ctx = await openContext(config.config, memoryLogger().log, { target: storage.target, create: true, kind: 'live' });
    try {
      const created = await setupTeam(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U1' }, { name: 'Payments', channel: { platform: 'slack', workspaceId: 'T1', channelId: 'C1' }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
      expect(created.kind).toBe('created');
    } finally {
      await ctx.store.close();
    }

    const server = start(env);
    const port = await server.port();
    await health(port);
    const opened = await runCli(['round', 'open', '--team', 'Payments'], env);
    expect(opened.code).toBe(0);
    const report = await runCli(['report', '--team', 'Payments'], env);
    // The secrets were in use: the round went out to Slack with the bot token and was recorded as sent.
    const posted = await waitUntil('the round message in C1', () => slack.callsTo('chat.postMessage').find((call) => call.body['channel'] === 'C1' && call.response.ok === true));
    expect(posted.headers.authorization).toBe(`Bearer ${secrets.SLACK_BOT_TOKEN}`);
    const store = await observe(storage);
    await eventually('the round delivery recorded as sent', async () => (await store.listDeliveries({ status: 'sent' })).filter((delivery) => delivery.kind === 'round-opened').length === 1);
    // A clean stop writes the last lines; after the exit the output is complete.
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.output).toMatch(/"msg":"stopped"/);
    const everything = [server.output, opened.stdout, opened.stderr, report.stdout, report.stderr].join('\n');
    expect(everything).toMatch(/maturity-pulse is running/);
    // The database is named, without its password.
    if (storage.target.engine === 'postgres') expect(server.output).toContain(`opened the PostgreSQL database at ${withPassword(storage.target.url, '***')}`);
    for (const [name, value] of Object.entries(allSecrets)) {
      if (name === 'MicrosoftAppId') continue;
      expect(everything, `${name} leaked`).not.toContain(value);
    }
  });

  it('generates a respondent key once (mode 0600) and refuses a different key later', async () => {
    const dir = workspace();
    const storage = await liveStorage(dir);
    const slack = await slackStandIn(secrets.SLACK_BOT_TOKEN);
    const env = cleanEnv(dir, { PORT: '0', SLACK_BOT_TOKEN: secrets.SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: secrets.SLACK_SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, ...storage.env });
    const first = start(env);
    await first.port();
    expect(first.output).toMatch(/RESPONDENT_KEY_SECRET is not set: generated a respondent key into the data directory/);
    await first.stop();
    const keyFile = path.join(dir, 'respondent-key');
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const second = start(env);
    await second.port();
    expect(second.output).not.toMatch(/generated a respondent key/);
    await second.stop();

    const third = start({ ...env, RESPONDENT_KEY_SECRET: secrets.RESPONDENT_KEY_SECRET });
    expect(await third.exited()).toBe(1);
    expect(third.output).toMatch(/The respondent key does not match the one .* was created with/);
    expect(third.output).toContain(await describeTarget(storage.target));
  });

  it('refuses a database holding the demo organisation', async () => {
    const dir = workspace();
    const env = cleanEnv(dir, { PORT: '0' });
    // The demo is always a SQLite file; on PostgreSQL it reaches the live database the way an operator would
    // move any SQLite database there: migrate --to.
    // Any demo organisation is refused; two teams over two weeks make one quickly.
    expect((await runCli(['demo', '--teams', '2', '--weeks', '2', '--database', path.join(dir, 'org.db')], env)).code).toBe(0);
    let live: Record<string, string> = { DATABASE_PATH: path.join(dir, 'org.db') };
    let refused = /org\.db holds the demo organisation; point DATABASE_PATH \(or DATABASE_URL\) at a real database/;
    if (testEngine() === 'postgres') {
      const storage = await liveStorage(dir);
      const copied = await runCli(['migrate', '--to', storage.env.DATABASE_URL ?? ''], { ...env, DATABASE_PATH: path.join(dir, 'org.db') });
      expect(copied.stderr).toBe('');
      expect(copied.stdout).toMatch(/^Copied .*org\.db into postgres:\/\/postgres@127\.0\.0\.1:\d+\/mp_test_[0-9a-f]+ \(/);
      live = storage.env;
      refused = new RegExp(`${escapeRegExp(await describeTarget(storage.target))} holds the demo organisation; point DATABASE_PATH \\(or DATABASE_URL\\) at a real database`);
    }
    const platforms = await unreachable();
    const server = start({ ...env, ...live, ...secrets, ...tenants, SLACK_API_URL: platforms.url('/api/'), ...teamsEndpoints(platforms) });
    expect(await server.exited()).toBe(1);
    expect(server.output).toMatch(refused);
    // Refused before connecting anything: neither Slack nor Bot Framework was called.
    expect(platforms.connections).toBe(0);
  });
});

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
