import type { Hono } from 'hono';
import { page } from '../render.js';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { UserRef } from '../../../core/platform.js';
import { endSessions, sessionGeneration, slackWorkspaceServed } from '../../../services/web-sign-in-service.js';
import { personOf, SIGN_IN_MINUTES } from '../session.js';
import { SignInPage } from '../views/sign-in.js';
import { isSecure, safeReturnTo, sessionCookieName, signInCookieName, type WebContext, type WebDependencies, type WebEnv } from '../web-env.js';

const PROVIDERS = ['slack', 'entra'] as const;
type Provider = (typeof PROVIDERS)[number];

const isProvider = (value: string): value is Provider => (PROVIDERS as readonly string[]).includes(value);

/** What a person is told when a sign-in fails; the reason in detail goes to the log only. */
const SIGN_IN_FAILED = 'Signing in did not work. Please try again; if it keeps failing, ask your admin to check the sign-in settings.';
const SIGN_IN_EXPIRED = `Signing in took longer than ${SIGN_IN_MINUTES} minutes or was started in another browser. Please try again.`;

/** Sets the session cookie for a person who just proved who they are. */
export async function startSession(c: WebContext, deps: WebDependencies, person: UserRef, name: string | null): Promise<void> {
  const sealed = await deps.sealer.sealSession(person, name, await sessionGeneration(deps.ctx, person), deps.ctx.clock.now());
  setCookie(c, sessionCookieName(deps.publicUrl), sealed, { path: '/', httpOnly: true, secure: isSecure(deps.publicUrl), sameSite: 'Lax', maxAge: deps.sealer.maxAgeSeconds });
}

function signInPage(c: WebContext, deps: WebDependencies, returnTo: string, problem: string | null, status: 200 | 400 | 403 | 503 = 200) {
  return page(c, <SignInPage providers={deps.oidc?.providers() ?? []} demoPeople={deps.demoPeople} returnTo={returnTo} problem={problem} />, status);
}

/**
 * Sign-in and sign-out: the sign-in page, OpenID Connect with Slack and Entra ID (state and nonce always,
 * PKCE where the provider supports it, the pending sign-in in a sealed ten-minute cookie), the demo's
 * "sign in as…", and sign-out. Failed sign-ins are logged with their reason, never with a token or code.
 */
export function mountAuthRoutes(app: Hono<WebEnv>, deps: WebDependencies): void {
  const log = deps.log.child({ area: 'web-sign-in' });

  app.get('/sign-in', (c) => {
    if (c.get('session')) return c.redirect(safeReturnTo(c.req.query('returnTo')));
    return signInPage(c, deps, safeReturnTo(c.req.query('returnTo')), null);
  });

  app.get('/auth/:provider', async (c) => {
    const provider = c.req.param('provider');
    if (!isProvider(provider) || !deps.oidc?.providers().includes(provider)) return signInPage(c, deps, '/', 'That way of signing in is not set up here.', 400);
    try {
      const { url, pending } = await deps.oidc.start(provider, safeReturnTo(c.req.query('returnTo')));
      const sealed = await deps.sealer.sealPendingSignIn(pending, deps.ctx.clock.now());
      setCookie(c, signInCookieName(deps.publicUrl), sealed, { path: '/', httpOnly: true, secure: isSecure(deps.publicUrl), sameSite: 'Lax', maxAge: SIGN_IN_MINUTES * 60 });
      return c.redirect(url.href);
    } catch (error) {
      deps.metrics?.countSignIn(provider, 'provider-unreachable');
      log.warn({ provider, err: error instanceof Error ? { message: error.message } : String(error) }, 'could not start a sign-in: the identity provider did not answer');
      return signInPage(c, deps, '/', 'The sign-in service could not be reached. Please try again in a minute.', 503);
    }
  });

  app.get('/auth/callback/:provider', async (c) => {
    const provider = c.req.param('provider');
    const cookieName = signInCookieName(deps.publicUrl);
    const pending = await deps.sealer.openPendingSignIn(getCookie(c, cookieName), deps.ctx.clock.now());
    deleteCookie(c, cookieName, { path: '/', secure: isSecure(deps.publicUrl) });
    if (!isProvider(provider) || !deps.oidc?.providers().includes(provider)) return signInPage(c, deps, '/', 'That way of signing in is not set up here.', 400);
    if (!pending || pending.provider !== provider) {
      deps.metrics?.countSignIn(provider, 'refused');
      log.warn({ provider }, 'sign-in refused: no pending sign-in in this browser (expired, or started elsewhere)');
      return signInPage(c, deps, '/', SIGN_IN_EXPIRED, 400);
    }
    const url = new URL(c.req.url);
    let outcome: Awaited<ReturnType<NonNullable<WebDependencies['oidc']>['finish']>>;
    try {
      outcome = await deps.oidc.finish(provider, `${url.pathname}${url.search}`, pending);
    } catch (error) {
      // Not the person's doing (mapping their workspace failed): say so, and keep the details for operators.
      deps.metrics?.countSignIn(provider, 'refused');
      log.error({ provider, err: error }, 'sign-in failed after the provider vouched for the person');
      return signInPage(c, deps, pending.returnTo, SIGN_IN_FAILED, 503);
    }
    if (outcome.kind === 'refused') {
      deps.metrics?.countSignIn(provider, 'refused');
      log.warn({ provider, reason: outcome.reason }, 'sign-in refused');
      return signInPage(c, deps, pending.returnTo, SIGN_IN_FAILED, 403);
    }
    if (outcome.person.platform === 'slack' && !(await slackWorkspaceServed(deps.ctx, outcome.person, deps.configuredAdmins))) {
      deps.metrics?.countSignIn(provider, 'refused');
      log.warn({ provider }, 'sign-in refused: a Slack workspace this bot does not serve');
      return signInPage(c, deps, '/', 'Your Slack workspace does not use Maturity Pulse here. Sign in with the workspace your teams answer in.', 403);
    }
    deps.metrics?.countSignIn(provider, 'signed-in');
    await startSession(c, deps, outcome.person, outcome.displayName);
    return c.redirect(safeReturnTo(pending.returnTo));
  });

  app.post('/auth/demo', async (c) => {
    const form = await c.req.parseBody();
    const demo = deps.demoPeople?.find((candidate) => candidate.key === form.person);
    if (!deps.demoPeople) return page(c, <SignInPage providers={deps.oidc?.providers() ?? []} demoPeople={null} returnTo="/" problem="The demo sign-in is only available in the demo." />, 404);
    if (!demo) return signInPage(c, deps, '/', 'Pick one of the people below.', 400);
    deps.metrics?.countSignIn('demo', 'signed-in');
    await startSession(c, deps, demo.person, demo.name);
    return c.redirect(safeReturnTo(form.returnTo));
  });

  // Signing out ends the person's sessions everywhere, not only this browser's cookie.
  app.post('/sign-out', async (c) => {
    const session = c.get('session');
    if (session) await endSessions(deps.ctx, personOf(session));
    deleteCookie(c, sessionCookieName(deps.publicUrl), { path: '/', secure: isSecure(deps.publicUrl) });
    return c.redirect('/sign-in');
  });
}
