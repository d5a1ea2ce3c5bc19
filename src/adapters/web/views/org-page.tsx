import type { OrgTable } from '../../../core/org-table.js';
import type { OrgOverviewSurvey } from '../../../services/dashboard-service.js';
import { formatDate, formatLevel } from '../../text/format.js';
import { orgQueryString, type OrgQuery } from '../org-query.js';
import { OrgCellView } from './cells.js';
import { choiceField, FilterForm } from './filter-form.js';
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
  const aspects = props.aspects.map((aspect) => ({ value: aspect.id, label: aspect.name }));
  return (
    <FilterForm
      action="/"
      label="Filter and sort teams"
      fields={[
        props.surveys.length > 1 ? choiceField('survey', 'Survey', 'All surveys', props.surveys.map((survey) => ({ value: survey.id, label: survey.title })), query.survey) : null,
        { kind: 'search', name: 'team', label: 'Team name contains', value: query.team },
        choiceField('aspect', 'Aspect', 'Any aspect', aspects, query.aspect),
        choiceField('level', 'Level reached', 'Any level', props.levels.map((name, index) => ({ value: String(index + 1), label: `${index + 1} · ${name}` })), query.level),
        choiceField('movement', 'Movement', 'Any', (['improved', 'slipped', 'steady', 'none'] as const).map((movement) => ({ value: movement, label: movement === 'none' ? 'no trend yet' : movement })), query.movement),
        {
          kind: 'select',
          name: 'sort',
          label: 'Sort by',
          options: [{ value: 'team', label: 'Team name' }, { value: 'participation', label: 'Participation' }, ...aspects.map((aspect) => ({ value: `aspect:${aspect.value}`, label: `Level: ${aspect.label}` }))],
          selected: query.sort ?? 'team',
        },
        {
          kind: 'select',
          name: 'dir',
          label: 'Order',
          options: [
            { value: 'asc', label: 'Lowest / A first' },
            { value: 'desc', label: 'Highest / Z first' },
          ],
          selected: query.dir ?? 'asc',
        },
      ]}
    />
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
