import type { Hono } from 'hono';
import type { z } from 'zod';
import { summariseDigest } from '../../../core/digest.js';
import type { UserRef } from '../../../core/platform.js';
import { authenticateAccessToken } from '../../../services/access-token-service.js';
import { digestArchive, digestArchiveEntry, orgOverview, teamDashboard, visibleTeams, type PersonViewer } from '../../../services/dashboard-service.js';
import { stepsAcrossTeams, teamStepBoard } from '../../../services/step-board-service.js';
import { viewerOfPerson } from '../access.js';
import { API_ROUTES, buildOpenApiDocument, type ApiRoute, type ApiRouteId } from '../api/openapi.js';
import { ErrorSchema } from '../api/schemas.js';
import { digestEntryWire, digestWire, organisationWire, stepListWire, teamDetailWire, teamListWire, teamRoundsWire, teamTrendsWire } from '../api/wire.js';
import { applyOrgQuery, parseOrgQuery } from '../org-query.js';
import { personOf } from '../session.js';
import { parseStepQuery, stepFilter } from '../step-query.js';
import { sessionCookieName, type WebContext, type WebDependencies, type WebEnv } from '../web-env.js';

type Failure = { readonly status: 403 | 404; readonly error: string };
type Outcome<T> = { readonly ok: T } | Failure;

interface ApiRequest {
  readonly c: WebContext;
  readonly person: UserRef;
  readonly viewer: PersonViewer;
}

/** Each route's handler returns the wire object its schema describes (as the schema's input). */
type Handlers = { readonly [K in Exclude<ApiRouteId, 'getOpenApi'>]: (request: ApiRequest) => Promise<Outcome<z.input<(typeof API_ROUTES)[K]['response']>>> };

const ORGANISATION_ONLY: Failure = { status: 403, error: 'Only PMs and admins may see organisation-wide figures.' };
const NOT_YOUR_TEAM: Failure = { status: 403, error: "Only the team's members and leads, PMs and admins may see this team." };
const NO_SUCH_TEAM: Failure = { status: 404, error: 'There is no such team.' };
const NO_SUCH_DIGEST: Failure = { status: 404, error: 'There is no such digest.' };

/** An OpenAPI path template as a Hono route (`{teamId}` → `:teamId`). */
const honoPath = (path: string): string => path.replace(/\{([A-Za-z]+)\}/g, ':$1');
/** A regular expression matching a path template's concrete paths, to tell "wrong method" from "no such path". */
const pathPattern = (path: string): RegExp => new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{[A-Za-z]+\}/g, '[^/]+')}$`);

/** A route's path parameters, or null when they do not fit (an id that is not a number is simply not there). */
function paramsOf<T extends z.ZodObject>(c: WebContext, schema: T): z.output<T> | null {
  const parsed = schema.safeParse(c.req.param());
  return parsed.success ? parsed.data : null;
}

function json(c: WebContext, body: unknown, status: 200 | 401 | 403 | 404 | 405): Response {
  c.header('cache-control', 'private, no-store');
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/json; charset=utf-8' });
}

function unauthorized(c: WebContext, error: string, invalidToken: boolean): Response {
  c.header('www-authenticate', invalidToken ? 'Bearer realm="maturity-pulse", error="invalid_token"' : 'Bearer realm="maturity-pulse"');
  return json(c, ErrorSchema.parse({ error }), 401);
}

/**
 * Who calls: the owner of a bearer token (a personal access token), or for GET the signed-in person of the
 * session cookie. A request that sends a token is judged by the token alone: a bad token is refused even
 * when a session cookie rides along. Otherwise the 401 response to send.
 */
async function caller(c: WebContext, deps: WebDependencies): Promise<UserRef | Response> {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const bearer = /^Bearer +(\S+) *$/i.exec(header)?.[1];
    const found = bearer ? await authenticateAccessToken(deps.ctx, bearer) : null;
    deps.metrics?.apiTokenAuth(found ? 'accepted' : 'refused');
    if (!found) return unauthorized(c, 'This token is not valid: it may be mistyped, revoked or expired.', true);
    return found.owner;
  }
  const session = c.get('session');
  if (session && (c.req.method === 'GET' || c.req.method === 'HEAD')) return personOf(session);
  return unauthorized(c, 'Send a personal access token as `Authorization: Bearer mpat_…`, or sign in to the dashboard.', false);
}

function handlers(deps: WebDependencies): Handlers {
  const { ctx } = deps;
  const teamIdOf = (c: WebContext) => paramsOf(c, API_ROUTES.getTeam.params)?.teamId ?? null;
  const dashboardOf = async (request: ApiRequest) => {
    const teamId = teamIdOf(request.c);
    if (teamId === null) return NO_SUCH_TEAM;
    const result = await teamDashboard(ctx, request.viewer, teamId);
    if (result.kind === 'refused') return NOT_YOUR_TEAM;
    if (result.kind === 'not-found') return NO_SUCH_TEAM;
    return result;
  };
  return {
    listTeams: async ({ viewer }) => ({ ok: teamListWire(await visibleTeams(ctx, viewer)) }),
    getTeam: async (request) => {
      const dashboard = await dashboardOf(request);
      if ('error' in dashboard) return dashboard;
      const board = await teamStepBoard(ctx, request.viewer, dashboard.report.teamId, { at: dashboard.report.generatedAt });
      return { ok: teamDetailWire(dashboard, board.kind === 'board' ? board.steps : []) };
    },
    getTeamTrends: async (request) => {
      const dashboard = await dashboardOf(request);
      return 'error' in dashboard ? dashboard : { ok: teamTrendsWire(dashboard.report.teamId, dashboard.series) };
    },
    getTeamRounds: async (request) => {
      const dashboard = await dashboardOf(request);
      return 'error' in dashboard ? dashboard : { ok: teamRoundsWire(dashboard.report.teamId, dashboard.history) };
    },
    getOrganisation: async ({ c, viewer }) => {
      const query = parseOrgQuery(c.req.query());
      const overview = await orgOverview(ctx, viewer, query.survey ? { surveyId: query.survey } : {});
      if (overview.kind === 'refused') return ORGANISATION_ONLY;
      return { ok: organisationWire(overview.generatedAt, query, overview.surveys.map((survey) => ({ survey, table: applyOrgQuery(survey.table, query) }))) };
    },
    listSteps: async ({ c, viewer }) => {
      const query = parseStepQuery(c.req.query());
      const list = await stepsAcrossTeams(ctx, viewer, stepFilter(query));
      return { ok: stepListWire(list.generatedAt, query, list.steps) };
    },
    listDigests: async ({ viewer }) => {
      const archive = await digestArchive(ctx, viewer);
      return archive.kind === 'refused' ? ORGANISATION_ONLY : { ok: { digests: archive.entries.map(digestEntryWire) } };
    },
    getDigest: async ({ c, viewer }) => {
      const digestId = paramsOf(c, API_ROUTES.getDigest.params)?.digestId;
      if (digestId === undefined) return NO_SUCH_DIGEST;
      const found = await digestArchiveEntry(ctx, viewer, digestId);
      if (found.kind === 'refused') return ORGANISATION_ONLY;
      if (found.kind === 'not-found') return NO_SUCH_DIGEST;
      return { ok: digestWire(found.entry, summariseDigest(found.digest)) };
    },
  };
}

/**
 * `/api/v1`: read-only JSON for scripts and other tools. A personal access token (or, for GET, the session
 * cookie) names a person; the viewer is then built afresh from the roles and channels that person has now,
 * exactly as for a page. Every body passes through its wire schema before it leaves, and the OpenAPI
 * document at `/api/v1/openapi.json` is generated from the same route table and schemas.
 */
export function mountApiRoutes(app: Hono<WebEnv>, deps: WebDependencies): void {
  const document = buildOpenApiDocument(API_ROUTES, { sessionCookieName: sessionCookieName(deps.publicUrl) });
  const byId = handlers(deps);
  const routes: readonly ApiRoute[] = Object.values(API_ROUTES);

  app.get(honoPath(API_ROUTES.getOpenApi.path), (c) => json(c, API_ROUTES.getOpenApi.response.parse(document), 200));

  for (const id of Object.keys(byId) as (keyof Handlers)[]) {
    const route: ApiRoute = API_ROUTES[id];
    const handle: (request: ApiRequest) => Promise<Outcome<unknown>> = byId[id];
    app.get(honoPath(route.path), async (c) => {
      const person = await caller(c, deps);
      if (person instanceof Response) return person;
      const outcome = await handle({ c, person, viewer: await viewerOfPerson(deps, person) });
      if ('error' in outcome) return json(c, ErrorSchema.parse({ error: outcome.error }), outcome.status);
      return json(c, route.response.parse(outcome.ok), 200);
    });
  }

  app.all('/api/*', (c) => {
    const known = routes.find((route) => pathPattern(route.path).test(c.req.path));
    if (known) {
      c.header('allow', 'GET, HEAD');
      return json(c, ErrorSchema.parse({ error: 'This endpoint only answers GET.' }), 405);
    }
    return json(c, ErrorSchema.parse({ error: 'There is no such endpoint. The endpoints are listed at /api/v1/openapi.json.' }), 404);
  });
}
