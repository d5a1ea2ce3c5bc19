import { Layout, type LayoutProps } from './layout.js';

type Chrome = Pick<LayoutProps, 'nav' | 'signedIn'>;

/** A token as the page lists it: never its secret, and its owner only as "you" or "another person". */
export interface TokenRow {
  readonly id: number;
  readonly name: string;
  /** The stored first characters (`mpat_` and a few more), to tell tokens apart. */
  readonly prefix: string;
  readonly owner: 'you' | 'another person';
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly state: 'active' | 'expired' | 'revoked';
  readonly canRevoke: boolean;
}

/** What was typed into the create form, and what is wrong with it (field by field, or with the form as a whole). */
export interface TokenFormState {
  readonly name: string;
  readonly days: string;
  readonly errors: { readonly name?: string; readonly days?: string; readonly form?: string };
}

export interface TokensPageProps extends Chrome {
  readonly csrf: string;
  readonly tokens: readonly TokenRow[];
  /** Whether the list holds everyone's tokens (admins), so the owner column is shown. */
  readonly everyone: boolean;
  readonly notice: string | null;
  readonly form: TokenFormState;
  readonly nameMax: number;
  readonly maxDays: number;
}

/** "2026-11-30 12:00 UTC", in a `<time>` a browser or screen reader can read exactly. */
function When(props: { at: Date | null; none?: string }) {
  if (!props.at) return <span class="muted">{props.none ?? '—'}</span>;
  const iso = props.at.toISOString();
  return <time datetime={iso}>{`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`}</time>;
}

function StateText(props: { row: TokenRow }) {
  switch (props.row.state) {
    case 'active':
      return <span>Active</span>;
    case 'expired':
      return <span>Expired</span>;
    case 'revoked':
      return (
        <span>
          Revoked <When at={props.row.revokedAt} />
        </span>
      );
  }
}

function TokenTable(props: { tokens: readonly TokenRow[]; everyone: boolean; csrf: string }) {
  return (
    <div class="table-wrap">
      <table>
        <caption>{props.everyone ? "Everyone's tokens, newest first" : 'Your tokens, newest first'}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Token starts with</th>
            {props.everyone ? <th scope="col">Owner</th> : null}
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.tokens.map((row) => (
            <tr>
              <th scope="row">{row.name}</th>
              <td>
                <code>{`${row.prefix}…`}</code>
              </td>
              {props.everyone ? <td>{row.owner}</td> : null}
              <td>
                <When at={row.createdAt} />
              </td>
              <td>
                <When at={row.expiresAt} />
              </td>
              <td>
                <When at={row.lastUsedAt} none="never" />
              </td>
              <td>
                <StateText row={row} />
              </td>
              <td>
                {row.canRevoke ? (
                  <form class="inline" method="post" action={`/tokens/${row.id}/revoke`}>
                    <input type="hidden" name="csrf" value={props.csrf} />
                    <button type="submit" class="danger">
                      Revoke<span class="visually-hidden">{` the token ${row.name}`}</span>
                    </button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CreateForm(props: { csrf: string; form: TokenFormState; nameMax: number; maxDays: number }) {
  const { errors } = props.form;
  const problems = [
    ...(errors.name ? [{ href: '#token-name', text: errors.name }] : []),
    ...(errors.days ? [{ href: '#token-days', text: errors.days }] : []),
    ...(errors.form ? [{ href: '#token-name', text: errors.form }] : []),
  ];
  return (
    <form method="post" action="/tokens" aria-labelledby="create-heading">
      <h2 id="create-heading">Create a token</h2>
      {problems.length > 0 ? (
        <div class="notice warn" role="alert" aria-labelledby="create-problems">
          <p id="create-problems">
            <strong>The token was not created:</strong>
          </p>
          <ul>
            {problems.map((problem) => (
              <li>
                <a href={problem.href}>{problem.text}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <input type="hidden" name="csrf" value={props.csrf} />
      <p>
        <label for="token-name">Name</label>
        <br />
        <span id="token-name-hint" class="muted">
          {`What the token is for, e.g. "quarterly report script". At most ${props.nameMax} characters.`}
        </span>
        {errors.name ? (
          <>
            <br />
            <strong id="token-name-error">{errors.name}</strong>
          </>
        ) : null}
        <br />
        <input
          id="token-name"
          name="name"
          type="text"
          required
          maxlength={props.nameMax}
          value={props.form.name}
          autocomplete="off"
          aria-describedby={errors.name ? 'token-name-hint token-name-error' : 'token-name-hint'}
          aria-invalid={errors.name ? 'true' : undefined}
        />
      </p>
      <p>
        <label for="token-days">Valid for (days)</label>
        <br />
        <span id="token-days-hint" class="muted">
          {`From 1 to ${props.maxDays} days. A token stops working when it expires or is revoked.`}
        </span>
        {errors.days ? (
          <>
            <br />
            <strong id="token-days-error">{errors.days}</strong>
          </>
        ) : null}
        <br />
        <input
          id="token-days"
          name="days"
          type="number"
          inputmode="numeric"
          required
          min={1}
          max={props.maxDays}
          step={1}
          value={props.form.days}
          aria-describedby={errors.days ? 'token-days-hint token-days-error' : 'token-days-hint'}
          aria-invalid={errors.days ? 'true' : undefined}
        />
      </p>
      <p>
        <button type="submit">Create token</button>
      </p>
    </form>
  );
}

/** The API tokens page: what tokens do, the list with revoke buttons, and the create form. */
export function TokensPage(props: TokensPageProps) {
  return (
    <Layout title="API tokens" nav={props.nav} current="/tokens" signedIn={props.signedIn}>
      <h1>API tokens</h1>
      <p class="lede">
        A personal access token lets a script read <code>/api/v1</code> as you, with the roles you hold when it is used: if you stop being a PM or admin, your tokens can no longer read what
        only PMs and admins see. The API is described at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
      </p>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      <CreateForm csrf={props.csrf} form={props.form} nameMax={props.nameMax} maxDays={props.maxDays} />
      <h2>{props.everyone ? 'All tokens' : 'Your tokens'}</h2>
      {props.tokens.length === 0 ? <p>There are no tokens yet.</p> : <TokenTable tokens={props.tokens} everyone={props.everyone} csrf={props.csrf} />}
    </Layout>
  );
}

/** The only time a token's secret is ever shown: right after it was created. */
export function TokenCreatedPage(props: Chrome & { readonly name: string; readonly token: string; readonly expiresAt: Date }) {
  return (
    <Layout title="Token created" nav={props.nav} current="/tokens" signedIn={props.signedIn}>
      <h1>Token created</h1>
      <div class="notice warn" role="alert">
        <p>
          <strong>Copy this token now.</strong> It is shown only this once: it is not stored anywhere we could show it from again. If you lose it, revoke it and create a new one.
        </p>
      </div>
      <p>
        <label for="new-token">{`Token "${props.name}"`}</label>
        <br />
        <input id="new-token" type="text" readonly value={props.token} size={60} aria-describedby="new-token-use" autocomplete="off" spellcheck={false} />
      </p>
      <p id="new-token-use" class="muted">
        Send it as <code>Authorization: Bearer …</code>. It expires <When at={props.expiresAt} />.
      </p>
      <p>
        <a href="/tokens">Back to API tokens</a>
      </p>
    </Layout>
  );
}
