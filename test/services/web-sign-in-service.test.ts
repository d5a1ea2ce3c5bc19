import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grantDemoRoles, slackSignInWorkspace, slackWorkspaceServed, teamsOfChannels, webSessionSecret } from '../../src/services/web-sign-in-service.js';
import { DEMO_PEOPLE } from '../../src/demo/demo-people.js';
import { buildSurvey } from '../support/factories.js';
import { setupTeam } from '../../src/services/team-service.js';
import { CLI_ACTOR, setUpTeam } from '../support/seed.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

describe('dashboard sign-in services', () => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext({ surveys: [buildSurvey({ id: 'platform' })] });
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('keeps one generated session secret for every process on the database, unless one is configured', async () => {
    const first = await webSessionSecret(ctx, null);
    expect(first.length).toBeGreaterThanOrEqual(48);
    expect(await webSessionSecret(ctx, null)).toBe(first);
    expect(await webSessionSecret(ctx, 'c'.repeat(40))).toBe('c'.repeat(40));
  });

  it('maps a Slack workspace of an Enterprise Grid to its organisation, as chat keys its people', async () => {
    const cadence = { everyWeeks: 1 as const, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 };
    const grid = await setupTeam(ctx, CLI_ACTOR, { name: 'Grid team', channel: { platform: 'slack', workspaceId: 'T0GRID', channelId: 'C0GRID' }, organisationId: 'E0ORG', surveyId: 'platform', cadence });
    expect(grid.kind).toBe('created');
    await setUpTeam(ctx, 'Plain team', { surveyId: 'platform', channel: { platform: 'slack', workspaceId: 'T0PLAIN', channelId: 'C0PLAIN' } });
    expect(await slackSignInWorkspace(ctx, 'T0GRID')).toBe('E0ORG');
    expect(await slackSignInWorkspace(ctx, 'T0PLAIN')).toBe('T0PLAIN');
    expect(await slackSignInWorkspace(ctx, 'T0UNKNOWN')).toBe('T0UNKNOWN');
  });

  it('lets Slack people sign in only from workspaces the bot serves: a team there, a role there, or a configured admin', async () => {
    const stranger = { platform: 'slack' as const, workspaceId: 'T0ELSEWHERE', userId: 'U0STRANGER' };
    expect(await slackWorkspaceServed(ctx, stranger, [])).toBe(false);
    expect(await slackWorkspaceServed(ctx, stranger, ['U0STRANGER'])).toBe(true);
    await setUpTeam(ctx, 'Served', { surveyId: 'platform', channel: { platform: 'slack', workspaceId: 'T0SERVED', channelId: 'C0SERVED' } });
    expect(await slackWorkspaceServed(ctx, { ...stranger, workspaceId: 'T0SERVED' }, [])).toBe(true);
    await ctx.store.grantRole({ platform: 'slack', workspaceId: 'T0ROLE', userId: 'U0PM' }, { role: 'pm', teamId: null }, 'test', ctx.clock.now());
    expect(await slackWorkspaceServed(ctx, { ...stranger, workspaceId: 'T0ROLE' }, [])).toBe(true);
    expect(await slackWorkspaceServed(ctx, stranger, [])).toBe(false);
  });

  it('finds the teams of the channels a person is in, on their platform only', async () => {
    const team = await setUpTeam(ctx, 'Payments', { surveyId: 'platform', channel: { platform: 'slack', workspaceId: 'T1', channelId: 'C1' } });
    await setUpTeam(ctx, 'Teams side', { surveyId: 'platform', channel: { platform: 'teams', workspaceId: 'tenant', channelId: 'C1' } });
    expect([...(await teamsOfChannels(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U1' }, new Set(['C1', 'C9'])))]).toEqual([team.id]);
    expect((await teamsOfChannels(ctx, { platform: 'slack', workspaceId: 'T1', userId: 'U1' }, null)).size).toBe(0);
  });

  it('gives the demo people their roles once', async () => {
    await setUpTeam(ctx, 'Payments', { surveyId: 'platform' });
    await grantDemoRoles(ctx, DEMO_PEOPLE);
    await grantDemoRoles(ctx, DEMO_PEOPLE);
    const roles = await ctx.store.listRoles();
    expect(roles.map((role) => `${role.user.userId}:${role.role}`).sort()).toEqual(['demo-admin:admin', 'demo-lead-payments:lead', 'demo-pm:pm']);
  });
});
