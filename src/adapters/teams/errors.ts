import type { SendOutcome } from '../../core/messenger.js';

/** Statuses the Bot Connector answers that a later attempt can fix (Microsoft's rate-limit guidance). */
const RETRYABLE = new Set([408, 412, 429, 500, 502, 503, 504]);
/** The bot was removed, or can no longer reach the conversation: pause the team instead of retrying. */
const GONE = new Set([401, 403, 404]);

export function statusOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const value = 'statusCode' in error ? error.statusCode : 'status' in error ? error.status : null;
  return typeof value === 'number' ? value : null;
}

function retryAfterMs(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('response' in error)) return null;
  const response = error.response;
  if (typeof response !== 'object' || response === null || !('headers' in response)) return null;
  const headers = response.headers;
  let value: unknown = null;
  if (typeof headers === 'object' && headers !== null && 'get' in headers && typeof headers.get === 'function') value = (headers.get as (name: string) => unknown)('retry-after');
  else if (typeof headers === 'object' && headers !== null && 'retry-after' in headers) value = (headers as Record<string, unknown>)['retry-after'];
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

function codeOf(error: unknown): string | null {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
}

/**
 * Translates a Bot Connector failure into what the outbox does next. `updating`: the send was an edit of an
 * earlier message, where a 404 about the activity (someone deleted the card) says nothing about the channel.
 */
export function teamsOutcomeOfError(error: unknown, options: { readonly updating?: boolean } = {}): Exclude<SendOutcome, { kind: 'sent' }> {
  const status = statusOf(error);
  const code = codeOf(error);
  const reason = status === null ? (error instanceof Error ? error.message : String(error)) : `HTTP ${status}${code ? ` ${code}` : ''}`;
  if (status === 404 && options.updating && code !== null && code.startsWith('ActivityNotFound')) return { kind: 'failed', reason: 'the message to update no longer exists', pauseTeam: false };
  if (status !== null && GONE.has(status)) return { kind: 'failed', reason, pauseTeam: true };
  if (status === 413) return { kind: 'failed', reason: 'the message is too large for Teams', pauseTeam: false };
  if (status === null || RETRYABLE.has(status)) return { kind: 'retry', reason, retryAfterMs: retryAfterMs(error) };
  return { kind: 'failed', reason, pauseTeam: false };
}
