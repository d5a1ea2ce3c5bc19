import type { Hono } from 'hono';
import { page } from '../render.js';
import { MessagePage } from '../views/layout.js';
import type { WebDependencies, WebEnv } from '../web-env.js';

export function mountPageRoutes(app: Hono<WebEnv>, _deps: WebDependencies): void {
  app.get('/', (c) => {
    const session = c.get('session');
    if (!session) return c.redirect('/sign-in');
    return page(c, <MessagePage title="Dashboard" message={`Signed in as ${session.name ?? 'you'}.`} signedIn={{ name: session.name ?? 'You', csrf: session.csrf }} nav={[]} />);
  });
}
