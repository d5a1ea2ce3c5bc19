import type { RequestListener, Server } from 'node:http';
import { createWebApp, webRequestListener } from './adapters/web/app.js';
import { OidcProviders, type OidcProvidersOptions } from './adapters/web/auth/oidc.js';
import { SessionSealer } from './adapters/web/session.js';
import { DEMO_PEOPLE, demoChannelPeople, demoChannelsOf } from './demo/demo-people.js';
import { grantDemoRoles, slackSignInWorkspace, webSessionSecret } from './services/web-sign-in-service.js';
import { openContext, DEMO_RESPONDENT_SECRET } from './bootstrap.js';
import { ChartRenderer } from './adapters/charts/chart-renderer.js';
// The platform adapters themselves (Bolt, botbuilder) load only when their credentials are set: each costs a
// noticeable share of start-up, paid on every restart.
import type { CredentialsFactory, TeamsAdapter } from './adapters/teams/app.js';
import { isLoopbackServiceUrl, TEAMS_MESSAGES_PATH, TEAMS_PROGRESS_EDITS_PER_MINUTE, TEAMS_PROGRESS_INTERVAL_MS } from './adapters/teams/endpoint.js';
import { DemoMessenger } from './adapters/demo/messenger.js';
import { renderDigestText } from './adapters/text/render-digest.js';
import { renderReportText } from './adapters/text/render-report.js';
import { CONNECTION_VARIABLES, hasChatCredentials, liveStorageTarget, type AppConfig } from './config.js';
import { UserFacingError } from './core/errors.js';
import type { Messenger } from './core/messenger.js';
import type { Platform } from './core/platform.js';
import { DEMO_SEED, seedDemoOrganisation } from './demo/demo-organisation.js';
import type { SlackAdapter } from './adapters/slack/app.js';
import { SLACK_EVENTS_PATH, SLACK_PROGRESS_EDITS_PER_MINUTE, SLACK_PROGRESS_INTERVAL_MS } from './adapters/slack/endpoint.js';
import { createHttpServer, listen, METRICS_PATH, type HealthStatus, type Route } from './http-server.js';
import { PrometheusMetrics, secondsSince } from './metrics.js';
import { outboxBacklog } from './services/delivery-service.js';
import type { Logger } from './logger.js';
import { OutboxDrainer } from './scheduler/outbox-drainer.js';
import { RoundProgress } from './scheduler/round-progress.js';
import { Scheduler } from './scheduler/scheduler.js';
import type { ServiceContext } from './services/context.js';
import { orgDigest, teamReport } from './services/report-service.js';
import { describeTarget, type StorageTarget } from './storage/open-store.js';
import type { StoreSignal } from './storage/store.js';
import { DigestBuilder } from './workers/digest-builder.js';

export interface RunningServer {
  readonly port: number;
  /** Where `/metrics` listens when METRICS_PORT gave it a port of its own. */
  readonly metricsPort: number | null;
  readonly mode: 'demo' | 'live';
  readonly ctx: ServiceContext;
  stop(): Promise<void>;
}

/** Prints the demo organisation's first report and the digest preview, so `npm start` shows the product. */
async function printDemo(ctx: ServiceContext, write: (text: string) => void): Promise<void> {
  const teams = await ctx.store.listTeams();
  const team = teams.find((candidate) => candidate.name === 'Payments') ?? teams[0];
  if (team) {
    const result = await teamReport(ctx, team, { withComments: false });
    if (result.kind === 'report') write(`\n${renderReportText(result.report)}\n`);
  }
  write(`\n${renderDigestText(await orgDigest(ctx))}\n`);
}

/**
 * Wires everything and runs until stopped: storage, surveys, the outbox with the platform messengers,
 * the scheduler tick under its lease, and the HTTP server. Without chat credentials it runs the demo.
 */
/** What tests can swap in: how the Teams adapter signs its calls to the (stand-in) Bot Connector. */
export interface ServerOverrides {
  readonly teamsCredentialsFactory?: CredentialsFactory;
  /** How sign-in reaches the identity providers (tests point https://slack.com and Entra at a loopback stand-in). */
  readonly identityProviderFetch?: OidcProvidersOptions['customFetch'];
}

/** A host as it appears in a URL (IPv6 in brackets); a wildcard address is reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export async function startServer(config: AppConfig, log: Logger, output: (text: string) => void = (text) => process.stdout.write(text), overrides: ServerOverrides = {}): Promise<RunningServer> {
  const mode = hasChatCredentials(config) ? 'live' : 'demo';
  // Whatever a request writes for the outbox, or an answer that changes a round's count, is signalled
  // through the store: on PostgreSQL the replica holding the scheduler lease may be another process.
  const signals = { intent: () => {}, answer: (_event: Extract<StoreSignal, { kind: 'answer' }>) => {} };
  // The demo always runs on its own SQLite file; live data is in DATABASE_URL's PostgreSQL or DATABASE_PATH.
  const target: StorageTarget = mode === 'demo' ? { engine: 'sqlite', path: config.demoDatabasePath } : liveStorageTarget(config);
  const where = await describeTarget(target);
  const opened = await openContext(config, log, {
    target,
    create: true,
    kind: mode,
    onIntent: () => signals.intent(),
  });
  const metrics = config.metrics ? new PrometheusMetrics() : null;
  const timed = async <T>(work: Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    const result = await work;
    metrics?.observeDigestBuild(secondsSince(started));
    return result;
  };
  // Digests are built in a worker thread on its own read-only connection, so they never delay a click.
  const digests = new DigestBuilder(target, opened.surveys, opened.policy);
  const ctx: ServiceContext = {
    ...opened,
    ...(metrics ? { metrics } : {}),
    buildDigest: (at, surveyIds) => timed(digests.build(at, surveyIds)),
    buildDigestParts: (at, surveyIds) => timed(digests.buildParts(at, surveyIds)),
  };
  const messengers = new Map<Platform, Messenger>();
  const routes: Route[] = [];
  const progress = new RoundProgress(ctx, messengers, {
    intervalMs: (platform) => (platform === 'slack' ? SLACK_PROGRESS_INTERVAL_MS : TEAMS_PROGRESS_INTERVAL_MS),
    editsPerMinute: (platform) => (platform === 'slack' ? SLACK_PROGRESS_EDITS_PER_MINUTE : TEAMS_PROGRESS_EDITS_PER_MINUTE),
  });
  let slack: SlackAdapter | null = null;
  let teamsAdapter: TeamsAdapter | null = null;
  const charts = new ChartRenderer((seconds) => metrics?.observeChartRender(seconds));
  if (mode === 'demo') {
    log.info(
      { slack: CONNECTION_VARIABLES.slack, teams: CONNECTION_VARIABLES.teams },
      `No Slack or Teams credentials are set, so this is the demo. Set ${CONNECTION_VARIABLES.slack.join(', ')} to connect Slack, or ${CONNECTION_VARIABLES.teams.join(', ')} for Teams.`,
    );
    if ((await ctx.store.countTeams()) === 0) {
      const summary = await seedDemoOrganisation(ctx, { seed: DEMO_SEED, now: ctx.clock.now() });
      log.info(summary, `seeded the demo organisation into ${config.demoDatabasePath}`);
    }
    await grantDemoRoles(ctx, DEMO_PEOPLE);
    messengers.set('demo', new DemoMessenger(log.child({ area: 'demo-messenger' })));
    await printDemo(ctx, output);
    output(`\nTry: npx maturity-pulse report --team Checkout --database ${config.demoDatabasePath}\n`);
  } else {
    if ((await ctx.store.countTeams({ demo: true })) > 0 || ctx.respondentSecret === DEMO_RESPONDENT_SECRET) {
      await ctx.store.close();
      throw new UserFacingError('config', `${where} holds the demo organisation; point DATABASE_PATH (or DATABASE_URL) at a real database before connecting Slack or Teams.`);
    }
    if (config.slack) {
      const { createSlackAdapter } = await import('./adapters/slack/app.js');
      slack = createSlackAdapter({ ctx, config: config.slack, log, charts, onAnswerRecorded: (roundId) => signals.answer({ kind: 'answer', roundId, platform: 'slack' }) });
      messengers.set('slack', slack.messenger);
      if (slack.requestListener) routes.push({ path: SLACK_EVENTS_PATH, listener: slack.requestListener, platform: 'slack' });
    }
    if (config.teams?.devNoAuth && (await ctx.store.conversationServiceUrls()).some((url) => !isLoopbackServiceUrl(url))) {
      await ctx.store.close();
      throw new UserFacingError('config', `${where} holds Teams conversations set up with real credentials; TEAMS_DEV_NO_AUTH=1 runs only on a database of its own (set DATABASE_PATH to another file).`);
    }
    if (config.teams) {
      const { createTeamsAdapter } = await import('./adapters/teams/app.js');
      const teams = (teamsAdapter = createTeamsAdapter({ ctx, config: config.teams, log, charts, onAnswerRecorded: (roundId) => signals.answer({ kind: 'answer', roundId, platform: 'teams' }), ...(overrides.teamsCredentialsFactory ? { credentialsFactory: overrides.teamsCredentialsFactory } : {}) }));
      messengers.set('teams', teams.messenger);
      routes.push({ path: TEAMS_MESSAGES_PATH, listener: teams.requestListener, platform: 'teams' });
    }
  }

  const drainer = new OutboxDrainer(ctx, messengers);
  const scheduler = new Scheduler(ctx, drainer, { cronExpression: config.tickCron, leaseTtlMs: config.leaseTtlMs, retentionDays: config.retentionDays, instanceSlot: config.instanceSlot });
  // Only the process that sends acts on signals: it posts new intents at once and keeps the "N answered"
  // edits within one budget for the whole deployment, whichever replica took the clicks. That process acts
  // on its own at once rather than through the database (a NOTIFY per round opened, heard back by itself,
  // cost the 2,000-channel Monday 2,000 round trips); a lease lost meanwhile costs at most a tick's wait.
  const act = (event: StoreSignal): void => {
    if (event.kind === 'intent') scheduler.kick();
    else progress.noteAnswer(event.roundId, event.platform);
  };
  const signalOrAct = (event: StoreSignal): void => {
    if (scheduler.holdsLease()) act(event);
    else ctx.store.signal(event);
  };
  signals.intent = () => signalOrAct({ kind: 'intent' });
  signals.answer = signalOrAct;
  const stopListening = await ctx.store.listen((event) => {
    if (scheduler.holdsLease()) act(event);
  });
  metrics?.setProbes({ isLeader: () => scheduler.holdsLease(), outbox: () => outboxBacklog(ctx), now: () => ctx.clock.now() });
  // /metrics: on the main port behind METRICS_TOKEN, or on METRICS_PORT (a listener of its own) instead.
  const endpoint = metrics && config.metrics ? { render: () => metrics.render(), token: config.metrics.token } : null;
  const onMainPort = endpoint && config.metrics?.port === null ? endpoint : null;
  const health = (): HealthStatus => ({ status: 'ok', mode, scheduler: scheduler.holdsLease() ? 'running' : 'standby', platforms: [...messengers.keys()] });
  // The dashboard needs the port it is reached on (PORT may be 0), so it is built once the server listens.
  let web: RequestListener | null = null;
  const fallback: RequestListener = (request, response) => {
    if (web) return web(request, response);
    response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' });
    response.end('Starting; try again in a moment.');
  };
  const server: Server = createHttpServer(health, routes, { ...(metrics ? { metrics } : {}), ...(onMainPort ? { metricsEndpoint: onMainPort } : {}), fallback });
  const metricsServer: Server | null = endpoint && config.metrics?.port != null ? createHttpServer(health, [], { metricsEndpoint: endpoint }) : null;
  let port: number;
  let metricsPort: number | null = null;
  try {
    port = await listen(server, config.port, config.host);
    if (metricsServer && config.metrics?.port != null) metricsPort = await listen(metricsServer, config.metrics.port, config.host);
  } catch (error) {
    server.close();
    await ctx.store.close();
    throw new UserFacingError('config', error instanceof Error ? error.message : String(error));
  }
  const publicUrl = config.web.publicUrl ?? `http://${urlHost(config.host)}:${port}`;
  const allowedOrigins = config.web.publicUrl || !LOOPBACK_HOSTS.has(config.host) ? [new URL(publicUrl).origin] : [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  const sessionSecret = await webSessionSecret(ctx, config.web.sessionSecret);
  const oidc = config.web.slack || config.web.entra ? new OidcProviders({ web: config.web, publicUrl, resolveSlackWorkspace: async (workspaceId) => (slack ? await slack.organisationOf(workspaceId) : null) ?? (await slackSignInWorkspace(ctx, workspaceId)), ...(overrides.identityProviderFetch ? { customFetch: overrides.identityProviderFetch } : {}) }) : null;
  web = webRequestListener(
    createWebApp({
      ctx,
      log,
      ...(metrics ? { metrics } : {}),
      publicUrl,
      allowedOrigins,
      sealer: new SessionSealer([sessionSecret, ...(config.web.previousSessionSecret ? [config.web.previousSessionSecret] : [])], config.web.sessionHours),
      configuredAdmins: [...(config.slack?.adminUserIds ?? []), ...(config.teams?.adminObjectIds ?? [])],
      channelsOf: async (person) => {
        if (person.platform === 'demo') return demoChannelsOf(person);
        if (person.platform === 'slack') return slack ? await slack.channelsOf(person) : null;
        return teamsAdapter ? await teamsAdapter.channelsOf(person) : null;
      },
      channelPeople: async (channel) => {
        if (channel.platform === 'demo') return demoChannelPeople(channel);
        if (channel.platform === 'slack') return slack ? await slack.channelPeople(channel) : null;
        return teamsAdapter ? await teamsAdapter.channelPeople(channel) : null;
      },
      oidc,
      trendSvg: (input) => charts.renderTrendSvg(input),
      demoPeople: mode === 'demo' ? DEMO_PEOPLE : null,
    }),
  );
  // Loading the worker's modules takes seconds on Node 24 and 26 (drizzle's large exports map): done at
  // start, not inside the first digest preview, which has Slack's 3-second acknowledgement to meet.
  digests.warm();
  await slack?.start();
  scheduler.start();
  log.info({ host: config.host, port, mode, holder: scheduler.holderId }, `maturity-pulse is running: health check at http://${config.host}:${port}/healthz`);
  log.info({ dashboard: publicUrl }, mode === 'demo' ? `dashboard: open ${publicUrl}/ and sign in as a demo person (a PM, a lead, an engineer or an admin)` : `dashboard at ${publicUrl}/${oidc ? '' : ' (no sign-in configured: set SLACK_OIDC_CLIENT_ID or ENTRA_CLIENT_ID)'}`);
  if (mode === 'demo') output(`\nDashboard: ${publicUrl}/  (sign in as a demo PM, lead, engineer or admin)\n`);
  if (endpoint) log.info({ metricsPort: metricsPort ?? port, bearer: endpoint.token !== null }, `metrics at http://${config.host}:${metricsPort ?? port}${METRICS_PATH}${endpoint.token !== null ? ' (Authorization: Bearer METRICS_TOKEN)' : ''}`);

  let stopping: Promise<void> | null = null;
  return {
    port,
    metricsPort,
    mode,
    ctx,
    stop: () => {
      stopping ??= (async () => {
        await stopListening();
        await scheduler.stop();
        progress.stop();
        await slack?.stop();
        await charts.stop();
        await digests.stop();
        for (const listening of [server, metricsServer]) {
          if (!listening) continue;
          listening.closeAllConnections();
          await new Promise<void>((resolve) => listening.close(() => resolve()));
        }
        await ctx.store.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
