import type { Messenger, OutboundMessage, SendContext, SendOutcome } from '../../core/messenger.js';
import type { ChannelRef } from '../../core/platform.js';
import type { Logger } from '../../logger.js';
import { renderMessageText } from '../text/render-round.js';

/**
 * The demo organisation's "chat platform": every post is written to the log as text, so the outbox,
 * retries and threading can be watched without Slack or Teams.
 */
export class DemoMessenger implements Messenger {
  readonly platform = 'demo' as const;
  private sequence = 0;

  constructor(private readonly log: Logger) {}

  async send(target: ChannelRef, message: OutboundMessage, context: SendContext): Promise<SendOutcome> {
    await context.beginSend();
    const messageRef = context.replaces ?? `demo-${target.channelId}-${context.deliveryId}-${(this.sequence += 1)}`;
    this.log.info({ channel: target.channelId, kind: message.kind, threadOf: context.threadOf, replaces: context.replaces, messageRef }, `demo post:\n${renderMessageText(message)}`);
    return { kind: 'sent', messageRef };
  }
}
