import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath, seriousAccessibilityViolations, signInInBrowser } from '../support/browser.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

describe('the dashboard in a browser', () => {
  let harness: WebHarness;
  let browser: Browser;

  beforeAll(async () => {
    [harness, browser] = await Promise.all([startWebHarness(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('signs a demo PM in from the sign-in page and shows the organisation heatmap', async () => {
    const context = await browser.newContext();
    const page = await signInInBrowser(context, harness.baseUrl, 'Priya');
    expect(new URL(page.url()).pathname).toBe('/');
    await page.screenshot({ path: screenshotPath('organisation'), fullPage: true });
    await page.getByRole('link', { name: 'Payments' }).first().click();
    await page.screenshot({ path: screenshotPath('team'), fullPage: true });
    await context.close();
  });

  it('has no serious accessibility violations on the sign-in page', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${harness.baseUrl}/sign-in`);
    await page.screenshot({ path: screenshotPath('sign-in'), fullPage: true });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await context.close();
  });
});
