import { webApi } from '@slack/bolt';
import type { Messenger, OutboundMessage, SendContext, SendOutcome } from '../../core/messenger.js';
import type { ChannelRef } from '../../core/platform.js';
import type { Logger } from '../../logger.js';
import { renderDigestText } from '../text/render-digest.js';
import { closedRoundMessage, openRoundMessage, reminderMessage, roundResultMessage, type SlackMessage } from './render/round-message.js';
import { section } from './render/blocks.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

/** Errors after which posting to the channel cannot work until someone acts: pause the team, do not retry. */
const CHANNEL_GONE = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'token_revoked', 'account_inactive', 'invalid_auth', 'not_authed', 'team_access_not_granted', 'missing_scope']);
/** Platform errors worth another try. */
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

function render(message: OutboundMessage): SlackMessage {
  switch (message.kind) {
    case 'round-opened':
      return openRoundMessage(message.round);
    case 'round-closed':
      return closedRoundMessage(message.round);
    case 'round-result':
      return roundResultMessage(message.round, message.outcome);
    case 'reminder':
      return reminderMessage(message.round);
    case 'digest': {
      const text = renderDigestText(message.digest);
      return { text: truncate(text, 3000), blocks: [section(`\`\`\`${escapeMrkdwn(truncate(text, 2990))}\`\`\``)] };
    }
  }
}

/** Translates a Web API failure into what the outbox should do next. */
export function outcomeOfError(error: unknown): SendOutcome {
  if (error instanceof Error && 'code' in error) {
    if (error.code === webApi.ErrorCode.RateLimitedError && 'retryAfter' in error && typeof error.retryAfter === 'number') {
      return { kind: 'retry', reason: 'ratelimited', retryAfterMs: error.retryAfter * 1000 };
    }
    if (error.code === webApi.ErrorCode.PlatformError && 'data' in error) {
      const code = (error as webApi.WebAPIPlatformError).data.error;
      if (CHANNEL_GONE.has(code)) return { kind: 'failed', reason: code, pauseTeam: true };
      if (TRANSIENT.has(code)) return { kind: 'retry', reason: code, retryAfterMs: null };
      return { kind: 'failed', reason: code, pauseTeam: false };
    }
    if (error.code === webApi.ErrorCode.HTTPError || error.code === webApi.ErrorCode.RequestError) {
      return { kind: 'retry', reason: error.message, retryAfterMs: null };
    }
  }
  return { kind: 'retry', reason: error instanceof Error ? error.message : String(error), retryAfterMs: null };
}

/**
 * Posts outbox deliveries to Slack: new messages with chat.postMessage (replies in the round's thread),
 * edits with chat.update. The message reference is the message's ts.
 */
export class SlackMessenger implements Messenger {
  readonly platform = 'slack' as const;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    private readonly adminUserIds: readonly string[] = [],
  ) {}

  /** A direct message to each configured admin; the token may be the very thing that failed, so best effort. */
  async notifyAdmins(_workspaceId: string, text: string): Promise<void> {
    for (const user of this.adminUserIds) {
      await this.client.chat.postMessage({ channel: user, text }).catch((error: unknown) => this.log.warn({ reason: outcomeOfError(error).kind }, 'could not message an admin'));
    }
  }

  async send(target: ChannelRef, message: OutboundMessage, context: SendContext): Promise<SendOutcome> {
    const { text, blocks } = render(message);
    try {
      if (context.replaces) {
        await this.client.chat.update({ channel: target.channelId, ts: context.replaces, text, blocks });
        return { kind: 'sent', messageRef: context.replaces };
      }
      const result = await this.client.chat.postMessage({
        channel: target.channelId,
        text,
        blocks,
        unfurl_links: false,
        ...(context.threadOf ? { thread_ts: context.threadOf } : {}),
        ...(message.kind === 'round-opened' ? { metadata: { event_type: 'maturity_pulse_round', event_payload: { round_id: message.round.roundId } } } : {}),
      });
      if (!result.ts) return { kind: 'retry', reason: 'no ts in the chat.postMessage answer', retryAfterMs: null };
      return { kind: 'sent', messageRef: result.ts };
    } catch (error) {
      const outcome = outcomeOfError(error);
      this.log.debug({ kind: message.kind, outcome: outcome.kind }, 'Slack send did not go through');
      return outcome;
    }
  }
}
