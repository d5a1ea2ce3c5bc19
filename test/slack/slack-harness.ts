import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer, type ServerOverrides } from '../../src/main.js';
import { SURVEYS } from '../support/processes.js';
import { SlackApiStandIn, type SlackApiStandInOptions } from '../support/slack-stand-in.js';
import { SlackRequester } from '../support/slack-requests.js';
import type { PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import type { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../../src/storage/store.js';
import { createTestStorage, ManualClock, memoryLogger, tempDir, type TestStorage } from '../support/test-context.js';
import { HANG_GUARD_MS, waitUntil, type Check } from '../support/wait.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEAM = 'T0001';
export const CHANNEL = 'C0PAYMENTS';
export const ADMIN = 'UADMIN';
export const LEAD = 'ULEAD';
export const MEMBERS = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'];

export interface SlackHarness {
  readonly slack: SlackApiStandIn;
  readonly server: RunningServer;
  /** The storage the app runs on (this project's engine), fresh for this harness. */
  readonly storage: TestStorage;
  readonly requests: SlackRequester;
  readonly lines: string[];
  readonly output: string[];
  close(): Promise<void>;
}

/** The real app on port 0 in HTTP mode, pointed at a Slack Web API stand-in on loopback (`workspace`: e.g. its Enterprise Grid organisation). */
export async function startSlackHarness(extraEnv: Record<string, string> = {}, overrides: ServerOverrides = {}, workspace: Pick<SlackApiStandInOptions, 'enterpriseId'> = {}): Promise<SlackHarness> {
  // Triggers do not age here: how fast this machine runs a handler must not decide a test. Their 3-second
  // expiry is tested on an injected clock in test/slack-stand-in.test.ts.
  const slack = new SlackApiStandIn({ teamId: TEAM, triggerNow: () => 0, ...workspace });
  await slack.start();
  slack.addChannel({ id: CHANNEL, name: 'payments', members: [ADMIN, LEAD, ...MEMBERS] });
  slack.addChannel({ id: 'C0RANDOM', name: 'random', members: [ADMIN, LEAD, ...MEMBERS] });
  for (const id of [ADMIN, LEAD, ...MEMBERS]) slack.addUser({ id, name: id.toLowerCase(), timeZone: 'Europe/Berlin' });
  const temp = tempDir('mp-slack-');
  const storage = await createTestStorage(temp.dir);
  const config = loadConfig({
    DATA_DIR: temp.dir,
    ...storage.env,
    SURVEYS_DIR: SURVEYS,
    PORT: '0',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    ADMIN_SLACK_USER_IDS: ADMIN,
    RESPONDENT_KEY_SECRET: 'respondent-secret-for-the-slack-tests-0123',
    TICK_CRON: '* * * * * *',
    ...extraEnv,
  });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const { log, lines } = memoryLogger();
  const output: string[] = [];
  const server = await startServer(config.config, log, (text) => output.push(text), overrides);
  const requests = new SlackRequester(`http://127.0.0.1:${server.port}/slack/events`, SIGNING_SECRET);
  return {
    slack,
    server,
    storage,
    requests,
    lines,
    output,
    close: async () => {
      await server.stop();
      await slack.stop();
      await storage.drop();
      temp.cleanup();
    },
  };
}

/**
 * Waits until `check` holds and returns its value; see test/support/wait.ts. `hangGuardMs` only raises the
 * guard for a wait that legitimately spans a long chain of events; it is never a timing expectation.
 */
export function eventually<T>(what: string, check: Check<T>, hangGuardMs = HANG_GUARD_MS): Promise<T> {
  return waitUntil(what, check, Math.max(hangGuardMs, HANG_GUARD_MS));
}

/**
 * Puts the running app on a clock the test moves by hand, for schedules that span weeks. The app reads the
 * time through its one context's `clock` on every use (handlers, scheduler, outbox), so swapping it there
 * reaches all of them; the scheduler keeps ticking every second of real time, each tick at the hand clock's
 * time. Signed requests, triggers and response_urls keep their own (real) time.
 */
export function useManualClock(h: SlackHarness, at: Date | string): ManualClock {
  const clock = new ManualClock(new Date(at));
  Object.assign(h.server.ctx, { clock });
  return clock;
}

/**
 * A barrier: resolves once `count` scheduler ticks have finished since the call, each at a later time of the
 * hand clock (which moves a second per look, so every tick sees a new time). A tick renews the scheduler
 * lease as it starts, so its expiry changes once per tick (on SQLite it follows the app's clock, on PostgreSQL
 * the database's); ticks never overlap, so the lease changing `count + 2` times means the first change (perhaps
 * a tick already under way) is followed by `count` whole ticks that started after the call.
 */
export async function ticksPassed(h: SlackHarness, clock: ManualClock, count: number): Promise<void> {
  const expiry = async () => (await h.server.ctx.store.readLease('scheduler'))?.expiresAt.getTime() ?? 0;
  let last = await expiry();
  let changes = 0;
  await eventually(`${count} scheduler ticks`, async () => {
    const current = await expiry();
    if (current !== last) {
      changes += 1;
      last = current;
    }
    if (changes >= count + 2) return true;
    clock.advance(1000);
    return false;
  });
}

/** SQL for each engine, where they differ. */
export type EngineSql = string | { readonly sqlite: string; readonly postgres: string };

/**
 * A statement no store method offers (moving a round back in time, freeing its period, a whole-table
 * count), on the store's own connection; `?` placeholders (numbered for PostgreSQL). On SQLite it runs
 * while no transaction holds the one connection, so it never joins (or rolls back with) one of the app's.
 * Rows come back as the driver gives them: cast counts to integer so both engines return a number.
 */
export async function rawSql<Row = Record<string, unknown>>(store: Store, sql: EngineSql, params: readonly unknown[] = []): Promise<Row[]> {
  if (store.engine === 'sqlite') {
    const text = typeof sql === 'string' ? sql : sql.sqlite;
    const client = (store as SqliteStore).db.$client;
    return store.transaction(() => {
      const statement = client.prepare(text);
      if (statement.reader) return Promise.resolve(statement.all(...params) as Row[]);
      statement.run(...params);
      return Promise.resolve([]);
    });
  }
  let index = 0;
  const text = (typeof sql === 'string' ? sql : sql.postgres).replace(/\?/g, () => `$${(index += 1)}`);
  const result = await (store as PostgresStore).db.$client.query(text, [...params]);
  return result.rows as Row[];
}

/** Moves a round's opening `ms` back in time (so it is past halfway, for reminders and nudges). */
export async function moveRoundOpeningBack(store: Store, roundId: number, ms: number): Promise<void> {
  await rawSql(store, { sqlite: 'update rounds set opened_at = opened_at - ? where id = ?', postgres: "update rounds set opened_at = opened_at - (?::integer * interval '1 millisecond') where id = ?" }, [ms, roundId]);
}

/** Nothing is being sent or due to be sent: every post written so far has reached the platform (stand-in). */
export async function outboxIdle(store: Store, now: Date): Promise<boolean> {
  const deliveries = await store.listDeliveries();
  return !deliveries.some((delivery) => delivery.status === 'claimed' || delivery.status === 'sending' || (delivery.status === 'pending' && delivery.nextAttemptAt.getTime() <= now.getTime()));
}

export function command(user: string, text: string, extra: Record<string, string> = {}): Record<string, string> {
  return { text, user_id: user, user_name: user.toLowerCase(), team_id: TEAM, channel_id: CHANNEL, channel_name: 'payments', ...extra };
}

export function blockAction(slack: SlackApiStandIn, user: string, actionId: string, value: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: TEAM },
    team: { id: TEAM, domain: 'example' },
    channel: { id: CHANNEL, name: 'payments' },
    container: { type: 'message', channel_id: CHANNEL, message_ts: '1.0' },
    trigger_id: slack.issueTriggerId(user),
    response_url: slack.createResponseUrl({ channelId: CHANNEL, userId: user }),
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1.1' }],
    ...extra,
  };
}

export function viewSubmission(user: string, callbackId: string, privateMetadata: string, values: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return {
    type: 'view_submission',
    user: { id: user, username: user.toLowerCase(), team_id: TEAM },
    team: { id: TEAM, domain: 'example' },
    view: { id: 'V1', type: 'modal', callback_id: callbackId, private_metadata: privateMetadata, state: { values } },
  };
}
