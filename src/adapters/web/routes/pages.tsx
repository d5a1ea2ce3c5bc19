import type { Hono } from 'hono';
import { renderDigestText } from '../../text/render-digest.js';
import { forgottenSentence } from '../../text/reply-text.js';
import { aspectAcrossTeams, canSeeOrganisation, digestArchive, digestArchiveEntry, myData, orgOverview, visibleTeams } from '../../../services/dashboard-service.js';
import { forgetMe } from '../../../services/privacy-service.js';
import { signedIn, signInRedirect, type SignedIn } from '../access.js';
import { chrome } from '../nav.js';
import { applyOrgQuery, parseOrgQuery } from '../org-query.js';
import { page } from '../render.js';
import { notFoundPage, refusedPage } from '../refusal-pages.js';
import { maskCsrf } from '../session.js';
import { parseId } from '../ids.js';
import { AspectPage } from '../views/aspect-page.js';
import { MessagePage } from '../views/layout.js';
import { OrgPage } from '../views/org-page.js';
import { DigestPage, DigestsPage, ForgetConfirmPage, MePage, TeamsPage } from '../views/simple-pages.js';
import type { WebContext, WebDependencies, WebEnv } from '../web-env.js';
import { teamNotice } from './step-routes.js';
import { ASK_YOUR_ADMIN, teamPageResponse } from './team-page-response.js';

const refused = (c: WebContext, who: SignedIn, what: string) => refusedPage(c, who, `Only ${what}. ${ASK_YOUR_ADMIN}`);
const notFound = (c: WebContext, who: SignedIn, what: string) => notFoundPage(c, who, `There is no ${what} here; it may have been deleted.`);

/**
 * The dashboard's pages. Each asks a service for exactly what the chat would show the same person (the
 * same permission checks, the same hidden figures) and renders it; none reads storage.
 */
export function mountPageRoutes(app: Hono<WebEnv>, deps: WebDependencies): void {
  app.get('/', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    if (!canSeeOrganisation(who.viewer)) {
      const teams = await visibleTeams(deps.ctx, who.viewer);
      if (teams.length === 1 && teams[0]) return c.redirect(`/teams/${teams[0].id}`);
      if (teams.length > 1) return c.redirect('/teams');
      return page(c, <MessagePage title="Nothing to show yet" message={ASK_YOUR_ADMIN} {...chrome(who)} action={{ href: '/me', label: 'See your own answers' }} />, 403);
    }
    const query = parseOrgQuery(c.req.query());
    const all = await orgOverview(deps.ctx, who.viewer);
    if (all.kind === 'refused') return refused(c, who, 'PMs and admins see the organisation');
    const wanted = all.surveys.filter((section) => !query.survey || section.surveyId === query.survey);
    const sections = wanted.map((section) => ({ ...section, table: applyOrgQuery(section.table, query) }));
    return page(
      c,
      <OrgPage
        {...chrome(who)}
        query={query}
        surveys={all.surveys.map((section) => ({ id: section.surveyId, title: section.title }))}
        sections={sections}
        totals={new Map(all.surveys.map((section) => [section.surveyId, section.table.rows.length]))}
        generatedAt={all.generatedAt}
        minRespondents={deps.ctx.policy.minRespondents}
      />,
    );
  });

  app.get('/teams', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    return page(c, <TeamsPage {...chrome(who)} teams={await visibleTeams(deps.ctx, who.viewer)} />);
  });

  app.get('/teams/:teamId', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const teamId = parseId(c.req.param('teamId'));
    if (teamId === null) return notFound(c, who, 'such team');
    return await teamPageResponse(c, deps, who, teamId, { notice: teamNotice(c.req.query('notice'), c.req.query('aspect')) });
  });

  app.get('/aspects/:surveyId/:aspectId', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const surveyId = c.req.param('surveyId');
    const result = await aspectAcrossTeams(deps.ctx, who.viewer, surveyId, c.req.param('aspectId'));
    if (result.kind === 'refused') return refused(c, who, 'PMs and admins compare teams');
    if (result.kind === 'unknown-aspect') return notFound(c, who, 'such aspect');
    return page(c, <AspectPage {...chrome(who)} aspect={result.aspect} surveyTitle={deps.ctx.surveys.get(surveyId)?.survey.title ?? surveyId} />);
  });

  app.get('/digests', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const result = await digestArchive(deps.ctx, who.viewer);
    if (result.kind === 'refused') return refused(c, who, 'PMs and admins see the digests');
    return page(c, <DigestsPage {...chrome(who)} entries={result.entries} />);
  });

  app.get('/digests/:deliveryId', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const deliveryId = parseId(c.req.param('deliveryId'));
    const result = deliveryId === null ? ({ kind: 'not-found' } as const) : await digestArchiveEntry(deps.ctx, who.viewer, deliveryId);
    if (result.kind === 'refused') return refused(c, who, 'PMs and admins see the digests');
    if (result.kind === 'not-found') return notFound(c, who, 'such digest');
    return page(c, <DigestPage {...chrome(who)} entry={result.entry} text={renderDigestText(result.digest)} />);
  });

  app.get('/me', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const erased = /^(\d{1,9})-(\d{1,9})$/.exec(c.req.query('erased') ?? '');
    const notice = erased ? forgottenSentence({ answers: Number(erased[1]), comments: Number(erased[2]) }) : null;
    const [answers, teams] = await Promise.all([myData(deps.ctx, who.person), visibleTeams(deps.ctx, who.viewer)]);
    return page(c, <MePage {...chrome(who)} answers={answers} teams={teams} notice={notice} />);
  });

  app.get('/me/forget', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    return page(c, <ForgetConfirmPage {...chrome(who)} csrf={maskCsrf(who.session.csrf)} />);
  });

  app.post('/me/forget', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const removed = await forgetMe(deps.ctx, who.person, who.person);
    return c.redirect(`/me?erased=${removed.answers}-${removed.comments}`, 303);
  });
}
