import { setTimeout as delay } from 'node:timers/promises';
import { webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';

/**
 * Pauses between attempts to reach Slack (the start-up token check, Socket Mode connections): quick at
 * first for a blip, then once a minute for an outage, for as long as the bot runs.
 */
export const SLACK_RETRY_DELAYS_MS: readonly number[] = [5_000, 15_000, 60_000];

/** The pause after failed attempt number `failures` (1 for the first failure): the schedule's last step repeats. */
export function slackRetryDelayMs(failures: number, delays: readonly number[] = SLACK_RETRY_DELAYS_MS): number {
  return delays[Math.min(Math.max(failures, 1), delays.length) - 1] ?? 60_000;
}

/**
 * Platform errors that are Slack's trouble, not the token's. Every other error Slack answers auth.test with
 * (invalid_auth, not_authed, account_inactive, token_revoked, and rarer ones such as not_allowed_token_type)
 * means the token cannot be used: waiting does not help, a person must act.
 */
const SLACK_TROUBLE = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Why auth.test failed, in the terms an operator acts on. */
export type TokenCheckFailure =
  /** Slack answered and refused the token (or cannot use it): not retried. */
  | { readonly kind: 'token-refused'; readonly reason: string }
  /** No answer from Slack: connection refused or reset, DNS, timeout. Retried. */
  | { readonly kind: 'unreachable'; readonly reason: string }
  /** Slack answered but could not check (5xx, rate limit, internal_error). Retried. */
  | { readonly kind: 'slack-trouble'; readonly reason: string };

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

/** What went wrong below the HTTP answer: `ECONNREFUSED`, `ENOTFOUND`, `timed out`, … */
function networkReason(error: Error): string {
  if (error.name === 'TimeoutError') return 'timed out';
  const cause: unknown = error.cause;
  const code = codeOf(cause);
  if (typeof code === 'string') return code;
  if (cause instanceof Error) return cause.message;
  return error.message;
}

/** Sorts an auth.test failure of the Web API client into token refused, Slack unreachable, or Slack in trouble. */
export function classifyTokenCheckFailure(error: unknown): TokenCheckFailure {
  if (error instanceof Error) {
    const code = codeOf(error);
    if (code === webApi.ErrorCode.PlatformError && 'data' in error) {
      const platformError = (error as webApi.WebAPIPlatformError).data.error;
      return SLACK_TROUBLE.has(platformError) ? { kind: 'slack-trouble', reason: platformError } : { kind: 'token-refused', reason: platformError };
    }
    if (code === webApi.ErrorCode.RequestError && 'original' in error && error.original instanceof Error) {
      return { kind: 'unreachable', reason: networkReason(error.original) };
    }
    if (code === webApi.ErrorCode.HTTPError && 'statusCode' in error) return { kind: 'slack-trouble', reason: `HTTP ${String(error.statusCode)}` };
    if (code === webApi.ErrorCode.RateLimitedError) return { kind: 'slack-trouble', reason: 'ratelimited' };
    return { kind: 'slack-trouble', reason: error.message };
  }
  return { kind: 'slack-trouble', reason: String(error) };
}

export const TOKEN_REFUSED_SENTENCE = 'Slack rejected the bot token: check SLACK_BOT_TOKEN; Slack posts wait in the outbox meanwhile';

export type TokenCheckOutcome = 'connected' | 'token-refused' | 'stopped';

export interface TokenCheckOptions {
  readonly authTest: () => Promise<webApi.AuthTestResponse>;
  /** Host (and port) of the Web API URL, for the log line: `slack.com`, or a stand-in's `127.0.0.1:PORT`. */
  readonly apiHost: string;
  readonly log: Logger;
  /** True once the adapter is stopping: no further attempt starts, and none is logged. */
  readonly stopped: () => boolean;
  readonly delaysMs?: readonly number[];
  /** How a pause is waited out; a test injects its own to see the schedule without waiting it. */
  readonly wait?: (ms: number) => Promise<void>;
}

export interface TokenCheck {
  /** How the first attempt went; 'retrying' while later attempts continue in the background. */
  readonly first: Promise<TokenCheckOutcome | 'retrying'>;
  /** How the check ended; never rejects. */
  readonly settled: Promise<TokenCheckOutcome>;
}

/**
 * Checks the bot token with auth.test and says what happened: connected, token refused (not retried), or
 * Slack unreachable or in trouble, in which case it tries again on SLACK_RETRY_DELAYS_MS until it gets
 * an answer or the adapter stops, and logs when it gets through.
 */
export function checkBotToken(options: TokenCheckOptions): TokenCheck {
  const { log } = options;
  const wait = options.wait ?? ((ms: number) => delay(ms, undefined, { ref: false }));
  let reportFirst: (outcome: TokenCheckOutcome | 'retrying') => void = () => undefined;
  const first = new Promise<TokenCheckOutcome | 'retrying'>((resolve) => {
    reportFirst = resolve;
  });
  const settled = (async (): Promise<TokenCheckOutcome> => {
    for (let failures = 0; ; ) {
      if (options.stopped()) return 'stopped';
      let failure: TokenCheckFailure;
      try {
        const identity = await options.authTest();
        if (options.stopped()) return 'stopped';
        log.info({ team: identity.team_id, bot: identity.bot_id, ...(failures > 0 ? { failedChecks: failures } : {}) }, 'connected to Slack');
        return 'connected';
      } catch (error) {
        if (options.stopped()) return 'stopped';
        failure = classifyTokenCheckFailure(error);
      }
      if (failure.kind === 'token-refused') {
        log.error({ reason: failure.reason }, TOKEN_REFUSED_SENTENCE);
        return 'token-refused';
      }
      failures += 1;
      const retryInMs = slackRetryDelayMs(failures, options.delaysMs);
      const fields = { reason: failure.reason, retryInMs, failedChecks: failures };
      const message = failure.kind === 'unreachable' ? `cannot reach Slack at ${options.apiHost}; retrying` : `Slack could not check the bot token (${failure.reason}); retrying`;
      // The first failure is news; the repeats of an outage that lasts are its heartbeat.
      if (failures === 1) log.error(fields, message);
      else log.warn(fields, message);
      reportFirst('retrying');
      await wait(retryInMs);
    }
  })().then(
    (outcome) => outcome,
    (error: unknown) => {
      log.error({ err: error }, 'the Slack token check failed');
      return 'stopped' as const;
    },
  );
  void settled.then((outcome) => reportFirst(outcome));
  return { first, settled };
}
