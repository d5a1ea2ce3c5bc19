import type { TeamDashboard } from '../../../services/dashboard-service.js';
import type { OwnerChoices, TeamStepBoard } from '../../../services/step-board-service.js';
import { agreementPhrase, shortfallText } from '../../text/figure-text.js';
import { formatDate, formatLevel, formatTime } from '../../text/format.js';
import { ChangeMark, statusText } from './cells.js';
import { Layout, type LayoutProps } from './layout.js';
import { StepBoard } from './step-board.js';
import { OwnerNote, OwnStepForm, Suggestions, TargetLine, TeamTargetForm } from './step-forms.js';

export interface TeamPageProps extends Pick<LayoutProps, 'nav' | 'signedIn'> {
  readonly dashboard: TeamDashboard;
  readonly timeZone: string;
  /** The trend chart as SVG from the chart pipeline; null when it could not be drawn (the table below still says it all). */
  readonly chartSvg: string | null;
  /** The team's steps and what the viewer may do with them and with the team's targets; without it, no board and no forms. */
  readonly board?: TeamStepBoard;
  /** The CSRF token the page's forms carry. */
  readonly csrf?: string;
  /** What the last form did (after its redirect), or why it was refused (a 400 page). */
  readonly notice?: string | null;
  readonly problem?: string | null;
  /** The target date a step form offers: six weeks from now, as `YYYY-MM-DD` in the team's time zone. */
  readonly defaultDue?: string;
  /** Whom the step forms offer as owner (the channel's people); null for those who manage no steps. */
  readonly owners?: OwnerChoices | null;
}

const NO_BOARD: TeamStepBoard = { kind: 'board', steps: [], canManageSteps: false, canSetTarget: false, levels: [] };

interface StepFormProps {
  readonly teamId: number;
  readonly board: TeamStepBoard;
  readonly csrf: string;
  readonly defaultDue: string;
  readonly owners: OwnerChoices | null;
}

function AspectCard(props: { aspect: TeamDashboard['report']['aspects'][number]; agreement: string | null; timeZone: string; forms: StepFormProps }) {
  const { aspect, forms } = props;
  // A suggestion already on the board (open) is not offered again.
  const adopted = new Set(forms.board.steps.flatMap((step) => (step.status === 'open' && step.aspectId === aspect.aspectId && step.suggestionId ? [step.suggestionId] : [])));
  const { status } = aspect;
  return (
    <article class="card" aria-labelledby={`aspect-${aspect.aspectId}`}>
      <h3 id={`aspect-${aspect.aspectId}`}>{aspect.aspectName}</h3>
      {status.kind === 'level' ? (
        <>
          <p class="figure">
            {formatLevel(status.figure.value)} <span class="muted">{status.description.label}</span>
          </p>
          <p>
            <ChangeMark change={status.change} timeZone={props.timeZone} />
            {props.agreement ? ` · ${props.agreement}` : ''}
          </p>
          {status.latestShort ? <p class="muted">The last round did not count ({shortfallText(status.latestShort)}).</p> : null}
          <TargetLine aspect={aspect} />
          <Suggestions teamId={forms.teamId} aspect={aspect} adopted={adopted} canManage={forms.board.canManageSteps} csrf={forms.csrf} defaultDue={forms.defaultDue} owners={forms.owners} />
        </>
      ) : (
        <>
          <p class="muted">{statusText(status)}</p>
          <TargetLine aspect={aspect} />
        </>
      )}
      {aspect.openUntil ? <p class="notice">A round about this is open until {formatTime(aspect.openUntil, props.timeZone)}.</p> : null}
      {forms.board.canManageSteps ? <OwnStepForm teamId={forms.teamId} aspect={aspect} csrf={forms.csrf} defaultDue={forms.defaultDue} owners={forms.owners} /> : null}
      {forms.board.canSetTarget ? <TeamTargetForm teamId={forms.teamId} aspect={aspect} levels={forms.board.levels} csrf={forms.csrf} /> : null}
    </article>
  );
}

/**
 * A team's page: level and target per aspect with trend and suggestions, the team's next steps, the chart,
 * participation, comments for leads, round history. Leads (and admins) also get the forms to adopt and
 * close steps and to set the team's targets.
 */
export function TeamPage(props: TeamPageProps) {
  const { dashboard } = props;
  const { report } = dashboard;
  const agreement = new Map(dashboard.agreement.map((entry) => [entry.aspectId, agreementPhrase(entry.agreement)]));
  const board = props.board ?? NO_BOARD;
  const owners = board.canManageSteps ? (props.owners ?? null) : null;
  const forms: StepFormProps = { teamId: report.teamId, board, csrf: props.csrf ?? '', defaultDue: props.defaultDue ?? '', owners };
  const weeks = [...new Set(dashboard.series.flatMap((series) => series.points.map((point) => point.at.getTime())))].sort((a, b) => a - b);
  return (
    <Layout title={report.teamName} nav={props.nav} current="/teams" signedIn={props.signedIn}>
      <h1>{report.teamName}</h1>
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
      <p class="lede">
        {report.surveyTitle}. Levels from the last {report.windowRounds} qualifying rounds per aspect; a round counts with at least {report.minRespondents} answers with a level.
      </p>
      {dashboard.openRound ? (
        <p class="notice">
          Open now: a question about <strong>{dashboard.openRound.aspectName}</strong>, {dashboard.openRound.respondents} answered so far, closes {formatTime(dashboard.openRound.closesAt, props.timeZone)}.
        </p>
      ) : null}
      {!report.hasResults ? <p class="notice">No round has closed yet{report.firstCloseAt ? `; the first results come after ${formatTime(report.firstCloseAt, props.timeZone)}` : ''}.</p> : null}
      <p>
        Participation: {dashboard.participation.meanRespondents === null ? 'no closed round yet' : `${dashboard.participation.meanRespondents} answers per round over the last ${dashboard.participation.rounds} rounds`}
        {dashboard.participation.rate === null ? '' : ` (${Math.round(dashboard.participation.rate * 100)}% of the channel)`}.
      </p>
      <p class="exports">
        Download: <a href={`/export/teams/${report.teamId}.csv`}>CSV</a> <a href={`/export/teams/${report.teamId}.json`}>JSON</a>
      </p>
      <h2>Levels</h2>
      <OwnerNote owners={owners} />
      <div class="cards">
        {report.aspects.map((aspect) => (
          <AspectCard aspect={aspect} agreement={agreement.get(aspect.aspectId) ?? null} timeZone={props.timeZone} forms={forms} />
        ))}
      </div>
      {props.board ? <StepBoard teamId={report.teamId} board={board} csrf={forms.csrf} timeZone={props.timeZone} owners={owners} /> : null}
      <h2 id="trend">Trend over 26 weeks</h2>
      {props.chartSvg ? (
        // The SVG comes from vega's renderer, which escapes every text it draws (team and aspect names);
        // tested in test/web/trend-chart.test.ts with a name holding markup.
        <figure class="chart" aria-labelledby="trend" dangerouslySetInnerHTML={{ __html: props.chartSvg }} />
      ) : null}
      {weeks.length > 0 ? (
        <details>
          <summary>The trend as a table</summary>
          <div class="table-wrap">
            <table>
              <caption>Level per aspect, week by week up to today</caption>
              <thead>
                <tr>
                  <th scope="col">As of</th>
                  {dashboard.series.map((series) => (
                    <th scope="col">{series.aspectName}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {weeks.map((week) => (
                  <tr>
                    <th scope="row">{formatDate(new Date(week), props.timeZone)}</th>
                    {dashboard.series.map((series) => {
                      const point = series.points.find((candidate) => candidate.at.getTime() === week);
                      return <td>{point ? formatLevel(point.value) : '—'}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : (
        <p class="muted">No level to chart yet.</p>
      )}
      {report.comments !== null ? (
        <>
          <h2>Comments</h2>
          <p class="muted">From the rounds behind the levels above, in no particular order and without names. Only this team's leads see them.</p>
          {report.comments.length === 0 ? (
            <p>No comments in rounds large enough to show them.</p>
          ) : (
            report.comments.map((group) => (
              <section>
                <h3>{group.aspectName}</h3>
                <ul>
                  {group.texts.map((text) => (
                    <li>{text}</li>
                  ))}
                </ul>
              </section>
            ))
          )}
        </>
      ) : null}
      <h2>Round history</h2>
      {dashboard.history.length === 0 ? (
        <p>No closed round yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Closed rounds, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Closed</th>
                <th scope="col">Aspect</th>
                <th scope="col">Question</th>
                <th scope="col">Answers</th>
                <th scope="col">Mean level</th>
                <th scope="col">Counted</th>
              </tr>
            </thead>
            <tbody>
              {dashboard.history.map((round) => (
                <tr>
                  <td>{formatDate(round.closedAt, props.timeZone)}</td>
                  <td>{round.aspectName}</td>
                  <td>{round.prompt}</td>
                  {/* A round that did not count shows only its shortfall: its count next to "too few with a level" would say how many chose "I don't know". */}
                  <td>{round.counted ? round.respondents : '—'}</td>
                  <td>{round.mean === null ? '—' : formatLevel(round.mean)}</td>
                  <td>{round.counted ? 'Yes' : `No: ${shortfallText({ respondents: round.respondents, needed: round.needed })}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
