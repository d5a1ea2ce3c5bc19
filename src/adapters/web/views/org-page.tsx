import type { OrgTable } from '../../../core/org-table.js';
import type { OrgOverviewSurvey } from '../../../services/dashboard-service.js';
import { formatDate, formatLevel } from '../../text/format.js';
import { orgQueryString, type OrgQuery } from '../org-query.js';
import { OrgCellView } from './cells.js';
import { Layout, type LayoutProps } from './layout.js';

export interface OrgPageProps extends Pick<LayoutProps, 'nav' | 'signedIn'> {
  readonly query: OrgQuery;
  /** Every survey with teams (for the survey picker). */
  readonly surveys: readonly { readonly id: string; readonly title: string }[];
  /** The tables shown, filtered and sorted as the query asks. */
  readonly sections: readonly OrgOverviewSurvey[];
  /** Rows before filtering, per survey, to say "12 of 40 teams". */
  readonly totals: ReadonlyMap<string, number>;
  readonly generatedAt: Date;
  readonly minRespondents: number;
}

function participationText(row: OrgTable['rows'][number]): string {
  const { participation } = row;
  if (participation.meanRespondents === null) return 'no closed round yet';
  const rate = participation.rate === null ? '' : ` (${Math.round(participation.rate * 100)}% of members)`;
  return `${participation.meanRespondents} per round${rate}`;
}

function Filters(props: { query: OrgQuery; surveys: OrgPageProps['surveys']; aspects: readonly { id: string; name: string }[]; levels: readonly string[] }) {
  const { query } = props;
  return (
    <form class="filters" method="get" action="/" aria-label="Filter and sort teams">
      {props.surveys.length > 1 ? (
        <label>
          Survey
          <select name="survey">
            <option value="">All surveys</option>
            {props.surveys.map((survey) => (
              <option value={survey.id} selected={query.survey === survey.id}>
                {survey.title}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label>
        Team name contains
        <input type="search" name="team" value={query.team ?? ''} />
      </label>
      <label>
        Aspect
        <select name="aspect">
          <option value="">Any aspect</option>
          {props.aspects.map((aspect) => (
            <option value={aspect.id} selected={query.aspect === aspect.id}>
              {aspect.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Level reached
        <select name="level">
          <option value="">Any level</option>
          {props.levels.map((name, index) => (
            <option value={String(index + 1)} selected={query.level === index + 1}>
              {`${index + 1} · ${name}`}
            </option>
          ))}
        </select>
      </label>
      <label>
        Movement
        <select name="movement">
          <option value="">Any</option>
          {(['improved', 'slipped', 'steady', 'none'] as const).map((movement) => (
            <option value={movement} selected={query.movement === movement}>
              {movement === 'none' ? 'no trend yet' : movement}
            </option>
          ))}
        </select>
      </label>
      <label>
        Sort by
        <select name="sort">
          <option value="team" selected={!query.sort || query.sort === 'team'}>
            Team name
          </option>
          <option value="participation" selected={query.sort === 'participation'}>
            Participation
          </option>
          {props.aspects.map((aspect) => (
            <option value={`aspect:${aspect.id}`} selected={query.sort === `aspect:${aspect.id}`}>
              {`Level: ${aspect.name}`}
            </option>
          ))}
        </select>
      </label>
      <label>
        Order
        <select name="dir">
          <option value="asc" selected={query.dir !== 'desc'}>
            Lowest / A first
          </option>
          <option value="desc" selected={query.dir === 'desc'}>
            Highest / Z first
          </option>
        </select>
      </label>
      <button type="submit">Apply</button>
      <a href="/">Clear</a>
    </form>
  );
}

/** One survey's heatmap: teams × aspects, the all-teams row first, hidden cells saying why. */
function Heatmap(props: { section: OrgOverviewSurvey; total: number }) {
  const { table } = props.section;
  return (
    <section aria-labelledby={`survey-${table.surveyId}`}>
      <h2 id={`survey-${table.surveyId}`}>{table.surveyTitle}</h2>
      <p class="muted">
        {table.rows.length === props.total ? `${props.total} teams` : `${table.rows.length} of ${props.total} teams match the filters`}. Levels 1–{table.levelNames.length}:{' '}
        {table.levelNames.map((name, index) => `${index + 1} ${name}`).join(', ')}.
      </p>
      <div class="table-wrap">
        <table class="heatmap">
          <caption>{`${table.surveyTitle}: level per team and aspect`}</caption>
          <thead>
            <tr>
              <th scope="col">Team</th>
              {table.aspects.map((aspect) => (
                <th scope="col">
                  <a href={`/aspects/${encodeURIComponent(table.surveyId)}/${encodeURIComponent(aspect.id)}`}>{aspect.name}</a>
                </th>
              ))}
              <th scope="col">Participation (last 4 rounds)</th>
            </tr>
          </thead>
          <tbody>
            <tr class="all-teams">
              <th scope="row">All teams</th>
              {table.allTeams.map((cell) => (
                <td class="cell">
                  {cell.value === null ? <span class="muted">no level yet</span> : <strong>{formatLevel(cell.value)}</strong>}
                  <span class="muted">{` · ${cell.teams} ${cell.teams === 1 ? 'team' : 'teams'}${cell.hidden > 0 ? `, ${cell.hidden} hidden` : ''}`}</span>
                </td>
              ))}
              <td />
            </tr>
            {table.rows.map((row) => (
              <tr>
                <th scope="row">
                  <a href={`/teams/${row.teamId}`}>{row.teamName}</a>
                </th>
                {row.cells.map((cell) => (
                  <OrgCellView cell={cell} />
                ))}
                <td>{participationText(row)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The organisation page for PMs and admins. */
export function OrgPage(props: OrgPageProps) {
  const aspects = props.sections.flatMap((section) => section.aspects);
  // With several surveys shown, offer every level any of them has (4 levels and 5 stages): the longest list.
  const levels = props.sections.reduce<readonly string[]>((longest, section) => (section.table.levelNames.length > longest.length ? section.table.levelNames : longest), []);
  const query = orgQueryString(props.query);
  return (
    <Layout title="Organisation" nav={props.nav} current="/" signedIn={props.signedIn}>
      <h1>Organisation</h1>
      <p class="lede">
        Each team's level per aspect as of {formatDate(props.generatedAt)}, from closed rounds only, with its trend since the previous round. A cell stays hidden until a round has
        at least {props.minRespondents} answers with a level.
      </p>
      <Filters query={props.query} surveys={props.surveys} aspects={aspects} levels={levels} />
      <p class="exports">
        Download this view: <a href={`/export/organisation.csv${query}`}>CSV</a> <a href={`/export/organisation.json${query}`}>JSON</a>
      </p>
      {props.sections.length === 0 ? <p>No team has been set up yet.</p> : props.sections.map((section) => <Heatmap section={section} total={props.totals.get(section.surveyId) ?? section.table.rows.length} />)}
    </Layout>
  );
}
