/**
 * Waiting for events, not durations. A test waits until something it can observe has happened (a request
 * reached a stand-in, a row was written, a line was logged) and never sleeps for a guessed time.
 *
 * The hang guard is not a timing expectation: what is awaited takes milliseconds on any machine, and the
 * guard only turns a hang (a bug) into a failure that says what never happened, before the test's own
 * timeout (vitest.config.ts) ends it without saying why. Nothing may pass or fail because a machine is slow.
 */
export const HANG_GUARD_MS = 60_000;

/** How often a condition is looked at again; only how soon a wait notices, never whether it passes. */
const POLL_MS = 20;

/** What a condition returns: a falsy value keeps the wait going. */
export type Check<T> = () => T | null | undefined | false | PromiseLike<T | null | undefined | false>;

/**
 * Resolves with the first truthy value `check` returns (so a count of 0 keeps waiting); fails with `what`
 * if that does not happen before the hang guard. `check` may be async (a read through the storage port).
 */
export async function waitUntil<T>(what: string, check: Check<T>, hangGuardMs = HANG_GUARD_MS): Promise<T> {
  const giveUpAt = Date.now() + hangGuardMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > giveUpAt) throw new Error(`never happened: ${what} (gave up after ${hangGuardMs / 1000} s; a hang, not a slow machine)`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Waits until one of `lines` (a growing log) matches, and returns that line. */
export function waitForLine(lines: readonly string[], pattern: RegExp, what = `a log line matching ${String(pattern)}`): Promise<string> {
  return waitUntil(what, () => lines.find((line) => pattern.test(line)));
}

/**
 * An ordering barrier, not a sleep: resolves once every zero-delay timer set before the call has run,
 * because Node runs timers of equal delay in the order they were set. For work the code under test
 * schedules with `setTimeout(work, 0)` and that leaves no trace a test could wait for.
 */
export function afterZeroDelayTimersSetSoFar(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
