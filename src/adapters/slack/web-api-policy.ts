import { setTimeout as delay } from 'node:timers/promises';
import type { webApi } from '@slack/bolt';

/**
 * Which Web API methods the client may repeat on its own. A method not listed here gets one attempt, and
 * whatever failure it meets goes back to its caller: the outbox for posts (which decides when to send
 * again and can say that a post may be doubled), or the handler for an interaction.
 *
 * Retried, because repeating them changes nothing:
 * - auth.test, conversations.info, conversations.members, users.info, users.conversations: reads.
 * - conversations.open: answers the same DM channel however often it is called.
 * - apps.connections.open: each call only issues a WebSocket URL; one that is never used expires.
 *
 * Not retried by the client (one attempt), because a request that timed out or failed with a 5xx may have
 * taken effect all the same:
 * - chat.postMessage: a second call is a second message (seen: five copies of one round message).
 * - chat.postEphemeral: the person would see the reply twice.
 * - chat.update, views.publish: repeating the same edit is harmless in itself, but a repeat sent late can
 *   land after a newer edit and put the older text back; the outbox keeps a channel's edits in order.
 * - views.open: a trigger_id is single-use and lives 3 seconds, so a repeat either opens a second modal or
 *   fails with expired_trigger_id.
 * - files.getUploadURLExternal, the upload itself, files.completeUploadExternal: the outbox repeats the
 *   whole digest-files delivery; a repeated completion could share the files twice.
 */
export const CLIENT_RETRIED_METHODS: ReadonlySet<string> = new Set([
  'auth.test',
  'conversations.info',
  'conversations.members',
  'users.info',
  'users.conversations',
  'conversations.open',
  'apps.connections.open',
]);

/**
 * Pauses before the client's own retries of the methods above: quick, because a network blip is short and
 * a person may be waiting on a handler. Both fit well inside the request timeout they share.
 */
export const READ_RETRY_DELAYS_MS: readonly number[] = [250, 1_000];

/** The Web API method a request URL calls, or null for other URLs (response_url, file upload URLs). */
export function webApiMethod(url: string | URL, apiUrl: string): string | null {
  const href = typeof url === 'string' ? url : url.href;
  if (!href.startsWith(apiUrl)) return null;
  const method = href.slice(apiUrl.length).split('?')[0] ?? '';
  return method === '' ? null : decodeURIComponent(method);
}

export interface RetryingFetchOptions {
  /** The Web API base URL the client calls, ending in a slash (`https://slack.com/api/`). */
  readonly apiUrl: string;
  readonly retryDelaysMs?: readonly number[];
  readonly fetch?: webApi.FetchFunction;
}

/**
 * The Web API client's transport: retries the methods in CLIENT_RETRIED_METHODS after a connection failure
 * or a 5xx answer, and passes every other request through untouched. The client's own retry policy applies
 * to every method alike (it cannot be set per call), so it is switched off and this is the only retry below
 * the outbox.
 *
 * A request that timed out is not repeated: the timeout (the client's `timeout`, carried by `init.signal`)
 * bounds the call as a whole, retries included, so a caller never waits longer than before.
 */
export function retryingFetch(options: RetryingFetchOptions): webApi.FetchFunction {
  const fetchFn: webApi.FetchFunction = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const delays = options.retryDelaysMs ?? READ_RETRY_DELAYS_MS;
  return async (url, init) => {
    const method = webApiMethod(url, options.apiUrl);
    if (method === null || !CLIENT_RETRIED_METHODS.has(method)) return fetchFn(url, init);
    for (let attempt = 0; ; attempt += 1) {
      const pause = delays[attempt];
      try {
        const response = await fetchFn(url, init);
        if (response.status < 500 || pause === undefined) return response;
        // Read to the end so the connection goes back to the pool.
        await response.arrayBuffer().catch(() => undefined);
      } catch (error) {
        if (pause === undefined || init?.signal?.aborted) throw error;
      }
      await delay(pause);
    }
  };
}
