import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { closeDatabase } from '../../src/storage/database.js';
import { setupTeam } from '../../src/services/team-service.js';
import { cleanEnv, runCli, ServerProcess } from '../support/processes.js';
import { memoryLogger, tempDir } from '../support/test-context.js';

const running: ServerProcess[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop('SIGKILL')));
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function workspace(): string {
  const { dir, cleanup } = tempDir('mp-proc-');
  cleanups.push(cleanup);
  return dir;
}

function start(env: Record<string, string>): ServerProcess {
  const server = new ServerProcess(env);
  running.push(server);
  return server;
}

async function health(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('npm start without credentials', () => {
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

describe('the scheduler lease', () => {
  it('lets one of two processes tick, and the other take over when the first dies', async () => {
    const dir = workspace();
    const env = cleanEnv(dir, { PORT: '0', TICK_CRON: '* * * * * *', LEASE_TTL_SECONDS: '3' });
    const first = start(env);
    await first.waitFor(/took the scheduler lease/);
    const second = start(env);
    const secondPort = await second.port();
    await second.waitFor(/another process holds the scheduler lease: standing by/);
    expect((await health(secondPort)).body).toMatchObject({ scheduler: 'standby' });
    expect(second.output).not.toMatch(/took the scheduler lease/);

    await first.stop('SIGKILL');
    const tookOverAt = Date.now();
    await second.waitFor(/took the scheduler lease/, 10_000);
    expect(Date.now() - tookOverAt).toBeLessThan(8_000);
    expect((await health(secondPort)).body).toMatchObject({ scheduler: 'running' });
  });
});

describe('with credentials', () => {
  const secrets = {
    SLACK_BOT_TOKEN: 'xoxb-1111-2222-secrettokenvalue',
    SLACK_SIGNING_SECRET: 'signing-secret-value-0123456789abcdef',
    MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
    MicrosoftAppPassword: 'teams-password-secret-value',
    RESPONDENT_KEY_SECRET: 'respondent-key-secret-value-0123456789',
  };

  it('never writes a configured secret to its output', async () => {
    const dir = workspace();
    const env = cleanEnv(dir, { PORT: '0', LOG_LEVEL: 'trace', TICK_CRON: '* * * * * *', ...secrets });
    // A team exists only through setup; create one the way the chat setup does, on the same database.
    const config = loadConfig(env);
    if (!config.ok) throw new Error(config.problems.join('; '));
    const ctx = await openContext(config.config, memoryLogger().log, { databasePath: config.config.databasePath, create: true, kind: 'live' });
    setupTeam(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U1' }, { name: 'Payments', channel: { platform: 'slack', workspaceId: 'T1', channelId: 'C1' }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
    closeDatabase(ctx.db);

    const server = start(env);
    const port = await server.port();
    await health(port);
    const opened = await runCli(['round', 'open', '--team', 'Payments'], env);
    const report = await runCli(['report', '--team', 'Payments'], env);
    await server.waitFor(/"msg":"round opened"|took the scheduler lease/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await server.stop('SIGTERM');
    const everything = [server.output, opened.stdout, opened.stderr, report.stdout, report.stderr].join('\n');
    expect(everything).toMatch(/maturity-pulse is running/);
    for (const [name, value] of Object.entries(secrets)) {
      if (name === 'MicrosoftAppId') continue;
      expect(everything, `${name} leaked`).not.toContain(value);
    }
  });

  it('generates a respondent key once (mode 0600) and refuses a different key later', async () => {
    const dir = workspace();
    const env = cleanEnv(dir, { PORT: '0', SLACK_BOT_TOKEN: secrets.SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: secrets.SLACK_SIGNING_SECRET });
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
  });

  it('refuses a database holding the demo organisation', async () => {
    const dir = workspace();
    const env = cleanEnv(dir, { PORT: '0' });
    await runCli(['demo', '--teams', '12', '--weeks', '2', '--database', path.join(dir, 'org.db')], env);
    const server = start({ ...env, DATABASE_PATH: path.join(dir, 'org.db'), ...secrets });
    expect(await server.exited()).toBe(1);
    expect(server.output).toMatch(/org\.db holds the demo organisation; point DATABASE_PATH at a real database/);
  });
});
