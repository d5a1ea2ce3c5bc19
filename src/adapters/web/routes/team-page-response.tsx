import { teamDashboard, type TeamDashboard } from '../../../services/dashboard-service.js';
import { defaultDueDate, ownerChoices, teamStepBoard } from '../../../services/step-board-service.js';
import type { SignedIn } from '../access.js';
import { chrome } from '../nav.js';
import { notFoundPage, refusedPage } from '../refusal-pages.js';
import { page } from '../render.js';
import { maskCsrf } from '../session.js';
import { TeamPage } from '../views/team-page.js';
import type { WebContext, WebDependencies } from '../web-env.js';

/** What someone signed in but with nothing to see is told. */
export const ASK_YOUR_ADMIN = "You are signed in, but there is nothing here for you yet: team results show to the team's members, leads, PMs and admins. Ask your admin to add you to a team or give you a role.";

async function trendChart(deps: WebDependencies, dashboard: TeamDashboard): Promise<string | null> {
  if (!deps.trendSvg) return null;
  const survey = deps.ctx.surveys.get(dashboard.report.surveyId)?.survey;
  try {
    return await deps.trendSvg({
      title: dashboard.report.teamName,
      levelNames: survey?.levels.map((level) => level.name) ?? [],
      series: dashboard.series.map((series) => ({ aspect: series.aspectName, points: series.points.map((point) => ({ at: point.at.toISOString(), value: point.value })) })),
    });
  } catch (error) {
    deps.log.warn({ err: error }, 'could not draw a team trend chart; the page shows its table instead');
    return null;
  }
}

/** What a team page says above its figures: the outcome of the form sent last, or why a form was not accepted. */
export interface TeamPageMessages {
  /** A sentence from a fixed set, given the aspect's name (the page's redirect names them by key). */
  readonly notice?: ((aspectName: (aspectId: string) => string | null) => string | null) | null;
  readonly problem?: string | null;
}

/**
 * A team's page, rendered for the signed-in person: its report, its steps and, for those allowed, the
 * forms. `status` 400 re-renders it with the problem of a form that could not be accepted.
 */
export async function teamPageResponse(c: WebContext, deps: WebDependencies, who: SignedIn, teamId: number, messages: TeamPageMessages = {}, status: 200 | 400 = 200): Promise<Response> {
  const result = await teamDashboard(deps.ctx, who.viewer, teamId);
  if (result.kind === 'refused') return refusedPage(c, who, `Only the team's members and leads, PMs and admins see a team's results. ${ASK_YOUR_ADMIN}`);
  if (result.kind === 'not-found') return notFoundPage(c, who, 'There is no such team here; it may have been deleted.');
  const board = await teamStepBoard(deps.ctx, who.viewer, teamId, { at: result.report.generatedAt });
  if (board.kind !== 'board') return notFoundPage(c, who, 'There is no such team here; it may have been deleted.');
  // The channel's people are asked of its platform only for those who get the step forms.
  const owners = board.canManageSteps ? await ownerChoices(deps.ctx, who.viewer, teamId, deps.channelPeople ?? null) : null;
  const names = new Map(result.report.aspects.map((aspect) => [aspect.aspectId, aspect.aspectName]));
  return page(
    c,
    <TeamPage
      {...chrome(who)}
      dashboard={result}
      timeZone={result.timeZone}
      chartSvg={await trendChart(deps, result)}
      board={board}
      csrf={maskCsrf(who.session.csrf)}
      notice={messages.notice ? messages.notice((aspectId) => names.get(aspectId) ?? null) : null}
      problem={messages.problem ?? null}
      defaultDue={defaultDueDate(result.report.generatedAt, result.timeZone)}
      owners={owners}
    />,
    status,
  );
}
