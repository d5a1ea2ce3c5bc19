import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { ServiceContext } from '../services/context.js';
import { applyRetention } from '../services/privacy-service.js';
import { closeDueRounds } from '../services/round-service.js';
import { queueDueDigests } from '../services/digest-service.js';
import { queueHalfwayReminders } from '../services/reminder-service.js';
import { queueDueCheckIns } from '../services/step-service.js';
import { openScheduledRounds } from '../services/schedule-service.js';
import { formatHolder, isEarlierIncarnation, type LeaseHolder } from '../core/lease-holder.js';
import { forgetOldEvents, recoverInterruptedSends, leaseLost, readSchedulerLease, releaseSchedulerLease, takeSchedulerLease } from '../services/lease-service.js';
import type { Fence } from '../services/context.js';
import type { OutboxDrainer } from './outbox-drainer.js';

export const SCHEDULER_LEASE = 'scheduler';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SchedulerOptions {
  readonly cronExpression: string;
  readonly leaseTtlMs: number;
  readonly retentionDays: number;
  /** This process's place on its host (INSTANCE_SLOT): a restart in the same slot takes its own lease over at once. */
  readonly instanceSlot?: string;
  /** Tests name the process; otherwise host, slot, pid and a random run id. */
  readonly holder?: LeaseHolder;
  /** Whether a process id is running on this host (tests replace it). */
  readonly isRunning?: (pid: number) => boolean;
}

export type TickResult = { readonly held: false; readonly holder: string } | { readonly held: true; readonly closedRounds: number; readonly openedRounds: number; readonly sent: number };

/**
 * The tick: one process at a time (the lease holder) closes due rounds, applies retention daily and drains
 * the outbox. Others keep trying the lease each tick and take over once it expires.
 */
export class Scheduler {
  readonly holderId: string;
  private readonly holder: LeaseHolder;
  private task: ScheduledTask | null = null;
  private lastRetentionAt = 0;
  private ticking: Promise<TickResult> | null = null;
  private isHolder = false;
  /** Whether the lease state has been logged yet, so a standby says so once at start. */
  private leaseKnown = false;
  /** The lease the tick in progress writes under; renewed while it runs (see `renewDuringTick`). */
  private tickFence: Fence | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private renewal: Promise<void> | null = null;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly drainer: OutboxDrainer,
    private readonly options: SchedulerOptions,
  ) {
    this.holder = options.holder ?? { host: hostname(), slot: options.instanceSlot ?? '0', pid: process.pid, run: randomUUID().slice(0, 8) };
    this.holderId = formatHolder(this.holder);
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
    // A tick renews the lease when it starts; one that runs longer than the lease (thousands of rounds due
    // at once) must renew it as it goes, or a standby takes the lease from a holder that is alive and sending.
    this.renewTimer = setInterval(() => this.renewDuringTick(), Math.max(250, Math.floor(this.options.leaseTtlMs / 3)));
    this.renewTimer.unref();
    this.tickSafely();
  }

  /** Stops ticking, waits for a tick and the sends in progress and gives the lease up so a standby can take over. */
  async stop(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    await this.task?.stop();
    await this.task?.destroy();
    this.task = null;
    await this.ticking?.catch(() => undefined);
    await this.renewal;
    await this.drainer.stop();
    await releaseSchedulerLease(this.ctx, SCHEDULER_LEASE, this.holderId).catch((error: unknown) => this.ctx.log.warn({ err: error }, 'could not give the scheduler lease up; another process takes it when it expires'));
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
      this.tickFence = null;
    });
    return this.ticking;
  }

  /**
   * Extends the lease while a tick runs, but only a lease still held under that tick's token: one that
   * changed hands meanwhile is left alone (the tick's fenced writes fail, and the next tick stands by).
   */
  private renewDuringTick(): void {
    const fence = this.tickFence;
    if (!fence || this.renewal) return;
    this.renewal = (async () => {
      const current = await readSchedulerLease(this.ctx, SCHEDULER_LEASE);
      if (current?.holder !== this.holderId || current.token !== fence.token) return;
      await takeSchedulerLease(this.ctx, { name: SCHEDULER_LEASE, holder: this.holderId, takeOverFrom: null, ttlMs: this.options.leaseTtlMs, now: this.ctx.clock.now() });
    })()
      .catch((error: unknown) => this.ctx.log.warn({ err: error }, 'could not renew the scheduler lease during a long tick'))
      .finally(() => {
        this.renewal = null;
      });
  }

  /** The holder whose lease this process may take at once: its own earlier run, if that holds it now. */
  private async earlierIncarnation(): Promise<string | null> {
    const current = await readSchedulerLease(this.ctx, SCHEDULER_LEASE);
    if (!current || current.holder === this.holderId) return null;
    return isEarlierIncarnation(current.holder, this.holder, this.options.isRunning ?? isProcessRunning) ? current.holder : null;
  }

  private async runTick(awaitDrain: boolean): Promise<TickResult> {
    const now = this.ctx.clock.now();
    const takeOverFrom = this.isHolder ? null : await this.earlierIncarnation();
    const lease = await takeSchedulerLease(this.ctx, { name: SCHEDULER_LEASE, holder: this.holderId, takeOverFrom, ttlMs: this.options.leaseTtlMs, now });
    if (lease.held !== this.isHolder || !this.leaseKnown) {
      this.ctx.log.info({ holder: lease.holder, leaseGeneration: lease.token }, lease.held ? (takeOverFrom ? 'took the scheduler lease over from an earlier run of this process: this process runs the tick' : 'took the scheduler lease: this process runs the tick') : 'another process holds the scheduler lease: standing by');
    }
    this.isHolder = lease.held;
    this.leaseKnown = true;
    this.ctx.metrics?.leaseRenewal(lease.held ? 'held' : 'standby');
    if (!lease.held) {
      this.drainer.fenceWith(null);
      return { held: false, holder: lease.holder };
    }
    // Every write of this tick carries the lease's token: if another process takes over meanwhile, they fail.
    const fence = { name: SCHEDULER_LEASE, token: lease.token };
    const ctx: ServiceContext = { ...this.ctx, fence };
    this.drainer.fenceWith(fence);
    this.tickFence = fence;
    try {
      if (lease.newlyAcquired) await recoverInterruptedSends(ctx, now);
      const closed = await closeDueRounds(ctx);
      const opened = await openScheduledRounds(ctx);
      await queueHalfwayReminders(ctx);
      await queueDueDigests(ctx);
      await queueDueCheckIns(ctx);
      if (now.getTime() - this.lastRetentionAt >= DAY_MS) {
        await applyRetention(ctx, this.options.retentionDays);
        await forgetOldEvents(ctx, new Date(now.getTime() - DAY_MS));
        this.lastRetentionAt = now.getTime();
      }
      return await this.finishTick(awaitDrain, closed.length, opened.length);
    } catch (error) {
      if (!leaseLost(error)) throw error;
      this.ctx.metrics?.leaseRenewal('lost');
      this.ctx.log.warn({ holder: this.holderId }, 'the scheduler lease went to another process during the tick: standing by (nothing more was written under it)');
      this.isHolder = false;
      this.drainer.fenceWith(null);
      return { held: false, holder: 'another process' };
    }
  }

  private async finishTick(awaitDrain: boolean, closed: number, opened: number): Promise<TickResult> {
    if (!awaitDrain) {
      this.drainer.kick();
      return { held: true, closedRounds: closed, openedRounds: opened, sent: 0 };
    }
    const summary = await this.drainer.drain();
    return { held: true, closedRounds: closed, openedRounds: opened, sent: summary.sent };
  }
}

/** Whether a process id runs on this host: signal 0 checks without sending anything (EPERM: it runs, as another user). */
function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
