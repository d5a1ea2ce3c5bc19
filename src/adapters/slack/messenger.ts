import { setTimeout as delay } from 'node:timers/promises';
import { webApi } from '@slack/bolt';
import pThrottle, { type ThrottledFunction } from 'p-throttle';
import type { Messenger, OutboundMessage, SendContext, SendOutcome } from '../../core/messenger.js';
import type { ChannelRef } from '../../core/platform.js';
import type { Logger } from '../../logger.js';
import type { ChartRenderer } from '../charts/chart-renderer.js';
import { roleChangeAnnouncement } from '../text/reply-text.js';
import { mention, SLACK_TEXT_STYLE } from './mrkdwn.js';
import { section } from './render/blocks.js';
import { digestMessage } from './render/digest-blocks.js';
import { checkInMessage, ownerRequestMessage, stepAdoptedMessage } from './render/step-blocks.js';
import { closedRoundMessage, nudgeText, openRoundMessage, reminderMessage, roundResultMessage, type SlackMessage } from './render/round-message.js';

/** Errors after which posting to the channel cannot work until someone acts: pause the team, do not retry. */
const CHANNEL_GONE = new Set(['not_in_channel', 'channel_not_found', 'invalid_channel', 'is_archived', 'token_revoked', 'account_inactive', 'invalid_auth', 'not_authed', 'team_access_not_granted', 'missing_scope']);
/** conversations.info allows about 50 calls a minute per workspace; setup needs some of them too. */
const AUDIENCE_COUNTS_PER_MINUTE = 20;
/** Channels waiting to be counted beyond this are counted at their next round instead. */
const AUDIENCE_QUEUE_LIMIT = 200;
/** Platform errors worth another try. */
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Tries per nudged member when Slack answers 429; each waits out the Retry-After first. */
const NUDGE_ATTEMPTS = 3;
/**
 * A longer Retry-After than this skips the member rather than holding the channel's outbox queue past
 * what a graceful stop waits for (10 s); Slack's per-message limits usually ask for a second or two.
 */
const NUDGE_MAX_WAIT_MS = 10_000;

/** Messages that go to people privately rather than into the target channel. */
type PrivateMessage = Extract<OutboundMessage, { kind: 'nudge' } | { kind: 'step-owner-request' } | { kind: 'step-check-in' }>;
type ChannelMessage = Exclude<OutboundMessage, PrivateMessage | { kind: 'digest-files' }>;

/** `digestTimeZone` names the ISO week in the digest's header: the subscription's, as its outbox key is. */
function render(message: ChannelMessage, digestTimeZone: string): SlackMessage {
  switch (message.kind) {
    case 'round-opened':
      return openRoundMessage(message.round);
    case 'round-closed':
      return closedRoundMessage(message.round);
    case 'round-result':
      return roundResultMessage(message.round, message.outcome);
    case 'reminder':
      return reminderMessage(message.round);
    case 'digest':
      return digestMessage(message.digest, digestTimeZone);
    case 'role-change': {
      const text = roleChangeAnnouncement(message, (who) => mention(who.userId), SLACK_TEXT_STYLE);
      return { text, blocks: [section(text)] };
    }
    case 'step-adopted':
      return stepAdoptedMessage(message.step);
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
    private readonly charts: ChartRenderer | null = null,
    /**
     * The time zone of the channel's digest subscription, or null when it has none (any more). The digest
     * itself carries only its instant, and its ISO week differs between zones around midnight on Mondays.
     */
    private readonly digestTimeZone: (channel: ChannelRef) => Promise<string | null> = () => Promise.resolve(null),
    /** Where a channel's head count goes once known (the digest's response rate). */
    private readonly onAudience: (channel: ChannelRef, people: number) => Promise<void> = () => Promise.resolve(),
  ) {}

  /**
   * conversations.info is rate limited per workspace (about 50 a minute, shared with setup), and a Monday
   * may post thousands of rounds: counts take turns within a budget, and past a short queue a channel is
   * simply counted at its next round.
   */
  private readonly counters = new Map<string, ThrottledFunction<(channel: ChannelRef) => Promise<void>>>();
  /** Drops the counts still waiting for their turn when the app stops, so they cannot hold the process up. */
  private readonly stopCounting = new AbortController();

  stop(): void {
    this.stopCounting.abort(new Error('stopping'));
  }

  /** A direct message to each configured admin; the token may be the very thing that failed, so best effort. */
  async notifyAdmins(_workspaceId: string, text: string): Promise<void> {
    for (const user of this.adminUserIds) {
      await this.client.chat.postMessage({ channel: user, text }).catch((error: unknown) => this.log.warn({ reason: outcomeOfError(error).kind }, 'could not message an admin'));
    }
  }

  async send(target: ChannelRef, message: OutboundMessage, context: SendContext): Promise<SendOutcome> {
    try {
      if (message.kind === 'nudge') return await this.nudge(target, message, context);
      if (message.kind === 'digest-files') return await this.attachDigestFiles(target, message.files, context);
      if (message.kind === 'step-owner-request') return await this.direct([message.ownerUserId], ownerRequestMessage(message), context, 'owner-asked');
      if (message.kind === 'step-check-in') return await this.direct(message.recipientUserIds, checkInMessage(message.step), context, 'checked-in');
      return await this.post(target, message, context);
    } catch (error) {
      const outcome = outcomeOfError(error);
      this.log.debug({ kind: message.kind, outcome: outcome.kind }, 'Slack send did not go through');
      return outcome;
    }
  }

  private async post(target: ChannelRef, message: ChannelMessage, context: SendContext): Promise<SendOutcome> {
    const { text, blocks } = render(message, message.kind === 'digest' ? ((await this.digestTimeZone(target)) ?? 'UTC') : 'UTC');
    await context.beginSend();
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
    // Counted after the post is recorded, never in between: a crash there would make the post's outcome unknown.
    if (message.kind === 'round-opened') setImmediate(() => this.countAudience(target));
    return { kind: 'sent', messageRef: result.ts };
  }

  /** How many people the channel holds; Slack's member count includes the bot, which must be a member to post. */
  private countAudience(target: ChannelRef): void {
    let count = this.counters.get(target.workspaceId);
    if (!count) {
      count = pThrottle({ limit: AUDIENCE_COUNTS_PER_MINUTE, interval: 60_000, signal: this.stopCounting.signal })(async (channel: ChannelRef): Promise<void> => {
        const info = await this.client.conversations.info({ channel: channel.channelId, include_num_members: true });
        const members = info.channel?.num_members;
        if (typeof members === 'number' && members > 0) await this.onAudience(channel, members - 1);
      });
      this.counters.set(target.workspaceId, count);
    }
    if (count.queueSize >= AUDIENCE_QUEUE_LIMIT || this.stopCounting.signal.aborted) return;
    count(target).catch((error: unknown) => this.log.debug({ reason: outcomeOfError(error).kind }, 'could not count the people in a channel'));
  }


  /** Direct messages to the channel's members who have not answered; the bot's own user is skipped. */
  private async nudge(target: ChannelRef, message: Extract<OutboundMessage, { kind: 'nudge' }>, context: SendContext): Promise<SendOutcome> {
    const identity = await this.client.auth.test();
    const members: string[] = [];
    for await (const page of this.client.paginate('conversations.members', { channel: target.channelId, limit: 200 })) {
      const list = (page as { members?: unknown }).members;
      if (Array.isArray(list)) members.push(...list.filter((member): member is string => typeof member === 'string'));
    }
    const waiting = members.filter((member) => member !== identity.user_id && !message.hasAnswered(member));
    await context.beginSend();
    let nudged = 0;
    for (const user of waiting) {
      if (await this.directOne(user, { text: nudgeText(message.round, target.channelId) }, 'skipped a nudge')) nudged += 1;
    }
    if (nudged < waiting.length) this.log.warn({ waiting: waiting.length, nudged }, 'some members could not be nudged; they are not tried again');
    return { kind: 'sent', messageRef: `nudged-${waiting.length}` };
  }

  /**
   * Private messages about a next step (the owner's question, a check-in), one direct message per person.
   * Someone who cannot be reached is skipped and logged, never failing the delivery: retrying it would ask
   * the others a second time.
   */
  private async direct(users: readonly string[], message: SlackMessage, context: SendContext, ref: string): Promise<SendOutcome> {
    await context.beginSend();
    let reached = 0;
    for (const user of users) {
      if (await this.directOne(user, message, 'skipped a private next-step message')) reached += 1;
    }
    if (reached < users.length) this.log.warn({ recipients: users.length, reached }, 'some people could not be messaged privately about a next step; they are not tried again');
    return { kind: 'sent', messageRef: `${ref}-${reached}-of-${users.length}` };
  }

  /**
   * One person's direct message (a nudge, a step's question), retried in place when Slack rate-limits it.
   * Handing the 429 back to the outbox would retry the whole delivery and message the people already
   * reached a second time, so someone who still cannot be reached after a few tries is skipped instead. Any
   * other failure (a person who cannot receive DMs: another bot, a deactivated account) skips them at once.
   */
  private async directOne(user: string, message: { readonly text: string; readonly blocks?: SlackMessage['blocks'] }, skipped: string): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.chat.postMessage({ channel: user, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}), unfurl_links: false });
        return true;
      } catch (error) {
        const outcome = outcomeOfError(error);
        const waitMs = outcome.kind === 'retry' ? outcome.retryAfterMs : null;
        if (waitMs === null || attempt >= NUDGE_ATTEMPTS || waitMs > NUDGE_MAX_WAIT_MS) {
          this.log.debug({ outcome: outcome.kind, reason: outcome.kind === 'sent' ? null : outcome.reason, attempt }, skipped);
          return false;
        }
        await delay(waitMs);
      }
    }
  }

  /**
   * The digest's CSV and charts, uploaded into its thread. Both come prepared with the digest (built in the
   * digest worker), and the charts render in the chart worker: nothing here walks the digest's table.
   */
  private async attachDigestFiles(target: ChannelRef, files: Extract<OutboundMessage, { kind: 'digest-files' }>['files'], context: SendContext): Promise<SendOutcome> {
    const threadOf = context.threadOf;
    const uploads: { file: Buffer; filename: string; title: string }[] = [{ file: Buffer.from(files.csv, 'utf8'), filename: 'maturity-digest.csv', title: 'All teams and aspects (CSV)' }];
    if (this.charts) {
      for (const chart of files.charts) {
        const png = await this.charts.render(chart.input);
        uploads.push({ file: png, filename: `maturity-${chart.surveyId}.png`, title: `${chart.surveyTitle}: levels and trend` });
      }
    }
    await context.beginSend();
    await this.client.filesUploadV2({ channel_id: target.channelId, ...(threadOf ? { thread_ts: threadOf } : {}), file_uploads: uploads });
    return { kind: 'sent', messageRef: `files-${threadOf ?? 'channel'}` };
  }
}
