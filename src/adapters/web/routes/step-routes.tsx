import type { Hono } from 'hono';
import { CHECK_IN_ANSWERS, type CheckInAnswer } from '../../../core/next-steps.js';
import { canSeeOrganisation } from '../../../services/dashboard-service.js';
import { adoptStepFromForm, changeTargetFromForm, closeStepFromForm, organisationTargets, setStepOwnerFromForm, stepsAcrossTeams } from '../../../services/step-board-service.js';
import { signedIn, signInRedirect, type SignedIn } from '../access.js';
import { parseId } from '../ids.js';
import { chrome } from '../nav.js';
import { notFoundPage, refusedPage } from '../refusal-pages.js';
import { page } from '../render.js';
import { maskCsrf } from '../session.js';
import { parseStepQuery, stepFilter } from '../step-query.js';
import { StepsPage } from '../views/steps-page.js';
import type { WebContext, WebDependencies, WebEnv } from '../web-env.js';
import { teamPageResponse } from './team-page-response.js';

/**
 * What a form did, said on the page it redirects to. The redirect carries a key, never the sentence, so
 * a link cannot make the dashboard say something it did not.
 */
const TEAM_NOTICES: Readonly<Record<string, (aspect: string) => string>> = {
  'target-set': (aspect) => `The team's target for ${aspect} is saved.`,
  'target-cleared': (aspect) => `The team's own target for ${aspect} is removed; the organisation's (or the next level) applies.`,
  'step-adopted': (aspect) => `Step adopted for ${aspect}; the team hears of it in its channel.`,
  'step-adopted-owner': (aspect) => `Step adopted for ${aspect}; the team hears of it in its channel, and the person you picked is asked privately to own it.`,
  'owner-asked': () => 'The person you picked is asked privately to own the step; the board names them once they accept.',
  'step-already': (aspect) => `That suggestion for ${aspect} is already on the board.`,
  'step-done': () => 'Step marked done.',
  'step-still-on-it': () => 'Still on it: the step is due again in two weeks.',
  'step-dropped': () => 'Step dropped.',
  'step-closed-already': () => 'That step was already closed; nothing changed.',
};

/** The notice of a team page's redirect (`?notice=step-adopted&aspect=interfaces`), or none for an unknown key. */
export function teamNotice(key: string | undefined, aspectId: string | undefined): ((aspectName: (aspectId: string) => string | null) => string | null) | null {
  const sentence = key ? TEAM_NOTICES[key] : undefined;
  if (!sentence) return null;
  return (aspectName) => sentence((aspectId ? aspectName(aspectId) : null) ?? 'the aspect');
}

type Form = Record<string, unknown>;
const field = (form: Form, name: string): string => {
  const value = form[name];
  return typeof value === 'string' ? value : '';
};

const seeOther = (c: WebContext, path: string): Response => c.redirect(path, 303);

function teamPath(teamId: number, notice: string, aspectId: string | null, anchor: string): string {
  const query = new URLSearchParams({ notice, ...(aspectId ? { aspect: aspectId } : {}) });
  return `/teams/${teamId}?${query.toString()}#${anchor}`;
}

/** The steps page, for the person's teams (PMs and admins: every team), with the organisation's targets for PMs and admins. */
async function stepsPageResponse(c: WebContext, deps: WebDependencies, who: SignedIn, messages: { notice?: string | null; problem?: string | null } = {}, status: 200 | 400 = 200): Promise<Response> {
  const query = parseStepQuery(c.req.query());
  const [list, targets] = await Promise.all([stepsAcrossTeams(deps.ctx, who.viewer, stepFilter(query)), canSeeOrganisation(who.viewer) ? organisationTargets(deps.ctx, who.viewer) : null]);
  const surveyIds = [...new Set(list.teams.map((team) => team.surveyId))].sort();
  const surveys = surveyIds.flatMap((surveyId) => {
    const survey = deps.ctx.surveys.get(surveyId)?.survey;
    return survey ? [{ id: survey.id, title: survey.title, aspects: survey.aspects.map((aspect) => ({ id: aspect.id, name: aspect.name })) }] : [];
  });
  return page(
    c,
    <StepsPage
      {...chrome(who)}
      query={query}
      teams={list.teams}
      surveys={surveys}
      steps={list.steps}
      generatedAt={list.generatedAt}
      targets={targets && targets.kind === 'targets' ? { canSet: targets.canSet, surveys: targets.surveys } : null}
      csrf={maskCsrf(who.session.csrf)}
      notice={messages.notice ?? null}
      problem={messages.problem ?? null}
    />,
    status,
  );
}

/** The notice after an organisation target changed (`?notice=org-target-set&target=survey:aspect`). */
async function orgNotice(c: WebContext, deps: WebDependencies, who: SignedIn): Promise<string | null> {
  const key = c.req.query('notice');
  if (key !== 'org-target-set' && key !== 'org-target-cleared') return null;
  const [surveyId, aspectId] = (c.req.query('target') ?? '').split(':');
  const targets = await organisationTargets(deps.ctx, who.viewer);
  const row = targets.kind === 'targets' ? targets.surveys.find((survey) => survey.surveyId === surveyId)?.rows.find((candidate) => candidate.aspectId === aspectId) : undefined;
  const name = row?.aspectName ?? 'the aspect';
  return key === 'org-target-set' ? `The organisation's target for ${name} is saved.` : `The organisation's target for ${name} is removed.`;
}

/** A form of a team page, as every team form route reads it. */
interface TeamForm {
  readonly c: WebContext;
  readonly who: SignedIn;
  readonly teamId: number;
  /** The step named by the path (`/teams/:teamId/steps/:stepId…`); null on routes without one. */
  readonly stepId: number | null;
  readonly form: Form;
}

/**
 * What every team form does first: the sender must be signed in (else off to sign-in, and back), the path
 * must name a team (and a step, where the route has one; else the 404 page), and the form is read. Then
 * `handle` does the form's own work.
 */
function teamFormRoute(deps: WebDependencies, handle: (request: TeamForm) => Promise<Response>): (c: WebContext) => Promise<Response> {
  return async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const teamId = parseId(c.req.param('teamId') ?? '');
    const stepParam = c.req.param('stepId');
    const stepId = stepParam === undefined ? null : parseId(stepParam);
    if (teamId === null || (stepParam !== undefined && stepId === null)) return notFoundPage(c, who, stepParam === undefined ? 'There is no such team here.' : 'There is no such step here.');
    return await handle({ c, who, teamId, stepId, form: await c.req.parseBody() });
  };
}

/** Why a use case did not do what a team form asked. */
type FormRefusal =
  | { readonly kind: 'not-allowed'; readonly who: string }
  | { readonly kind: 'not-found' | 'unknown-step' | 'survey-missing' }
  | { readonly kind: 'unknown-aspect'; readonly aspectId: string }
  | { readonly kind: 'invalid'; readonly problem: string };

/**
 * A team form that was not taken: the 403 page for someone not allowed (saying who may `action`), the 404
 * page (`missing`) for what does not exist, and the team page with the problem (400) for input that
 * cannot be used.
 */
function refusedForm(deps: WebDependencies, request: TeamForm, refusal: FormRefusal, texts: { readonly action: string; readonly missing: string }): Response | Promise<Response> {
  const { c, who, teamId } = request;
  switch (refusal.kind) {
    case 'not-allowed':
      return refusedPage(c, who, `Only ${refusal.who} may ${texts.action}.`);
    case 'not-found':
    case 'unknown-step':
    case 'survey-missing':
      return notFoundPage(c, who, texts.missing);
    case 'unknown-aspect':
      return teamPageResponse(c, deps, who, teamId, { problem: `This team's survey has no aspect "${refusal.aspectId}".` }, 400);
    case 'invalid':
      return teamPageResponse(c, deps, who, teamId, { problem: refusal.problem }, 400);
  }
}

const TEAM_GONE = 'There is no such team here; it may have been deleted.';
const STEP_GONE = 'There is no such step here; it may have been deleted.';

/**
 * Targets and next steps on the dashboard: the steps list (`/steps`, with the organisation's targets for
 * PMs and admins) and the forms of the team page and the steps page. Each form goes to the same use case
 * as the chat command, under the same permission check; a refusal is the 403 page, input that cannot be
 * used re-renders the page with what is wrong (400), and success redirects back with a notice.
 */
export function mountStepRoutes(app: Hono<WebEnv>, deps: WebDependencies): void {
  const { ctx } = deps;

  app.get('/steps', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    return await stepsPageResponse(c, deps, who, { notice: await orgNotice(c, deps, who) });
  });

  app.post('/targets/organisation', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const form = await c.req.parseBody();
    const surveyId = field(form, 'survey');
    const aspectId = field(form, 'aspect');
    const result = await changeTargetFromForm(ctx, who.person, who.viewer, { surveyId }, { aspectId, level: field(form, 'level'), reason: null });
    switch (result.kind) {
      case 'target-set':
        return seeOther(c, `/steps?${new URLSearchParams({ notice: result.cleared ? 'org-target-cleared' : 'org-target-set', target: `${surveyId}:${aspectId}` }).toString()}#targets`);
      case 'not-allowed':
        return refusedPage(c, who, `Only ${result.who} may set the organisation's targets.`);
      case 'not-found':
      case 'survey-missing':
        return notFoundPage(c, who, 'There is no such survey here.');
      case 'unknown-aspect':
        return stepsPageResponse(c, deps, who, { problem: `That survey has no aspect "${result.aspectId}".` }, 400);
      case 'invalid':
        return stepsPageResponse(c, deps, who, { problem: result.problem }, 400);
    }
  });

  app.post(
    '/teams/:teamId/targets',
    teamFormRoute(deps, async (request) => {
      const { c, who, teamId, form } = request;
      const aspectId = field(form, 'aspect');
      const result = await changeTargetFromForm(ctx, who.person, who.viewer, { teamId }, { aspectId, level: field(form, 'level'), reason: field(form, 'reason') });
      if (result.kind === 'target-set') return seeOther(c, teamPath(teamId, result.cleared ? 'target-cleared' : 'target-set', aspectId, `aspect-${aspectId}`));
      return refusedForm(deps, request, result, { action: "set a team's targets", missing: TEAM_GONE });
    }),
  );

  app.post(
    '/teams/:teamId/steps',
    teamFormRoute(deps, async (request) => {
      const { c, who, teamId, form } = request;
      const aspectId = field(form, 'aspect');
      const suggestionId = field(form, 'suggestion').trim() || null;
      const ownerUserId = field(form, 'owner') || null;
      const result = await adoptStepFromForm(
        ctx,
        who.person,
        who.viewer,
        teamId,
        { aspectId, suggestionId, text: suggestionId ? null : field(form, 'text'), dueOn: field(form, 'due'), ownerUserId, byName: who.session.name },
        deps.channelPeople ?? null,
      );
      if (result.kind === 'adopted') return seeOther(c, teamPath(teamId, ownerUserId ? 'step-adopted-owner' : 'step-adopted', aspectId, 'steps'));
      if (result.kind === 'already-adopted') return seeOther(c, teamPath(teamId, 'step-already', aspectId, 'steps'));
      return refusedForm(deps, request, result, { action: "adopt a team's next steps", missing: TEAM_GONE });
    }),
  );

  app.post(
    '/teams/:teamId/steps/:stepId',
    teamFormRoute(deps, async (request) => {
      const { c, who, teamId, form } = request;
      const stepId = request.stepId ?? 0;
      const answer = CHECK_IN_ANSWERS.find((candidate): candidate is CheckInAnswer => candidate === field(form, 'answer'));
      if (!answer) return teamPageResponse(c, deps, who, teamId, { problem: 'Mark the step done, still on it or dropped.' }, 400);
      const result = await closeStepFromForm(ctx, who.person, who.viewer, teamId, stepId, answer);
      if (result.kind === 'checked-in') return seeOther(c, teamPath(teamId, `step-${answer}`, null, 'steps'));
      if (result.kind === 'already-closed') return seeOther(c, teamPath(teamId, 'step-closed-already', null, 'steps'));
      return refusedForm(deps, request, result, { action: 'update a step', missing: STEP_GONE });
    }),
  );

  app.post(
    '/teams/:teamId/steps/:stepId/owner',
    teamFormRoute(deps, async (request) => {
      const { c, who, teamId, form } = request;
      const result = await setStepOwnerFromForm(ctx, who.person, who.viewer, teamId, request.stepId ?? 0, { ownerUserId: field(form, 'owner'), byName: who.session.name }, deps.channelPeople ?? null);
      if (result.kind === 'owner-asked') return seeOther(c, teamPath(teamId, 'owner-asked', null, 'steps'));
      return refusedForm(deps, request, result, { action: 'ask someone to own a step', missing: STEP_GONE });
    }),
  );
}

