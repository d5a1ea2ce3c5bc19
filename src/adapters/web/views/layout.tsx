import type { Child } from 'hono/jsx';

/** The links a signed-in person may follow; each page says which of them is the current one. */
export interface NavLink {
  readonly href: string;
  readonly label: string;
}

export interface LayoutProps {
  readonly title: string;
  readonly nav: readonly NavLink[];
  readonly current: string | null;
  /** The signed-in person's name and the CSRF token of the sign-out form; null on pages before sign-in. */
  readonly signedIn: { readonly name: string; readonly csrf: string } | null;
  readonly children?: Child;
}

/** Every page: a skip link, the site header with navigation and sign-out, and one main landmark. */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Maturity Pulse`}</title>
        <link rel="stylesheet" href="/assets/dashboard.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            Maturity Pulse
          </a>
          {props.nav.length > 0 ? (
            <nav aria-label="Dashboard">
              <ul>
                {props.nav.map((link) => (
                  <li>
                    <a href={link.href} aria-current={props.current === link.href ? 'page' : undefined}>
                      {link.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          {props.signedIn ? (
            <div class="who">
              <span>{props.signedIn.name}</span>
              <form class="inline" method="post" action="/sign-out">
                <input type="hidden" name="csrf" value={props.signedIn.csrf} />
                <button type="submit" class="secondary">
                  Sign out
                </button>
              </form>
            </div>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A page that only says something: an error, a refusal, "ask your admin". */
export function MessagePage(props: { title: string; message: string; signedIn: LayoutProps['signedIn']; nav: readonly NavLink[]; action?: { href: string; label: string } }) {
  return (
    <Layout title={props.title} nav={props.nav} current={null} signedIn={props.signedIn}>
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      {props.action ? (
        <p>
          <a href={props.action.href}>{props.action.label}</a>
        </p>
      ) : null}
    </Layout>
  );
}
