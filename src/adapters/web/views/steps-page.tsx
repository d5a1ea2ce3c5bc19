import { STEP_STATUSES } from '../../../core/next-steps.js';
import type { Team } from '../../../core/team.js';
import type { OrganisationTargetSurvey, StepRow } from '../../../services/step-board-service.js';
import { formatDate, formatLevel } from '../../text/format.js';
import { stepQueryString, type StepQuery } from '../step-query.js';
import { choiceField, FilterForm } from './filter-form.js';
import { Layout, type LayoutProps } from './layout.js';

export interface StepsPageProps extends Pick<LayoutProps, 'nav' | 'signedIn'> {
  readonly query: StepQuery;
  readonly teams: readonly Team[];
  /** The surveys of those teams, with their aspects, for the filters. */
  readonly surveys: readonly { readonly id: string; readonly title: string; readonly aspects: readonly { readonly id: string; readonly name: string }[] }[];
  readonly steps: readonly StepRow[];
  readonly generatedAt: Date;
  /** The organisation's targets, for PMs and admins; null for everyone else. */
  readonly targets: { readonly canSet: boolean; readonly surveys: readonly OrganisationTargetSurvey[] } | null;
  readonly csrf: string;
  readonly notice: string | null;
  readonly problem: string | null;
}

const STATUS_TEXT = { open: 'Open', done: 'Done', dropped: 'Dropped' } as const;
const level = (value: number | null): string => (value === null ? '—' : formatLevel(value));

function Filters(props: Pick<StepsPageProps, 'query' | 'teams' | 'surveys'>) {
  const { query } = props;
  // An aspect id several surveys share is offered once: the filter matches it in each.
  const aspects = [...new Map(props.surveys.flatMap((survey) => survey.aspects.map((aspect) => [aspect.id, aspect.name] as const))).entries()];
  return (
    <FilterForm
      action="/steps"
      label="Filter steps"
      fields={[
        choiceField('team', 'Team', 'Any team', props.teams.map((team) => ({ value: String(team.id), label: team.name })), query.team),
        props.surveys.length > 1 ? choiceField('survey', 'Survey', 'Any survey', props.surveys.map((survey) => ({ value: survey.id, label: survey.title })), query.survey) : null,
        choiceField('aspect', 'Aspect', 'Any aspect', aspects.map(([id, name]) => ({ value: id, label: name })), query.aspect),
        choiceField('status', 'Status', 'Any status', STEP_STATUSES.map((status) => ({ value: status, label: STATUS_TEXT[status] })), query.status),
      ]}
    />
  );
}

/** The organisation's target per aspect of each survey, with a form per aspect for those who may set it. */
function OrganisationTargets(props: { targets: NonNullable<StepsPageProps['targets']>; csrf: string }) {
  return (
    <section aria-labelledby="targets">
      <h2 id="targets">Organisation targets</h2>
      <p class="muted">The level every team aims for in an aspect, unless its leads set their own. Without one, a team's target is its next level.</p>
      {props.targets.surveys.map((survey) => (
        <div class="table-wrap">
          <table class="org-targets">
            <caption>{survey.title}</caption>
            <thead>
              <tr>
                <th scope="col">Aspect</th>
                <th scope="col">Target now</th>
                {props.targets.canSet ? <th scope="col">Change</th> : null}
              </tr>
            </thead>
            <tbody>
              {survey.rows.map((row) => (
                <tr>
                  <th scope="row">{row.aspectName}</th>
                  <td>{row.target.source === 'next' ? 'none: each team aims for its next level' : `${row.target.name} (${row.target.level})${row.target.source === 'survey' ? ", the survey's default" : ''}`}</td>
                  {props.targets.canSet ? (
                    <td>
                      <form method="post" action="/targets/organisation" class="row">
                        <input type="hidden" name="csrf" value={props.csrf} />
                        <input type="hidden" name="survey" value={survey.surveyId} />
                        <input type="hidden" name="aspect" value={row.aspectId} />
                        <label>
                          {`Organisation target for ${row.aspectName}`}
                          <select name="level">
                            <option value="none" selected={row.target.source !== 'organisation'}>
                              No organisation target
                            </option>
                            {survey.levels.map((option) => (
                              <option value={String(option.value)} selected={row.target.source === 'organisation' && row.target.level === option.value}>
                                {`${option.name} (${option.value})`}
                              </option>
                            ))}
                          </select>
                        </label>
                        <button type="submit">Save</button>
                      </form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

/** Next steps across the teams a person may see, filtered; for PMs and admins, the organisation's targets too. */
export function StepsPage(props: StepsPageProps) {
  return (
    <Layout title="Next steps" nav={props.nav} current="/steps" signedIn={props.signedIn}>
      <h1>Next steps</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.problem ? (
        <p class="notice warn" role="alert">
          {props.problem}
        </p>
      ) : null}
      <p class="lede">What teams decided to do next, per aspect, as of {formatDate(props.generatedAt)}. Levels come from qualifying rounds only: when the step was adopted, and now.</p>
      {props.targets ? <OrganisationTargets targets={props.targets} csrf={props.csrf} /> : null}
      <h2 id="list">Steps</h2>
      <Filters query={props.query} teams={props.teams} surveys={props.surveys} />
      <p class="exports">
        Download this view: <a href={`/export/steps.csv${stepQueryString(props.query)}`}>CSV</a>
      </p>
      {props.steps.length === 0 ? (
        <p>No step matches.</p>
      ) : (
        <div class="table-wrap">
          <table class="steps">
            <caption>{`${props.steps.length} ${props.steps.length === 1 ? 'step' : 'steps'}, oldest first`}</caption>
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Aspect</th>
                <th scope="col">Step</th>
                <th scope="col">Status</th>
                <th scope="col">Adopted</th>
                <th scope="col">Due</th>
                <th scope="col">Closed</th>
                <th scope="col">Level then → now</th>
              </tr>
            </thead>
            <tbody>
              {props.steps.map((step) => (
                <tr>
                  <td>
                    <a href={`/teams/${step.teamId}#steps`}>{step.teamName}</a>
                  </td>
                  <td>{step.aspectName}</td>
                  <td>{step.text}</td>
                  <td>{STATUS_TEXT[step.status]}</td>
                  <td>{formatDate(step.adoptedAt)}</td>
                  <td>{step.status === 'open' ? formatDate(step.dueAt) : '—'}</td>
                  <td>{step.closedAt ? formatDate(step.closedAt) : '—'}</td>
                  <td>{`${level(step.levelAtAdoption)} → ${level(step.levelNow)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
