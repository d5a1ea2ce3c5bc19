import type { UserRef } from '../../core/platform.js';
import { personViewer, type PersonViewer } from '../../services/dashboard-service.js';
import { teamsOfChannels } from '../../services/web-sign-in-service.js';
import { personOf, type Session } from './session.js';
import type { WebContext, WebDependencies } from './web-env.js';

/** Who is asking: their session, and what their roles and channels let them see, read afresh on every request. */
export interface SignedIn {
  readonly session: Session;
  readonly person: UserRef;
  readonly viewer: PersonViewer;
}

/** The viewer of a person (session or API token owner): roles from the store, membership from their platform now. */
export async function viewerOfPerson(deps: WebDependencies, person: UserRef): Promise<PersonViewer> {
  const channels = await deps.channelsOf(person);
  const memberTeamIds = await teamsOfChannels(deps.ctx, person, channels);
  return await personViewer(deps.ctx, person, deps.configuredAdmins, memberTeamIds);
}

/** The signed-in person of a page request, or null (the caller sends them to sign in). */
export async function signedIn(c: WebContext, deps: WebDependencies): Promise<SignedIn | null> {
  const session = c.get('session');
  if (!session) return null;
  const person = personOf(session);
  return { session, person, viewer: await viewerOfPerson(deps, person) };
}

/** Where sign-in sends a person back to after it succeeds: this page. */
export function signInRedirect(c: WebContext): Response {
  const url = new URL(c.req.url);
  const back = `${url.pathname}${url.search}`;
  return c.redirect(back === '/' ? '/sign-in' : `/sign-in?returnTo=${encodeURIComponent(back)}`);
}
