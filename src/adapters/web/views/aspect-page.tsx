import type { AspectAcross, TeamMover } from '../../../core/aspect-across.js';
import { formatDate, formatDelta, formatLevel } from '../../text/format.js';
import { Layout, type LayoutProps } from './layout.js';

export interface AspectPageProps extends Pick<LayoutProps, 'nav' | 'signedIn'> {
  readonly aspect: AspectAcross;
  readonly surveyTitle: string;
}

function Movers(props: { title: string; movers: readonly TeamMover[] }) {
  return (
    <section>
      <h3>{props.title}</h3>
      {props.movers.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul>
          {props.movers.map((mover) => (
            <li>
              <a href={`/teams/${mover.teamId}`}>{mover.teamName}</a> {formatDelta(mover.delta)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One aspect across teams: how teams spread over its levels, who moved, the weakest teams and what helps at each level. */
export function AspectPage(props: AspectPageProps) {
  const { aspect } = props;
  const total = aspect.teamsWithLevel;
  const base = `/export/aspects/${encodeURIComponent(aspect.surveyId)}/${encodeURIComponent(aspect.aspectId)}`;
  return (
    <Layout title={aspect.aspectName} nav={props.nav} current="/" signedIn={props.signedIn}>
      <h1>{aspect.aspectName}</h1>
      <p class="lede">
        {props.surveyTitle}, as of {formatDate(aspect.generatedAt)}.{' '}
        {aspect.value === null ? 'No team has a level yet.' : `Organisation level ${formatLevel(aspect.value)} (${aspect.label ?? ''}) over ${total} ${total === 1 ? 'team' : 'teams'}.`}{' '}
        {aspect.hiddenTeams > 0 ? `${aspect.hiddenTeams} more ${aspect.hiddenTeams === 1 ? 'team is' : 'teams are'} hidden (too few answers). ` : ''}
        {aspect.notAskedTeams > 0 ? `${aspect.notAskedTeams} not asked yet.` : ''}
      </p>
      <p class="exports">
        Download: <a href={`${base}.csv`}>CSV</a> <a href={`${base}.json`}>JSON</a>
      </p>
      <h2>Teams per level</h2>
      <div class="table-wrap">
        <table>
          <caption>How many teams have reached each level, and what moves a team from there</caption>
          <thead>
            <tr>
              <th scope="col">Level</th>
              <th scope="col">Teams</th>
              <th scope="col">What this looks like</th>
              <th scope="col">Next steps</th>
            </tr>
          </thead>
          <tbody>
            {aspect.levels.map((level) => (
              <tr>
                <th scope="row">{`${level.level} · ${level.name}`}</th>
                <td>{level.teams}</td>
                <td>{level.aspectLabel}</td>
                <td>
                  {level.suggestions.length === 0 ? (
                    <span class="muted">Top level</span>
                  ) : (
                    <ul>
                      {level.suggestions.map((suggestion) => (
                        <li>{suggestion}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Movers</h2>
      <div class="cards">
        <Movers title={`Improved since ${formatDate(aspect.weekAgo)}`} movers={aspect.improvedThisWeek} />
        <Movers title={`Slipped since ${formatDate(aspect.weekAgo)}`} movers={aspect.slippedThisWeek} />
        <Movers title={`Improved since ${formatDate(aspect.quarterAgo)}`} movers={aspect.improvedThisQuarter} />
        <Movers title={`Slipped since ${formatDate(aspect.quarterAgo)}`} movers={aspect.slippedThisQuarter} />
      </div>
      <h2>Weakest teams</h2>
      {aspect.weakest.length === 0 ? (
        <p class="muted">No team has a level yet.</p>
      ) : (
        <ol>
          {aspect.weakest.map((team) => (
            <li>
              <a href={`/teams/${team.teamId}`}>{team.teamName}</a>: {formatLevel(team.value)} ({team.label})
            </li>
          ))}
        </ol>
      )}
    </Layout>
  );
}
