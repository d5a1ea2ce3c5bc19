import type { Hono } from 'hono';
import type { WebDependencies, WebEnv } from '../web-env.js';

/** `/api/v1`: filled in with the API routes. */
export function mountApiRoutes(_app: Hono<WebEnv>, _deps: WebDependencies): void {}
