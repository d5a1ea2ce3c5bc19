/**
 * Replicas on PostgreSQL, with the real `maturity-pulse start` processes: three of them (their own
 * INSTANCE_SLOTs and ports) on one database and one Slack stand-in, which enforces Slack's rate limits and
 * records every call.
 *
 * (1) 2,000 signed answer clicks, spread round-robin over the three: every click is acknowledged with 200,
 *     and the database holds exactly one answer per round and person, the option they picked last,
 *     whichever replica took each click.
 * (2) 2,000 teams, each with its own channel, fall due at once: the lease holder opens and posts their
 *     rounds. While it posts it is SIGKILLed; another replica takes the lease once it expires and finishes.
 *     Every round is in Slack, a round message appears twice only where the kill cut its send and the new
 *     holder logged that it sends it again, and Slack never answered 429 to any of the three.
 *
 * Every wait is for an event (a log line, a post in the stand-in, a row in the database); the hang guards
 * only turn a hang into a failure that says what never happened.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { respondentKey } from '../../src/core/respondent-key.js';
import { anchorWeekAt } from '../../src/core/schedule.js';
import { decideOpening } from '../../src/core/scheduling.js';
import type { Cadence, Team } from '../../src/core/team.js';
import { DemoRandom } from '../../src/demo/demo-random.js';
import type { ServiceContext } from '../../src/services/context.js';
import { openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { cleanEnv, eventually } from '../support/processes.js';
import { leaseHolder, Replica, runKeyed, TOOK_LEASE, type LogLine } from '../support/replica-cluster.js';
import { SlackApiStandIn, type SlackMessage } from '../support/slack-stand-in.js';
import { SlowSlackProxy } from '../support/slow-slack-proxy.js';
import { createTestStorage, memoryLogger, tempDir, testEngine } from '../support/test-context.js';

/** Fixed so a run can be replayed (REPLICAS_SEED overrides it); timing is real, so only roughly. */
const SEED = Number(process.env.REPLICAS_SEED ?? 20_260_601);
const REPLICAS = 3;
const CLICKS = Number(process.env.REPLICAS_CLICKS ?? 2_000);
const CHANNELS = Number(process.env.REPLICAS_CHANNELS ?? 2_000);
/**
 * Slack does not publish its workspace-wide chat.postMessage limit ("several hundred a minute"); the stand-in
 * guesses 300. The bot paces posts only by Slack's answers (Retry-After holds the whole workspace), so at 300
 * a minute 2,000 round messages would take at least 5.7 minutes and meet 429s on the way. This test is about
 * the limits holding across replicas, so the workspace bucket is large enough for the whole opening; the
 * per-channel limit (3 at once, then 1 a second) and the tiered methods' limits stay as Slack documents them.
 */
const WORKSPACE_POSTS_PER_MINUTE = Number(process.env.REPLICAS_WORKSPACE_POSTS_PER_MINUTE ?? 6_000);
/** The holder is killed once this many round messages of the opening are in Slack. */
const KILL_AFTER_POSTS = Math.floor(CHANNELS * 0.3);
const LEASE_TTL_SECONDS = 5;
/**
 * Clicks in flight at once, over all three replicas (two each). The three replicas, PostgreSQL, the stand-in
 * and the clicks share two cores (in a full run with other process tests too), and a click that waits more
 * than the 2.5 s Bolt gives it is answered 404 (Slack shows the person an error, though the answer is then
 * stored): at 24 in flight on a busy machine a few dozen of 2,000 were, at 12 one was, at 6 none. Concurrency
 * across replicas is what this is about, not load.
 */
const CLICK_CONCURRENCY = Number(process.env.REPLICAS_CLICK_CONCURRENCY ?? 6);
const CLICK_ROUNDS = 5;
const USERS = Array.from({ length: 120 }, (_, index) => `UREP${String(index + 1).padStart(4, '0')}`);
const WORKSPACE = 'T0001';
const SIGNING_SECRET = 'replicas-test-signing-secret-0123456789abcdef';
const RESPONDENT_SECRET = 'replicas-test-respondent-secret-0123456789abcdef';
const CLICK_CHANNELS = Array.from({ length: CLICK_ROUNDS }, (_, index) => `C0CLICK${index + 1}`);
const OPEN_CHANNELS = Array.from({ length: CHANNELS }, (_, index) => `C0OPEN${String(index + 1).padStart(5, '0')}`);
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * The opening's waits carry more than the usual hang guard: 2,000 posts take about 30 s on an idle machine,
 * and took three minutes with other process tests running beside this one.
 */
const DRAIN_GUARD_MS = 360_000;

/** The new holder's line for each send it found cut off, and the drainer's when it sends it again. */
const RECOVERY_LINE = 'a send was interrupted by a restart: sending it again once';
const RESEND_LINE = 'sending again after an unknown outcome';
const LEASE_LOST_LINE = 'the scheduler lease went to another process during the tick';

function roundIdOf(message: SlackMessage): number | null {
  const metadata = message.metadata;
  if (typeof metadata !== 'object' || metadata === null || !('event_payload' in metadata)) return null;
  const payload = metadata.event_payload;
  return typeof payload === 'object' && payload !== null && 'round_id' in payload && typeof payload.round_id === 'number' ? payload.round_id : null;
}

function isTopLevel(message: SlackMessage): boolean {
  return message.thread_ts === undefined || message.thread_ts === message.ts;
}

/** The most calls of `at` times that fall within any `windowMs` (sliding), for the report. */
function peakIn(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(testEngine() !== 'postgres')('replicas on PostgreSQL', () => {
  it(`three replicas take ${CLICKS} clicks round-robin and store each answer once; the holder of a ${CHANNELS}-channel opening is SIGKILLed and another finishes it without 429s or unlogged duplicates`, { timeout: 600_000 }, async () => {
    const random = new DemoRandom(SEED);
    const slack = new SlackApiStandIn({ teamId: WORKSPACE, workspacePostsPerMinute: WORKSPACE_POSTS_PER_MINUTE });
    await slack.start();
    cleanups.push(() => slack.stop());
    for (const id of USERS) slack.addUser({ id, name: id.toLowerCase() });
    for (const id of CLICK_CHANNELS) slack.addChannel({ id, name: id.toLowerCase(), members: USERS });
    for (const id of OPEN_CHANNELS) slack.addChannel({ id, name: id.toLowerCase(), members: USERS.slice(0, 3) });

    // Slack answers at once, except around the kill: then posts reach Slack but their answers are held, so
    // the kill cuts sends whose posts exist while the bot never learnt their ts (the case that duplicates).
    const proxy = new SlowSlackProxy({ targetApiUrl: slack.apiUrl, delayMs: () => ({ before: 0, after: 0 }) });
    await proxy.start();
    cleanups.push(() => proxy.stop());

    const temp = tempDir('mp-replicas-');
    cleanups.push(temp.cleanup);
    const storage = await createTestStorage(temp.dir);
    cleanups.push(() => storage.drop());
    const env = cleanEnv(temp.dir, {
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: proxy.apiUrl,
      RESPONDENT_KEY_SECRET: RESPONDENT_SECRET,
      ...storage.env,
      TICK_CRON: '* * * * * *',
      LEASE_TTL_SECONDS: String(LEASE_TTL_SECONDS),
      LOG_LEVEL: 'info',
    });
    const config = loadConfig(env);
    if (!config.ok) throw new Error(config.problems.join('; '));
    // The test writes as another replica (or the CLI) would, and signals its intents the same way.
    let signalIntent = (): void => {};
    const ctx: ServiceContext = await openContext(config.config, memoryLogger().log, { target: storage.target, create: true, kind: 'live', onIntent: () => signalIntent() });
    signalIntent = () => ctx.store.signal({ kind: 'intent' });
    cleanups.push(() => ctx.store.close());

    // ---- three replicas: exactly one holds the lease ---------------------------------------------------
    const replicas = await Promise.all(Array.from({ length: REPLICAS }, (_, index) => Replica.start(env, `replica-${index + 1}`, SIGNING_SECRET)));
    for (const replica of replicas) cleanups.push(async () => void (await replica.stop('SIGKILL')));
    expect(new Set(replicas.map((replica) => replica.holderId)).size).toBe(REPLICAS);
    const firstHolder = await eventually('one replica holding the scheduler lease', () => leaseHolder(ctx.store, replicas));
    await eventually('the holder saying so on /healthz', async () => (await firstHolder.health()).scheduler === 'running');
    for (const replica of replicas.filter((candidate) => candidate !== firstHolder)) {
      await replica.process.waitFor(/another process holds the scheduler lease: standing by/);
      expect((await replica.health()).scheduler).toBe('standby');
    }

    // ---- (1) clicks round-robin over the replicas -------------------------------------------------------
    // Click teams meet three days from today, so no scheduled round of theirs opens during the test.
    const weekday = ((((new Date().getUTCDay() + 6) % 7) + 3) % 7) + 1;
    const actor = { platform: 'slack', workspaceId: WORKSPACE, userId: 'UADMIN' };
    const clickRounds: { id: number; channelId: string; optionIds: string[] }[] = [];
    for (const [index, channelId] of CLICK_CHANNELS.entries()) {
      const created = await setupTeam(ctx, actor, { name: `Click team ${index + 1}`, channel: { platform: 'slack', workspaceId: WORKSPACE, channelId }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday, localTime: '03:00', timeZone: 'UTC', roundLengthHours: 48 } });
      if (created.kind !== 'created') throw new Error(`team setup failed: ${created.kind}`);
      const opened = await openRound(ctx, created.team, { origin: 'ad-hoc' });
      if (opened.kind !== 'opened') throw new Error(`round did not open: ${opened.kind}`);
      clickRounds.push({ id: opened.round.id, channelId, optionIds: opened.round.question.options.map((option) => option.id) });
    }
    // Posted by the holder, so their "N answered" counts can be edited as answers come in.
    await eventually('the click rounds posted', async () => (await ctx.store.listDeliveries({ status: 'sent' })).length === CLICK_ROUNDS);

    const clicks = Array.from({ length: CLICKS }, () => {
      const round = random.pick(clickRounds);
      return { round, user: random.pick(USERS), optionId: random.pick(round.optionIds) };
    });
    const statuses = new Map<number, number>();
    const latencies: number[] = [];
    const perReplica = replicas.map(() => 0);
    const clicksStartedAt = Date.now();
    await runKeyed(clicks, (click) => `${click.round.id}/${click.user}`, CLICK_CONCURRENCY, async (click, index) => {
      const replica = replicas[index % REPLICAS];
      if (!replica) throw new Error('no replica');
      perReplica[index % REPLICAS] = (perReplica[index % REPLICAS] ?? 0) + 1;
      const { round, user, optionId } = click;
      const sentAt = Date.now();
      const response = await replica.requester.interaction({
        type: 'block_actions',
        user: { id: user, username: user.toLowerCase(), team_id: WORKSPACE },
        team: { id: WORKSPACE, domain: 'example' },
        channel: { id: round.channelId, name: round.channelId.toLowerCase() },
        container: { type: 'message', channel_id: round.channelId, message_ts: '1.0' },
        trigger_id: slack.issueTriggerId(user),
        response_url: slack.createResponseUrl({ channelId: round.channelId, userId: user }),
        actions: [{ type: 'button', action_id: `mp_answer_${optionId}`, block_id: 'b', value: `${round.id}:${optionId}`, action_ts: '1.1' }],
      });
      latencies.push(Date.now() - sentAt);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    });
    latencies.sort((a, b) => a - b);
    const percentile = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
    const clickMs = Date.now() - clicksStartedAt;
    expect.soft(Object.fromEntries(statuses), 'click acknowledgements by HTTP status').toEqual({ 200: CLICKS });

    // What each person picked last on each round: the clicks of one person on one round went one after another.
    const lastPick = new Map<string, { roundId: number; user: string; optionId: string }>();
    for (const { round, user, optionId } of clicks) lastPick.set(`${round.id}/${user}`, { roundId: round.id, user, optionId });
    const wrongAnswers: string[] = [];
    let storedAnswers = 0;
    for (const round of clickRounds) {
      const people = [...lastPick.values()].filter((pick) => pick.roundId === round.id);
      const keys = await ctx.store.answerKeys(round.id);
      storedAnswers += keys.length;
      expect(new Set(keys).size, `answers of round ${round.id} stored once per person`).toBe(keys.length);
      expect(keys.length, `answers of round ${round.id}`).toBe(people.length);
      expect(await ctx.store.countAnswers(round.id)).toBe(people.length);
      for (const pick of people) {
        const stored = await ctx.store.findAnswer(round.id, respondentKey(RESPONDENT_SECRET, { platform: 'slack', workspaceId: WORKSPACE, userId: pick.user }));
        if (stored?.optionId !== pick.optionId) wrongAnswers.push(`round ${round.id}, ${pick.user}: picked ${pick.optionId} last, stored ${stored?.optionId ?? 'nothing'}`);
      }
    }
    expect(wrongAnswers, 'answers that are not the last pick').toEqual([]);
    expect(storedAnswers).toBe(lastPick.size);
    // Every click's private receipt reached its response URL, from whichever replica took the click.
    await eventually('a receipt for every click', () => Promise.resolve(slack.responses.length >= CLICKS));
    expect(slack.responses.filter((response) => response.status !== 200).map((response) => response.error)).toEqual([]);
    // The holder refreshed every round's count, whichever replica took its answers (signals over NOTIFY).
    for (const round of clickRounds) {
      const people = [...lastPick.values()].filter((pick) => pick.roundId === round.id).length;
      await eventually(`round ${round.id}'s message showing ${people} answered`, () =>
        Promise.resolve(slack.messages(round.channelId).some((message) => roundIdOf(message) === round.id && JSON.stringify(message.blocks ?? []).includes(`${people} people answered`))),
      );
    }

    // ---- (2) 2,000 rounds open at once; the holder is killed while posting them --------------------------
    // Weekly at the minute just past, for 167 hours, set up four weeks ago: this week's round is due now and
    // on time, so the holder's next tick finds every team due with one query.
    const now = new Date();
    const due = new Date(now.getTime() - 60_000);
    const createdAt = new Date(now.getTime() - 28 * DAY_MS);
    const localTime = `${String(due.getUTCHours()).padStart(2, '0')}:${String(due.getUTCMinutes()).padStart(2, '0')}`;
    const cadence: Cadence = { everyWeeks: 1, weekday: ((due.getUTCDay() + 6) % 7) + 1, localTime, timeZone: 'UTC', roundLengthHours: 167, anchorWeek: anchorWeekAt(createdAt, 'UTC') };
    const surveyIds = [...ctx.surveys.keys()].sort();
    const seedStartedAt = Date.now();
    // One transaction: the teams become due all at once, as on a Monday morning.
    const openTeams = await ctx.store.transaction(async (tx) => {
      const teams: Team[] = [];
      for (const [index, channelId] of OPEN_CHANNELS.entries()) {
        const result = await tx.insertTeam({ name: `Open ${String(index + 1).padStart(5, '0')}`, channel: { platform: 'slack', workspaceId: WORKSPACE, channelId }, surveyId: surveyIds[index % surveyIds.length] ?? '', cadence, createdAt });
        if (result.kind !== 'created') throw new Error(`insertTeam answered ${result.kind}`);
        teams.push(result.team);
      }
      return teams;
    });
    const seededAt = Date.now();
    const sample = openTeams[0];
    if (!sample) throw new Error('no team seeded');
    expect(decideOpening({ team: sample, latestRoundPeriod: null, openRoundClosesAt: null }, new Date()).kind, 'the seeded cadence opens a round now').toBe('open');
    const openChannels = new Set(OPEN_CHANNELS);
    const openingPosts = (): number => slack.calls.filter((call) => call.method === 'chat.postMessage' && call.status === 200 && openChannels.has(String(call.body['channel']))).length;

    await eventually(`${KILL_AFTER_POSTS} round messages of the opening in Slack`, () => Promise.resolve(openingPosts() >= KILL_AFTER_POSTS), DRAIN_GUARD_MS);
    const victim = await eventually('the lease holder while it posts', () => leaseHolder(ctx.store, replicas));
    const victimHealth = (await victim.health()).scheduler;
    // Round messages already in Slack whose answer the holder is still waiting for: the kill cuts these sends.
    // From here Slack's answers wait in the proxy: a call it holds was posted and the holder never hears so.
    proxy.holdAnswers();
    const postedUnanswered = (): string[] =>
      proxy
        .inFlight()
        .filter((call) => call.answerHeld && call.method === 'chat.postMessage' && openChannels.has(call.fields['channel'] ?? ''))
        .map((call) => call.fields['channel'] ?? '')
        .filter((channelId) => slack.messages(channelId).some((message) => roundIdOf(message) !== null));
    const cut = await eventually('round messages posted whose answers are held', () => Promise.resolve(postedUnanswered().length >= 2 ? postedUnanswered() : null));
    const atKill = await ctx.store.countDeliveries();
    const postsAtKill = openingPosts();
    const tookBeforeKill = replicas.flatMap((replica) => replica.lines()).filter((line) => TOOK_LEASE.test(line.msg)).length;
    const killedAt = Date.now();
    expect(await victim.stop('SIGKILL')).toBeNull();
    proxy.releaseAnswers();
    const left = await ctx.store.readLease('scheduler');
    if (!left) throw new Error('the killed holder left no lease');
    const survivors = replicas.filter((replica) => replica !== victim);

    // Another replica takes the lease once the dead holder's expires, and finishes the opening.
    const took = await eventually('another replica taking the lease after the kill', () =>
      Promise.resolve(
        survivors
          .flatMap((replica) => replica.lines().map((line) => ({ replica, line })))
          .filter(({ line }) => TOOK_LEASE.test(line.msg) && line.time >= killedAt)
          .sort((a, b) => a.line.time - b.line.time)[0],
      ),
    );
    const expectedDeliveries = CLICK_ROUNDS + CHANNELS;
    const drained = await eventually(
      `all ${expectedDeliveries} round messages recorded as sent`,
      async () => {
        const counts = await ctx.store.countDeliveries();
        if (counts.failed + counts.cancelled > 0) throw new Error(`deliveries given up: ${JSON.stringify(counts)}`);
        const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
        return total === expectedDeliveries && counts.sent === expectedDeliveries ? counts : null;
      },
      DRAIN_GUARD_MS,
    );
    const drainedAt = Date.now();
    expect(drained.sent).toBe(expectedDeliveries);

    // ---- what Slack shows: one round message per channel, a second only where a logged resend explains it ----
    const lines: LogLine[] = replicas.flatMap((replica) => replica.lines());
    const recovered = new Set(lines.filter((line) => line.msg.startsWith(RECOVERY_LINE)).map((line) => line.deliveryId));
    const recoveryLines = lines.filter((line) => line.msg.startsWith(RECOVERY_LINE)).length;
    const resendLines = lines.filter((line) => line.msg.startsWith(RESEND_LINE)).length;
    const deliveries = await ctx.store.listDeliveries();
    const byChannel = new Map(deliveries.map((delivery) => [delivery.target.channelId, delivery]));
    const missing: string[] = [];
    const unexplained: string[] = [];
    const duplicates: { channelId: string; posts: number; deliveryId: number; resends: number; logged: boolean }[] = [];
    const rounds = new Set<number>();
    for (const channelId of OPEN_CHANNELS) {
      const delivery = byChannel.get(channelId);
      const messages = slack.messages(channelId);
      if (!delivery || delivery.kind !== 'round-opened' || !('roundId' in delivery.payload)) {
        missing.push(`${channelId}: no round-opened delivery`);
        continue;
      }
      const roundId = delivery.payload.roundId;
      rounds.add(roundId);
      const posts = messages.filter((message) => isTopLevel(message) && roundIdOf(message) === roundId);
      if (delivery.status !== 'sent' || !delivery.messageRef) missing.push(`${channelId}: delivery ${delivery.id} is ${delivery.status} without a message reference`);
      else if (!posts.some((message) => message.ts === delivery.messageRef)) missing.push(`${channelId}: the recorded message ${delivery.messageRef} is not in Slack`);
      if (posts.length === 0) missing.push(`${channelId}: no round message`);
      if (posts.length > 1) duplicates.push({ channelId, posts: posts.length, deliveryId: delivery.id, resends: delivery.resends, logged: recovered.has(delivery.id) });
      for (const message of messages) if (!posts.includes(message)) unexplained.push(`${channelId} ${message.ts}: ${message.text.slice(0, 60)}`);
    }
    const duplicateCount = duplicates.reduce((sum, duplicate) => sum + duplicate.posts - 1, 0);
    const unloggedDuplicates = duplicates.filter((duplicate) => !duplicate.logged || duplicate.posts - 1 > duplicate.resends);

    // ---- the rate limits held across the three processes -------------------------------------------------
    const limited = slack.calls.filter((call) => call.status === 429).map((call) => `${call.method} ${String(call.body['channel'] ?? '')}`);
    const byMethod = new Map<string, number[]>();
    for (const call of slack.calls) byMethod.set(call.method, [...(byMethod.get(call.method) ?? []), call.at]);
    const errors = lines.filter((line) => line.level >= 50).map((line) => `${line.msg}${line.cause ? `: ${line.cause}` : ''}`);
    const leaseChanges = lines.filter((line) => TOOK_LEASE.test(line.msg)).length;
    const leaseLost = lines.filter((line) => line.msg.startsWith(LEASE_LOST_LINE)).length;

    console.log(
      [
        `replicas on PostgreSQL: ${REPLICAS} processes, seed ${SEED}`,
        `  clicks: ${CLICKS} in ${clickMs} ms (${Math.round((CLICKS * 1000) / clickMs)}/s, ${CLICK_CONCURRENCY} in flight, per replica ${perReplica.join('/')}; latency p50 ${percentile(50)} ms, p99 ${percentile(99)} ms, max ${percentile(100)} ms), ${lastPick.size} answers stored once each on ${CLICK_ROUNDS} rounds`,
        `  opening: ${CHANNELS} teams seeded in ${seededAt - seedStartedAt} ms; holder ${victim.slot} (healthz: ${victimHealth}) killed ${killedAt - seededAt} ms after the seed, with ${postsAtKill} round messages in Slack and deliveries ${JSON.stringify(atKill)}`,
        `  takeover: ${took.replica.slot} took the lease ${took.line.time - killedAt} ms after the kill, ${took.line.time - left.expiresAt.getTime()} ms after the dead lease expired (TTL ${LEASE_TTL_SECONDS} s); ${tookBeforeKill} lease takes before the kill, ${leaseChanges} in all, ${leaseLost} ticks lost the lease to another process`,
        `  all ${CHANNELS} round messages sent ${drainedAt - seededAt} ms after the seed (${drainedAt - killedAt} ms after the kill)`,
        `  the kill cut ${cut.length} sends already posted (${cut.join(', ')}); proxy: ${proxy.stats.answersLost} answers lost, ${proxy.stats.droppedBeforeSlack} calls dropped before Slack`,
        `  duplicates: ${duplicateCount} (${duplicates.map((duplicate) => `${duplicate.channelId}×${duplicate.posts}`).join(', ') || 'none'}); ${recoveryLines} "${RECOVERY_LINE}" and ${resendLines} "${RESEND_LINE}" lines`,
        `  Slack calls: ${[...byMethod.entries()].map(([method, times]) => `${method} ${times.length} (peak ${peakIn(times, 60_000)}/min)`).join(', ')}; ${limited.length} answered 429`,
        `  error lines: ${errors.length === 0 ? 'none' : `\n    ${errors.join('\n    ')}`}`,
      ].join('\n'),
    );

    expect(rounds.size, 'one round per seeded team').toBe(CHANNELS);
    expect.soft(missing, 'round messages missing from Slack').toEqual([]);
    expect.soft(unexplained, 'posts nothing queued').toEqual([]);
    expect.soft(unloggedDuplicates, 'duplicates without a logged resend').toEqual([]);
    // The sends the kill cut after Slack had posted them went out again (the duplicates this test expects).
    expect.soft(cut.filter((channelId) => !duplicates.some((duplicate) => duplicate.channelId === channelId)), 'cut sends not sent again').toEqual([]);
    expect.soft(duplicateCount).toBeLessThanOrEqual(recoveryLines);
    expect.soft(duplicateCount).toBeLessThanOrEqual(resendLines);
    expect.soft(limited, 'calls Slack answered with 429').toEqual([]);
    expect.soft(slack.responses.filter((response) => response.status === 429)).toEqual([]);
    expect.soft(errors, 'error log lines').toEqual([]);
    // The lease changed hands at the kill only: a holder busy opening 2,000 rounds keeps it while it lives.
    expect.soft(leaseLost, 'ticks that lost the lease while their holder was alive').toBe(0);
    expect.soft(leaseChanges, 'times a replica took the lease (at start, and after the kill)').toBe(2);
    // Within the lease time: nobody renewed the dead holder's lease after the kill, so it ran out at most a
    // TTL later (the database's clock, on this machine); the survivor took it only then (another slot is
    // another replica, not a restart), at its next tick. The bound on that tick is a hang guard: a tick comes
    // every second, the bound is a whole further TTL.
    expect(left.expiresAt.getTime()).toBeLessThanOrEqual(killedAt + LEASE_TTL_SECONDS * 1000);
    expect(took.line.time).toBeGreaterThanOrEqual(left.expiresAt.getTime());
    expect(took.line.time - left.expiresAt.getTime()).toBeLessThanOrEqual(LEASE_TTL_SECONDS * 1000);
    await eventually('the new holder saying so on /healthz', async () => (await took.replica.health()).scheduler === 'running');
    // One replica ran the tick at a time: the opening's rounds were opened by the killed holder, then by its successor.
    const openedBy = (replica: Replica): LogLine[] => replica.lines().filter((line) => line.msg === 'round opened');
    expect.soft(replicas.filter((replica) => replica !== victim && replica !== took.replica).map((replica) => openedBy(replica).length), 'rounds opened by the replica that stood by throughout').toEqual([0]);
    expect.soft(openedBy(took.replica).filter((line) => line.time < killedAt), 'rounds opened by the successor before the kill').toEqual([]);
    expect(took.line.holder).toBe(took.replica.holderId);
    const lease = await ctx.store.readLease('scheduler');
    expect(lease?.token).toBeGreaterThan(left.token);

    // The survivors stop cleanly, the holder giving its lease up.
    for (const replica of survivors) expect(await replica.stop('SIGTERM')).toBe(0);
  });
});
