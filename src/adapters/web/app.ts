import { getRequestListener } from '@hono/node-server';
import type { RequestListener } from 'node:http';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { getCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import { secondsSince } from '../../metrics.js';
import { DASHBOARD_CSS } from './assets.js';
import { mountApiRoutes } from './routes/api.js';
import { mountAuthRoutes } from './routes/auth.js';
import { mountExportRoutes } from './routes/exports.js';
import { mountTokenRoutes } from './routes/tokens.js';
import { mountPageRoutes } from './routes/pages.js';
import { mountStepRoutes } from './routes/step-routes.js';
import { csrfMatches, personOf } from './session.js';
import { sessionGeneration } from '../../services/web-sign-in-service.js';
import { sessionCookieName, type WebDependencies, type WebEnv } from './web-env.js';

/** Forms are small: a filter, a name, a confirmation, a one-line step. */
const MAX_FORM_BYTES = 16 * 1024;

/**
 * The dashboard and its API as one Hono app: security headers (a CSP that allows no script and no inline
 * style), request timing by route template, the session read from its sealed cookie, CSRF checks on every
 * form (the Origin header and the session's token), then sign-in, pages, exports and `/api/v1`.
 */
export function createWebApp(deps: WebDependencies): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const log = deps.log.child({ area: 'web' });

  app.use(async (c, next) => {
    const started = process.hrtime.bigint();
    await next();
    // The last route that matched is the handler's template; only middleware ("/*") matched a path we do not serve.
    const template = routePath(c, -1);
    deps.metrics?.observeHttpRequest(template === '/*' ? 'unmatched' : template, c.req.method, c.res.status, secondsSince(started));
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: ["'none'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], objectSrc: ["'none'"] },
      strictTransportSecurity: deps.publicUrl.startsWith('https://') ? 'max-age=31536000; includeSubDomains' : false,
      referrerPolicy: 'same-origin',
    }),
  );
  // The 500-team organisation page is about 800 KB of HTML; gzip makes it about a tenth of that on the wire.
  app.use(compress());
  // Checked on the declared length only: Hono's bodyLimit re-wraps a request without Content-Length in a new
  // Request, which fails on @hono/node-server's request object when the globals are not replaced. Browsers
  // always declare a form's length; a chunked upload is refused rather than read.
  app.use(async (c, next) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) return next();
    const declared = c.req.header('content-length');
    if (declared === undefined && c.req.header('transfer-encoding') !== undefined) return c.text('Send the form with a Content-Length.', 411);
    if (declared !== undefined && !(Number(declared) <= MAX_FORM_BYTES)) return c.text('That form is too large.', 413);
    return next();
  });
  // A form posted from another site is refused before anything reads it (the API takes bearer tokens, not cookies).
  const sameOrigin = csrf({ origin: (origin) => deps.allowedOrigins.includes(origin) });
  app.use((c, next) => (c.req.path.startsWith('/api/') ? next() : sameOrigin(c, next)));
  app.use(async (c, next) => {
    const session = await deps.sealer.openSession(getCookie(c, sessionCookieName(deps.publicUrl)), deps.ctx.clock.now());
    // A session from before its person last signed out (anywhere) counts as signed out.
    c.set('session', session && session.generation === (await sessionGeneration(deps.ctx, personOf(session))) ? session : null);
    await next();
  });
  // A form that cannot be read is answered here, once (Hono keeps the parsed body for the handlers).
  app.use(async (c, next) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) || c.req.path.startsWith('/api/')) return next();
    try {
      await c.req.parseBody();
    } catch {
      return c.text('That form could not be read. Go back, reload the page and try again.', 400);
    }
    return next();
  });
  // Every form of a signed-in person carries the session's token as well: the Origin check alone trusts
  // browsers that send Origin, and a token also stops a form replayed from an old page after sign-out.
  app.use(async (c, next) => {
    const session = c.get('session');
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method);
    if (unsafe && session && !c.req.path.startsWith('/api/')) {
      const form = await c.req.parseBody();
      if (!csrfMatches(session.csrf, form.csrf)) return c.text('This form has expired. Go back, reload the page and try again.', 403);
    }
    await next();
  });

  app.get('/assets/dashboard.css', (c) => {
    c.header('cache-control', 'public, max-age=3600');
    return c.body(DASHBOARD_CSS, 200, { 'content-type': 'text/css; charset=utf-8' });
  });
  mountAuthRoutes(app, deps);
  mountApiRoutes(app, deps);
  mountExportRoutes(app, deps);
  mountTokenRoutes(app, deps);
  mountStepRoutes(app, deps);
  mountPageRoutes(app, deps);

  app.notFound((c) => c.text('There is no page here.', 404));
  app.onError((error, c) => {
    // Hono's own refusals (a cross-site form, a body over the limit) are answers, not failures.
    if (error instanceof HTTPException) return c.text(error.status === 403 ? 'This form came from another site, so it was refused.' : error.message || 'That request was refused.', error.status);
    log.error({ err: error, route: routePath(c) }, 'a dashboard request failed');
    return c.text('Something went wrong on our side. Please try again; if it keeps happening, tell your admin.', 500);
  });
  return app;
}

/** The app as a Node request listener, without replacing the process's global Request/Response (Bolt and undici use them). */
export function webRequestListener(app: Hono<WebEnv>): RequestListener {
  const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  return (request, response) => void listener(request, response);
}
