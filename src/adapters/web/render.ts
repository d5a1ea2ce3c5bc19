import type { Child } from 'hono/jsx';
import { html } from 'hono/html';
import type { WebContext } from './web-env.js';

/** A full HTML page: the doctype (standards mode, which JSX cannot write) and the escaped JSX tree. */
export function page(c: WebContext, body: Child, status: 200 | 400 | 403 | 404 | 409 | 500 | 503 = 200): Response | Promise<Response> {
  c.header('cache-control', 'private, no-store');
  return c.html(html`<!DOCTYPE html>${body}`, status);
}
