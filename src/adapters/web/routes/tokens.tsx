import type { Hono } from 'hono';
import { samePerson } from '../../../core/platform.js';
import {
  ACCESS_TOKEN_MAX_DAYS,
  ACCESS_TOKEN_NAME_MAX,
  createAccessToken,
  listAccessTokens,
  listAllAccessTokens,
  revokeAccessToken,
} from '../../../services/access-token-service.js';
import { canSeeOrganisation } from '../../../services/dashboard-service.js';
import { signedIn, signInRedirect, type SignedIn } from '../access.js';
import { chrome } from '../nav.js';
import { page } from '../render.js';
import { maskCsrf } from '../session.js';
import { MessagePage } from '../views/layout.js';
import { TokenCreatedPage, TokensPage, type TokenFormState, type TokenRow } from '../views/tokens-page.js';
import type { WebContext, WebDependencies, WebEnv } from '../web-env.js';
import { parseId } from '../ids.js';

type TokenRecord = Awaited<ReturnType<typeof listAccessTokens>>[number];

const DEFAULT_DAYS = 90;
const EMPTY_FORM: TokenFormState = { name: '', days: String(DEFAULT_DAYS), errors: {} };

/** What /tokens says after a revoke, by the outcome named in its query (never text taken from the URL). */
const NOTICES: Readonly<Record<string, string>> = {
  revoked: 'The token was revoked. Anything still using it is now refused.',
  'already-revoked': 'That token had already been revoked.',
  'not-found': 'That token does not exist (any more).',
};


function rowOf(record: TokenRecord, who: SignedIn, admin: boolean, now: Date): TokenRow {
  const own = samePerson(record.owner, who.person);
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    owner: own ? 'you' : 'another person',
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    lastUsedAt: record.lastUsedAt,
    revokedAt: record.revokedAt,
    state: record.revokedAt !== null ? 'revoked' : now.getTime() >= record.expiresAt.getTime() ? 'expired' : 'active',
    canRevoke: record.revokedAt === null && (own || admin),
  };
}

/** The create form's fields as typed, checked at the edge so each problem can sit next to its field (the service checks again). */
function readForm(form: Record<string, unknown>): { state: TokenFormState; input: { name: string; days: number } | null } {
  const name = typeof form.name === 'string' ? form.name : '';
  const days = typeof form.days === 'string' ? form.days.trim() : '';
  const errors: { name?: string; days?: string } = {};
  const length = [...name.trim()].length;
  if (length === 0) errors.name = 'Give the token a name.';
  else if (length > ACCESS_TOKEN_NAME_MAX) errors.name = `A token name has at most ${ACCESS_TOKEN_NAME_MAX} characters.`;
  const dayCount = /^[0-9]{1,3}$/.test(days) ? Number(days) : NaN;
  if (!(dayCount >= 1 && dayCount <= ACCESS_TOKEN_MAX_DAYS)) errors.days = `Enter a whole number of days from 1 to ${ACCESS_TOKEN_MAX_DAYS}.`;
  const state = { name, days, errors };
  return { state, input: errors.name || errors.days ? null : { name, days: dayCount } };
}

/**
 * The API tokens page, for PMs and admins (the people the API serves): their tokens (admins see everyone's,
 * with the owner only as "you" or "another person"), a form to create one whose secret is shown once on the
 * result page, and revoke buttons. Every form carries the session's CSRF token (checked in app.ts).
 */
export function mountTokenRoutes(app: Hono<WebEnv>, deps: WebDependencies): void {
  const { ctx } = deps;

  const forbidden = (c: WebContext, who: SignedIn) =>
    page(c, MessagePage({ title: 'API tokens', message: 'Only PMs and admins may hold API tokens. Ask an admin if you need one.', ...chrome(who) }), 403);

  const tokensPage = async (c: WebContext, who: SignedIn, form: TokenFormState, notice: string | null, status: 200 | 400) => {
    const all = await listAllAccessTokens(ctx, who.person, deps.configuredAdmins);
    const admin = all.kind === 'listed';
    const records = admin ? all.tokens : await listAccessTokens(ctx, who.person);
    const now = ctx.clock.now();
    const tokens = records.map((record) => rowOf(record, who, admin, now));
    return page(
      c,
      <TokensPage {...chrome(who)} csrf={maskCsrf(who.session.csrf)} tokens={tokens} everyone={admin} notice={notice} form={form} nameMax={ACCESS_TOKEN_NAME_MAX} maxDays={ACCESS_TOKEN_MAX_DAYS} />,
      status,
    );
  };

  app.get('/tokens', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    if (!canSeeOrganisation(who.viewer)) return forbidden(c, who);
    return tokensPage(c, who, EMPTY_FORM, NOTICES[c.req.query('notice') ?? ''] ?? null, 200);
  });

  app.post('/tokens', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return c.redirect('/sign-in?returnTo=%2Ftokens', 303);
    if (!canSeeOrganisation(who.viewer)) return forbidden(c, who);
    const { state, input } = readForm(await c.req.parseBody());
    if (!input) return tokensPage(c, who, state, null, 400);
    const created = await createAccessToken(ctx, who.person, deps.configuredAdmins, input);
    if (created.kind === 'refused') return forbidden(c, who);
    if (created.kind === 'invalid') return tokensPage(c, who, { ...state, errors: { form: created.problem } }, null, 400);
    return page(c, <TokenCreatedPage {...chrome(who)} name={created.record.name} token={created.token} expiresAt={created.record.expiresAt} />);
  });

  app.post('/tokens/:id/revoke', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return c.redirect('/sign-in?returnTo=%2Ftokens', 303);
    const id = parseId(c.req.param('id'));
    if (id === null) return c.redirect('/tokens?notice=not-found', 303);
    const result = await revokeAccessToken(ctx, who.person, deps.configuredAdmins, id);
    if (result.kind === 'refused') return page(c, MessagePage({ title: 'API tokens', message: 'Only its owner or an admin may revoke a token.', ...chrome(who) }), 403);
    return c.redirect(`/tokens?notice=${result.kind}`, 303);
  });
}
