/**
 * The web dashboard on real HTTP over loopback: the same HTTP server and Hono app as the product (as
 * test/support/web-harness.ts starts them) on the 500-team x 26-round organisation, signed in as a PM
 * through the demo sign-in. Each page's server time (request received to response finished) is measured
 * against a raw SQL floor of the rows it reads, measured in the same run on the same engine.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChartRenderer } from '../src/adapters/charts/chart-renderer.js';
import type { TrendChartInput } from '../src/adapters/charts/trend-chart-spec.js';
import { createWebApp, webRequestListener } from '../src/adapters/web/app.js';
import { SessionSealer } from '../src/adapters/web/session.js';
import { DEMO_PEOPLE, demoChannelsOf } from '../src/demo/demo-people.js';
import { createHttpServer } from '../src/http-server.js';
import { PrometheusMetrics } from '../src/metrics.js';
import { DASHBOARD_HISTORY_ROUNDS } from '../src/services/dashboard-service.js';
import { grantDemoRoles } from '../src/services/web-sign-in-service.js';
import type { Team } from '../src/core/team.js';
import { createBenchContext, type BenchContext } from './context.js';
import { rawStatement, type BenchEngine } from './engine.js';
import { ORGANISATION_TEAMS, ORGANISATION_WEEKS, organisationStorage } from './seeding.js';
import { describeSummary, formatMs, measureEither, summarise, summaryLine, type MeasureOptions, type Summary } from './stats.js';

const SESSION_SECRET = 'bench-session-secret-that-is-long-enough-0123456789';
const ORG_RUNS: MeasureOptions = { warmup: 5, iterations: 40 };
const TEAM_RUNS: MeasureOptions = { warmup: 10, iterations: 100 };
const FLOOR_ORG_RUNS: MeasureOptions = { warmup: 5, iterations: 40 };
const FLOOR_TEAM_RUNS: MeasureOptions = { warmup: 20, iterations: 200 };

interface PageFetch {
  readonly status: number;
  readonly body: string;
  readonly bytes: number;
  /** Request received by the server to response finished, as the server saw it. */
  readonly serverMs: number;
  /** fetch() called to the whole body read, as the client on loopback saw it. */
  readonly clientMs: number;
}

interface Dashboard {
  readonly baseUrl: string;
  /** GET `path` with the session cookie, from the app with (`chart`) or without the trend chart. */
  get(path: string, options?: { chart?: boolean }): Promise<PageFetch>;
  close(): Promise<void>;
}

/**
 * One HTTP server (createHttpServer, as the product) whose fallback is a createWebApp: one app with a trend
 * chart renderer (a ChartRenderer worker, as main wires it) and one without, sharing the session secret, so
 * one demo sign-in as the PM serves both.
 */
async function startDashboard(ctx: BenchContext, withChart: boolean): Promise<Dashboard> {
  const metrics = new PrometheusMetrics();
  const charts = withChart ? new ChartRenderer() : null;
  let listeners: { plain: ReturnType<typeof webRequestListener>; chart: ReturnType<typeof webRequestListener> | null } | null = null;
  let useChart = false;
  let finished: Promise<number> = Promise.resolve(0);
  const server: Server = createHttpServer(() => ({ status: 'ok', mode: 'live', scheduler: 'running', platforms: [] }), [], {
    metrics,
    fallback: (request, response) => {
      const started = process.hrtime.bigint();
      finished = new Promise((resolve) => response.once('finish', () => resolve(Number(process.hrtime.bigint() - started) / 1e6)));
      const listener = useChart ? listeners?.chart : listeners?.plain;
      listener?.(request, response);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = (trendSvg: ((input: TrendChartInput) => Promise<string>) | undefined) =>
    webRequestListener(
      createWebApp({
        ctx,
        log: ctx.log,
        metrics,
        publicUrl: baseUrl,
        allowedOrigins: [baseUrl],
        sealer: new SessionSealer([SESSION_SECRET], 8),
        configuredAdmins: [],
        channelsOf: (person) => Promise.resolve(demoChannelsOf(person)),
        oidc: null,
        ...(trendSvg ? { trendSvg } : {}),
        demoPeople: DEMO_PEOPLE,
      }),
    );
  listeners = { plain: app(undefined), chart: charts ? app((input) => charts.renderTrendSvg(input)) : null };

  const signIn = await fetch(`${baseUrl}/auth/demo`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ person: 'pm', returnTo: '/' }).toString(),
  });
  await signIn.arrayBuffer();
  const cookie = signIn.headers.get('set-cookie')?.split(';')[0];
  if (signIn.status !== 302 || !cookie) throw new Error(`the demo sign-in as the PM answered ${signIn.status}`);

  return {
    baseUrl,
    get: async (path, options = {}) => {
      if (options.chart && !listeners?.chart) throw new Error('this dashboard has no chart renderer');
      useChart = options.chart === true;
      const start = process.hrtime.bigint();
      const response = await fetch(`${baseUrl}${path}`, { redirect: 'manual', headers: { cookie } });
      const buffer = Buffer.from(await response.arrayBuffer());
      const clientMs = Number(process.hrtime.bigint() - start) / 1e6;
      const serverMs = await finished;
      return { status: response.status, body: buffer.toString('utf8'), bytes: buffer.byteLength, serverMs, clientMs };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await charts?.stop();
    },
  };
}

/** `warmup` untimed requests, then `iterations` one at a time: the server's and the client's times of each. */
async function measurePage(fetchPage: () => Promise<PageFetch>, options: MeasureOptions): Promise<{ server: Summary; client: Summary }> {
  for (let i = 0; i < options.warmup; i += 1) await fetchPage();
  if (typeof globalThis.gc === 'function') globalThis.gc();
  const server: number[] = [];
  const client: number[] = [];
  for (let i = 0; i < options.iterations; i += 1) {
    const page = await fetchPage();
    if (page.status !== 200) throw new Error(`a measured request answered ${page.status}`);
    server.push(page.serverMs);
    client.push(page.clientMs);
  }
  return { server: summarise(server), client: summarise(client) };
}

/** The organisation copy with the demo people's roles granted through the service (the PM's is organisation-wide). */
async function dashboardContext(engine: BenchEngine, label: string) {
  const org = await organisationStorage(engine, label);
  const ctx = await createBenchContext(label, engine, { storage: org.storage, clock: { now: () => new Date(org.seededAt) } });
  try {
    await grantDemoRoles(ctx, DEMO_PEOPLE);
    const teams = await ctx.store.listTeams();
    const pm = DEMO_PEOPLE.find((person) => person.key === 'pm');
    if (!pm) throw new Error('no demo PM');
    const grants = await ctx.store.grantsFor(pm.person);
    if (!grants.some((grant) => grant.role === 'pm' && grant.teamId === null)) throw new Error('the PM role was not granted');
    // The demo lead's role is for "Payments", which the bench organisation does not have: it is skipped.
    const payments = teams.some((team) => team.name === 'Payments');
    return { org, ctx, teams, roles: `PM role granted through grantDemoRoles (organisation-wide; ${payments ? 'Payments present' : 'no Payments team, so the demo lead gets no role'})` };
  } catch (error) {
    await ctx.close();
    await org.storage.drop();
    throw error;
  }
}

/** The rows closedTalliesByTeam reads for the organisation page: every closed round's tally of every team. */
const ORG_TALLIES = "SELECT team_id, id, aspect_id, survey_id, closed_at, respondents, unknown_count, level_counts FROM rounds WHERE status = 'closed' AND closed_at IS NOT NULL ORDER BY closed_at, id";

/** The organisation page (GET / as a PM) against one raw SQL read of every closed round's tally, on the same engine. */
export async function runDashboardOrgBench(engine: BenchEngine): Promise<void> {
  const { org, ctx, teams, roles } = await dashboardContext(engine, 'dashboard-org');
  const dashboard = await startDashboard(ctx, false).catch(async (error: unknown) => {
    await ctx.close();
    await org.storage.drop();
    throw error;
  });
  try {
    console.log(`dashboard-org-500 [${engine.name}]: GET / as the PM over loopback (createHttpServer + createWebApp), ${ORGANISATION_TEAMS} teams x ${ORGANISATION_WEEKS} weekly rounds`);
    console.log(`  ${org.summary.teams} teams, ${org.summary.rounds} rounds; ${org.how} (not measured); ${roles}`);

    // A page that redirected or refused would time the wrong path.
    const check = await dashboard.get('/');
    if (check.status !== 200) throw new Error(`GET / answered ${check.status}`);
    const shown = teams.filter((team) => check.body.includes(`>${team.name}<`)).length;
    if (shown !== teams.length) throw new Error(`the organisation page names ${shown} of ${teams.length} teams`);
    console.log(`  page: ${check.bytes} bytes (${(check.bytes / 1024).toFixed(1)} KiB), all ${shown} teams listed`);

    const tallies = rawStatement<{ team_id: number }>(ctx.sql, 'dashboard_org_tallies', ORG_TALLIES);
    const floorRows = await tallies();
    console.log(`  raw-sql: one read of every closed round's tally of every team (the rows closedTalliesByTeam reads): ${floorRows.length} rows, ${new Set(floorRows.map((row) => row.team_id)).size} teams`);

    const floor = await measureEither(tallies, FLOOR_ORG_RUNS);
    const page = await measurePage(() => dashboard.get('/'), ORG_RUNS);
    console.log(describeSummary('GET / server', page.server));
    console.log(describeSummary('GET / client', page.client));
    console.log(describeSummary('raw-sql     ', floor));
    console.log(summaryLine(`dashboard-org-500-p50 [${engine.name}]`, page.server.p50, floor.p50, 'raw-sql-p50'));
    console.log(summaryLine(`dashboard-org-500-p95 [${engine.name}]`, page.server.p95, floor.p95, 'raw-sql-p95'));
  } finally {
    await dashboard.close();
    await ctx.close();
    await org.storage.drop();
  }
}

/** The reads of one team's page, as raw SQL: the team, then its open round, closed tallies and latest history together. */
function teamReads(ctx: BenchContext, team: Team): () => unknown {
  const teamRow = rawStatement(ctx.sql, 'dashboard_team_row', (d) => `SELECT * FROM teams WHERE id = ${d.p(1)}`, [team.id]);
  const open = rawStatement(ctx.sql, 'dashboard_team_open', (d) => `SELECT * FROM rounds WHERE team_id = ${d.p(1)} AND status = 'open'`, [team.id]);
  const tallies = rawStatement(
    ctx.sql,
    'dashboard_team_tallies',
    (d) => `SELECT team_id, id, aspect_id, closed_at, respondents, unknown_count, level_counts FROM rounds WHERE team_id = ${d.p(1)} AND survey_id = ${d.p(2)} AND status = 'closed' ORDER BY closed_at, id`,
    [team.id, team.surveyId],
  );
  const history = rawStatement(
    ctx.sql,
    'dashboard_team_history',
    (d) =>
      `SELECT id, question, opened_at, closed_at, respondents, unknown_count, level_counts FROM rounds WHERE team_id = ${d.p(1)} AND survey_id = ${d.p(2)} AND status = 'closed' AND closed_at IS NOT NULL ORDER BY closed_at DESC, id DESC LIMIT ${DASHBOARD_HISTORY_ROUNDS}`,
    [team.id, team.surveyId],
  );
  if (ctx.sql.engine === 'sqlite') return () => [teamRow(), open(), tallies(), history()];
  return async () => {
    const row = await teamRow();
    return [row, ...(await Promise.all([open(), tallies(), history()]))];
  };
}

/** One team's page (GET /teams/:id as a PM), with and without the trend chart, against the raw SQL of its reads. */
export async function runDashboardTeamBench(engine: BenchEngine): Promise<void> {
  const { org, ctx, teams, roles } = await dashboardContext(engine, 'dashboard-team');
  const dashboard = await startDashboard(ctx, true).catch(async (error: unknown) => {
    await ctx.close();
    await org.storage.drop();
    throw error;
  });
  try {
    const team = [...teams].sort((a, b) => a.id - b.id)[0];
    if (!team) throw new Error('no team was seeded');
    const path = `/teams/${team.id}`;
    console.log(`dashboard-team [${engine.name}]: GET ${path} as the PM over loopback (createHttpServer + createWebApp), with the trend chart (ChartRenderer worker) and without`);
    console.log(`  ${team.name}, survey ${team.surveyId}, one of ${org.summary.teams} teams x ${ORGANISATION_WEEKS} weekly rounds; ${org.how} (not measured); ${roles}`);

    const plainCheck = await dashboard.get(path);
    const chartCheck = await dashboard.get(path, { chart: true });
    for (const [label, check] of [['without the chart', plainCheck], ['with the chart', chartCheck]] as const) {
      if (check.status !== 200 || !check.body.includes(team.name)) throw new Error(`GET ${path} ${label} answered ${check.status}`);
    }
    if (plainCheck.body.includes('<svg')) throw new Error('the page without a chart renderer has an SVG');
    if (!chartCheck.body.includes('<svg')) throw new Error('the page with the chart renderer has no SVG (the chart failed; see the log)');
    console.log(`  page: ${plainCheck.bytes} bytes without the chart, ${chartCheck.bytes} bytes with it`);

    const reads = teamReads(ctx, team);
    const rows = (await reads()) as unknown[][];
    console.log(`  raw-sql: the team's reads (team row, then open round, ${rows[2]?.length ?? 0} closed tallies and the latest ${rows[3]?.length ?? 0} closed rounds with their questions${engine.name === 'postgres' ? ' together' : ''})`);

    const floor = await measureEither(reads, FLOOR_TEAM_RUNS);
    const plain = await measurePage(() => dashboard.get(path), TEAM_RUNS);
    const chart = await measurePage(() => dashboard.get(path, { chart: true }), TEAM_RUNS);
    console.log(describeSummary('no chart server', plain.server));
    console.log(describeSummary('no chart client', plain.client));
    console.log(describeSummary('chart server   ', chart.server));
    console.log(describeSummary('chart client   ', chart.client));
    console.log(describeSummary('raw-sql        ', floor));
    console.log(`  the chart adds ${formatMs(chart.server.p95 - plain.server.p95)} ms at p95`);
    console.log(summaryLine(`dashboard-team-p95 [${engine.name}]`, plain.server.p95, floor.p95, 'raw-sql-p95'));
    console.log(summaryLine(`dashboard-team-chart-p95 [${engine.name}]`, chart.server.p95, floor.p95, 'raw-sql-p95'));
  } finally {
    await dashboard.close();
    await ctx.close();
    await org.storage.drop();
  }
}
