import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcProviders } from '../../src/adapters/web/auth/oidc.js';
import { setupTeam } from '../../src/services/team-service.js';
import { launchBrowser, screenshotPath, seriousAccessibilityViolations, signInInBrowser } from '../support/browser.js';
import { OidcStandIn, routeFetch, STAND_IN_ENTRA_TENANT, STAND_IN_SLACK_TEAM } from '../support/oidc-stand-in.js';
import { startWebHarness, WEB_NOW, type WebHarness } from '../support/web-harness.js';

const SLACK_CLIENT = { clientId: '1111111111.2222222222', clientSecret: 'slack-oidc-secret-for-browser-tests' };
const ENTRA_CLIENT = { clientId: '3c1d5e0a-0000-4000-8000-00000000b10b', clientSecret: 'entra-oidc-secret-for-browser-tests' };

describe('the dashboard in a browser', () => {
  let harness: WebHarness;
  let browser: Browser;
  let standIn: OidcStandIn;
  let entra: OidcStandIn;
  let paymentsId: number;
  let digestId: number;

  beforeAll(async () => {
    standIn = await OidcStandIn.start({ mode: 'slack', ...SLACK_CLIENT });
    entra = await OidcStandIn.start({ mode: 'entra', ...ENTRA_CLIENT });
    [harness, browser] = await Promise.all([
      startWebHarness({
        oidc: (publicUrl) =>
          new OidcProviders({
            web: { publicUrl, sessionSecret: null, previousSessionSecret: null, sessionHours: 8, slack: SLACK_CLIENT, entra: { ...ENTRA_CLIENT, tenant: 'organizations', allowedTenantIds: [STAND_IN_ENTRA_TENANT] } },
            publicUrl,
            customFetch: routeFetch(standIn, entra),
          }),
      }),
      launchBrowser(),
    ]);
    const teams = await harness.ctx.store.listTeams();
    paymentsId = teams.find((team) => team.name === 'Payments')!.id;
    // A digest the bot posted last Monday, for the archive.
    const { delivery } = await harness.ctx.store.enqueueDelivery({
      target: { platform: 'demo', workspaceId: 'demo-org', channelId: '#platform-pm' },
      periodKey: 'digest-2026-W48',
      payload: { kind: 'digest', at: new Date(WEB_NOW.getTime() - 24 * 3600_000).toISOString() },
      teamId: null,
      roundId: null,
      at: WEB_NOW,
    });
    await harness.ctx.store.markDeliverySent(delivery.id, 'demo-message', WEB_NOW);
    digestId = delivery.id;
  });
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await standIn?.close();
    await entra?.close();
  });

  async function as(name: string, options: { bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ acceptDownloads: true, ...options });
    return { context, page: await signInInBrowser(context, harness.baseUrl, name) };
  }

  it('shows a PM the heatmap, filters it, drills down and downloads the filtered view as CSV', async () => {
    const { context, page } = await as('Priya');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Organisation');
    const heatmap = page.getByRole('table').first();
    await heatmap.getByRole('rowheader', { name: 'All teams' }).waitFor();
    const rowsBefore = await heatmap.locator('tbody tr').count();
    expect(rowsBefore).toBeGreaterThan(2);
    // Hidden cells say why, with a count and the number needed, never a level.
    for (const hidden of await page.locator('td.hidden').allTextContents()) expect(hidden).toMatch(/^(\d+ answered, results need \d+|too few answers with a level, results need \d+)$/);
    await page.screenshot({ path: screenshotPath('organisation'), fullPage: true });

    await page.getByLabel('Team name contains').fill('pay');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/team=pay/);
    const rows = await page.locator('table.heatmap tbody tr:not(.all-teams) th').allTextContents();
    expect(rows).toEqual(['Payments']);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'CSV' }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8');
    expect(csv).toContain('Payments');
    expect(csv).not.toContain('Billing');

    await page.getByRole('link', { name: 'Payments' }).click();
    await page.getByRole('heading', { level: 1, name: 'Payments' }).waitFor();
    expect(await page.locator('figure.chart svg').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Comments' }).count()).toBe(0);
    await page.screenshot({ path: screenshotPath('team-as-pm'), fullPage: true });

    await page.goto(`${harness.baseUrl}/`);
    await page.locator('table.heatmap thead a').first().click();
    await page.getByRole('heading', { name: 'Teams per level' }).waitFor();
    await page.screenshot({ path: screenshotPath('aspect'), fullPage: true });

    await page.getByRole('link', { name: 'Digests' }).click();
    await page.locator(`a[href="/digests/${digestId}"]`).click();
    await page.getByRole('heading', { level: 1, name: /Digest of/ }).waitFor();
    await page.screenshot({ path: screenshotPath('digest'), fullPage: true });
    await context.close();
  });

  it("shows a team's lead its comments", async () => {
    const { context, page } = await as('Lars');
    expect(new URL(page.url()).pathname).toBe(`/teams/${paymentsId}`);
    await page.getByRole('heading', { name: 'Comments' }).waitFor();
    await page.screenshot({ path: screenshotPath('team-as-lead'), fullPage: true });
    await context.close();
  });

  it('lets the keyboard reach everything: skip link first, then through the filters to a team', async () => {
    const { context, page } = await as('Priya');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(new URL(page.url()).hash).toBe('#main');
    let reached = false;
    for (let step = 0; step < 80 && !reached; step += 1) {
      await page.keyboard.press('Tab');
      reached = (await page.locator(':focus').textContent()) === 'Payments';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Payments' }).waitFor();
    await context.close();
  });

  it('has no serious accessibility violations on any page', async () => {
    const pages: [string, string][] = [
      ['Priya', '/'],
      ['Priya', '/?team=a&sort=participation&dir=desc'],
      ['Priya', '/teams'],
      ['Priya', `/teams/${paymentsId}`],
      ['Priya', '/aspects/cncf-platform-maturity/investment'],
      ['Priya', '/digests'],
      ['Priya', `/digests/${digestId}`],
      ['Priya', '/tokens'],
      ['Lars', `/teams/${paymentsId}`],
      ['Emma', '/me'],
      ['Emma', '/me/forget'],
      ['Emma', '/'],
    ];
    const signIn = await browser.newContext({ bypassCSP: true });
    const first = await signIn.newPage();
    await first.goto(`${harness.baseUrl}/sign-in`);
    await first.screenshot({ path: screenshotPath('sign-in'), fullPage: true });
    const problems: string[] = (await seriousAccessibilityViolations(first)).map((violation) => `/sign-in: ${violation.id} ${violation.help}`);
    await signIn.close();
    for (const name of ['Priya', 'Lars', 'Emma']) {
      const { context, page } = await as(name, { bypassCSP: true });
      for (const [, path] of pages.filter(([who]) => who === name)) {
        await page.goto(`${harness.baseUrl}${path}`);
        for (const violation of await seriousAccessibilityViolations(page)) problems.push(`${name} ${path}: ${violation.id} ${violation.help} ${JSON.stringify(violation.nodes.slice(0, 2))}`);
      }
      await context.close();
    }
    expect(problems).toEqual([]);
  });

  it('lets an engineer see her team and her own answers, and forget them after confirming', async () => {
    const { context, page } = await as('Emma');
    expect(new URL(page.url()).pathname).toBe(`/teams/${paymentsId}`);
    expect(await page.getByRole('link', { name: 'Organisation' }).count()).toBe(0);
    const refused = await page.goto(`${harness.baseUrl}/`);
    expect(refused?.url()).toContain(`/teams/${paymentsId}`);
    await page.getByRole('link', { name: 'My answers' }).click();
    const answers = await page.locator('table tbody tr').count();
    expect(answers).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('me'), fullPage: true });
    await page.getByRole('link', { name: 'Erase my answers…' }).click();
    await page.screenshot({ path: screenshotPath('forget-me'), fullPage: true });
    await page.getByRole('button', { name: 'Yes, erase my answers' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).toContain(`erased ${answers} answer`);
    expect(await page.getByText('No answers stored.').count()).toBe(1);
    await context.close();
  });

  it('signs in with Slack through the provider, and shows "ask your admin" until the person has a role', async () => {
    const context = await browser.newContext();
    await context.route('https://slack.com/**', async (route) => {
      const response = await route.fetch({ url: standIn.toLoopback(route.request().url()), maxRedirects: 0 });
      await route.fulfill({ response });
    });
    standIn.signInAs(null);
    const page = await context.newPage();
    // A workspace the bot does not serve: refused before any session exists.
    await page.goto(`${harness.baseUrl}/teams`);
    await page.getByRole('link', { name: 'Sign in with Slack' }).click();
    await page.getByRole('link', { name: /Ada Lovelace/ }).click();
    expect(await page.getByRole('alert').textContent()).toContain('does not use Maturity Pulse here');
    // Once a team answers in that workspace, its people sign in (and see only what their roles and channels allow).
    await setupTeam(harness.ctx, { platform: 'slack', workspaceId: STAND_IN_SLACK_TEAM, userId: 'U0SETUP' }, { name: 'Stand-in team', channel: { platform: 'slack', workspaceId: STAND_IN_SLACK_TEAM, channelId: 'C0STANDIN' }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
    await page.goto(`${harness.baseUrl}/teams`);
    await page.getByRole('link', { name: 'Sign in with Slack' }).click();
    await page.getByRole('link', { name: /Ada Lovelace/ }).click();
    await page.waitForURL(`${harness.baseUrl}/teams`);
    expect(await page.getByText('There is no team you can see yet').count()).toBe(1);
    await page.goto(`${harness.baseUrl}/`);
    expect(await page.getByRole('heading', { name: 'Nothing to show yet' }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('ask-your-admin'), fullPage: true });
    expect(standIn.authorizeRequests.at(-1)?.code_challenge).toBeUndefined();

    await harness.ctx.store.grantRole({ platform: 'slack', workspaceId: STAND_IN_SLACK_TEAM, userId: 'U0ADA' }, { role: 'pm', teamId: null }, 'test', WEB_NOW);
    await page.reload();
    await page.getByRole('rowheader', { name: 'All teams' }).first().waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${harness.baseUrl}/sign-in`);
    await page.goto(`${harness.baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it('signs in with Microsoft Entra ID (PKCE), and refuses a person from a tenant not allowed', async () => {
    const context = await browser.newContext();
    await context.route('https://login.microsoftonline.com/**', async (route) => {
      const response = await route.fetch({ url: entra.toLoopback(route.request().url()), maxRedirects: 0 });
      await route.fulfill({ response });
    });
    await harness.ctx.store.grantRole({ platform: 'teams', workspaceId: STAND_IN_ENTRA_TENANT, userId: entra.people[0]!.userId }, { role: 'pm', teamId: null }, 'test', WEB_NOW);
    entra.signInAs(null);
    const page = await context.newPage();
    await page.goto(`${harness.baseUrl}/sign-in`);
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
    await page.getByRole('link', { name: /Ada Lovelace/ }).click();
    await page.getByRole('rowheader', { name: 'All teams' }).first().waitFor();
    expect(entra.authorizeRequests.at(-1)?.code_challenge_method).toBe('S256');
    await page.getByRole('button', { name: 'Sign out' }).click();

    entra.nextSignIn({ tenantId: '0badc0de-0000-4000-8000-0000000000ff' });
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
    await page.getByRole('link', { name: /Ada Lovelace/ }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Signing in did not work');
    expect(new URL(page.url()).pathname).toBe('/auth/callback/entra');
    await context.close();
  });
});
