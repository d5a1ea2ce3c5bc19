import pThrottle from 'p-throttle';

interface Window {
  readonly limit: number;
  readonly interval: number;
}

/** Teams' published limits per bot per thread (send, reply, update, create conversation). */
const THREAD_WINDOWS: readonly Window[] = [
  { limit: 1800, interval: 3_600_000 },
  { limit: 60, interval: 30_000 },
  { limit: 8, interval: 2_000 },
  { limit: 7, interval: 1_000 },
];

/**
 * Per app per tenant Teams allows 30 requests a second across every operation (sends and member lookups
 * alike); a little is left for the replies the bot makes inside people's own turns, which are not paced.
 */
const TENANT_WINDOWS: readonly Window[] = [{ limit: 26, interval: 1_000 }];

type Gate = () => Promise<void>;

/** Waits for a slot under every window, longest first, so the short windows are judged closest to the send. */
function gateFor(windows: readonly Window[]): Gate {
  const slots = windows.map((window) => pThrottle({ ...window, strict: true })(() => undefined));
  return async () => {
    for (const slot of slots) await slot();
  };
}

/**
 * Keeps proactive sends under Teams' rate limits before the connector has to answer 429: each send waits
 * for a slot in its thread and in its tenant. A 429 that comes anyway is still retried by the outbox.
 */
export class TeamsSendPacer {
  private readonly threads = new Map<string, Gate>();
  private readonly tenants = new Map<string, Gate>();

  /** Resolves when one more send to `threadId` in `tenantId` fits under the limits. */
  async slot(tenantId: string, threadId: string): Promise<void> {
    await this.gate(this.threads, threadId, THREAD_WINDOWS)();
    await this.tenantSlot(tenantId);
  }

  /** Resolves when one more request of any kind (a member lookup) fits under the tenant's rate. */
  async tenantSlot(tenantId: string): Promise<void> {
    await this.gate(this.tenants, tenantId, TENANT_WINDOWS)();
  }

  private gate(gates: Map<string, Gate>, key: string, windows: readonly Window[]): Gate {
    let gate = gates.get(key);
    if (!gate) {
      gate = gateFor(windows);
      gates.set(key, gate);
    }
    return gate;
  }
}
