import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { OidcStandIn, routeFetch, signInThroughProvider } from '../support/oidc-stand-in.js';
import { ADMIN, blockAction, eventually, startSlackHarness, TEAM, type SlackHarness } from './slack-harness.js';

// On Enterprise Grid the chat keys a person on the organisation (E…), while Sign in with Slack names only
// the workspace (T…): the dashboard must find the same person, so "My answers" shows what they answered in chat.
const PUBLIC_URL = 'https://pulse.example.com';
const SLACK_OIDC = { clientId: '1111111111.2222222222', clientSecret: 'slack-oidc-secret-for-tests-only' };
const ORGANISATION = 'E0GRID';
const GRID_USER = 'W0GRID';

let h: SlackHarness;
let slackOidc: OidcStandIn;

beforeAll(async () => {
  slackOidc = await OidcStandIn.start({ mode: 'slack', ...SLACK_OIDC, people: [{ key: 'grid', name: 'Grid Person', workspaceId: TEAM, userId: GRID_USER, email: 'grid@example.com' }] });
  h = await startSlackHarness({ PUBLIC_URL, SLACK_OIDC_CLIENT_ID: SLACK_OIDC.clientId, SLACK_OIDC_CLIENT_SECRET: SLACK_OIDC.clientSecret }, { identityProviderFetch: routeFetch(slackOidc) }, { enterpriseId: ORGANISATION });
});

afterAll(async () => {
  await h?.close();
  await slackOidc?.close();
});

describe('an Enterprise Grid person on the dashboard', () => {
  it("sees on My answers the answer they gave in chat, keyed on the organisation, and nobody else's", async () => {
    h.slack.addChannel({ id: 'C0GRIDTEAM', name: 'grid-team', members: [GRID_USER, ADMIN] });
    const created = await setupTeam(
      h.server.ctx,
      { platform: 'slack', workspaceId: ORGANISATION, userId: ADMIN },
      { name: 'Grid Payments', channel: { platform: 'slack', workspaceId: TEAM, channelId: 'C0GRIDTEAM' }, organisationId: ORGANISATION, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } },
    );
    if (created.kind !== 'created') throw new Error(created.kind);
    const opened = await openRound(h.server.ctx, created.team, { origin: 'ad-hoc', aspectId: 'measurement' });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    const roundId = opened.round.id;

    // Clicks as Slack sends them on Grid: the organisation in `enterprise`, and as the user's team.
    const answer = async (user: string, optionId: string): Promise<void> => {
      const before = h.slack.responses.length;
      const click = blockAction(h.slack, user, `mp_answer_${optionId}`, `${roundId}:${optionId}`, {
        enterprise: { id: ORGANISATION, name: 'Grid' },
        team: { id: TEAM, domain: 'example', enterprise_id: ORGANISATION },
        user: { id: user, username: user.toLowerCase(), team_id: ORGANISATION },
        channel: { id: 'C0GRIDTEAM', name: 'grid-team' },
        container: { type: 'message', channel_id: 'C0GRIDTEAM', message_ts: '1.0' },
      });
      expect((await h.requests.interaction(click)).status).toBe(200);
      const receipt = await eventually(`${user}'s receipt`, () => h.slack.responses[before]);
      expect(JSON.stringify(receipt.body)).toContain('Recorded');
    };
    await answer(ADMIN, '1');
    await answer(GRID_USER, '3');

    const lookupsBefore = h.slack.callsTo('team.info').length;
    const cookie = await signInThroughProvider(`http://127.0.0.1:${h.server.port}`, slackOidc, 'slack', 'grid');
    // The workspace's organisation came from Slack itself.
    expect(h.slack.callsTo('team.info').length).toBeGreaterThan(lookupsBefore);
    const me = await fetch(`http://127.0.0.1:${h.server.port}/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    const html = await me.text();
    expect(html).not.toContain('No answers stored.');
    expect(html).toContain('Grid Payments');
    expect(html).toContain('Measurement');
    expect(html).toContain('(round open: you can still change it)');
    // One row: theirs, not the admin's answer in the same round.
    const rows = /<tbody>(.*?)<\/tbody>/s.exec(html)?.[1]?.match(/<tr>/g) ?? [];
    expect(rows).toHaveLength(1);
  });
});
