import type { Origin, UserRef } from '../core/platform.js';
import { respondentKey } from '../core/respondent-key.js';
import type { Store } from '../storage/store.js';
import type { ServiceContext } from './context.js';
import { storeAnswer, type AnswerOutcome } from './round-service.js';

interface PendingAnswer {
  readonly key: string;
  readonly roundId: number;
  readonly optionId: string;
  readonly origin: Origin;
  readonly at: Date;
  readonly resolve: (outcome: AnswerOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** Beyond this many waiting clicks a commit goes out at once rather than at the end of the event-loop turn. */
const MAX_BATCH = 256;

/**
 * Group commit for answer clicks. When a round reaches a big channel, clicks arrive together; each paying
 * for its own SQLite commit made the commit the largest cost of a click. Clicks that arrive in the same
 * turn of the event loop share one transaction instead, each in its own savepoint so one failure does not
 * take the others with it (on PostgreSQL too: a batch is one commit, whatever the engine). A click's promise settles only after the commit holding it, so an acknowledged
 * click is still a stored answer.
 */
class AnswerBatch {
  private pending: PendingAnswer[] = [];
  private scheduled: NodeJS.Immediate | null = null;

  constructor(private readonly ctx: ServiceContext) {}

  add(answer: PendingAnswer): void {
    this.pending.push(answer);
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else this.scheduled ??= setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let settled: (() => void)[];
    try {
      settled = await this.ctx.store.transaction(async (tx) => {
        const settles: (() => void)[] = [];
        for (const answer of batch) {
          try {
            const outcome = await tx.transaction((savepoint) => storeAnswer(this.ctx, savepoint, answer.key, answer.roundId, answer.optionId, answer.origin, answer.at));
            settles.push(() => answer.resolve(outcome));
          } catch (error) {
            settles.push(() => answer.reject(error));
          }
        }
        return settles;
      });
    } catch (error) {
      // The commit itself failed: nothing in the batch was stored.
      for (const answer of batch) answer.reject(error);
      return;
    }
    for (const settle of settled) settle();
  }
}

const batches = new WeakMap<Store, AnswerBatch>();

/**
 * Records an answer like `recordAnswer`, sharing the commit with other clicks that arrive at the same
 * moment; resolves once the answer is committed.
 */
export function recordAnswerBatched(ctx: ServiceContext, user: UserRef, roundId: number, optionId: string, origin: Origin): Promise<AnswerOutcome> {
  let batch = batches.get(ctx.store);
  if (!batch) {
    batch = new AnswerBatch(ctx);
    batches.set(ctx.store, batch);
  }
  const key = respondentKey(ctx.respondentSecret, user);
  const at = ctx.clock.now();
  const target = batch;
  return new Promise((resolve, reject) => target.add({ key, roundId, optionId, origin, at, resolve, reject }));
}
