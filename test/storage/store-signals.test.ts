import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open-store.js';
import type { Store, StoreSignal } from '../../src/storage/store.js';
import { createTestStorage, tempDir, testEngine, type TestStorage } from '../support/test-context.js';

/** Listens (LISTEN is in place when this resolves); `received` settles with the first `count` signals. */
async function listenFor(store: Store, count: number): Promise<{ received: Promise<StoreSignal[]>; stop: () => Promise<void> }> {
  const events: StoreSignal[] = [];
  let done: (events: StoreSignal[]) => void = () => undefined;
  const received = new Promise<StoreSignal[]>((resolve) => (done = resolve));
  const stop = await store.listen((event) => {
    events.push(event);
    if (events.length === count) done(events);
  });
  return { received, stop };
}

describe(`signals between processes (${testEngine()})`, () => {
  const opened: Store[] = [];
  let storage: TestStorage;
  let cleanup: () => void = () => undefined;
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await storage.drop();
    cleanup();
  });

  it('reach every listener of the database, the sender included, and stop when asked', async () => {
    const temp = tempDir();
    cleanup = temp.cleanup;
    storage = await createTestStorage(temp.dir);
    const sender = await openStore(storage.target);
    opened.push(sender);
    // On PostgreSQL the receiver is another pool, as another replica would be; SQLite has one process.
    const receiver = testEngine() === 'postgres' ? await openStore(storage.target, { migrate: false }) : sender;
    if (receiver !== sender) opened.push(receiver);
    const other = await listenFor(receiver, 2);
    const own = await listenFor(sender, 2);
    sender.signal({ kind: 'answer', roundId: 7, platform: 'slack' });
    sender.signal({ kind: 'intent' });
    const events = await other.received;
    expect(events).toEqual([{ kind: 'answer', roundId: 7, platform: 'slack' }, { kind: 'intent' }]);
    expect(await own.received).toEqual(events);
    await other.stop();
    await own.stop();
    // Stopped listeners hear nothing more: a later signal reaches only a listener started after it.
    const late = await listenFor(receiver, 1);
    sender.signal({ kind: 'answer', roundId: 8, platform: 'teams' });
    expect(await late.received).toEqual([{ kind: 'answer', roundId: 8, platform: 'teams' }]);
    expect(events).toHaveLength(2);
    await late.stop();
  });
});
