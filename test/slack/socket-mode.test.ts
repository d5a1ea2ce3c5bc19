import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { setupTeam } from '../../src/services/team-service.js';
import { SURVEYS } from '../support/processes.js';
import { SlackSocketStandIn } from '../support/slack-socket-stand-in.js';
import { SlackApiStandIn } from '../support/slack-stand-in.js';
import { createTestStorage, memoryLogger, tempDir, type TestStorage } from '../support/test-context.js';
import { ADMIN, blockAction, CHANNEL, command, eventually, LEAD, MEMBERS, TEAM } from './slack-harness.js';

const APP_TOKEN = 'xapp-1-A0001-1-socket-mode-test-token';
const BOT_TOKEN = 'xoxb-test-token';

let api: SlackApiStandIn;
let socket: SlackSocketStandIn;
let server: RunningServer;
let lines: string[];
let cleanupTemp: () => void;
let storage: TestStorage;

/**
 * The real app in Socket Mode, started in-process like slack-harness.ts does for HTTP mode, but with an
 * app-level token and SLACK_API_URL on the socket stand-in's front (which passes Web API calls through).
 */
beforeAll(async () => {
  api = new SlackApiStandIn({ teamId: TEAM, botToken: BOT_TOKEN });
  await api.start();
  api.addChannel({ id: CHANNEL, name: 'payments', members: [ADMIN, LEAD, ...MEMBERS] });
  for (const id of [ADMIN, LEAD, ...MEMBERS]) api.addUser({ id, name: id.toLowerCase(), timeZone: 'Europe/Berlin' });
  // Pings every half second so the test also sees the app answer Slack's heartbeat.
  socket = new SlackSocketStandIn({ api, appToken: APP_TOKEN, botToken: BOT_TOKEN, pingIntervalMs: 500 });
  await socket.start();
  const temp = tempDir('mp-slack-socket-');
  cleanupTemp = temp.cleanup;
  storage = await createTestStorage(temp.dir);
  const config = loadConfig({
    DATA_DIR: temp.dir,
    ...storage.env,
    SURVEYS_DIR: SURVEYS,
    PORT: '0',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_API_URL: socket.apiUrl,
    ADMIN_SLACK_USER_IDS: ADMIN,
    RESPONDENT_KEY_SECRET: 'respondent-secret-for-the-slack-tests-0123',
    TICK_CRON: '* * * * * *',
  });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const logger = memoryLogger();
  lines = logger.lines;
  server = await startServer(config.config, logger.log, () => undefined);
});

afterAll(async () => {
  await server?.stop();
  // The app closes its socket on stop; waiting here (rather than letting the stand-in cut it) shows it does.
  if (socket) await eventually('the app to close its Socket Mode connection', () => socket.openConnections === 0, 5_000);
  await socket?.stop();
  await api?.stop();
  await storage?.drop();
  cleanupTemp?.();
});

/** A slash command payload as Socket Mode carries it: the same fields as the HTTP form body. */
function slashCommand(user: string, text: string): Record<string, unknown> {
  return {
    token: 'verification-token-unused-in-socket-mode',
    team_domain: 'test-workspace',
    command: '/maturity',
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: api.createResponseUrl({ channelId: CHANNEL, userId: user }),
    trigger_id: api.issueTriggerId(user),
    ...command(user, text),
  };
}

function answersOfRound(roundId: number): Promise<number> {
  return server.ctx.store.countAnswers(roundId);
}

describe('Socket Mode against the real WebSocket', () => {
  let roundId = 0;
  let roundTs = '';

  it('connects with the app-level token and is greeted with hello', async () => {
    await socket.waitForConnections(1);
    // Bolt's start() resolves on `hello`; the adapter logs this line only then.
    await eventually('the app to report the connection open', () => lines.some((line) => line.includes('Socket Mode connection open')));
    expect(socket.connectionCount).toBe(1);
    expect(socket.openConnections).toBe(1);
    expect(socket.connectionsOpenCalls).toHaveLength(1);
    expect(socket.connectionsOpenCalls[0]).toMatchObject({ token: APP_TOKEN, response: { ok: true } });
    // The bot token goes to the Web API through the same front, never to apps.connections.open.
    expect(api.callsTo('auth.test').map((call) => call.headers.authorization)).toEqual([`Bearer ${BOT_TOKEN}`]);
    await eventually('a pong for a Slack ping', () => socket.pongs > 0);
  });

  it('acks /maturity help with the help text in the ack payload', async () => {
    const ack = await socket.sendEnvelope('slash_commands', slashCommand('U1', 'help'));
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    const text = JSON.stringify(ack.payload);
    for (const sub of ['report [aspect]', 'status', 'ask [aspect]', 'close', 'setup', 'forget-me', 'help']) expect(text).toContain(`/maturity ${sub}`);
    expect(socket.envelopes.at(-1)).toMatchObject({ type: 'slash_commands', accepts_response_payload: true });
  });

  it('lets a configured admin open a round with /maturity ask; the round is posted through the Web API', async () => {
    const setup = await setupTeam(server.ctx, { platform: 'slack', workspaceId: TEAM, userId: ADMIN }, {
      name: 'Payments',
      channel: { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL },
      surveyId: 'cncf-platform-maturity',
      cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 },
    });
    expect(setup.kind).toBe('created');
    const ack = await socket.sendEnvelope('slash_commands', slashCommand(ADMIN, 'ask'));
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Opened a round on \*[^*]+\*; it closes <!date\^\d+\^/) as unknown });
    const message = await eventually('the round message in the channel', () => api.messages(CHANNEL).find((candidate) => candidate.text.startsWith('Platform pulse ·')));
    expect(api.callsTo('chat.postMessage').some((call) => call.response.ok === true && call.body.channel === CHANNEL)).toBe(true);
    expect(JSON.stringify(message.blocks)).toContain('"action_id":"mp_answer_3"');
    const team = (await server.ctx.store.findTeamByChannel({ platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }))!;
    roundId = (await server.ctx.store.findOpenRound(team.id))!.id;
    roundTs = message.ts;
  });

  it('acks an answer click and stores the answer before the ack; the receipt goes to the response_url', async () => {
    const click = blockAction(api, 'U1', 'mp_answer_3', `${roundId}:3`, { container: { type: 'message', channel_id: CHANNEL, message_ts: roundTs } });
    const ack = await socket.sendEnvelope('interactive', click);
    expect(ack.envelope_id).toBe(socket.envelopes.at(-1)?.envelope_id);
    expect(socket.envelopes.at(-1)).toMatchObject({ type: 'interactive', accepts_response_payload: false });
    // The handler commits before acking, so the row is there the moment the ack is.
    expect(await answersOfRound(roundId)).toBe(1);
    const receipt = await eventually('the private receipt', () => api.responses.find((response) => JSON.stringify(response.body).includes('Recorded for')));
    expect(receipt).toMatchObject({ status: 200, body: { response_type: 'ephemeral' } });
  });

  it('handles an app_home_opened event once although Slack delivers it twice', async () => {
    const event = { type: 'app_home_opened', user: 'U1', channel: api.dmChannelId('U1'), tab: 'home', event_ts: `${Math.floor(Date.now() / 1000)}.000100` };
    const payload = socket.eventCallback(event, 'Ev0SOCKETHOME1', TEAM);
    await socket.sendEnvelope('events_api', payload);
    await eventually('the Home tab', () => api.callsTo('views.publish').length === 1);
    await socket.sendEnvelope('events_api', payload, { retryAttempt: 1, retryReason: 'http_timeout' });
    expect(socket.envelopes.at(-1)).toMatchObject({ type: 'events_api', retry_attempt: 1, retry_reason: 'http_timeout', accepts_response_payload: false });
    // The log line is the app's own word that it saw the redelivery, so the count below is not a race.
    await eventually('the redelivery to be ignored', () => lines.some((line) => line.includes('ignored a redelivered Slack event') && line.includes('Ev0SOCKETHOME1')));
    expect(api.callsTo('views.publish')).toHaveLength(1);
    expect(JSON.stringify(api.homeTab('U1')?.view.blocks)).toContain('Payments');
  });

  it('reconnects after Slack asks it to, and keeps working on the new connection', async () => {
    await socket.disconnect('refresh_requested');
    expect(socket.openConnections).toBe(0);
    await socket.waitForConnections(2, 20_000);
    expect(socket.connectionCount).toBe(2);
    expect(socket.openConnections).toBe(1);
    expect(socket.connectionsOpenCalls.map((call) => call.token)).toEqual([APP_TOKEN, APP_TOKEN]);
    const ack = await socket.sendEnvelope('slash_commands', slashCommand('U2', 'help'));
    expect(JSON.stringify(ack.payload)).toContain('/maturity report [aspect]');
    expect(socket.acks.at(-1)).toMatchObject({ connection: 2, late: false });
  }, 30_000);

  it('keeps trying when reconnecting fails (a rotated token, Slack down) and comes back once it can', async () => {
    socket.failConnectionsOpen('invalid_auth');
    await socket.disconnect('refresh_requested');
    await eventually('the failed reconnect to be logged', () => lines.some((line) => line.includes('cannot open the Socket Mode connection; trying again')));
    await socket.waitForConnections(3, 20_000);
    const ack = await socket.sendEnvelope('slash_commands', slashCommand('U2', 'help'));
    expect(JSON.stringify(ack.payload)).toContain('/maturity report [aspect]');
  }, 30_000);

  it('acked every envelope exactly once, in time, and never sent Slack anything it would reject', () => {
    expect(socket.acks.map((ack) => ack.envelope_id)).toEqual(socket.envelopes.map((envelope) => envelope.envelope_id));
    expect(socket.acks.filter((ack) => ack.late)).toEqual([]);
    expect(socket.unexpected).toEqual([]);
    const rejected = api.calls.filter((call) => call.response.ok === false);
    expect(rejected.map((call) => `${call.method}: ${String(call.response.error)}`)).toEqual([]);
  });
});

describe('apps.connections.open on the stand-in', () => {
  async function open(init: { authorization?: string; body?: string; contentType?: string }): Promise<Record<string, unknown>> {
    const response = await fetch(socket.apiUrl + 'apps.connections.open', {
      method: 'POST',
      headers: { 'content-type': init.contentType ?? 'application/x-www-form-urlencoded', ...(init.authorization ? { authorization: init.authorization } : {}) },
      body: init.body ?? '',
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  it("refuses what Slack refuses: no token, the bot token, someone else's app token", async () => {
    expect(await open({})).toEqual({ ok: false, error: 'not_authed' });
    expect(await open({ authorization: `Bearer ${BOT_TOKEN}` })).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await open({ authorization: 'Bearer xapp-1-A9999-1-other' })).toEqual({ ok: false, error: 'invalid_auth' });
  });

  it('takes the token from a form field or a JSON request, and a ticket opens one connection only', async () => {
    expect(await open({ body: `token=${APP_TOKEN}` })).toMatchObject({ ok: true });
    const opened = await open({ authorization: `Bearer ${APP_TOKEN}`, contentType: 'application/json; charset=utf-8', body: '{}' });
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]+&app_id=A0001$/);
    const before = socket.connectionCount;
    const { WebSocket } = await import('ws');
    const first = new WebSocket(String(opened.url));
    const hello = await new Promise<unknown>((resolve, reject) => {
      first.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8'))));
      first.once('error', reject);
    });
    expect(hello).toMatchObject({ type: 'hello', num_connections: 2, connection_info: { app_id: 'A0001' } });
    first.close();
    const reused = new WebSocket(String(opened.url));
    // Without an 'unexpected-response' listener, ws reports a refused handshake as an error naming the status.
    const refusal = await new Promise<Error>((resolve) => reused.once('error', resolve));
    expect(refusal.message).toBe('Unexpected server response: 401');
    expect(socket.connectionCount).toBe(before + 1);
  });

  it('answers an injected failure once, then opens connections again', async () => {
    socket.failConnectionsOpen('internal_error');
    expect(await open({ authorization: `Bearer ${APP_TOKEN}` })).toEqual({ ok: false, error: 'internal_error' });
    expect(await open({ authorization: `Bearer ${APP_TOKEN}` })).toMatchObject({ ok: true });
  });

  it('passes every other method through to the Web API stand-in unchanged', async () => {
    const response = await fetch(socket.apiUrl + 'auth.test', { method: 'POST', headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(await response.json()).toMatchObject({ ok: true, team_id: TEAM, user_id: 'UBOT' });
    const wrong = await fetch(socket.apiUrl + 'auth.test', { method: 'POST', headers: { authorization: `Bearer ${APP_TOKEN}` } });
    expect(await wrong.json()).toEqual({ ok: false, error: 'invalid_auth' });
  });
});
