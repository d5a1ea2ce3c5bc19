import type { Origin, UserRef } from '../core/platform.js';
import { respondentKey } from '../core/respondent-key.js';
import type { Store } from '../storage/store.js';
import type { ServiceContext } from './context.js';
import { storeAnswer, type AnswerOutcome, type RoundLookups } from './round-service.js';

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
 * turn of the event loop share one transaction instead (on PostgreSQL too: a batch is one commit, whatever
 * the engine), reading their round once. A click's promise settles only after the commit holding it, so
 * an acknowledged click is still a stored answer.
 *
 * A failing answer must not take the others with it. Savepoints around each answer did that at a price
 * every click paid (two more statements, two more round trips on PostgreSQL); a failure is rare, so the
 * batch is written without them and, only if it fails, written again one answer per transaction.
 *
 * Under load, clicks wait for a batch in flight rather than start a transaction each: a batch's cost is
 * mostly per transaction (begin, reading the round, commit: round trips on PostgreSQL), so the clicks that
 * arrive meanwhile go together into the next one. SQLite runs one write transaction at a time anyway;
 * PostgreSQL keeps two in flight, so one commit's wait does not idle the connection pool.
 */
class AnswerBatch {
  private pending: PendingAnswer[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private inFlight = 0;
  private readonly maxInFlight: number;

  constructor(private readonly ctx: ServiceContext) {
    this.maxInFlight = ctx.store.engine === 'sqlite' ? 1 : 2;
  }

  add(answer: PendingAnswer): void {
    this.pending.push(answer);
    if (this.inFlight >= this.maxInFlight) return;
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else this.scheduled ??= setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.pending.length === 0 || this.inFlight >= this.maxInFlight) return;
    const batch = this.pending.splice(0, MAX_BATCH);
    this.inFlight += 1;
    try {
      await this.write(batch);
    } finally {
      this.inFlight -= 1;
      // What arrived while this batch was in flight goes next.
      if (this.pending.length > 0) this.scheduled ??= setImmediate(() => void this.flush());
    }
  }

  private async write(batch: PendingAnswer[]): Promise<void> {
    let settles: (() => void)[];
    try {
      settles = await this.ctx.store.transaction(async (tx) => {
        const lookups: RoundLookups = new Map();
        const settled: (() => void)[] = [];
        for (const answer of batch) {
          const outcome = await storeAnswer(this.ctx, tx, answer.key, answer.roundId, answer.optionId, answer.origin, answer.at, lookups);
          settled.push(() => answer.resolve(outcome));
        }
        return settled;
      });
    } catch (error) {
      // Nothing of the batch was stored. Alone, each answer fails or succeeds on its own.
      if (batch.length === 1) batch.forEach((answer) => answer.reject(error));
      else await Promise.all(batch.map((answer) => this.storeAlone(answer)));
      return;
    }
    for (const settle of settles) settle();
  }

  private async storeAlone(answer: PendingAnswer): Promise<void> {
    try {
      answer.resolve(await this.ctx.store.transaction((tx) => storeAnswer(this.ctx, tx, answer.key, answer.roundId, answer.optionId, answer.origin, answer.at)));
    } catch (error) {
      answer.reject(error);
    }
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
