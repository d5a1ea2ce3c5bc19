import pThrottle from 'p-throttle';
import type { Messenger } from '../core/messenger.js';
import { roundPeriodKey } from '../core/outbox.js';
import type { ChannelRef, Platform } from '../core/platform.js';
import type { ServiceContext } from '../services/context.js';
import { roundView } from '../services/report-service.js';
import { findRelatedDelivery, roundForProgress } from '../services/delivery-service.js';

/** Count edits are not outbox deliveries: a lost or repeated one is harmless, so there is nothing to mark. */
function noOutbox(): Promise<void> {
  return Promise.resolve();
}

/**
 * Keeps the "N answered" count on round messages current without flooding the platform: after an answer,
 * at most one edit per round per interval, carrying the count as it stands when the edit is made. A lost
 * update (a restart) is harmless: the next answer or the close brings the count up to date.
 */
export interface RoundProgressPacing {
  /** The least time between two count edits of one round. */
  readonly intervalMs: (platform: Platform) => number;
  /**
   * Count edits per minute a workspace may receive in all: Slack's chat.update allows about 50 a minute
   * per workspace, shared with the outbox's closing edits, so many busy rounds must take turns.
   */
  readonly editsPerMinute: (platform: Platform) => number;
}

export class RoundProgress {
  /** Rounds with an edit scheduled or waiting for its turn: further answers ride along with it. */
  private readonly pending = new Map<number, NodeJS.Timeout | null>();
  private readonly lastEdit = new Map<number, number>();
  private readonly workspaceTurns = new Map<string, () => Promise<void>>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly messengers: ReadonlyMap<Platform, Messenger>,
    private readonly pacing: RoundProgressPacing,
  ) {}

  /** Call after an answer was recorded for the round. */
  noteAnswer(roundId: number, platform: Platform): void {
    if (this.pending.has(roundId)) return;
    const since = Date.now() - (this.lastEdit.get(roundId) ?? 0);
    const delay = Math.max(0, this.pacing.intervalMs(platform) - since);
    const timer = setTimeout(() => {
      this.pending.set(roundId, null);
      this.update(roundId)
        .catch((error: unknown) => this.ctx.log.warn({ err: error, roundId }, 'could not update the answer count'))
        .finally(() => this.pending.delete(roundId));
    }, delay);
    timer.unref();
    this.pending.set(roundId, timer);
  }

  stop(): void {
    for (const timer of this.pending.values()) if (timer) clearTimeout(timer);
    this.pending.clear();
  }

  /** Waits until the workspace may take one more count edit. */
  private turn(channel: ChannelRef): Promise<void> {
    const key = `${channel.platform}/${channel.workspaceId}`;
    let turn = this.workspaceTurns.get(key);
    if (!turn) {
      turn = pThrottle({ limit: this.pacing.editsPerMinute(channel.platform), interval: 60_000, strict: true })(async (): Promise<void> => undefined);
      this.workspaceTurns.set(key, turn);
    }
    return turn();
  }

  private async update(roundId: number): Promise<void> {
    const found = await roundForProgress(this.ctx, roundId);
    if (!found || found.round.status !== 'open') return;
    const { round, team } = found;
    const messenger = this.messengers.get(team.channel.platform);
    if (!messenger) return;
    const posted = await findRelatedDelivery(this.ctx, team.channel, roundPeriodKey(round.id), 'round-opened');
    if (!posted?.messageRef) return;
    await this.turn(team.channel);
    this.lastEdit.set(roundId, Date.now());
    // The count as it stands now, after waiting for the turn, and only while the round is still open.
    const current = (await roundForProgress(this.ctx, roundId))?.round;
    if (!current || current.status !== 'open') return;
    const outcome = await messenger.send(team.channel, { kind: 'round-opened', round: await roundView(this.ctx, team, current) }, { deliveryId: posted.id, threadOf: null, replaces: posted.messageRef, beginSend: noOutbox });
    if (outcome.kind === 'retry' && outcome.retryAfterMs !== null) {
      this.lastEdit.set(roundId, Date.now() + outcome.retryAfterMs);
      // Asked again once this edit's pending mark is gone, so the retry is not swallowed by it.
      setImmediate(() => this.noteAnswer(roundId, team.channel.platform));
      return;
    }
    // The round may have closed while the edit was in flight; put the closed view back if so.
    const after = (await roundForProgress(this.ctx, roundId))?.round;
    const closedEdit = await findRelatedDelivery(this.ctx, team.channel, roundPeriodKey(round.id), 'round-closed');
    if (after?.status === 'closed' && closedEdit?.status === 'sent') {
      await messenger.send(team.channel, { kind: 'round-closed', round: await roundView(this.ctx, team, after) }, { deliveryId: closedEdit.id, threadOf: null, replaces: posted.messageRef, beginSend: noOutbox });
    }
  }
}
