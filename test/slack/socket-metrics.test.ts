/**
 * GET /metrics of the real app in Socket Mode: there is no HTTP request to time, so each envelope is timed from its
 * arrival to the ack Bolt sends back over the socket, once per envelope, whoever acks it (a command's handler, an
 * action's handler, Bolt itself for an event). Nothing is timed under an HTTP route, and no id reaches the scrape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { SURVEYS } from '../support/processes.js';
import { SlackSocketStandIn } from '../support/slack-socket-stand-in.js';
import { SlackApiStandIn } from '../support/slack-stand-in.js';
import { createTestStorage, memoryLogger, tempDir, type TestStorage } from '../support/test-context.js';
import { ADMIN, blockAction, CHANNEL, command, eventually, LEAD, MEMBERS, TEAM } from './slack-harness.js';

const APP_TOKEN = 'xapp-1-A0001-1-socket-metrics-test-token';
const BOT_TOKEN = 'xoxb-test-token';
const METRICS_TOKEN = 'metrics-token-for-the-socket-tests-0123456789';

let api: SlackApiStandIn;
let socket: SlackSocketStandIn;
let server: RunningServer;
let cleanupTemp: () => void;
let storage: TestStorage;

beforeAll(async () => {
  api = new SlackApiStandIn({ teamId: TEAM, botToken: BOT_TOKEN });
  await api.start();
  api.addChannel({ id: CHANNEL, name: 'payments', members: [ADMIN, LEAD, ...MEMBERS] });
  for (const id of [ADMIN, LEAD, ...MEMBERS]) api.addUser({ id, name: id.toLowerCase(), timeZone: 'Europe/Berlin' });
  socket = new SlackSocketStandIn({ api, appToken: APP_TOKEN, botToken: BOT_TOKEN });
  await socket.start();
  const temp = tempDir('mp-slack-socket-metrics-');
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
    METRICS_TOKEN,
  });
  if (!config.ok) throw new Error(config.problems.join('; '));
  server = await startServer(config.config, memoryLogger().log, () => undefined);
  await socket.waitForConnections(1);
});

afterAll(async () => {
  await server?.stop();
  await socket?.stop();
  await api?.stop();
  await storage?.drop();
  cleanupTemp?.();
});

async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample line, e.g. `name{a="b"} 3`; null when the line is absent. */
function sample(body: string, series: string): number | null {
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

const ACKS = 'maturity_pulse_ack_duration_seconds_count{platform="slack"}';
const inbound = (kind: string) => `maturity_pulse_inbound_events_total{platform="slack",kind="${kind}"}`;

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

describe('acknowledgement latency in Socket Mode', () => {
  it('times a slash command from its envelope to its ack, once', async () => {
    expect(sample(await scrape(), ACKS)).toBeNull();
    const ack = await socket.sendEnvelope('slash_commands', slashCommand('U1', 'help'));
    expect(JSON.stringify(ack.payload)).toContain('/maturity report [aspect]');
    // The ack is on the wire before the handler's promise settles; the observation follows it at once.
    const body = await eventually('the command counted and timed', async () => {
      const scraped = await scrape();
      return sample(scraped, ACKS) === 1 ? scraped : null;
    });
    expect(sample(body, inbound('command'))).toBe(1);
    expect(Number(sample(body, 'maturity_pulse_ack_duration_seconds_sum{platform="slack"}'))).toBeGreaterThan(0);
    // Slack's 3 s deadline is a bucket of its own.
    expect(sample(body, 'maturity_pulse_ack_duration_seconds_bucket{le="3",platform="slack"}')).toBe(1);
  });

  it('times an answer click and an event (which Bolt acks itself) the same way, one observation per envelope', async () => {
    const created = await setupTeam(
      server.ctx,
      { platform: 'slack', workspaceId: TEAM, userId: ADMIN },
      { name: 'Payments', channel: { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }, organisationId: null, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } },
    );
    if (created.kind !== 'created') throw new Error(created.kind);
    const opened = await openRound(server.ctx, created.team, { origin: 'ad-hoc', aspectId: 'interfaces' });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    const message = await eventually('the round message', () => api.messages(CHANNEL).find((candidate) => candidate.text.startsWith('Platform pulse · Interfaces')));
    await socket.sendEnvelope('interactive', blockAction(api, 'U2', 'mp_answer_2', `${opened.round.id}:2`, { container: { type: 'message', channel_id: CHANNEL, message_ts: message.ts } }));
    expect(await server.ctx.store.countAnswers(opened.round.id)).toBe(1);
    const home = { type: 'app_home_opened', user: 'U3', channel: api.dmChannelId('U3'), tab: 'home', event_ts: `${Math.floor(Date.now() / 1000)}.000100` };
    await socket.sendEnvelope('events_api', socket.eventCallback(home, 'Ev0SOCKETMETRICS1', TEAM));
    await eventually('the Home tab', () => api.callsTo('views.publish').length === 1);

    const body = await eventually('three envelopes timed', async () => {
      const scraped = await scrape();
      return sample(scraped, ACKS) === 3 ? scraped : null;
    });
    expect(socket.acks).toHaveLength(3);
    expect(sample(body, inbound('command'))).toBe(1);
    expect(sample(body, inbound('action'))).toBe(1);
    expect(sample(body, inbound('event'))).toBe(1);
    // There is no /slack/events route in Socket Mode: nothing is timed as an HTTP request of Slack's.
    expect(body).not.toContain('route="/slack/events"');
    for (const secret of [CHANNEL, TEAM, 'U1', 'U2', 'U3', ADMIN, 'Payments', APP_TOKEN, BOT_TOKEN, METRICS_TOKEN, 'Ev0SOCKETMETRICS1', `${opened.round.id}:2`]) expect(body).not.toContain(secret);
  });
});
