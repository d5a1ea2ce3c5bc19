import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcStandIn, routeFetch, signInThroughProvider } from '../support/oidc-stand-in.js';
import { STAND_IN_TENANT_ID } from '../support/teams-token-issuer.js';
import { eventually } from '../slack/slack-harness.js';
import { CHANNEL_ID, cardText, startTeamsHarness, type TeamsHarness } from './teams-harness.js';

// A Teams engineer signs in to the dashboard with Entra ID and sees their team's page because the Bot
// Connector says they are in its channel; someone of the same tenant outside the channel does not.
const PUBLIC_URL = 'https://pulse.example.com';
const ENTRA = { clientId: '3c1d5e0a-0000-4000-8000-00000000a99d', clientSecret: 'entra-oidc-secret-for-tests-only' };
const OUTSIDER_OID = '00000000-0000-4000-8000-0000000000ee';

let h: TeamsHarness;
let entra: OidcStandIn;
let teamId = 0;

beforeAll(async () => {
  // The members the harness puts in the channel are member 1…8 with these object ids (makeTeamsMembers).
  const tenantId = STAND_IN_TENANT_ID;
  entra = await OidcStandIn.start({
    mode: 'entra',
    ...ENTRA,
    people: [
      { key: 'engineer', name: 'Member 3', workspaceId: tenantId, userId: '00000000-0000-4000-8000-000000000003', email: 'member3@contoso.example' },
      { key: 'member4', name: 'Member 4', workspaceId: tenantId, userId: '00000000-0000-4000-8000-000000000004', email: 'member4@contoso.example' },
      { key: 'outsider', name: 'Outsider', workspaceId: tenantId, userId: OUTSIDER_OID, email: 'outsider@contoso.example' },
    ],
  });
  h = await startTeamsHarness({ PUBLIC_URL, ENTRA_CLIENT_ID: ENTRA.clientId, ENTRA_CLIENT_SECRET: ENTRA.clientSecret, ENTRA_TENANT: tenantId }, { identityProviderFetch: routeFetch(entra) });
  expect(h.teams.tenantId).toBe(tenantId);
  expect(h.members[2]?.aadObjectId).toBe('00000000-0000-4000-8000-000000000003');
  expect((await h.say(h.admin, 'setup')).status).toBe(200);
  const form = await eventually('the setup card', () => h.teams.connector.activities(CHANNEL_ID).find((activity) => cardText(activity).includes('Set up this channel as a team')));
  const submitted = await h.click(h.admin, 'setup', { name: 'Payments', surveyId: 'cncf-platform-maturity', everyWeeks: '1', weekday: '1', localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: '96' }, String(form.id));
  expect(submitted.status).toBe(200);
  const team = await h.server.ctx.store.findTeamByChannel({ platform: 'teams', workspaceId: tenantId, channelId: CHANNEL_ID });
  teamId = team!.id;
});

afterAll(async () => {
  await h?.close();
  await entra?.close();
});

const base = (): string => `http://127.0.0.1:${h.server.port}`;

const signInWithEntra = (key: string): Promise<string> => signInThroughProvider(base(), entra, 'entra', key);

const page = async (path: string, cookie: string): Promise<{ status: number; html: string; location: string | null }> => {
  const response = await fetch(`${base()}${path}`, { redirect: 'manual', headers: { cookie } });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
};

const memberLookups = (): number => h.teams.connector.callsTo('member').length;

describe('a Teams engineer on the dashboard', () => {
  it('sees their team: the Bot Connector says they are in its channel', async () => {
    const cookie = await signInWithEntra('engineer');
    const lookupsBefore = memberLookups();
    // An engineer's home is their team's page.
    const home = await page('/', cookie);
    expect(home.status).toBe(302);
    expect(home.location).toBe(`/teams/${teamId}`);
    const team = await page(`/teams/${teamId}`, cookie);
    expect(team.status).toBe(200);
    expect(team.html).toContain('Payments');
    // Asked once, about the one team channel in the tenant, by the person's object id; the second page used the answer.
    const lookups = h.teams.connector.callsTo('member').slice(lookupsBefore);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.path).toContain(encodeURIComponent('00000000-0000-4000-8000-000000000003'));
    expect(lookups[0]!.status).toBe(200);
  });

  it('someone of the same tenant who is not in the channel is refused the team page and sees no team', async () => {
    const cookie = await signInWithEntra('outsider');
    const team = await page(`/teams/${teamId}`, cookie);
    expect(team.status).toBe(403);
    expect(team.html).not.toContain('Payments');
    const home = await page('/', cookie);
    expect(home.location).toBeNull();
    expect(home.html).toContain('Ask your admin to add you to a team or give you a role.');
    expect(home.html).not.toContain(`/teams/${teamId}`);
    const lookup = h.teams.connector.callsTo('member').at(-1)!;
    expect(lookup.path).toContain(OUTSIDER_OID);
    expect(lookup.status).toBe(404);
  });

  it('when Teams cannot say, grants nothing by membership and says so in the log', async () => {
    const cookie = await signInWithEntra('member4');
    h.teams.connector.failNext(403, undefined, 'member');
    const team = await page(`/teams/${teamId}`, cookie);
    expect(team.status).toBe(403);
    expect(h.teams.connector.callsTo('member').at(-1)!.status).toBe(403);
    expect(h.lines.some((line) => line.includes('could not ask Teams whether a person is in some team channels'))).toBe(true);
  });
});
