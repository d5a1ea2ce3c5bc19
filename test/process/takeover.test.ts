/**
 * Taking the scheduler lease over, with the real `maturity-pulse start` processes on this project's engine:
 *
 * (a) A process killed with SIGKILL and started again at once in the same place (same host and
 *     INSTANCE_SLOT) recognises the lease of its own earlier run and takes it over at once, without
 *     waiting for it to expire: with a ten-minute LEASE_TTL_SECONDS, waiting for the expiry would time the
 *     test out, so the round result it posts shows the takeover.
 * (b) A second replica (another INSTANCE_SLOT) stands by while the first is alive, however long, and takes
 *     over once the dead holder's lease expires, within the TTL of the kill (plus the tick that notices).
 *
 * Every wait is for an event: a log line, a post in the Slack stand-in, a lease renewal in storage.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { Round } from '../../src/core/round.js';
import type { Team } from '../../src/core/team.js';
import type { ServiceContext } from '../../src/services/context.js';
import { openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import * as pgSchema from '../../src/storage/postgres/schema.js';
import * as sqliteSchema from '../../src/storage/sqlite/schema.js';
import type { Store } from '../../src/storage/store.js';
import { cleanEnv, eventually, ServerProcess } from '../support/processes.js';
import { engineDb } from '../support/seed.js';
import { SlackApiStandIn, type SlackMessage } from '../support/slack-stand-in.js';
import { createTestStorage, memoryLogger, tempDir } from '../support/test-context.js';

const WORKSPACE = 'T0001';
const CHANNEL = 'C0TAKEOVER';
const USERS = ['U1', 'U2', 'U3'];
const BOT_TOKEN = 'xoxb-takeover-test-token';
const SIGNING_SECRET = 'takeover-test-signing-secret-0123456789';
const RESPONDENT_SECRET = 'takeover-test-respondent-secret-0123456789';
const TICK_MS = 1_000;

const TOOK = /took the scheduler lease: this process runs the tick/;
const TOOK_OVER = /took the scheduler lease over from an earlier run of this process: this process runs the tick/;
const STANDING_BY = /another process holds the scheduler lease: standing by/;

const running: ServerProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop('SIGKILL')));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly holder?: string;
}

/** `wait`, failing with what the processes printed last, so a failure says what they were doing. */
async function explained<T>(wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    const outputs = running.map((server, index) => `--- process ${index + 1} (pid ${server.child.pid ?? '?'}) ---\n${server.output.slice(-2500)}`).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${outputs}`, { cause: error });
  }
}

/** The first whole JSON log line of `server` whose message matches, once it is there. */
async function logLine(server: ServerProcess, pattern: RegExp): Promise<LogLine> {
  await server.waitFor(pattern);
  for (const text of server.output.split('\n')) {
    if (!text.startsWith('{') || !text.endsWith('}')) continue;
    const line = JSON.parse(text) as LogLine;
    if (typeof line.msg === 'string' && pattern.test(line.msg)) return line;
  }
  throw new Error(`no whole log line matches ${String(pattern)}:\n${server.output.slice(-3000)}`);
}

/** The lease holder a process names in its start-up line (host:slot:pid:run). */
async function holderOf(server: ServerProcess): Promise<string> {
  const match = await server.waitFor(/"holder":"([^"]+)"[^\n]*maturity-pulse is running/);
  return match[1] ?? '';
}

function roundIdOf(message: SlackMessage): number | null {
  const metadata = message.metadata;
  if (typeof metadata !== 'object' || metadata === null || !('event_payload' in metadata)) return null;
  const payload = metadata.event_payload;
  return typeof payload === 'object' && payload !== null && 'round_id' in payload && typeof payload.round_id === 'number' ? payload.round_id : null;
}

/** Makes an open round due now, as if its close time had passed: no use case moves a close time. */
async function makeRoundDue(store: Store, roundId: number, at: Date): Promise<void> {
  const target = engineDb(store);
  if (target.engine === 'sqlite') {
    const changed = target.db.update(sqliteSchema.rounds).set({ closesAt: at }).where(eq(sqliteSchema.rounds.id, roundId)).returning({ id: sqliteSchema.rounds.id }).all();
    expect(changed).toHaveLength(1);
  } else {
    const changed = await target.db.update(pgSchema.rounds).set({ closesAt: at }).where(eq(pgSchema.rounds.id, roundId)).returning({ id: pgSchema.rounds.id });
    expect(changed).toHaveLength(1);
  }
}

interface Setup {
  readonly slack: SlackApiStandIn;
  readonly ctx: ServiceContext;
  readonly team: Team;
  /** Environment for `start` on the test's storage, with a per-second tick and the given lease TTL. */
  env(extra: { INSTANCE_SLOT: string; LEASE_TTL_SECONDS: string }): Record<string, string>;
}

/** Slack stand-in, fresh storage on this project's engine, and one team set up through the real service. */
async function setUp(prefix: string): Promise<Setup> {
  const slack = new SlackApiStandIn({ teamId: WORKSPACE, botToken: BOT_TOKEN });
  await slack.start();
  cleanups.push(() => slack.stop());
  for (const id of USERS) slack.addUser({ id, name: id.toLowerCase() });
  slack.addChannel({ id: CHANNEL, name: 'takeover', members: USERS });

  const temp = tempDir(prefix);
  cleanups.push(temp.cleanup);
  const storage = await createTestStorage(temp.dir);
  cleanups.push(() => storage.drop());
  const base = cleanEnv(temp.dir, {
    PORT: '0',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    RESPONDENT_KEY_SECRET: RESPONDENT_SECRET,
    TICK_CRON: '* * * * * *',
    LOG_LEVEL: 'info',
    ...storage.env,
  });
  const config = loadConfig(base);
  if (!config.ok) throw new Error(config.problems.join('; '));
  const ctx = await openContext(config.config, memoryLogger().log, { target: storage.target, create: true, kind: 'live' });
  cleanups.push(() => ctx.store.close());
  // The team meets three days from today, so no scheduled round opens during the test: the round is ours.
  const weekday = ((((new Date().getUTCDay() + 6) % 7) + 3) % 7) + 1;
  const created = await setupTeam(
    ctx,
    { platform: 'slack', workspaceId: WORKSPACE, userId: 'UADMIN' },
    { name: 'Takeover', channel: { platform: 'slack', workspaceId: WORKSPACE, channelId: CHANNEL }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday, localTime: '03:00', timeZone: 'UTC', roundLengthHours: 48 } },
  );
  if (created.kind !== 'created') throw new Error(`team setup failed: ${created.kind}`);
  return { slack, ctx, team: created.team, env: (extra) => ({ ...base, ...extra }) };
}

function start(env: Record<string, string>): ServerProcess {
  const server = new ServerProcess(env);
  running.push(server);
  return server;
}

/**
 * Opens a round through the real service and waits until the lease holder has posted it to Slack and
 * recorded it as sent (a kill between the two would make the next holder post it again, by design).
 */
async function openAndPost(setup: Setup): Promise<{ round: Round; message: SlackMessage }> {
  const opened = await openRound(setup.ctx, setup.team, { origin: 'ad-hoc' });
  if (opened.kind !== 'opened') throw new Error(`round did not open: ${opened.kind}`);
  const sent = await explained(
    eventually('the round message recorded as sent', async () => (await setup.ctx.store.listDeliveries({ roundId: opened.round.id, status: 'sent' })).find((delivery) => delivery.kind === 'round-opened')),
  );
  const messages = setup.slack.messages(CHANNEL).filter((candidate) => roundIdOf(candidate) === opened.round.id);
  expect(messages.map((message) => message.ts)).toEqual([sent.messageRef]);
  return { round: opened.round, message: messages[0]! };
}

/** Waits for the round's result in the thread of its message, and for the edit that marks the message closed. */
async function resultPosted(setup: Setup, roundId: number, message: SlackMessage): Promise<{ result: SlackMessage; at: number }> {
  const result = await explained(
    eventually('the round result in the thread of the round message', () =>
      Promise.resolve(setup.slack.messages(CHANNEL).find((candidate) => candidate.thread_ts === message.ts && candidate.ts !== message.ts && !candidate.text.startsWith('Halfway through'))),
    ),
  );
  const at = Date.now();
  await explained(eventually('the round message edited to closed', () => Promise.resolve(setup.slack.messages(CHANNEL).find((candidate) => candidate.ts === message.ts && candidate.text.includes('— closed')))));
  expect((await setup.ctx.store.findRound(roundId))?.status).toBe('closed');
  // The post reaches Slack a moment before the sender records it as sent.
  await explained(eventually('the round result recorded as sent', async () => (await setup.ctx.store.listDeliveries({ roundId, status: 'sent' })).find((delivery) => delivery.kind === 'round-result')));
  const deliveries = await setup.ctx.store.listDeliveries({ roundId });
  expect(deliveries.filter((delivery) => delivery.kind === 'round-result').map((delivery) => delivery.status)).toEqual(['sent']);
  return { result, at };
}

describe('taking the scheduler lease over', () => {
  it('a process SIGKILLed and restarted in the same slot takes its own lease over at once, long before it would expire', async () => {
    const setup = await setUp('mp-takeover-restart-');
    // Ten minutes: a restart that waited for the dead run's lease to expire would time the test out.
    const env = setup.env({ INSTANCE_SLOT: 'web-1', LEASE_TTL_SECONDS: '600' });

    const first = start(env);
    await first.waitFor(TOOK);
    const firstHolder = await holderOf(first);
    expect(firstHolder).toMatch(new RegExp(`^[^:]+:web-1:${first.child.pid}:[^:]+$`));
    const { round, message } = await openAndPost(setup);

    expect(await first.stop('SIGKILL')).toBeNull();
    const left = await setup.ctx.store.readLease('scheduler');
    if (!left) throw new Error('the killed process left no lease');
    expect(left.holder).toBe(firstHolder);
    // The dead run's lease has nearly all of its ten minutes left.
    expect(left.expiresAt.getTime()).toBeGreaterThan(Date.now() + 540_000);
    // While nobody runs the tick, the round falls due: only a process holding the lease closes it and posts its result.
    await makeRoundDue(setup.ctx.store, round.id, new Date(Date.now() - 1_000));

    const restarted = start(env);
    const restartedHolder = await holderOf(restarted);
    expect(restartedHolder).toMatch(new RegExp(`^[^:]+:web-1:${restarted.child.pid}:[^:]+$`));
    expect(restartedHolder).not.toBe(firstHolder);
    expect(restartedHolder.split(':')[0]).toBe(firstHolder.split(':')[0]);
    const took = await logLine(restarted, TOOK_OVER);
    expect(took.holder).toBe(restartedHolder);
    expect(restarted.output).not.toMatch(STANDING_BY);
    const { at: postedAt } = await resultPosted(setup, round.id, message);
    // Everything the first run sent was recorded as sent before the kill: nothing to send again.
    expect(restarted.output).not.toMatch(/a send was interrupted by a restart/);
    expect(setup.slack.messages(CHANNEL).filter((candidate) => roundIdOf(candidate) === round.id)).toHaveLength(1);

    // Taken over and posted while the dead run's lease still had most of its ten minutes to go.
    expect(took.time).toBeLessThan(left.expiresAt.getTime() - 540_000);
    expect(postedAt).toBeLessThan(left.expiresAt.getTime() - 540_000);
    const lease = await setup.ctx.store.readLease('scheduler');
    expect(lease).toMatchObject({ holder: restartedHolder });
    expect(lease?.token).toBeGreaterThan(left.token);
    expect(await restarted.stop('SIGTERM')).toBe(0);
    // A clean stop gives the lease up (it expires at once, keeping its token), so the next start in any slot need not wait.
    const given = await setup.ctx.store.readLease('scheduler');
    expect(given).toMatchObject({ holder: restartedHolder, token: lease?.token });
    expect(given?.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('a replica in another slot stands by while the holder lives, and takes over within the TTL once it is SIGKILLed', async () => {
    const setup = await setUp('mp-takeover-standby-');
    const ttlSeconds = 3;
    const first = start(setup.env({ INSTANCE_SLOT: 'a', LEASE_TTL_SECONDS: String(ttlSeconds) }));
    await first.waitFor(TOOK);
    const firstHolder = await holderOf(first);

    const second = start(setup.env({ INSTANCE_SLOT: 'b', LEASE_TTL_SECONDS: String(ttlSeconds) }));
    const secondHolder = await holderOf(second);
    expect(secondHolder.split(':').slice(0, 2)).toEqual([firstHolder.split(':')[0], 'b']);
    const standby = await logLine(second, STANDING_BY);
    expect(standby.holder).toBe(firstHolder);

    // The holder keeps renewing: wait until it has renewed the lease a whole TTL after the standby first saw
    // it held, so the standby tried (each second) through more than one TTL and never took it.
    const renewed = await explained(eventually('the holder renewing its lease a TTL after the standby started', async () => {
      const lease = await setup.ctx.store.readLease('scheduler');
      return lease && lease.holder === firstHolder && lease.expiresAt.getTime() >= standby.time + 2 * ttlSeconds * 1000 ? lease : null;
    }));
    expect(renewed.holder).toBe(firstHolder);
    expect(second.output).not.toMatch(/took the scheduler lease/);
    const health = (await (await fetch(`http://127.0.0.1:${await second.port()}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ mode: 'live', scheduler: 'standby' });

    // The holder still posts: the round goes out through it.
    const { round, message } = await openAndPost(setup);
    expect(second.output).not.toMatch(/took the scheduler lease/);

    expect(await first.stop('SIGKILL')).toBeNull();
    const killedAt = Date.now();
    const left = await setup.ctx.store.readLease('scheduler');
    if (!left) throw new Error('the killed process left no lease');
    expect(left.holder).toBe(firstHolder);
    await makeRoundDue(setup.ctx.store, round.id, new Date(Date.now() - 1_000));

    // Another slot is another replica, not a restart: it waits for the lease to expire, then takes it.
    const took = await logLine(second, TOOK);
    expect(second.output).not.toMatch(TOOK_OVER);
    expect(took.holder).toBe(secondHolder);
    expect(took.time).toBeGreaterThanOrEqual(left.expiresAt.getTime());
    // The dead lease runs out at most a TTL after the kill (its last renewal came before it); the standby's
    // next tick (each second) takes it: within the TTL of the kill, give or take the tick that notices.
    expect(left.expiresAt.getTime()).toBeLessThanOrEqual(killedAt + ttlSeconds * 1000);
    expect(took.time - left.expiresAt.getTime()).toBeLessThanOrEqual(2 * TICK_MS);
    expect(took.time - killedAt).toBeLessThanOrEqual(ttlSeconds * 1000 + 2 * TICK_MS);
    await resultPosted(setup, round.id, message);
    const lease = await setup.ctx.store.readLease('scheduler');
    expect(lease).toMatchObject({ holder: secondHolder });
    expect(lease?.token).toBeGreaterThan(left.token);
    const after = (await (await fetch(`http://127.0.0.1:${await second.port()}/healthz`)).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ scheduler: 'running' });
    console.log(`takeover on ${setup.ctx.store.engine}: the standby took the lease ${took.time - killedAt} ms after the kill, ${took.time - left.expiresAt.getTime()} ms after the dead lease expired`);
  });
});
