/**
 * What the server needs of the Teams adapter to wire it in: its route, how often it may edit round cards,
 * and which service URLs count as this machine. Apart from app.ts so that a process without Teams
 * credentials never loads botbuilder.
 */
export const TEAMS_MESSAGES_PATH = '/api/messages';
/** Teams allows about one edit a second per conversation; the shared count refreshes at most once a minute. */
export const TEAMS_PROGRESS_INTERVAL_MS = 60_000;
/** Teams limits edits per conversation, and each round is its own; this only bounds a tenant's total. */
export const TEAMS_PROGRESS_EDITS_PER_MINUTE = 600;

/** Whether a service URL points at this machine: without authentication, replies may only go there. */
export function isLoopbackServiceUrl(serviceUrl: string | undefined): boolean {
  if (!serviceUrl) return false;
  try {
    const host = new URL(serviceUrl).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}
