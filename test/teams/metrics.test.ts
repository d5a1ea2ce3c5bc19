/**
 * GET /metrics with the real Teams adapter: Bot Framework activities, signed as the channel signs them, are counted
 * by kind and timed from their arrival to the bot's HTTP answer, and no tenant, conversation or user id reaches the
 * scrape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTeam } from '../../src/services/team-service.js';
import { eventually } from '../slack/slack-harness.js';
import { APP_ID, CHANNEL_ID, TEAM_ID, cardText, startTeamsHarness, type TeamsHarness } from './teams-harness.js';

const TOKEN = 'metrics-token-for-the-teams-tests-0123456789';

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness({ METRICS_TOKEN: TOKEN });
});
afterAll(async () => h.close());

async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${h.server.port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample line, e.g. `name{a="b"} 3`; null when the line is absent. */
function sample(body: string, series: string): number | null {
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

const ACKS = 'maturity_pulse_ack_duration_seconds_count{platform="teams"}';
const ROUTE = 'maturity_pulse_http_request_duration_seconds_count{route="/api/messages",method="POST",status_class="2xx"}';
const inbound = (kind: string) => `maturity_pulse_inbound_events_total{platform="teams",kind="${kind}"}`;

describe('metrics of the Teams adapter', () => {
  it('counts messages and card clicks by kind and times each answer, without an id in the scrape', async () => {
    const before = await scrape();
    expect(sample(before, ACKS)).toBeNull();
    expect(sample(before, inbound('message'))).toBeNull();

    const created = await setupTeam(
      h.server.ctx,
      { platform: 'teams', workspaceId: h.teams.tenantId, userId: h.admin.aadObjectId },
      { name: 'Payments', channel: { platform: 'teams', workspaceId: h.teams.tenantId, channelId: CHANNEL_ID }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } },
    );
    if (created.kind !== 'created') throw new Error(created.kind);
    // Two messages: the bot learns where the channel is from the first, and the second opens a round.
    expect((await h.say(h.admin, 'help')).status).toBe(200);
    expect((await h.say(h.admin, 'ask interfaces')).status).toBe(200);
    const posted = await eventually('the round card', () => h.teams.connector.topLevel(CHANNEL_ID).find((activity) => cardText(activity).includes('Platform pulse · Interfaces')));
    const round = (await h.server.ctx.store.findOpenRound(created.team.id))!;
    // One invoke: an Action.Execute click on the card, answered in the HTTP response.
    const clicker = h.members[2]!;
    const click = await h.click(clicker, 'answer', { roundId: round.id, optionId: '2' }, String(posted.id));
    expect(click.status).toBe(200);
    expect(click.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });

    // Observed when the response finishes, which may be just after the client has read it.
    const body = await eventually('three activities counted and timed', async () => {
      const scraped = await scrape();
      return sample(scraped, ACKS) === 3 ? scraped : null;
    });
    expect(sample(body, inbound('message'))).toBe(2);
    expect(sample(body, inbound('invoke'))).toBe(1);
    expect(sample(body, ROUTE)).toBe(3);
    expect(Number(sample(body, 'maturity_pulse_ack_duration_seconds_sum{platform="teams"}'))).toBeGreaterThan(0);
    // The round card went out through the Bot Connector and was counted as a delivery, by kind only.
    await eventually('the round post counted', async () => ((sample(await scrape(), 'maturity_pulse_deliveries_total{platform="teams",kind="round-opened",result="sent"}') ?? 0) >= 1 ? true : null));

    const conversations = h.teams.connector.calls.map((call) => call.conversationId).filter((id): id is string => id !== null);
    const secrets = [
      h.teams.tenantId,
      TEAM_ID,
      CHANNEL_ID,
      ...new Set(conversations),
      ...h.members.flatMap((member) => [member.id, member.aadObjectId]),
      APP_ID,
      'Payments',
      TOKEN,
    ];
    const final = await scrape();
    for (const secret of secrets) expect(final, secret).not.toContain(secret);
  });
});
