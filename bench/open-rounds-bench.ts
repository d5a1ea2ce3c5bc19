import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { anchorWeekAt } from '../src/core/schedule.js';
import { decideOpening } from '../src/core/scheduling.js';
import type { Cadence, Team } from '../src/core/team.js';
import { sqliteConnection } from './context.js';
import { BENCH_TEAM_ID, describeCalls, runCleanups, StallWatch, startLiveApp, waitFor, WorkspaceStandIn } from './slack-harness.js';
import { formatMs, ratioLine, timeOnceAsync } from './stats.js';

const TEAMS = 2000;
/**
 * The stand-in's workspace limit is a token bucket that holds a minute's worth (this many posts at once) and
 * refills at this many a minute. At 6,000-12,000 a minute all 2,000 round messages would fit in the first
 * bucket and the limits would allow them at once (floor 0). 1,600 a minute lets 1,600 through at once and
 * the other 400 at 26.7 a second: the workspace limit binds, with a floor of 15 s.
 */
const WORKSPACE_POSTS_PER_MINUTE = 1600;
const TARGET_RATIO = 1.2;
const DAY_MS = 24 * 60 * 60 * 1000;
const TIMEOUT_MS = 120_000;

interface SentRow {
  readonly sent_at: number;
  readonly attempts: number;
}

function channelId(index: number): string {
  return `C2K${String(index).padStart(5, '0')}`;
}

/**
 * 2,000 teams, each on its own Slack channel, all due in the same tick: the real app (startServer, live
 * Slack mode, a tick every second) opens their rounds and its outbox posts the round messages to the Slack
 * stand-in, which enforces its per-channel and workspace chat.postMessage limits with 429 + Retry-After.
 * Timed from the tick (the rounds' opened_at) to the last round message recorded as sent; the floor is the
 * time the stand-in's limits allow for 2,000 posts.
 */
export async function runOpenRoundsBench(): Promise<void> {
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mp-bench-open-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const channelIds = Array.from({ length: TEAMS }, (_, index) => channelId(index));
    const slack = await WorkspaceStandIn.start({ channelIds, workspacePostsPerMinute: WORKSPACE_POSTS_PER_MINUTE });
    cleanups.push(() => slack.stop());
    const real = await startLiveApp(slack.apiUrl, dataDir, '* * * * * *');
    cleanups.push(() => real.stop());
    const { store } = real.ctx;
    const sqlite = sqliteConnection(store);

    // Weekly at the minute just past, UTC, for 167 hours, created four weeks ago: this week's round is due
    // now and on time (not a catch-up, which may be skipped late in a week), so one tick opens all of them.
    const now = new Date();
    const createdAt = new Date(now.getTime() - 28 * DAY_MS);
    const due = new Date(now.getTime() - 60_000);
    const localTime = `${String(due.getUTCHours()).padStart(2, '0')}:${String(due.getUTCMinutes()).padStart(2, '0')}`;
    const cadence: Cadence = { everyWeeks: 1, weekday: ((due.getUTCDay() + 6) % 7) + 1, localTime, timeZone: 'UTC', roundLengthHours: 167, anchorWeek: anchorWeekAt(createdAt, 'UTC') };
    const surveyIds = [...real.ctx.surveys.keys()].sort();
    const parked = new Date(now.getTime() + 365 * DAY_MS);
    const seeded = await timeOnceAsync(() =>
      store.transaction(async (tx) => {
        const teams: Team[] = [];
        for (let index = 0; index < TEAMS; index += 1) {
          const result = await tx.insertTeam({
            name: `Open ${String(index).padStart(4, '0')}`,
            channel: { platform: 'slack', workspaceId: BENCH_TEAM_ID, channelId: channelId(index) },
            surveyId: surveyIds[index % surveyIds.length]!,
            cadence,
            createdAt,
          });
          if (result.kind !== 'created') throw new Error(`insertTeam answered ${result.kind}`);
          // Parked until the measured moment, so no tick picks up part of them early.
          await tx.setNextRoundCheck(result.team.id, parked);
          teams.push(result.team);
        }
        return teams;
      }),
    );
    const sample = seeded.result[0]!;
    const decision = decideOpening({ team: sample, latestRoundPeriod: null, openRoundClosesAt: null }, now);
    if (decision.kind !== 'open') throw new Error(`the seeded cadence would not open a round now (${now.toISOString()}): its round was due at ${localTime} UTC today`);
    console.log(`open-2000: ${TEAMS} teams, one Slack channel each (bot a member), one workspace; real app via startServer (live Slack mode, HTTP receiver), tick every second, outbox concurrency 4`);
    console.log(
      `  Slack stand-in on a worker thread: chat.postMessage per channel 3 at once then 1/s; per workspace ${WORKSPACE_POSTS_PER_MINUTE}/min (bucket of ${WORKSPACE_POSTS_PER_MINUTE}, refilled at ${(WORKSPACE_POSTS_PER_MINUTE / 60).toFixed(1)}/s); 429 + Retry-After beyond`,
    );
    console.log(`  seeded ${TEAMS} teams through insertTeam in one transaction in ${formatMs(seeded.ms)} ms (not measured)`);

    // Makes every team due at once; the app's next tick (at most a second later) finds them with one query.
    const stalls = new StallWatch();
    const elu = performance.eventLoopUtilization();
    const slackElu = slack.eventLoopUtilization();
    const releasedAt = Date.now();
    // Inside a store transaction: the app's own transactions span awaits on the same connection, and a bare
    // statement between their BEGIN and COMMIT would become part of them.
    await store.transaction(() => Promise.resolve(sqlite.prepare('UPDATE teams SET next_round_check_at = ?').run(releasedAt - 1000)));
    const countSent = sqlite.prepare<[], { sent: number; failed: number }>("SELECT count(*) FILTER (WHERE status = 'sent') AS sent, count(*) FILTER (WHERE status IN ('failed', 'cancelled')) AS failed FROM deliveries WHERE kind = 'round-opened'");
    await waitFor(
      'every round message to be posted',
      () => {
        const { sent, failed } = countSent.get()!;
        if (failed > 0) throw new Error(`${failed} round messages failed for good`);
        return sent >= TEAMS ? true : null;
      },
      TIMEOUT_MS,
      50,
    );
    const detectedAt = Date.now();
    const longestStallMs = stalls.stop();
    const appBusy = performance.eventLoopUtilization(elu);
    const standInBusy = slack.eventLoopUtilization(slackElu);

    const rounds = sqlite.prepare<[], { n: number; teams: number; first: number; last: number }>("SELECT count(*) AS n, count(DISTINCT team_id) AS teams, min(opened_at) AS first, max(opened_at) AS last FROM rounds WHERE status = 'open'").get()!;
    const sent = sqlite.prepare<[], SentRow>("SELECT sent_at, attempts FROM deliveries WHERE kind = 'round-opened' AND status = 'sent' ORDER BY sent_at").all();
    const otherDeliveries = sqlite.prepare<[], { n: number }>("SELECT count(*) AS n FROM deliveries WHERE kind <> 'round-opened'").get()!.n;
    const tickAt = rounds.first;
    const lastSent = sent[sent.length - 1]!.sent_at;
    const totalMs = lastSent - tickAt;
    const burst = Math.min(WORKSPACE_POSTS_PER_MINUTE, TEAMS);
    const perSecond = WORKSPACE_POSTS_PER_MINUTE / 60;
    const floorMs = (1000 * Math.max(0, TEAMS - burst)) / perSecond;
    const burstEnd = sent[burst - 1]!.sent_at;
    const tailRate = (TEAMS - burst) / ((lastSent - burstEnd) / 1000);
    const attempts = new Map<number, number>();
    for (const row of sent) attempts.set(row.attempts, (attempts.get(row.attempts) ?? 0) + 1);

    console.log(`  the tick came ${formatMs(tickAt - releasedAt)} ms after the teams were made due (cron wait, not counted); it opened ${rounds.n} rounds for ${rounds.teams} teams, all at ${new Date(tickAt).toISOString()}`);
    console.log(`  first round message sent ${formatMs(sent[0]!.sent_at - tickAt)} ms after the tick; the ${burst}th (the workspace bucket) at ${formatMs(burstEnd - tickAt)} ms; the last at ${formatMs(totalMs)} ms; seen by polling at ${formatMs(detectedAt - tickAt)} ms`);
    console.log(`  sending alone (first post to last): ${formatMs((lastSent - sent[0]!.sent_at) / 1000)} s, ${((lastSent - sent[0]!.sent_at) / floorMs).toFixed(2)}x the floor; opening the rounds before it: ${formatMs((sent[0]!.sent_at - tickAt) / 1000)} s`);
    console.log(`  after the bucket: ${TEAMS - burst} posts at ${tailRate.toFixed(1)}/s against the ${perSecond.toFixed(1)}/s the workspace limit refills (${((100 * tailRate) / perSecond).toFixed(0)}%)`);
    console.log(`  attempts per round message: ${[...attempts].sort(([a], [b]) => a - b).map(([count, n]) => `${n}x ${count}`).join(', ')}; other deliveries queued: ${otherDeliveries}`);
    console.log(`  app event loop: ${(100 * appBusy.utilization).toFixed(0)}% busy, longest stall ${formatMs(longestStallMs)} ms (the tick opens all due rounds in one synchronous pass); Slack stand-in thread ${(100 * standInBusy.utilization).toFixed(0)}% busy`);

    // Every channel got exactly one round message: none missing, none doubled by a retry after a 429.
    const summary = await slack.summary();
    const channels = await slack.channels(channelIds);
    const missing = channels.filter((channel) => channel.roundMessages === 0).length;
    const doubled = channels.filter((channel) => channel.roundMessages > 1 || channel.topLevel !== channel.roundMessages).length;
    console.log(`  stand-in: ${describeCalls(summary.calls)}; channels with exactly one round message ${channels.filter((channel) => channel.roundMessages === 1 && channel.topLevel === 1).length}/${TEAMS}`);
    const problems = [
      ...(rounds.n !== TEAMS || rounds.teams !== TEAMS ? [`${rounds.n} rounds for ${rounds.teams} teams, expected ${TEAMS}`] : []),
      ...(rounds.first !== rounds.last ? [`rounds opened from ${rounds.first} to ${rounds.last}: more than one tick`] : []),
      ...(sent.length !== TEAMS ? [`${sent.length} round messages sent, expected ${TEAMS}`] : []),
      ...(missing > 0 ? [`${missing} channels without a round message`] : []),
      ...(doubled > 0 ? [`${doubled} channels with more than one message`] : []),
    ];
    if (problems.length > 0) throw new Error(`open-2000: ${problems.join('; ')}`);

    const ratio = totalMs / floorMs;
    console.log(`  floor: (${TEAMS} - ${burst} in the first bucket) / ${perSecond.toFixed(1)} per second = ${formatMs(floorMs / 1000)} s; aim within ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'} (${ratio.toFixed(2)}x)`);
    console.log(ratioLine('open-2000', (totalMs / 1000).toFixed(1), 's', ratio, 'limit-floor', 2));
  } finally {
    await runCleanups('open-2000', cleanups);
  }
}
