import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { SLACK_EVENTS_PATH } from '../src/adapters/slack/endpoint.js';
import { roundPeriodKey } from '../src/core/outbox.js';
import type { Round } from '../src/core/round.js';
import type { RunningServer } from '../src/main.js';
import { orgDigest } from '../src/services/report-service.js';
import { openRound } from '../src/services/round-service.js';
import { setupTeam } from '../src/services/team-service.js';
import type { DigestSubscription } from '../src/storage/records.js';
import type { PaceRequest, PaceResult, PaceWorkerData } from './click-pace-worker.js';
import { BenchSql, type BenchEngine } from './engine.js';
import { ORGANISATION_WEEKS, organisationStorage } from './seeding.js';
import { BENCH_SIGNING_SECRET, BENCH_TEAM_ID, CpuWatch, describeCalls, describeCpu, GcWatch, nextMessage, runCleanups, StallWatch, startLiveApp, threadCpuMs, waitFor, WorkspaceStandIn, type CpuShares } from './slack-harness.js';
import { profileWindow } from './profile.js';
import { formatMs, percentile, summarise, summaryLine, timeOnceAsync } from './stats.js';

/** Answer clicks a second, sent open-loop (see click-pace-worker.ts), in every phase. */
const CLICKS_PER_SECOND = 100;
const WARMUP_SECONDS = 3;
const REST_SECONDS = 10;
const DIGEST_SECONDS = 15;
const CONTROL_SECONDS = 10;
/** A digest falls due every this often during the digest phase, each for its own channel (so each is built and sent). */
const DIGEST_EVERY_MS = 1000;
/** In the control phase, orgDigest alone on the app thread this often: two builds a second, as one digest a second does. */
const CONTROL_BUILD_EVERY_MS = 500;
const DIGEST_CHANNELS = Math.ceil((DIGEST_SECONDS * 1000) / DIGEST_EVERY_MS) + 1;
/** Digests sent with no clicks at all, to weigh what one costs the app thread in CPU time. */
const ALONE_DIGESTS = 5;
const IDLE_BASELINE_MS = 3000;
const CLICK_CHANNEL = 'C0CLICK';
const RECEIPT_TEXT = 'Recorded for';
const DAY_MS = 24 * 60 * 60 * 1000;

interface PhaseFigures {
  readonly label: string;
  readonly clicks: number;
  readonly ok: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly over100: number;
  readonly appBusy: number;
  /** Where the CPU went during the phase (the app thread's own time is not inflated by waiting for a core). */
  readonly cpu: CpuShares;
  readonly stallMs: number;
  readonly maxLateMs: number;
  /** Per click answered 200: when it was sent (epoch ms) and its latency. */
  readonly timeline: readonly (readonly [number, number])[];
}

function digestChannel(index: number): string {
  return `CDG${String(index).padStart(3, '0')}`;
}

function userId(index: number): string {
  return `UD${String(index).padStart(6, '0')}`;
}

/** One answer click per person on the bench round, spread over its options, each with its own response_url. */
function clickBodies(round: Round, responseUrls: readonly string[]): string[] {
  const options = round.question.options.map((option) => option.id);
  return responseUrls.map((responseUrl, index) => {
    const option = options[index % options.length]!;
    const user = userId(index);
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), team_id: BENCH_TEAM_ID },
      team: { id: BENCH_TEAM_ID, domain: 'bench' },
      channel: { id: CLICK_CHANNEL, name: 'bench' },
      container: { type: 'message', channel_id: CLICK_CHANNEL, message_ts: '1.0' },
      trigger_id: `${index + 1}.1.bench`,
      response_url: responseUrl,
      actions: [{ type: 'button', action_id: `mp_answer_${option}`, block_id: 'b', value: `${round.id}:${option}`, action_ts: '1.1' }],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  });
}

/** A team on the click channel with an open round whose message is already posted. */
async function openClickRound(server: RunningServer): Promise<Round> {
  const { ctx } = server;
  const surveyId = [...ctx.surveys.keys()].sort()[0]!;
  const setup = await setupTeam(ctx, { platform: 'slack', workspaceId: BENCH_TEAM_ID, userId: 'UBENCHADMIN' }, {
    name: 'Bench Clicks',
    channel: { platform: 'slack', workspaceId: BENCH_TEAM_ID, channelId: CLICK_CHANNEL },
    surveyId,
    cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 },
  });
  if (setup.kind !== 'created') throw new Error(`setupTeam answered ${setup.kind}`);
  const opened = await openRound(ctx, setup.team, { origin: 'ad-hoc' });
  if (opened.kind !== 'opened') throw new Error(`openRound answered ${opened.kind}`);
  if (opened.round.closesAt.getTime() - Date.now() < 60 * 60_000) throw new Error(`the bench round closes too soon (${opened.round.closesAt.toISOString()})`);
  await waitFor('the round message to be posted', async () => ((await ctx.store.findDelivery(setup.team.channel, roundPeriodKey(opened.round.id), 'round-opened'))?.status === 'sent' ? true : null), 10_000);
  return opened.round;
}

interface DigestRun {
  readonly channelId: string;
  readonly dueAt: number;
  readonly queuedAt: number;
  readonly messageSentAt: number;
  readonly filesSentAt: number;
}

/**
 * The digest message and its files for each channel, once both are sent; null while any is still going.
 * Throws when one failed for good.
 */
async function digestRuns(sql: BenchSql, subscriptions: readonly DigestSubscription[], dueAt: readonly number[]): Promise<DigestRun[] | null> {
  const rows = await sql.all<{ channel_id: string; kind: string; status: string; created_at: number; sent_at: number | null; last_error: string | null }>(
    (d) => `SELECT channel_id, kind, status, ${d.ms('created_at')} AS created_at, ${d.ms('sent_at')} AS sent_at, last_error FROM deliveries WHERE kind IN ('digest', 'digest-files')`,
  );
  const runs: DigestRun[] = [];
  for (const [index, subscription] of subscriptions.entries()) {
    const mine = rows.filter((row) => row.channel_id === subscription.channel.channelId);
    const failed = mine.find((row) => row.status === 'failed' || row.status === 'cancelled');
    if (failed) throw new Error(`the ${failed.kind} delivery to ${failed.channel_id} ended ${failed.status}: ${failed.last_error ?? ''}`);
    const message = mine.find((row) => row.kind === 'digest');
    const files = mine.find((row) => row.kind === 'digest-files');
    if (message?.sent_at == null || files?.sent_at == null) return null;
    runs.push({ channelId: subscription.channel.channelId, dueAt: dueAt[index]!, queuedAt: message.created_at, messageSentAt: message.sent_at, filesSentAt: files.sent_at });
  }
  return runs;
}

/**
 * Answer clicks on the real app (startServer, live Slack mode, HTTP receiver, a tick every second) with 500
 * teams x 26 weekly rounds of history: p99 at rest, then while a digest falls due every second (orgDigest
 * built on the app thread for the message and again for its files, the chart rendered on the chart worker,
 * CSV and PNGs uploaded to the stand-in), then a control with orgDigest alone on the app thread.
 */
export async function runClickDigestBench(engine: BenchEngine): Promise<void> {
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const org = await organisationStorage(engine, 'clickdigest');
    const { storage } = org;
    cleanups.push(() => storage.drop());
    const digestChannels = Array.from({ length: DIGEST_CHANNELS + 1 + ALONE_DIGESTS }, (_, index) => digestChannel(index));
    const slack = await WorkspaceStandIn.start({ channelIds: [CLICK_CHANNEL, ...digestChannels] });
    cleanups.push(() => slack.stop());
    const real = await startLiveApp(slack.apiUrl, storage, '* * * * * *');
    cleanups.push(() => real.stop());
    const { ctx } = real;
    const sql = new BenchSql(ctx.store);
    // The PostgreSQL backends serving this database are named after it in their process titles.
    const database = storage.target.engine === 'postgres' ? new URL(storage.target.url).pathname.slice(1) : null;

    const surveyIds = [...ctx.surveys.keys()].sort();
    const round = await openClickRound(real);
    console.log(`click-during-digest [${engine.name}]: real app via startServer (live Slack mode, HTTP receiver, tick every second) with ${org.summary.teams} teams x ${ORGANISATION_WEEKS} weekly rounds (${org.summary.answers} answers); ${org.how} (not measured)`);
    console.log(`  answer clicks open-loop at ${CLICKS_PER_SECOND}/s from a worker thread, each a new person with its own response_url; Slack stand-in on another worker thread; the chart worker is the app's own; ${availableParallelism()} CPUs`);

    const far = new Date(Date.now() + 30 * DAY_MS);
    const subscriptions: DigestSubscription[] = [];
    for (const channelId of digestChannels) {
      subscriptions.push(await ctx.store.upsertDigestSubscription({ channel: { platform: 'slack', workspaceId: BENCH_TEAM_ID, channelId }, weekday: 1, localTime: '09:00', timeZone: 'UTC', nextDigestAt: far, at: new Date() }));
    }
    // One digest before measuring: starts the chart worker and warms vega, resvg and the digest code.
    const warmDue = Date.now();
    await ctx.store.setNextDigest(subscriptions[0]!.id, new Date(warmDue));
    const warm = await waitFor('the warm-up digest', () => digestRuns(sql, subscriptions.slice(0, 1), [warmDue]), 60_000, 20);
    console.log(`  warm-up digest (not measured): queued ${formatMs(warm[0]!.queuedAt - warmDue)} ms after falling due, message sent after ${formatMs(warm[0]!.messageSentAt - warm[0]!.queuedAt)} ms, files after ${formatMs(warm[0]!.filesSentAt - warm[0]!.queuedAt)} ms`);

    const phaseClicks = [WARMUP_SECONDS, REST_SECONDS, DIGEST_SECONDS, CONTROL_SECONDS].map((seconds) => seconds * CLICKS_PER_SECOND);
    const total = phaseClicks.reduce((sum, count) => sum + count, 0);
    const urls = await slack.responseUrls(CLICK_CHANNEL, Array.from({ length: total }, (_, index) => userId(index)));
    const paceData: PaceWorkerData = { signingSecret: BENCH_SIGNING_SECRET, bodies: clickBodies(round, urls) };
    const pacer = new Worker(new URL('./click-pace-worker.js', import.meta.url), { workerData: paceData });
    cleanups.push(async () => {
      await pacer.terminate();
    });
    const url = `http://127.0.0.1:${real.port}${SLACK_EVENTS_PATH}`;
    let next = 0;
    const clicks = async (label: string, count: number): Promise<PhaseFigures> => {
      if (typeof globalThis.gc === 'function') globalThis.gc();
      const request: PaceRequest = { url, from: next, count, perSecond: CLICKS_PER_SECOND };
      next += count;
      const elu = performance.eventLoopUtilization();
      const cpuWatch = new CpuWatch(database);
      const stalls = new StallWatch();
      const answer = nextMessage<PaceResult>(pacer);
      pacer.postMessage(request);
      const result = await profileWindow(`click-during-digest-${engine.name}-${label.trim().replace(/[^a-z0-9]+/gi, '-')}`, () => answer);
      const stallMs = stalls.stop();
      const appBusy = performance.eventLoopUtilization(elu).utilization;
      const cpu = cpuWatch.stop();
      const latencies = [...result.latenciesMs].filter((_, index) => result.statuses[index] === 200).sort((a, b) => a - b);
      if (latencies.length === 0) throw new Error(`${label}: no click was answered with HTTP 200`);
      return {
        label,
        clicks: count,
        ok: latencies.length,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1]!,
        over100: latencies.filter((ms) => ms > 100).length,
        appBusy,
        cpu,
        stallMs,
        maxLateMs: result.maxLateMs,
        timeline: [...result.sentAt].flatMap((at, index) => (result.statuses[index] === 200 ? [[at, result.latenciesMs[index]!] as const] : [])),
      };
    };
    const describe = (figures: PhaseFigures): string =>
      `  ${figures.label}: ${figures.ok}/${figures.clicks} HTTP 200, p50 ${formatMs(figures.p50)} ms, p99 ${formatMs(figures.p99)} ms, max ${formatMs(figures.max)} ms, ${figures.over100} over 100 ms; app thread ${(100 * figures.appBusy).toFixed(0)}% busy (CPU ${(figures.cpu.mainMs / figures.cpu.seconds).toFixed(0)} ms/s), longest stall ${formatMs(figures.stallMs)} ms; generator at most ${formatMs(figures.maxLateMs)} ms behind`;

    await clicks('warm-up', phaseClicks[0]!);
    const rest = await clicks('at rest               ', phaseClicks[1]!);

    // Each following second one more channel's digest falls due; the tick queues it, the outbox sends it.
    const start = Date.now();
    const measured = subscriptions.slice(1, 1 + Math.round((DIGEST_SECONDS * 1000) / DIGEST_EVERY_MS));
    const dueAt = measured.map((_, index) => start + 500 + index * DIGEST_EVERY_MS);
    for (const [index, subscription] of measured.entries()) await ctx.store.setNextDigest(subscription.id, new Date(dueAt[index]!));
    const during = await clicks('during digests        ', phaseClicks[2]!);
    const windowEnd = Date.now();
    const runs = await waitFor('the measured digests', () => digestRuns(sql, measured, dueAt), 120_000, 50);

    // What a digest costs the app thread, in CPU time rather than latency (so a loaded machine does not
    // inflate it): first the idle baseline (ticks, and the same polling as below), then digests falling due
    // together with no clicks, until all are sent; the baseline's rate is taken off.
    const alone = subscriptions.slice(1 + measured.length, 1 + measured.length + ALONE_DIGESTS);
    const idleCpu = threadCpuMs();
    const idleStart = performance.now();
    while (performance.now() - idleStart < IDLE_BASELINE_MS) {
      await digestRuns(sql, alone, []).catch(() => null);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const idleRate = (threadCpuMs() - idleCpu) / (performance.now() - idleStart);
    const aloneCpu = threadCpuMs();
    const aloneStart = performance.now();
    const gc = new GcWatch();
    const aloneDue = Date.now();
    // A millisecond apart: each its own instant, so each builds its own digest as the measured ones did.
    const aloneDueAt = alone.map((_, index) => aloneDue - index);
    for (const [index, subscription] of alone.entries()) await ctx.store.setNextDigest(subscription.id, new Date(aloneDueAt[index]!));
    await profileWindow(`click-during-digest-${engine.name}-digests-alone`, () => waitFor('the digests sent without clicks', () => digestRuns(sql, alone, aloneDueAt), 120_000, 50));
    const perDigestCpuMs = (threadCpuMs() - aloneCpu - idleRate * (performance.now() - aloneStart)) / ALONE_DIGESTS;
    const aloneGc = gc.stop();

    // Control: the same click load while this thread builds orgDigest on its own, nothing sent or rendered.
    const buildsMs: number[] = [];
    // On SQLite a store call settles without waiting for I/O, so each build runs on this thread, as before;
    // on PostgreSQL the query waits for the server and the digest itself is computed on this thread.
    const builder = setInterval(() => {
      void timeOnceAsync(() => orgDigest(ctx)).then((built) => buildsMs.push(built.ms));
    }, CONTROL_BUILD_EVERY_MS);
    let control: PhaseFigures;
    try {
      control = await clicks('orgDigest alone (ctrl)', phaseClicks[3]!);
    } finally {
      clearInterval(builder);
    }

    console.log(describe(rest));
    console.log(describe(during));
    console.log(describe(control));
    console.log(`  CPU at rest: ${describeCpu(rest.cpu)}`);
    console.log(`  CPU during digests: ${describeCpu(during.cpu)}`);
    const inWindow = runs.filter((run) => run.filesSentAt <= windowEnd).length;
    const took = summarise(runs.map((run) => run.filesSentAt - run.queuedAt));
    const lag = summarise(runs.map((run) => run.queuedAt - run.dueAt));
    console.log(
      `  digests: ${runs.length} fell due one a second in the ${DIGEST_SECONDS} s window, ${inWindow} fully sent within it; queued by the tick ${formatMs(lag.p50)} ms after falling due (max ${formatMs(lag.max)}); tick to files sent p50 ${formatMs(took.p50)} ms, max ${formatMs(took.max)} ms; last files ${formatMs(Math.max(...runs.map((run) => run.filesSentAt)) - windowEnd)} ms after the window`,
    );
    // Where the slow clicks were: the worst click sent in each second of the window, beside the ticks that queued digests.
    const windowStart = during.timeline[0]![0];
    const worst = Array.from({ length: DIGEST_SECONDS }, (_, second) => Math.max(0, ...during.timeline.filter(([at]) => Math.floor((at - windowStart) / 1000) === second).map(([, ms]) => ms)));
    const ticks = new Map<number, number>();
    for (const run of runs) ticks.set(run.queuedAt, (ticks.get(run.queuedAt) ?? 0) + 1);
    console.log(`  worst click sent in each second of the window (ms): ${worst.map((ms) => ms.toFixed(0)).join(' ')}`);
    console.log(
      `  ticks that queued digests (s into the window: how many): ${[...ticks].map(([at, count]) => `${((at - windowStart) / 1000).toFixed(1)}: ${count}`).join(', ')}; a tick waits for the outbox drain it starts, so digests falling due meanwhile wait for a later tick`,
    );
    console.log(
      `  app thread CPU per digest sent (message and files, ${ALONE_DIGESTS} digests without clicks, idle ticks taken off): ${formatMs(perDigestCpuMs)} ms; its GC pauses meanwhile ${formatMs(aloneGc.minorMs / ALONE_DIGESTS)} ms minor + ${formatMs(aloneGc.majorMs / ALONE_DIGESTS)} ms major per digest`,
    );
    const builds = summarise(buildsMs);
    console.log(`  orgDigest on the app thread (control, ${builds.samples} builds): p50 ${formatMs(builds.p50)} ms, max ${formatMs(builds.max)} ms; a digest builds it twice (message, then files)`);

    const channels = await slack.channels(measured.map((subscription) => subscription.channel.channelId));
    const expectedFiles = 1 + surveyIds.length;
    const wrong = channels.filter((channel) => channel.topLevel !== 1 || channel.filesInThread !== expectedFiles).length;
    // Receipts go out after the acks; on a loaded machine the last ones can still be on their way.
    const summary = await waitFor(
      'the receipts',
      async () => {
        const now = await slack.summary(RECEIPT_TEXT);
        return now.responses >= total ? now : null;
      },
      30_000,
      50,
    ).catch(() => slack.summary(RECEIPT_TEXT));
    const stored = (await sql.one<{ rows: number }>((d) => `SELECT ${d.int('count(*)')} AS rows FROM answers WHERE round_id = ${d.p(1)}`, [round.id])).rows;
    console.log(`  stand-in: ${describeCalls(summary.calls)}; ${summary.receipts} "${RECEIPT_TEXT}" receipts for ${total} clicks; ${stored} answers stored`);
    const problems = [
      ...(wrong > 0 ? [`${wrong} digest channels without exactly one digest message and ${expectedFiles} files in its thread`] : []),
      ...(stored !== total ? [`${stored} answers stored, expected ${total}`] : []),
      ...(summary.receipts !== total ? [`${summary.receipts} receipts, expected ${total}`] : []),
      ...[rest, during, control].filter((figures) => figures.ok !== figures.clicks).map((figures) => `${figures.label.trim()}: ${figures.clicks - figures.ok} clicks not answered 200`),
    ];
    // The figures stay on record even when something went wrong (a machine too loaded to answer in time):
    // the line is printed, then the run is marked failed.
    console.log(summaryLine(`click-during-digest-p99 [${engine.name}]`, during.p99, rest.p99, 'click-at-rest-p99'));
    if (problems.length > 0) throw new Error(`click-during-digest: ${problems.join('; ')}`);
  } finally {
    await runCleanups('click-during-digest', cleanups);
  }
}
