import { canSeeOrganisation, type PersonViewer } from '../../services/dashboard-service.js';
import type { SignedIn } from './access.js';
import { maskCsrf } from './session.js';
import type { LayoutProps, NavLink } from './views/layout.js';

/** The navigation a person sees: organisation pages only for PMs and admins, tokens only for those who may create them; next steps for everyone (their own teams' steps). */
export function navFor(viewer: PersonViewer): NavLink[] {
  const org = canSeeOrganisation(viewer);
  return [
    ...(org ? [{ href: '/', label: 'Organisation' }] : []),
    { href: '/teams', label: 'Teams' },
    { href: '/steps', label: 'Next steps' },
    ...(org ? [{ href: '/digests', label: 'Digests' }] : []),
    { href: '/me', label: 'My answers' },
    ...(org ? [{ href: '/tokens', label: 'API tokens' }] : []),
  ];
}

/** The layout's header for a signed-in person. */
export function chrome(who: SignedIn): Pick<LayoutProps, 'nav' | 'signedIn'> {
  return { nav: navFor(who.viewer), signedIn: { name: who.session.name ?? 'Signed in', csrf: maskCsrf(who.session.csrf) } };
}
