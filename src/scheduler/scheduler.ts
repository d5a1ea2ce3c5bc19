import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { ServiceContext } from '../services/context.js';
import { applyRetention } from '../services/privacy-service.js';
import { closeDueRounds } from '../services/round-service.js';
import { queueDueDigests } from '../services/digest-service.js';
import { queueHalfwayReminders } from '../services/reminder-service.js';
import { openScheduledRounds } from '../services/schedule-service.js';
import { recoverInterruptedDeliveries } from '../storage/delivery-repository.js';
import { forgetEventsBefore } from '../storage/event-repository.js';
import { acquireLease, releaseLease } from '../storage/lease-repository.js';
import type { OutboxDrainer } from './outbox-drainer.js';

export const SCHEDULER_LEASE = 'scheduler';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SchedulerOptions {
  readonly cronExpression: string;
  readonly leaseTtlMs: number;
  readonly retentionDays: number;
  readonly holderId?: string;
}

export type TickResult = { readonly held: false; readonly holder: string } | { readonly held: true; readonly closedRounds: number; readonly openedRounds: number; readonly sent: number };

/**
 * The tick: one process at a time (the lease holder) closes due rounds, applies retention daily and drains
 * the outbox. Others keep trying the lease each tick and take over once it expires.
 */
export class Scheduler {
  readonly holderId: string;
  private task: ScheduledTask | null = null;
  private lastRetentionAt = 0;
  private ticking: Promise<TickResult> | null = null;
  private isHolder = false;
  /** Whether the lease state has been logged yet, so a standby says so once at start. */
  private leaseKnown = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly drainer: OutboxDrainer,
    private readonly options: SchedulerOptions,
  ) {
    this.holderId = options.holderId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    const log = this.ctx.log;
    this.task = cron.schedule(this.options.cronExpression, () => this.tickSafely(), {
      name: 'maturity-pulse-tick',
      noOverlap: true,
      logger: {
        info: (message) => log.debug({ area: 'cron' }, message),
        warn: (message) => log.warn({ area: 'cron' }, message),
        error: (message) => log.error({ area: 'cron' }, String(message)),
        debug: (message) => log.debug({ area: 'cron' }, String(message)),
      },
    });
    this.tickSafely();
  }

  /** Stops ticking, waits for a tick and the sends in progress and gives the lease up so a standby can take over. */
  async stop(): Promise<void> {
    await this.task?.stop();
    await this.task?.destroy();
    this.task = null;
    await this.ticking?.catch(() => undefined);
    await this.drainer.stop();
    releaseLease(this.ctx.db, SCHEDULER_LEASE, this.holderId);
  }

  /** Holds the lease at this moment (for health checks). */
  holdsLease(): boolean {
    return this.isHolder;
  }

  /** Posts a freshly written intent at once when this process is the one that sends. */
  kick(): void {
    if (this.isHolder) this.drainer.kick();
  }

  private tickSafely(): void {
    // The cron tick does not wait for the sends it starts: a long digest drain must not hold up closing
    // and opening rounds on the following ticks (the drainer itself never runs twice at once).
    this.tick({ awaitDrain: false }).catch((error: unknown) => this.ctx.log.error({ err: error }, 'tick failed'));
  }

  /** One tick; `awaitDrain` (the default, for tests and tools) also waits until the outbox is drained. */
  tick(options: { awaitDrain?: boolean } = {}): Promise<TickResult> {
    if (this.ticking) return this.ticking;
    this.ticking = this.runTick(options.awaitDrain ?? true).finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async runTick(awaitDrain: boolean): Promise<TickResult> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const lease = acquireLease(ctx.db, SCHEDULER_LEASE, this.holderId, now, this.options.leaseTtlMs);
    if (lease.held !== this.isHolder || !this.leaseKnown) {
      ctx.log.info({ holder: lease.holder }, lease.held ? 'took the scheduler lease: this process runs the tick' : 'another process holds the scheduler lease: standing by');
    }
    this.isHolder = lease.held;
    this.leaseKnown = true;
    if (!lease.held) return { held: false, holder: lease.holder };
    if (lease.newlyAcquired) {
      const { resent, abandoned } = recoverInterruptedDeliveries(ctx.db, now);
      for (const delivery of resent) ctx.log.warn({ deliveryId: delivery.id, kind: delivery.kind }, 'a send was interrupted by a restart: sending it again once, which may duplicate the post');
      for (const delivery of abandoned) ctx.log.error({ deliveryId: delivery.id, kind: delivery.kind }, 'a send was interrupted by restarts too many times in a row: giving up on it');
    }
    const closed = closeDueRounds(ctx);
    const opened = await openScheduledRounds(ctx);
    queueHalfwayReminders(ctx);
    queueDueDigests(ctx);
    if (now.getTime() - this.lastRetentionAt >= DAY_MS) {
      applyRetention(ctx, this.options.retentionDays);
      forgetEventsBefore(ctx.db, new Date(now.getTime() - DAY_MS));
      this.lastRetentionAt = now.getTime();
    }
    if (!awaitDrain) {
      this.drainer.kick();
      return { held: true, closedRounds: closed.length, openedRounds: opened.length, sent: 0 };
    }
    const summary = await this.drainer.drain();
    return { held: true, closedRounds: closed.length, openedRounds: opened.length, sent: summary.sent };
  }
}
