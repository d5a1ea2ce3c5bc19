import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { testEngine } from './test-context.js';

/**
 * Debian's chromium, driven by playwright-core (never a downloaded browser). playwright-core is pinned to the
 * release that bundles the same Chromium major as Debian's package (1.64 ↔ 156); when Debian's security
 * updates move chromium to a new major, bump playwright-core with it. `.ci/run` installs the package.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  // No sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, chromiumSandbox: false, args: ['--disable-gpu', '--disable-quic', '--disable-sync', '--disable-dev-shm-usage'] });
}

/** Where screenshots go for a person to look at: test-output/screenshots/<engine>/. */
export function screenshotPath(name: string): string {
  const dir = path.resolve('test-output', 'screenshots', testEngine());
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

/**
 * Runs axe-core (WCAG 2.0–2.2 A and AA rules) on the page and returns the serious and critical violations.
 * axe is injected as an inline script, which the dashboard's CSP forbids; so this runs only in a context
 * made with `bypassCSP: true`, while every other test proves the pages work under the CSP. Only violations
 * are collected (`resultTypes`), which spares axe listing every passing node.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] });
    return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.map((node) => ({ target: node.target })) }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Signs in through the sign-in page as a demo person, by clicking, as a person would. */
export async function signInInBrowser(context: BrowserContext, baseUrl: string, personName: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: `Sign in as ${personName}` }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in') && !url.pathname.startsWith('/auth'));
  return page;
}
