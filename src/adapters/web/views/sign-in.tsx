import type { DemoPerson } from '../../../demo/demo-people.js';
import { Layout } from './layout.js';

export interface SignInProps {
  readonly providers: readonly ('slack' | 'entra')[];
  readonly demoPeople: readonly DemoPerson[] | null;
  readonly returnTo: string;
  /** Why the last attempt did not sign the person in, in words; null on a first visit. */
  readonly problem: string | null;
}

const PROVIDER_LABELS = { slack: 'Sign in with Slack', entra: 'Sign in with Microsoft' } as const;

/** The sign-in page: one button per configured identity provider, and in the demo one per demo person. */
export function SignInPage(props: SignInProps) {
  const query = props.returnTo === '/' ? '' : `?returnTo=${encodeURIComponent(props.returnTo)}`;
  return (
    <Layout title="Sign in" nav={[]} current={null} signedIn={null}>
      <h1>Sign in</h1>
      <p class="lede">See your teams' platform maturity: levels, trends and what would move them to the next level.</p>
      {props.problem ? (
        <p class="notice warn" role="alert">
          {props.problem}
        </p>
      ) : null}
      {props.providers.length > 0 ? (
        <ul class="people">
          {props.providers.map((provider) => (
            <li>
              <a class="button" href={`/auth/${provider}${query}`}>
                {PROVIDER_LABELS[provider]}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {props.demoPeople ? (
        <>
          <h2>Demo: sign in as…</h2>
          <p class="muted">This is the demo organisation. Pick who to be; each sees what their role allows.</p>
          <ul class="people">
            {props.demoPeople.map((demo) => (
              <li>
                <form method="post" action="/auth/demo">
                  <input type="hidden" name="person" value={demo.key} />
                  <input type="hidden" name="returnTo" value={props.returnTo} />
                  <span>
                    <strong>{demo.name}</strong>
                    <br />
                    <span class="muted">{demo.description}</span>
                  </span>
                  <button type="submit">Sign in as {demo.name.split(' ')[0]}</button>
                </form>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {props.providers.length === 0 && !props.demoPeople ? <p>No sign-in is configured. An admin sets SLACK_OIDC_CLIENT_ID or ENTRA_CLIENT_ID (see the README).</p> : null}
    </Layout>
  );
}
