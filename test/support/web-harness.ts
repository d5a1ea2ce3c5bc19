import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChartRenderer } from '../../src/adapters/charts/chart-renderer.js';
import { createWebApp, webRequestListener } from '../../src/adapters/web/app.js';
import type { OidcProviders } from '../../src/adapters/web/auth/oidc.js';
import { SessionSealer } from '../../src/adapters/web/session.js';
import { DEMO_PEOPLE, demoChannelsOf, type DemoPerson } from '../../src/demo/demo-people.js';
import { DEMO_SEED, seedDemoOrganisation } from '../../src/demo/demo-organisation.js';
import { createHttpServer } from '../../src/http-server.js';
import type { UserRef } from '../../src/core/platform.js';
import { PrometheusMetrics } from '../../src/metrics.js';
import { grantDemoRoles } from '../../src/services/web-sign-in-service.js';
import { loadSurveyDirectory } from '../../src/survey-files/load-surveys.js';
import { shippedSurveysDir } from '../../src/survey-files/shipped-surveys.js';
import { createTestContext, type TestContext } from './test-context.js';

export const WEB_NOW = new Date('2026-11-30T12:00:00Z');
export const WEB_SESSION_SECRET = 'web-test-session-secret-that-is-long-enough-0123456789';

export interface WebHarness {
  readonly ctx: TestContext;
  readonly baseUrl: string;
  /** What the app believes its public URL is (the base URL unless overridden). */
  readonly publicUrl: string;
  readonly metrics: PrometheusMetrics;
  readonly people: readonly DemoPerson[];
  /** The demo person with this key (pm, lead, engineer, admin). */
  person(key: string): DemoPerson;
  close(): Promise<void>;
}

export interface WebHarnessOptions {
  /** Builds the sign-in providers once the base URL is known; none by default (the demo's "sign in as…" only). */
  readonly oidc?: (publicUrl: string) => OidcProviders;
  readonly teams?: number;
  /** The URL the app believes it is reached at (default: the loopback base URL), e.g. https://… behind a proxy. */
  readonly publicUrl?: string;
  /** More people to sign in as besides the demo's (e.g. an engineer of another team). */
  readonly extraPeople?: readonly DemoPerson[];
  /** Extra people with their own channel membership (user id → channel ids). */
  readonly channels?: ReadonlyMap<string, readonly string[]>;
}

/**
 * The dashboard on real HTTP over loopback, served by the same HTTP server and Hono app as the product, on
 * this project's storage engine (a SQLite file or a PostgreSQL database) holding the simulated
 * organisation, with the demo people and their roles. Sign-in goes through the real routes.
 */
export async function startWebHarness(options: WebHarnessOptions = {}): Promise<WebHarness> {
  const catalogue = await loadSurveyDirectory(shippedSurveysDir());
  const ctx = await createTestContext({ surveys: [...catalogue.surveys.values()].map((loaded) => loaded.survey), now: WEB_NOW });
  await seedDemoOrganisation(ctx, { seed: DEMO_SEED, now: WEB_NOW, teams: options.teams ?? 8 });
  await grantDemoRoles(ctx, DEMO_PEOPLE);
  const metrics = new PrometheusMetrics();
  const charts = new ChartRenderer();
  let listener: ReturnType<typeof webRequestListener> | null = null;
  const server: Server = createHttpServer(() => ({ status: 'ok', mode: 'live', scheduler: 'running', platforms: [] }), [], {
    metrics,
    fallback: (request, response) => listener?.(request, response),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const channelsOf = (person: UserRef): Promise<ReadonlySet<string> | null> => {
    const extra = options.channels?.get(person.userId);
    return Promise.resolve(extra ? new Set(extra) : demoChannelsOf(person));
  };
  listener = webRequestListener(
    createWebApp({
      ctx,
      log: ctx.log,
      metrics,
      publicUrl: options.publicUrl ?? baseUrl,
      allowedOrigins: [new URL(options.publicUrl ?? baseUrl).origin],
      sealer: new SessionSealer([WEB_SESSION_SECRET], 8),
      configuredAdmins: [],
      channelsOf,
      oidc: options.oidc ? options.oidc(options.publicUrl ?? baseUrl) : null,
      trendSvg: (input) => charts.renderTrendSvg(input),
      demoPeople: [...DEMO_PEOPLE, ...(options.extraPeople ?? [])],
    }),
  );
  return {
    ctx,
    baseUrl,
    publicUrl: options.publicUrl ?? baseUrl,
    metrics,
    people: [...DEMO_PEOPLE, ...(options.extraPeople ?? [])],
    person: (key) => {
      const found = [...DEMO_PEOPLE, ...(options.extraPeople ?? [])].find((demo) => demo.key === key);
      if (!found) throw new Error(`no demo person ${key}`);
      return found;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await charts.stop();
      await ctx.close();
    },
  };
}

/** Signs in as a demo person over HTTP and returns the session cookie (`name=value`). */
export async function signInAs(harness: WebHarness, key: string): Promise<string> {
  const response = await fetch(`${harness.baseUrl}/auth/demo`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: new URL(harness.publicUrl).origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ person: key, returnTo: '/' }).toString(),
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (response.status !== 302 || !cookie) throw new Error(`demo sign-in as ${key} answered ${response.status}`);
  return cookie;
}
