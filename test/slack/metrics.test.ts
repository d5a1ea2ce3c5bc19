/**
 * GET /metrics on the real app over loopback: off unless configured, behind METRICS_TOKEN on the main port
 * or on a port of its own, and what it says after a round is posted and clicked, with no id or name in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { ADMIN, blockAction, CHANNEL, eventually, startSlackHarness, TEAM, type SlackHarness } from './slack-harness.js';

const TOKEN = 'metrics-token-for-the-tests-0123456789';

async function scrape(port: number, authorization?: string): Promise<{ status: number; type: string | null; body: string; challenge: string | null }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, authorization ? { headers: { authorization } } : {});
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text(), challenge: response.headers.get('www-authenticate') };
}

/** The value of one sample line, e.g. `name{a="b"} 3`; null when the line is absent. */
function sample(body: string, series: string): number | null {
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe('metrics behind METRICS_TOKEN on the main port', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => h.close());

  it('refuses a scrape without the bearer token, and a wrong one', async () => {
    const none = await scrape(h.server.port);
    expect(none.status).toBe(401);
    expect(none.challenge).toBe('Bearer realm="metrics"');
    expect(none.body).not.toContain('maturity_pulse_');
    expect((await scrape(h.server.port, `Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await scrape(h.server.port, TOKEN)).status).toBe(401);
  });

  it('counts what happened: the round posted, the click and its acknowledgement, the lease, the outbox', async () => {
    const created = await setupTeam(
      h.server.ctx,
      { platform: 'slack', workspaceId: TEAM, userId: ADMIN },
      { name: 'Payments', channel: { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }, organisationId: null, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } },
    );
    if (created.kind !== 'created') throw new Error(created.kind);
    const opened = await openRound(h.server.ctx, created.team, { origin: 'ad-hoc', aspectId: 'interfaces' });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    await eventually('the round message', () => h.slack.messages(CHANNEL).find((message) => message.text.startsWith('Platform pulse · Interfaces')));
    const before = h.slack.responses.length;
    expect((await h.requests.interaction(blockAction(h.slack, 'U1', 'mp_answer_2', `${opened.round.id}:2`))).status).toBe(200);
    await eventually('the receipt', () => h.slack.responses[before]);

    const body = await eventually('a scrape that has seen the send, the click and the lease', async () => {
      const scraped = await scrape(h.server.port, `Bearer ${TOKEN}`);
      expect(scraped.status).toBe(200);
      expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
      const ready = (sample(scraped.body, 'maturity_pulse_deliveries_total{platform="slack",kind="round-opened",result="sent"}') ?? 0) >= 1 && sample(scraped.body, 'maturity_pulse_scheduler_leader') === 1;
      return ready ? scraped.body : null;
    });
    expect(sample(body, 'maturity_pulse_inbound_events_total{platform="slack",kind="action"}')).toBe(1);
    expect(sample(body, 'maturity_pulse_ack_duration_seconds_count{platform="slack"}')).toBe(1);
    expect(sample(body, 'maturity_pulse_http_request_duration_seconds_count{route="/slack/events",method="POST",status_class="2xx"}')).toBe(1);
    expect(sample(body, 'maturity_pulse_lease_renewals_total{result="held"}')).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'maturity_pulse_outbox_pending')).not.toBeNull();
    expect(sample(body, 'maturity_pulse_outbox_oldest_pending_age_seconds')).not.toBeNull();
    // Node's own figures, under the product's prefix.
    expect(sample(body, 'maturity_pulse_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // The scrapes refused above are counted under the route, never under the path they asked for.
    expect(sample(body, 'maturity_pulse_http_request_duration_seconds_count{route="/metrics",method="GET",status_class="4xx"}')).toBe(3);
    // No id, name or token of anyone or anything.
    for (const secret of [CHANNEL, TEAM, 'U1', ADMIN, 'Payments', TOKEN, String(opened.round.id) + ':2']) expect(body).not.toContain(secret);
  });

  it('files any other path under "unmatched"', async () => {
    expect((await fetch(`http://127.0.0.1:${h.server.port}/some/${CHANNEL}/path`)).status).toBe(404);
    const { body } = await scrape(h.server.port, `Bearer ${TOKEN}`);
    expect(sample(body, 'maturity_pulse_http_request_duration_seconds_count{route="unmatched",method="GET",status_class="4xx"}')).toBe(1);
    expect(body).not.toContain('/some/');
  });
});

describe('metrics on a port of their own (METRICS_PORT)', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ METRICS_PORT: '0' });
  });
  afterAll(async () => h.close());

  it('serves the scrape there without a token, and nothing on the main port', async () => {
    const port = h.server.metricsPort;
    expect(port).not.toBeNull();
    expect(port).not.toBe(h.server.port);
    const scraped = await scrape(port ?? 0);
    expect(scraped.status).toBe(200);
    expect(sample(scraped.body, 'maturity_pulse_scheduler_leader')).not.toBeNull();
    expect((await scrape(h.server.port)).status).toBe(404);
  });
});

describe('metrics off (the default)', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => h.close());

  it('answers 404 for /metrics', async () => {
    expect(h.server.metricsPort).toBeNull();
    expect((await scrape(h.server.port, `Bearer ${TOKEN}`)).status).toBe(404);
  });
});
