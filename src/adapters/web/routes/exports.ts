import type { Hono } from 'hono';
import { aspectAcrossTeams, orgOverview, teamDashboard } from '../../../services/dashboard-service.js';
import { stepsAcrossTeams, teamStepBoard } from '../../../services/step-board-service.js';
import { signedIn, signInRedirect } from '../access.js';
import { AspectExportSchema, OrganisationSchema, StepListSchema, TeamExportSchema, type AspectExportWire, type OrganisationWire, type StepListWire, type TeamExportWire } from '../api/schemas.js';
import { aspectExportWire, organisationWire, stepListWire, teamExportWire } from '../api/wire.js';
import { toCsv, type CsvValue } from '../csv.js';
import { applyOrgQuery, parseOrgQuery } from '../org-query.js';
import { parseStepQuery, stepFilter } from '../step-query.js';
import { notFoundPage, refusedPage } from '../refusal-pages.js';
import type { WebContext, WebDependencies, WebEnv } from '../web-env.js';
import { parseId } from '../ids.js';

type Format = 'csv' | 'json';

/** `12.csv` → team 12 as CSV; anything else is not a download. */
const TEAM_FILE = /^([0-9]+)\.(csv|json)$/;
/** Aspect ids are kebab-case (core/survey.ts). */
const ASPECT_FILE = /^([a-z0-9]+(?:-[a-z0-9]+)*)\.(csv|json)$/;

/** A file name part: lower-case ASCII letters, digits and dashes, never empty. */
function slug(text: string, fallback: string): string {
  const cleaned = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return cleaned || fallback;
}

const day = (iso: string): string => iso.slice(0, 10);

/** A download: no caching anywhere (the figures are private to the viewer's roles), saved under `name`. */
function download(c: WebContext, name: string, format: Format, body: string): Response {
  c.header('cache-control', 'private, no-store');
  c.header('content-disposition', `attachment; filename="${name}.${format}"`);
  c.header('x-content-type-options', 'nosniff');
  return c.body(body, 200, { 'content-type': format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8' });
}

// CSV layouts. Each is built from the wire object the JSON download sends, so the two always hold the same
// rows. A hidden figure is an empty value with its shortfall sentence beside it, never a number.

export const ORGANISATION_CSV_HEADER = ['survey_id', 'survey', 'team_id', 'team', 'aspect_id', 'aspect', 'status', 'level', 'level_name', 'change', 'trend', 'note', 'mean_respondents', 'response_rate'];

export function organisationCsv(organisation: OrganisationWire): string {
  const rows: CsvValue[][] = [];
  for (const survey of organisation.surveys) {
    const names = new Map(survey.aspects.map((aspect) => [aspect.id, aspect.name]));
    for (const row of survey.rows) {
      for (const cell of row.cells) {
        const start = [survey.surveyId, survey.surveyTitle, row.teamId, row.teamName, cell.aspectId, names.get(cell.aspectId) ?? cell.aspectId, cell.status];
        const end = [row.participation.meanRespondents, row.participation.rate === null ? null : Math.round(row.participation.rate * 100) / 100];
        if (cell.status === 'level') {
          const note = cell.latestShort ? `the last round did not count (${cell.latestShort.text})` : null;
          rows.push([...start, cell.value, cell.label, cell.change?.delta ?? null, cell.change?.direction ?? null, note, ...end]);
        } else {
          rows.push([...start, null, null, null, null, cell.status === 'hidden' ? cell.shortfall.text : 'not asked yet', ...end]);
        }
      }
    }
  }
  return toCsv(ORGANISATION_CSV_HEADER, rows);
}

/**
 * One row per aspect (with its target), per latest closed round and per next step. The columns after
 * `respondents` belong to aspects (target, to go) and steps (id, text, dates, owner once accepted).
 */
export const TEAM_CSV_HEADER = [
  'section',
  'aspect',
  'status',
  'level',
  'level_name',
  'change',
  'trend',
  'note',
  'prompt',
  'opened_at',
  'closed_at',
  'respondents',
  'aspect_id',
  'target_level',
  'target_name',
  'target_source',
  'to_go',
  'step_id',
  'suggestion_id',
  'step',
  'adopted_at',
  'due_at',
  'owner',
  'level_at_adoption',
];

export function teamCsv(team: TeamExportWire): string {
  const rows: CsvValue[][] = [];
  const noStep = [null, null, null, null, null, null, null];
  for (const aspect of team.aspects) {
    const target = [aspect.aspectId, aspect.target.level, aspect.target.name, aspect.target.source, aspect.status === 'level' ? aspect.toGo : null];
    if (aspect.status === 'level') {
      const note = aspect.latestShort ? `the last round did not count (${aspect.latestShort.text})` : null;
      rows.push(['aspect', aspect.aspectName, 'level', aspect.value, aspect.label, aspect.change?.delta ?? null, aspect.change?.direction ?? null, note, null, null, null, aspect.latestRespondents, ...target, ...noStep]);
    } else {
      rows.push(['aspect', aspect.aspectName, aspect.status, null, null, null, null, aspect.status === 'hidden' ? aspect.shortfall.text : 'not asked yet', null, null, null, null, ...target, ...noStep]);
    }
  }
  const noAspect = [null, null, null, null, null];
  for (const round of team.rounds) {
    const dates = [round.prompt, round.openedAt, round.closedAt];
    if (round.counted) rows.push(['round', round.aspectName, 'counted', round.mean, null, null, null, null, ...dates, round.respondents, ...noAspect, ...noStep]);
    else rows.push(['round', round.aspectName, 'too-few', null, null, null, null, round.shortfall.text, ...dates, null, ...noAspect, ...noStep]);
  }
  for (const step of team.steps) {
    // `level` is the aspect's level now, `level_at_adoption` the one when the team took the step on.
    rows.push(['step', step.aspectName, step.status, step.levelNow ?? null, null, null, null, null, null, null, step.closedAt ?? null, null, step.aspectId, null, null, null, null, step.id, step.suggestionId ?? null, step.text, step.adoptedAt, step.dueAt, step.owner ?? null, step.levelAtAdoption ?? null]);
  }
  return toCsv(TEAM_CSV_HEADER, rows);
}

export const ASPECT_CSV_HEADER = ['section', 'level', 'level_name', 'teams', 'team', 'value', 'label', 'change'];

export function aspectCsv(aspect: AspectExportWire): string {
  const rows: CsvValue[][] = [
    ['organisation', null, null, aspect.teamsWithLevel, null, aspect.value, aspect.label, null],
    ['hidden-teams', null, null, aspect.hiddenTeams, null, null, null, null],
    ['not-asked-teams', null, null, aspect.notAskedTeams, null, null, null, null],
    ...aspect.levels.map((level): CsvValue[] => ['level', level.level, level.name, level.teams, null, null, level.aspectLabel, null]),
    ...aspect.weakest.map((team): CsvValue[] => ['weakest', null, null, null, team.teamName, team.value, team.label, null]),
  ];
  const movers = [
    ['improved-week', aspect.improvedThisWeek],
    ['slipped-week', aspect.slippedThisWeek],
    ['improved-quarter', aspect.improvedThisQuarter],
    ['slipped-quarter', aspect.slippedThisQuarter],
  ] as const;
  for (const [section, list] of movers) for (const mover of list) rows.push([section, null, null, null, mover.teamName, null, null, mover.delta]);
  return toCsv(ASPECT_CSV_HEADER, rows);
}

/**
 * The steps page's table: one row per step with the columns the page shows (the target date only while
 * the step is open; no owner, which the page does not list either), from the API's wire list.
 */
export const STEPS_CSV_HEADER = ['team_id', 'team', 'survey_id', 'aspect_id', 'aspect', 'step_id', 'step', 'status', 'adopted_at', 'due_at', 'closed_at', 'level_at_adoption', 'level_now'];

export function stepsCsv(list: StepListWire): string {
  const rows = list.steps.map((step): CsvValue[] => [
    step.teamId,
    step.teamName,
    step.surveyId,
    step.aspectId,
    step.aspectName,
    step.id,
    step.text,
    step.status,
    step.adoptedAt,
    step.status === 'open' ? step.dueAt : null,
    step.closedAt ?? null,
    step.levelAtAdoption ?? null,
    step.levelNow ?? null,
  ]);
  return toCsv(STEPS_CSV_HEADER, rows);
}

/**
 * Downloads of the dashboard's tables as CSV and JSON, for signed-in people under the same rules as the
 * pages: the organisation (exactly the rows the page shows for the same query), one team (levels per
 * aspect and latest rounds, never comments), one aspect across teams, and the steps list (CSV, as the
 * steps page filters it). JSON uses the API's wire schemas.
 */
export function mountExportRoutes(app: Hono<WebEnv>, deps: WebDependencies): void {
  const { ctx } = deps;

  const organisation = async (c: WebContext, format: Format) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const query = parseOrgQuery(c.req.query());
    const overview = await orgOverview(ctx, who.viewer, query.survey ? { surveyId: query.survey } : {});
    if (overview.kind === 'refused') return refusedPage(c, who, 'Only PMs and admins may download organisation-wide figures.');
    const wire = OrganisationSchema.parse(organisationWire(overview.generatedAt, query, overview.surveys.map((survey) => ({ survey, table: applyOrgQuery(survey.table, query) }))));
    const name = `organisation-${day(wire.generatedAt)}`;
    return download(c, name, format, format === 'csv' ? organisationCsv(wire) : JSON.stringify(wire, null, 2));
  };
  app.get('/export/organisation.csv', (c) => organisation(c, 'csv'));
  app.get('/export/organisation.json', (c) => organisation(c, 'json'));

  // The steps page as CSV: the same filters, through the same use case, so the same teams' steps (a member
  // gets their own teams', PMs and admins every team's).
  app.get('/export/steps.csv', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const query = parseStepQuery(c.req.query());
    const list = await stepsAcrossTeams(ctx, who.viewer, stepFilter(query));
    const wire = StepListSchema.parse(stepListWire(list.generatedAt, query, list.steps));
    return download(c, `steps-${day(wire.generatedAt)}`, 'csv', stepsCsv(wire));
  });

  app.get('/export/teams/:file', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const match = TEAM_FILE.exec(c.req.param('file'));
    const teamId = match ? parseId(match[1] ?? '') : null;
    if (!match || teamId === null) return notFoundPage(c, who, 'There is no such download.');
    const format: Format = match[2] === 'csv' ? 'csv' : 'json';
    const result = await teamDashboard(ctx, who.viewer, teamId);
    if (result.kind === 'refused') return refusedPage(c, who, "Only the team's members and leads, PMs and admins may download this team's figures.");
    if (result.kind === 'not-found') return notFoundPage(c, who, 'There is no such team.');
    const board = await teamStepBoard(ctx, who.viewer, teamId, { at: result.report.generatedAt });
    const wire = TeamExportSchema.parse(teamExportWire(result, board.kind === 'board' ? board.steps : []));
    const name = `team-${slug(wire.team.name, String(wire.team.id))}-${day(wire.generatedAt)}`;
    return download(c, name, format, format === 'csv' ? teamCsv(wire) : JSON.stringify(wire, null, 2));
  });

  app.get('/export/aspects/:surveyId/:file', async (c) => {
    const who = await signedIn(c, deps);
    if (!who) return signInRedirect(c);
    const match = ASPECT_FILE.exec(c.req.param('file'));
    if (!match) return notFoundPage(c, who, 'There is no such download.');
    const format: Format = match[2] === 'csv' ? 'csv' : 'json';
    const result = await aspectAcrossTeams(ctx, who.viewer, c.req.param('surveyId'), match[1] ?? '');
    if (result.kind === 'refused') return refusedPage(c, who, 'Only PMs and admins may download organisation-wide figures.');
    if (result.kind === 'unknown-aspect') return notFoundPage(c, who, 'There is no such survey or aspect.');
    const wire = AspectExportSchema.parse(aspectExportWire(result.aspect));
    const name = `aspect-${slug(wire.surveyId, 'survey')}-${slug(wire.aspectId, 'aspect')}-${day(wire.generatedAt)}`;
    return download(c, name, format, format === 'csv' ? aspectCsv(wire) : JSON.stringify(wire, null, 2));
  });
}
