/**
 * The start-up auth.test says what went wrong: a refused token is a person's job (one line, no retries);
 * an unreachable Slack is an outage to wait out (retried on a schedule until it answers or the app stops).
 * Real HTTP throughout: the Web API stand-in, and a loopback port that drops every connection.
 */
import { createServer } from 'node:net';
import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { slackClientOptions } from '../../src/adapters/slack/app.js';
import { checkBotToken, type TokenCheckOutcome } from '../../src/adapters/slack/token-check.js';
import { loadConfig, type SlackConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';
import { SURVEYS } from '../support/processes.js';
import { SlackApiStandIn } from '../support/slack-stand-in.js';
import { createTestStorage, memoryLogger, tempDir } from '../support/test-context.js';
import { UnreachablePlatform } from '../support/unreachable-platform.js';

const TOKEN = 'xoxb-test-token';
const REFUSED = 'Slack rejected the bot token: check SLACK_BOT_TOKEN; Slack posts wait in the outbox meanwhile';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function standIn(): Promise<SlackApiStandIn> {
  const slack = new SlackApiStandIn({ botToken: TOKEN, teamId: 'T1' });
  await slack.start();
  cleanups.push(() => slack.stop());
  return slack;
}

async function sink(): Promise<UnreachablePlatform> {
  const endpoint = new UnreachablePlatform();
  await endpoint.start();
  cleanups.push(() => endpoint.stop());
  return endpoint;
}

function slackConfig(apiUrl: string): SlackConfig {
  return { botToken: TOKEN, signingSecret: 'signing-secret-0123456789abcdef', appToken: null, apiUrl, adminUserIds: [] };
}

/** The app's own Web API client settings, pointed at `apiUrl`. */
function clientFor(apiUrl: string, overrides: webApi.WebClientOptions = {}): webApi.WebClient {
  const { log } = memoryLogger();
  return new webApi.WebClient(TOKEN, { ...slackClientOptions(slackConfig(apiUrl), log), ...overrides });
}

function parsed(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

function messages(lines: readonly string[]): unknown[] {
  return parsed(lines).map((line) => line['msg']);
}

/** The whole app in HTTP mode with SLACK_API_URL at `apiUrl`; returns its log lines once start() is done. */
async function startApp(apiUrl: string): Promise<{ lines: string[]; stop: () => Promise<void> }> {
  const temp = tempDir('mp-slack-start-');
  const storage = await createTestStorage(temp.dir);
  const config = loadConfig({
    DATA_DIR: temp.dir,
    ...storage.env,
    SURVEYS_DIR: SURVEYS,
    PORT: '0',
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: 'signing-secret-0123456789abcdef',
    SLACK_API_URL: apiUrl,
    RESPONDENT_KEY_SECRET: 'respondent-secret-for-the-slack-tests-0123',
  });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const { log, lines } = memoryLogger();
  const server = await startServer(config.config, log, () => undefined);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    await storage.drop();
    temp.cleanup();
  };
  cleanups.push(stop);
  return { lines, stop };
}

describe('the app at start-up', () => {
  it('says the token was refused when Slack refuses it, and does not ask again', async () => {
    const slack = await standIn();
    slack.revokeToken();
    const app = await startApp(slack.apiUrl);
    // start() waited for the first answer: the line is there already.
    const refused = parsed(app.lines).find((line) => line['msg'] === REFUSED);
    expect(refused).toMatchObject({ level: 50, reason: 'token_revoked' });
    expect(messages(app.lines).filter((msg) => typeof msg === 'string' && /cannot reach Slack|connected to Slack/.test(msg))).toEqual([]);
    expect(slack.callsTo('auth.test')).toHaveLength(1);
  });

  it('says Slack cannot be reached, naming its host, when nothing answers there', async () => {
    const endpoint = await sink();
    const app = await startApp(endpoint.url('/api/'));
    const host = new URL(endpoint.url()).host;
    const line = parsed(app.lines).find((candidate) => candidate['msg'] === `cannot reach Slack at ${host}; retrying`);
    expect(line).toMatchObject({ level: 50, retryInMs: 5_000, failedChecks: 1 });
    expect(messages(app.lines)).not.toContain(REFUSED);
    // The health check still answers meanwhile: the app is up, its posts wait in the outbox.
    expect(messages(app.lines)).toContainEqual(expect.stringMatching(/^maturity-pulse is running/));
  });
});

describe('the token check while Slack is unreachable', () => {
  it('retries after 5 s, 15 s, 60 s, then every 60 s, and says when Slack answers', async () => {
    const slack = await standIn();
    const endpoint = await sink();
    const down = clientFor(endpoint.url('/api/'));
    const up = clientFor(slack.apiUrl);
    const { log, lines } = memoryLogger();
    const pauses: number[] = [];
    // Slack comes back after four failed checks. The pauses are recorded, not waited.
    const check = checkBotToken({
      authTest: () => (pauses.length < 4 ? down : up).auth.test(),
      apiHost: new URL(endpoint.url()).host,
      log,
      stopped: () => false,
      wait: async (ms) => {
        pauses.push(ms);
      },
    });
    expect(await check.first).toBe('retrying');
    expect(await check.settled).toBe('connected');
    expect(pauses).toEqual([5_000, 15_000, 60_000, 60_000]);
    const host = new URL(endpoint.url()).host;
    const checks = parsed(lines).filter((line) => line['msg'] === `cannot reach Slack at ${host}; retrying`);
    expect(checks.map((line) => [line['level'], line['failedChecks'], line['retryInMs']])).toEqual([
      [50, 1, 5_000],
      [40, 2, 15_000],
      [40, 3, 60_000],
      [40, 4, 60_000],
    ]);
    expect(parsed(lines).at(-1)).toMatchObject({ msg: 'connected to Slack', team: 'T1', failedChecks: 4 });
    // auth.test is a read: the transport tried each check three times (a refused post would get one try).
    expect(endpoint.connections).toBe(4 * 3);
    expect(slack.callsTo('auth.test')).toHaveLength(1);
  });

  it('stops retrying once the adapter stops, and logs nothing after', async () => {
    const endpoint = await sink();
    const down = clientFor(endpoint.url('/api/'));
    const { log, lines } = memoryLogger();
    let stopped = false;
    let pauses = 0;
    const check = checkBotToken({
      authTest: () => down.auth.test(),
      apiHost: new URL(endpoint.url()).host,
      log,
      stopped: () => stopped,
      wait: async () => {
        pauses += 1;
        if (pauses === 2) stopped = true;
      },
    });
    const outcome: TokenCheckOutcome = await check.settled;
    expect(outcome).toBe('stopped');
    expect(lines).toHaveLength(2);
    expect(endpoint.connections).toBe(2 * 3);
  });

  it('counts a timed-out auth.test as Slack unreachable, and does not repeat the timed-out request', async () => {
    const slack = await standIn();
    slack.answerTooLateNext('auth.test');
    // A short client timeout so the test need not wait out the app's 10 s; the policy under test is the same.
    const client = clientFor(slack.apiUrl, { timeout: 300 });
    const { log, lines } = memoryLogger();
    const check = checkBotToken({ authTest: () => client.auth.test(), apiHost: new URL(slack.apiUrl).host, log, stopped: () => false, wait: async () => undefined });
    expect(await check.settled).toBe('connected');
    expect(parsed(lines)[0]).toMatchObject({ msg: `cannot reach Slack at ${new URL(slack.apiUrl).host}; retrying`, reason: 'timed out' });
    expect(slack.callsTo('auth.test').map((call) => call.unanswered ?? false)).toEqual([true, false]);
  });

  it('counts a refused connection (nothing listening) as Slack unreachable', async () => {
    // A port that was free a moment ago; the sink above is the race-free variant of the same outage.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const address = closed.address();
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    if (address === null || typeof address === 'string') throw new Error('no port');
    const apiUrl = `http://127.0.0.1:${address.port}/api/`;
    const client = clientFor(apiUrl);
    const { log, lines } = memoryLogger();
    let stopped = false;
    const check = checkBotToken({ authTest: () => client.auth.test(), apiHost: new URL(apiUrl).host, log, stopped: () => stopped, wait: async () => { stopped = true; } });
    expect(await check.settled).toBe('stopped');
    expect(parsed(lines)).toEqual([expect.objectContaining({ msg: `cannot reach Slack at 127.0.0.1:${address.port}; retrying`, reason: 'ECONNREFUSED' })]);
  });

  it('does not retry a refused token', async () => {
    const slack = await standIn();
    slack.revokeToken();
    const client = clientFor(slack.apiUrl);
    const { log, lines } = memoryLogger();
    const check = checkBotToken({ authTest: () => client.auth.test(), apiHost: 'unused', log, stopped: () => false, wait: () => Promise.reject(new Error('a refused token must not be retried')) });
    expect(await check.first).toBe('token-refused');
    expect(await check.settled).toBe('token-refused');
    expect(parsed(lines).map((line) => [line['msg'], line['reason']])).toEqual([[REFUSED, 'token_revoked']]);
    expect(slack.callsTo('auth.test')).toHaveLength(1);
  });
});
