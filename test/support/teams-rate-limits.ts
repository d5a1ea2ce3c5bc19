/**
 * Teams' published bot rate limits (learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit), as sliding
 * windows: "N operations per T seconds" is checked literally against the accepted operations of the last T seconds.
 * Refused operations do not count (INFERRED: Microsoft does not say).
 */

export interface WindowLimit {
  readonly windowMs: number;
  readonly max: number;
}

/** "Per bot per thread": Send to Conversation (POST, reply, and — INFERRED — update and delete). */
export const SEND_LIMITS: readonly WindowLimit[] = [
  { windowMs: 1_000, max: 7 },
  { windowMs: 2_000, max: 8 },
  { windowMs: 30_000, max: 60 },
  { windowMs: 3_600_000, max: 1800 },
];

/** "Per bot per thread": Create Conversation, keyed by the user or channel the conversation is created with (INFERRED). */
export const CREATE_LIMITS: readonly WindowLimit[] = SEND_LIMITS;

/** "Per bot per thread": Get Conversation Members (paged and single-member lookups). */
export const MEMBER_LIMITS: readonly WindowLimit[] = [
  { windowMs: 1_000, max: 14 },
  { windowMs: 2_000, max: 16 },
  { windowMs: 30_000, max: 120 },
  { windowMs: 3_600_000, max: 3600 },
];

/** "Per bot per thread": Get Conversations (a team's channel list). */
export const CONVERSATION_LIST_LIMITS: readonly WindowLimit[] = MEMBER_LIMITS;

/**
 * The deprecated non-paged GET …/members: "heavily throttled to five requests per minute" (Teams bot API changes for
 * team and chat members), on top of MEMBER_LIMITS. Per conversation is INFERRED.
 */
export const LEGACY_MEMBERS_LIMITS: readonly WindowLimit[] = [{ windowMs: 60_000, max: 5 }];

/** Per app per tenant across all operations: 30 RPS in the rate-limit page (some Microsoft answers say 50). */
export function tenantLimits(requestsPerSecond: number): readonly WindowLimit[] {
  return [{ windowMs: 1_000, max: requestsPerSecond }];
}

/** Accepted-operation timestamps per key; `now` is injectable so tests can step time. */
export class SlidingWindows {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  /** Milliseconds until one more operation fits under every limit for `key` (0: it fits now). */
  waitMs(key: string, limits: readonly WindowLimit[]): number {
    const now = this.now();
    const hits = this.hits.get(key) ?? [];
    let wait = 0;
    for (const limit of limits) {
      const inWindow = hits.filter((at) => at > now - limit.windowMs);
      if (inWindow.length < limit.max) continue;
      // The oldest hits must leave the window until only max - 1 remain.
      const mustExpire = inWindow[inWindow.length - limit.max]!;
      wait = Math.max(wait, mustExpire + limit.windowMs - now);
    }
    return wait;
  }

  record(key: string, longestWindowMs: number): void {
    const now = this.now();
    const hits = (this.hits.get(key) ?? []).filter((at) => at > now - longestWindowMs);
    hits.push(now);
    this.hits.set(key, hits);
  }

  /** Forget everything, e.g. between scenarios that share one stand-in. */
  clear(): void {
    this.hits.clear();
  }
}

export function longestWindow(limits: readonly WindowLimit[]): number {
  return Math.max(...limits.map((limit) => limit.windowMs));
}
