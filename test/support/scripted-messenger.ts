import type { Messenger, OutboundMessage, SendContext, SendOutcome } from '../../src/core/messenger.js';
import type { ChannelRef, Platform } from '../../src/core/platform.js';

export interface SentMessage {
  readonly target: ChannelRef;
  readonly message: OutboundMessage;
  readonly context: SendContext;
}

/**
 * Stands in for a chat platform behind the Messenger port: records every send and answers with scripted
 * outcomes (success by default), the way a platform answers 429s or a revoked token.
 */
export class ScriptedMessenger implements Messenger {
  readonly sent: SentMessage[] = [];
  private readonly script: ((message: OutboundMessage) => SendOutcome | undefined)[] = [];
  private counter = 0;

  constructor(readonly platform: Platform = 'slack') {}

  /** Queues outcomes for the next sends; `undefined` entries mean "succeed". */
  then(...outcomes: (SendOutcome | ((message: OutboundMessage) => SendOutcome | undefined))[]): this {
    for (const outcome of outcomes) this.script.push(typeof outcome === 'function' ? outcome : () => outcome);
    return this;
  }

  async send(target: ChannelRef, message: OutboundMessage, context: SendContext): Promise<SendOutcome> {
    await context.beginSend();
    const scripted = this.script.shift()?.(message);
    if (scripted && scripted.kind !== 'sent') return scripted;
    this.sent.push({ target, message, context });
    this.counter += 1;
    const audience = scripted?.kind === 'sent' ? scripted.audience : undefined;
    return { kind: 'sent', messageRef: context.replaces ?? `msg-${this.counter}`, ...(audience === undefined ? {} : { audience }) };
  }
}
