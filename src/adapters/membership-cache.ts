/** How long an answer to "which channels is this person in" is reused: long enough for a burst of page views or Home tab opens, short enough that leaving a channel soon counts. */
export const MEMBERSHIP_TTL_MS = 60_000;

type Channels = ReadonlySet<string> | null;

/**
 * A platform's answers to "which channels is this person in", kept briefly per person. A failed lookup
 * (null) is not kept, so the next request asks again; asks for the same person at the same time share one
 * lookup. Used by the Slack and the Teams adapter alike.
 */
export class MembershipCache {
  private readonly answers = new Map<string, { channels: ReadonlySet<string>; at: number }>();
  private readonly asking = new Map<string, Promise<Channels>>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = MEMBERSHIP_TTL_MS,
  ) {}

  async channelsOf(key: string, lookUp: () => Promise<Channels>): Promise<Channels> {
    const kept = this.answers.get(key);
    if (kept && this.now() - kept.at < this.ttlMs) return kept.channels;
    let pending = this.asking.get(key);
    if (!pending) {
      pending = this.ask(key, lookUp).finally(() => this.asking.delete(key));
      this.asking.set(key, pending);
    }
    return await pending;
  }

  private async ask(key: string, lookUp: () => Promise<Channels>): Promise<Channels> {
    const channels = await lookUp();
    if (channels === null) return null;
    for (const [entry, value] of this.answers) if (this.now() - value.at >= this.ttlMs) this.answers.delete(entry);
    this.answers.set(key, { channels, at: this.now() });
    return channels;
  }
}
