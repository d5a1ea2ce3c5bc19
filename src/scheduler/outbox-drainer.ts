import type { Messenger, SendOutcome } from '../core/messenger.js';
import { parentDecision, parentKind, retryDelayMs, type Delivery, type RetryPolicy } from '../core/outbox.js';
import type { Platform } from '../core/platform.js';
import type { Logger } from '../logger.js';
import type { DeliveryResult } from '../metrics.js';
import type { ServiceContext } from '../services/context.js';
import { prepareMessage } from '../services/outbound-messages.js';
import { beginDeliverySend, claimDeliveries, findRelatedDelivery, giveUpDelivery, pauseTeamOfChannel, postponeDelivery, recordDeliverySent, releaseUnsent, retryDeliveryAt } from '../services/delivery-service.js';
import type { Fence } from '../services/context.js';
import { leaseLost } from '../services/lease-service.js';

const WAIT_FOR_PARENT_MS = 5_000;

function gateKey(delivery: Delivery): string {
  return `${delivery.target.platform}/${delivery.target.workspaceId}`;
}

export interface DrainSummary {
  sent: number;
  retried: number;
  failed: number;
  waiting: number;
}

export interface OutboxDrainerOptions {
  /** Channels sent to at the same time; each channel's own posts stay in order. */
  readonly concurrency?: number;
  readonly batchSize?: number;
  readonly retryPolicy?: RetryPolicy;
  readonly random?: () => number;
}

/**
 * Sends due deliveries through the platform messengers. A delivery is claimed before sending and its
 * message reference recorded after, so it is never sent twice once the reference is stored; failures are
 * retried with backoff, and a permanent failure pauses the team with one log line.
 */
export class OutboxDrainer {
  private running: Promise<DrainSummary> | null = null;
  private again = false;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly random: () => number;
  /** Per platform workspace: until when a rate limit said to hold all sends there (epoch ms). */
  private readonly gates = new Map<string, number>();
  /**
   * Deliveries whose last attempt had started its platform call and then failed without a clear answer (a
   * timeout, a dropped connection): the platform may have posted anyway, so the next attempt is logged as
   * a possible duplicate, like a send a crash interrupted.
   */
  private readonly uncertain = new Set<number>();
  private wakeTimer: NodeJS.Timeout | null = null;
  /** The scheduler lease this process sends under (see `fenceWith`). */
  private fence: Fence | null = null;
  private stopping = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly messengers: ReadonlyMap<Platform, Messenger>,
    private readonly options: OutboxDrainerOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.batchSize = options.batchSize ?? 100;
    this.random = options.random ?? Math.random;
  }

  /** Drains now, or once more after the drain in progress, without ever running two at once. */
  drain(): Promise<DrainSummary> {
    if (this.stopping) return Promise.resolve({ sent: 0, retried: 0, failed: 0, waiting: 0 });
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drainLoop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * Stops claiming new deliveries and waits (up to `graceMs`) for the sends already under way, so a
   * graceful shutdown neither closes the database under a drain nor leaves deliveries claimed.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    const running = this.running;
    if (!running) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([running.then(() => undefined, () => undefined), grace]);
    clearTimeout(timer);
  }

  /**
   * The lease the sends are made under: claims and send starts commit only while it holds, so a process
   * that lost the lease (paused, cut off) stops taking work the moment another takes over.
   */
  fenceWith(fence: Fence | null): void {
    this.fence = fence;
  }

  /** Fire-and-forget drain for a freshly written intent; errors are logged, never thrown at the caller. */
  kick(): void {
    this.drain().catch((error: unknown) => {
      // Fencing at work, not a fault: another process holds the lease now and sends instead.
      if (leaseLost(error)) this.ctx.log.info('stopped sending: the scheduler lease went to another process');
      else this.ctx.log.error({ err: error }, 'outbox drain failed');
    });
  }

  private async drainLoop(): Promise<DrainSummary> {
    const summary: DrainSummary = { sent: 0, retried: 0, failed: 0, waiting: 0 };
    const platforms = [...this.messengers.keys()];
    for (;;) {
      this.again = false;
      if (this.stopping) return summary;
      const batch = await claimDeliveries(this.ctx, this.fence, platforms, this.batchSize);
      try {
        if (batch.length > 0) await this.sendBatch(batch, summary);
      } finally {
        // Anything still only claimed (an unexpected error stopped the batch) goes back in line.
        await releaseUnsent(this.ctx, batch.map((delivery) => delivery.id));
      }
      // Claimed deliveries leave the due set (sent, or due again later), so this loop ends.
      if (batch.length < this.batchSize && !this.again) return summary;
    }
  }

  private async sendBatch(batch: readonly Delivery[], summary: DrainSummary): Promise<void> {
    const byChannel = new Map<string, Delivery[]>();
    for (const delivery of batch) {
      const key = `${delivery.target.platform}/${delivery.target.workspaceId}/${delivery.target.channelId}`;
      const list = byChannel.get(key);
      if (list) list.push(delivery);
      else byChannel.set(key, [delivery]);
    }
    const queues = [...byChannel.values()];
    const workers = Array.from({ length: Math.min(this.concurrency, queues.length) }, async () => {
      for (let queue = queues.shift(); queue; queue = queues.shift()) {
        for (const delivery of queue) {
          // Once stopping, what is not yet started stays claimed and goes back in line below.
          if (this.stopping) return;
          await this.sendOne(delivery, summary);
        }
      }
    });
    await Promise.all(workers);
  }

  /** Drains again when a rate-limit gate lifts, instead of waiting for the next tick. */
  private wakeAt(at: number): void {
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.kick();
    }, Math.max(0, at - this.ctx.clock.now().getTime()));
    this.wakeTimer.unref();
  }

  private async sendOne(delivery: Delivery, summary: DrainSummary): Promise<void> {
    const { log } = this.ctx;
    const dlog = log.child({ deliveryId: delivery.id, kind: delivery.kind, platform: delivery.target.platform });
    const messenger = this.messengers.get(delivery.target.platform);
    if (!messenger) return;
    // While the platform says to wait, sending anything else to that workspace would only earn more 429s.
    const gate = this.gates.get(gateKey(delivery));
    if (gate !== undefined && gate > this.ctx.clock.now().getTime()) {
      await postponeDelivery(this.ctx, delivery.id, new Date(gate));
      this.count(delivery, 'waiting');
      summary.waiting += 1;
      this.wakeAt(gate);
      return;
    }
    let parentRef: string | null = null;
    const parent = parentKind(delivery.kind);
    if (parent) {
      const decision = parentDecision(delivery.kind, await findRelatedDelivery(this.ctx, delivery.target, delivery.periodKey, parent));
      if (decision.kind === 'cancel') {
        await giveUpDelivery(this.ctx, delivery.id, decision.reason, 'cancelled');
        this.count(delivery, 'cancelled');
        summary.failed += 1;
        return;
      }
      if (decision.kind === 'wait') {
        await postponeDelivery(this.ctx, delivery.id, new Date(this.ctx.clock.now().getTime() + WAIT_FOR_PARENT_MS));
        this.count(delivery, 'waiting');
        summary.waiting += 1;
        return;
      }
      if (decision.kind === 'alone') dlog.warn('the message this belongs to was given up after interrupted sends: posting it on its own');
      else parentRef = decision.parentRef;
    }
    const prepared = await prepareMessage(this.ctx, delivery);
    if (prepared.kind === 'obsolete') {
      await giveUpDelivery(this.ctx, delivery.id, prepared.reason, 'cancelled');
      this.count(delivery, 'cancelled');
      dlog.info({ reason: prepared.reason }, 'delivery dropped');
      return;
    }
    if (this.uncertain.delete(delivery.id) || delivery.resends > 0) {
      dlog.warn('sending again after an unknown outcome: the earlier attempt may have posted too');
    }
    let outcome: SendOutcome;
    let began = false;
    const { fence } = this;
    try {
      outcome = await messenger.send(delivery.target, prepared.message, {
        deliveryId: delivery.id,
        beginSend: async () => {
          await beginDeliverySend(this.ctx, fence, delivery.id);
          began = true;
        },
        threadOf: delivery.kind === 'round-closed' ? null : parentRef,
        replaces: delivery.kind === 'round-closed' ? parentRef : null,
      });
    } catch (error) {
      outcome = { kind: 'retry', reason: error instanceof Error ? error.message : String(error), retryAfterMs: null };
    }
    // A rate limit (Retry-After) says nothing was done; any other failure after the call began may hide a post.
    if (began && outcome.kind === 'retry' && outcome.retryAfterMs === null) this.uncertain.add(delivery.id);
    await this.record(delivery, outcome, summary, dlog);
  }

  private count(delivery: Delivery, result: DeliveryResult): void {
    this.ctx.metrics?.delivery(delivery.target.platform, delivery.kind, result);
  }

  private async record(delivery: Delivery, outcome: SendOutcome, summary: DrainSummary, dlog: Logger): Promise<void> {
    const now = this.ctx.clock.now();
    if (outcome.kind === 'sent') {
      await recordDeliverySent(this.ctx, delivery, outcome.messageRef, outcome.audience);
      this.count(delivery, 'sent');
      summary.sent += 1;
      dlog.debug('delivered');
      return;
    }
    if (outcome.kind === 'retry') {
      if (outcome.retryAfterMs !== null) {
        this.ctx.metrics?.rateLimitWait(delivery.target.platform);
        const until = now.getTime() + outcome.retryAfterMs;
        this.gates.set(gateKey(delivery), Math.max(until, this.gates.get(gateKey(delivery)) ?? 0));
        this.wakeAt(until);
      }
      const delay = retryDelayMs(delivery.attempts, outcome.retryAfterMs, this.random(), this.options.retryPolicy);
      if (delay !== null) {
        await retryDeliveryAt(this.ctx, delivery.id, new Date(now.getTime() + delay), outcome.reason);
        this.count(delivery, 'retry');
        summary.retried += 1;
        dlog.warn({ reason: outcome.reason, retryInMs: delay, attempts: delivery.attempts }, 'delivery will be retried');
        return;
      }
      await giveUpDelivery(this.ctx, delivery.id, `gave up after ${delivery.attempts} attempts: ${outcome.reason}`);
      this.count(delivery, 'failed');
      summary.failed += 1;
      dlog.error({ reason: outcome.reason, attempts: delivery.attempts }, 'delivery failed for good');
      return;
    }
    await giveUpDelivery(this.ctx, delivery.id, outcome.reason);
    this.count(delivery, 'failed');
    summary.failed += 1;
    if (outcome.pauseTeam) {
      const team = await pauseTeamOfChannel(this.ctx, delivery.target);
      dlog.error({ reason: outcome.reason, teamId: team?.id }, 'cannot post to this channel: the team is paused until an admin resumes it');
      const messenger = this.messengers.get(delivery.target.platform);
      if (team && messenger?.notifyAdmins) {
        const text = `maturity-pulse can no longer post in the channel of ${team.name} (${outcome.reason}), so the team is paused. Fix the channel (invite the bot, unarchive it) and run resume there.`;
        messenger.notifyAdmins(delivery.target.workspaceId, text).catch((error: unknown) => dlog.warn({ err: error }, 'could not tell the admins about the pause'));
      }
    } else {
      dlog.error({ reason: outcome.reason }, 'delivery failed');
    }
  }
}
