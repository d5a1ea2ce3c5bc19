import type { SignedIn } from './access.js';
import { chrome } from './nav.js';
import { page } from './render.js';
import { MessagePage } from './views/layout.js';
import type { WebContext } from './web-env.js';

const BACK = { href: '/', label: 'Back to the start' };

/** A page or download the signed-in person may not see: 403, with the message saying who may, and a way back. */
export function refusedPage(c: WebContext, who: SignedIn, message: string): Response | Promise<Response> {
  return page(c, MessagePage({ title: 'Not available to you', message, ...chrome(who), action: BACK }), 403);
}

/** A page or download that does not exist (or no longer does): 404, with a way back. */
export function notFoundPage(c: WebContext, who: SignedIn, message: string): Response | Promise<Response> {
  return page(c, MessagePage({ title: 'Not found', message, ...chrome(who), action: BACK }), 404);
}
