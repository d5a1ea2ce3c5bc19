import { z } from 'zod';
import { OrgQuerySchema } from '../org-query.js';
import { StepQuerySchema } from '../step-query.js';
import {
  apiSchemas,
  DigestListSchema,
  DigestSchema,
  ErrorSchema,
  OpenApiDocumentSchema,
  OrganisationSchema,
  StepListSchema,
  TeamDetailSchema,
  TeamListSchema,
  TeamRoundsSchema,
  TeamTrendsSchema,
} from './schemas.js';
import { MAX_ID } from '../ids.js';

/** Refusals a route may answer with, besides its 200. */
type Refusal = 401 | 403 | 404;

/** One `/api/v1` route: what the router mounts and what the OpenAPI document describes, from the same entry. */
export interface ApiRoute {
  readonly method: 'get';
  /** The OpenAPI path template (`/api/v1/teams/{teamId}`). */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly response: z.ZodType;
  /** Whether the route answers without authentication (only the document itself). */
  readonly public?: boolean;
  readonly refusals: readonly Refusal[];
}

const TeamParams = z.object({ teamId: z.coerce.number().int().positive().max(MAX_ID).describe("The team's id, as listed by GET /api/v1/teams") });
const DigestParams = z.object({ digestId: z.coerce.number().int().positive().max(MAX_ID).describe("The digest's id, as listed by GET /api/v1/digests") });

export const API_ROUTES = {
  listTeams: { method: 'get', path: '/api/v1/teams', summary: 'Teams you may see', response: TeamListSchema, refusals: [401] },
  getTeam: {
    method: 'get',
    path: '/api/v1/teams/{teamId}',
    summary: "A team's levels per aspect",
    description: 'Levels, trends and next steps per aspect, participation and the open round. Hidden aspects carry only their shortfall. `comments` is set for the team\'s leads only.',
    params: TeamParams,
    response: TeamDetailSchema,
    refusals: [401, 403, 404],
  },
  getTeamTrends: { method: 'get', path: '/api/v1/teams/{teamId}/trends', summary: "A team's weekly levels per aspect", params: TeamParams, response: TeamTrendsSchema, refusals: [401, 403, 404] },
  getTeamRounds: {
    method: 'get',
    path: '/api/v1/teams/{teamId}/rounds',
    summary: "A team's latest closed rounds",
    description: 'Prompt, dates and whether each round counted: a counted round carries its respondent count, one that did not its shortfall. No distribution.',
    params: TeamParams,
    response: TeamRoundsSchema,
    refusals: [401, 403, 404],
  },
  getOrganisation: {
    method: 'get',
    path: '/api/v1/organisation',
    summary: 'Every team × aspect (PMs and admins)',
    description: 'The organisation page as data, with the same filters and sort as the page and its downloads.',
    query: OrgQuerySchema,
    response: OrganisationSchema,
    refusals: [401, 403],
  },
  listSteps: {
    method: 'get',
    path: '/api/v1/steps',
    summary: 'Next steps of the teams you may see',
    description: "Every step the caller's teams adopted (PMs and admins: every team's), filtered by team, survey, aspect and status. An owner is named only once they accepted.",
    query: StepQuerySchema,
    response: StepListSchema,
    refusals: [401],
  },
  listDigests: { method: 'get', path: '/api/v1/digests', summary: 'Posted digests (PMs and admins)', response: DigestListSchema, refusals: [401, 403] },
  getDigest: { method: 'get', path: '/api/v1/digests/{digestId}', summary: "One posted digest's figures (PMs and admins)", params: DigestParams, response: DigestSchema, refusals: [401, 403, 404] },
  getOpenApi: { method: 'get', path: '/api/v1/openapi.json', summary: 'This document', public: true, response: OpenApiDocumentSchema, refusals: [] },
} as const satisfies Record<string, ApiRoute>;

export type ApiRouteId = keyof typeof API_ROUTES;

const REFUSAL_TEXT: Record<Refusal, string> = {
  401: 'No valid token or session: send `Authorization: Bearer mpat_…`.',
  403: "The token's owner (or the signed-in person) may not see this, with the roles they hold now.",
  404: 'There is no such thing, or its survey is no longer loaded.',
};

type JsonSchema = Record<string, unknown>;

/** A JSON Schema without the keywords that only make sense at a document's root. */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** Path or query parameters from a zod object: names, whether required, and each one's schema (as input: strings coerced). */
function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: rest, ...(typeof description === 'string' ? { description } : {}) };
  });
}

const ref = (schema: z.ZodType): JsonSchema => {
  const id = apiSchemas.get(schema)?.id;
  return id ? { $ref: `#/components/schemas/${id}` } : bare(z.toJSONSchema(schema, { io: 'output' }) as JsonSchema);
};

/**
 * The OpenAPI 3.1 document of a route table. Component schemas come from the wire schemas' registry through
 * zod's own JSON Schema output (2020-12, the dialect OpenAPI 3.1 uses), so what the document promises is
 * what the handlers' `parse` enforces.
 */
export function buildOpenApiDocument(routes: Readonly<Record<string, ApiRoute>>, options: { readonly sessionCookieName: string }): z.infer<typeof OpenApiDocumentSchema> {
  const { schemas } = z.toJSONSchema(apiSchemas, { uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonSchema> };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [operationId, route] of Object.entries(routes)) {
    const responses: Record<string, unknown> = { '200': { description: route.summary, content: { 'application/json': { schema: ref(route.response) } } } };
    for (const status of route.refusals) responses[String(status)] = { description: REFUSAL_TEXT[status], content: { 'application/json': { schema: ref(ErrorSchema) } } };
    const params = [...parameters(route.params, 'path'), ...parameters(route.query, 'query')];
    paths[route.path] = {
      ...paths[route.path],
      [route.method]: {
        operationId,
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        ...(params.length > 0 ? { parameters: params } : {}),
        ...(route.public ? { security: [] } : {}),
        responses,
      },
    };
  }
  return OpenApiDocumentSchema.parse({
    openapi: '3.1.0',
    info: {
      title: 'Maturity Pulse API',
      version: 'v1',
      description:
        'Read-only access to what the dashboard shows, with the roles the token owner holds now. Figures come only from rounds with enough answers; hidden figures carry only "N answered, results need M". Create a token on the dashboard\'s API tokens page.',
    },
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, bare(schema)])),
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'mpat_…', description: 'A personal access token from the dashboard\'s API tokens page.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: options.sessionCookieName, description: 'A signed-in dashboard session; GET only.' },
      },
    },
  });
}
