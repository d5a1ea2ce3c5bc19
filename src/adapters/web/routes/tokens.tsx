import type { Hono } from 'hono';
import type { WebDependencies, WebEnv } from '../web-env.js';

/** The API tokens page: create (the secret shown once), list and revoke. */
export function mountTokenRoutes(_app: Hono<WebEnv>, _deps: WebDependencies): void {}
