import type { Team } from '../../../core/team.js';
import type { DigestArchiveEntry, MyAnswer } from '../../../services/dashboard-service.js';
import { forgetMeExplanation } from '../../text/reply-text.js';
import { formatDate, formatTime } from '../../text/format.js';
import { Layout, type LayoutProps } from './layout.js';

type Chrome = Pick<LayoutProps, 'nav' | 'signedIn'>;

/** The teams a person may see. */
export function TeamsPage(props: Chrome & { teams: readonly Team[] }) {
  return (
    <Layout title="Teams" nav={props.nav} current="/teams" signedIn={props.signedIn}>
      <h1>Teams</h1>
      {props.teams.length === 0 ? (
        <p>There is no team you can see yet. Teams show here for their members, their leads, PMs and admins.</p>
      ) : (
        <ul class="links">
          {props.teams.map((team) => (
            <li>
              <a href={`/teams/${team.id}`}>{team.name}</a>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

/** Every digest posted, newest first. */
export function DigestsPage(props: Chrome & { entries: readonly DigestArchiveEntry[] }) {
  return (
    <Layout title="Digests" nav={props.nav} current="/digests" signedIn={props.signedIn}>
      <h1>Digest archive</h1>
      <p class="lede">Every weekly digest the bot posted, as it was sent.</p>
      {props.entries.length === 0 ? (
        <p>No digest has been posted yet. A PM subscribes a channel with /maturity digest.</p>
      ) : (
        <table>
          <caption>Digests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Sent</th>
              <th scope="col">Where</th>
              <th scope="col">Covers</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((entry) => (
              <tr>
                <td>
                  <a href={`/digests/${entry.deliveryId}`}>{formatTime(entry.sentAt, 'UTC')}</a>
                </td>
                <td>{`${entry.platform === 'teams' ? 'Teams' : entry.platform === 'slack' ? 'Slack' : 'Demo'} channel`}</td>
                <td>{entry.surveyIds ? entry.surveyIds.join(', ') : 'every survey'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

/** One digest, in the words it was sent with. */
export function DigestPage(props: Chrome & { entry: DigestArchiveEntry; text: string }) {
  return (
    <Layout title="Digest" nav={props.nav} current="/digests" signedIn={props.signedIn}>
      <h1>Digest of {formatDate(props.entry.at)}</h1>
      <p class="lede">Posted {formatTime(props.entry.sentAt, 'UTC')}.</p>
      <pre class="digest">{props.text}</pre>
      <p>
        <a href="/digests">All digests</a>
      </p>
    </Layout>
  );
}

/** A person's own answers and comments (nobody else ever sees them), their teams, and forget-me. */
export function MePage(props: Chrome & { answers: readonly MyAnswer[]; teams: readonly Team[]; notice: string | null }) {
  return (
    <Layout title="My answers" nav={props.nav} current="/me" signedIn={props.signedIn}>
      <h1>My answers</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      <p class="lede">Only you see this page. Team figures never show who answered what.</p>
      <h2>My teams</h2>
      {props.teams.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <ul class="links">
          {props.teams.map((team) => (
            <li>
              <a href={`/teams/${team.id}`}>{team.name}</a>
            </li>
          ))}
        </ul>
      )}
      <h2>What I answered</h2>
      {props.answers.length === 0 ? (
        <p>No answers stored.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>My answers, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Team</th>
                <th scope="col">Aspect</th>
                <th scope="col">My answer</th>
                <th scope="col">My comment</th>
              </tr>
            </thead>
            <tbody>
              {props.answers.map((answer) => (
                <tr>
                  <td>
                    {formatDate(answer.at)}
                    {answer.roundOpen ? ' (round open: you can still change it)' : ''}
                  </td>
                  <td>{answer.teamName}</td>
                  <td>{answer.aspectName}</td>
                  <td>{answer.optionText ?? '—'}</td>
                  <td>{answer.comment ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Forget me</h2>
      <p>{forgetMeExplanation((text) => text)}</p>
      <p>
        <a class="button secondary" href="/me/forget">
          Erase my answers…
        </a>
      </p>
    </Layout>
  );
}

/** The confirmation before forget-me: a real form, so nothing is erased by following a link. */
export function ForgetConfirmPage(props: Chrome & { csrf: string }) {
  return (
    <Layout title="Erase my answers" nav={props.nav} current="/me" signedIn={props.signedIn}>
      <h1>Erase my answers?</h1>
      <p>{forgetMeExplanation((text) => text)}</p>
      <p>This cannot be undone.</p>
      <form method="post" action="/me/forget">
        <input type="hidden" name="csrf" value={props.csrf} />
        <button type="submit" class="danger">
          Yes, erase my answers
        </button>{' '}
        <a href="/me">Cancel</a>
      </form>
    </Layout>
  );
}
