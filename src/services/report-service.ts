import { append } from '../core/multimap.js';
import { buildDigest, DIGEST_QUARTER_DAYS, DIGEST_WEEK_DAYS, type Digest } from '../core/digest.js';
import type { NextStep } from '../core/next-steps.js';

const DAY_MS = 86_400_000;
import { digestParts, type DigestParts } from '../core/digest-files.js';
import type { RoundOutcome, RoundView } from '../core/messenger.js';
import { buildTeamReport, type TeamReport } from '../core/report.js';
import type { Round } from '../core/round.js';
import { closeTimeFor } from '../core/schedule.js';
import { roundOutcome } from '../core/round-outcome.js';
import type { Survey } from '../core/survey.js';
import type { Team } from '../core/team.js';
import type { ServiceContext } from './context.js';
import { nextScheduledRound } from './schedule-service.js';

/** Shuffles with Math.random: comment order must not follow submission order (it could hint at who wrote what). */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    const held = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = held;
  }
  return copy;
}

export type TeamReportResult = { readonly kind: 'report'; readonly report: TeamReport } | { readonly kind: 'survey-missing'; readonly surveyId: string } | { readonly kind: 'unknown-aspect'; readonly aspectId: string; readonly known: readonly string[] };

/** A team's report as a viewer may see it; comments only when `withComments` (the team's leads). */
export async function teamReport(ctx: ServiceContext, team: Team, options: { aspectId?: string; withComments: boolean; at?: Date }): Promise<TeamReportResult> {
  const loaded = ctx.surveys.get(team.surveyId);
  if (!loaded) return { kind: 'survey-missing', surveyId: team.surveyId };
  const survey = loaded.survey;
  if (options.aspectId !== undefined && !survey.aspects.some((aspect) => aspect.id === options.aspectId)) {
    return { kind: 'unknown-aspect', aspectId: options.aspectId, known: survey.aspects.map((aspect) => aspect.id) };
  }
  const now = options.at ?? ctx.clock.now();
  // Independent reads, sent together: on PostgreSQL each is a round trip, and a pool serves them at once.
  const [open, rounds, comments, targets, steps] = await Promise.all([
    ctx.store.findOpenRound(team.id),
    ctx.store.closedTallies(team.id, team.surveyId),
    options.withComments ? ctx.store.closedRoundComments(team.id) : Promise.resolve(null),
    ctx.store.listTargets({ surveyId: team.surveyId }),
    ctx.store.listSteps({ teamId: team.id, surveyId: team.surveyId }),
  ]);
  const nextOpen = rounds.length === 0 && !open ? await nextScheduledRound(ctx, team, now) : null;
  const report = buildTeamReport({
    team,
    survey,
    rounds,
    openRound: open ? { aspectId: open.question.aspectId, closesAt: open.closesAt } : null,
    scheduledCloseAt: nextOpen ? closeTimeFor(team.cadence, nextOpen) : null,
    comments,
    policy: ctx.policy,
    now,
    targets: targets.filter((setting) => setting.teamId === null || setting.teamId === team.id),
    steps,
    ...(options.aspectId === undefined ? {} : { aspectId: options.aspectId }),
    shuffle: shuffled,
  });
  return { kind: 'report', report };
}

const DIGEST_CACHE_MS = 5 * 60_000;

const digestCaches = new WeakMap<object, Map<string, { digest: Digest; builtAt: number }>>();
const digestBuilds = new WeakMap<object, Map<string, { value: Promise<Digest>; builtAt: number }>>();
const digestPartBuilds = new WeakMap<object, Map<string, { value: Promise<DigestParts>; builtAt: number }>>();

/** One cache per store (per database), like the digests it holds. */
function cacheFor<V>(caches: WeakMap<object, Map<string, V>>, ctx: ServiceContext): Map<string, V> {
  let cache = caches.get(ctx.store);
  if (!cache) {
    cache = new Map();
    caches.set(ctx.store, cache);
  }
  return cache;
}

/**
 * The organisation digest as it stands at `at` (default now), over every team of every loaded survey.
 * A digest for a given past instant only depends on tallies frozen before it, so the message and its files
 * (and every channel whose digest fell due in the same tick) share one build for a few minutes.
 */
export async function orgDigest(ctx: ServiceContext, options: { at?: Date; surveyIds?: readonly string[] } = {}): Promise<Digest> {
  if (!options.at) return await computeOrgDigest(ctx, ctx.clock.now(), options.surveyIds);
  const cache = cacheFor(digestCaches, ctx);
  const key = `${options.at.getTime()}|${options.surveyIds?.join(',') ?? '*'}`;
  const cached = cache.get(key);
  if (cached && Date.now() - cached.builtAt < DIGEST_CACHE_MS) return cached.digest;
  const digest = await computeOrgDigest(ctx, options.at, options.surveyIds);
  for (const [entry, value] of cache) if (Date.now() - value.builtAt >= DIGEST_CACHE_MS) cache.delete(entry);
  cache.set(key, { digest, builtAt: Date.now() });
  return digest;
}

/**
 * One build per instant and survey set, shared by every send that asks within a few minutes: made by
 * `build` (the worker) when the context has one, else (or when the worker fails) by `inline`. A failed
 * build is forgotten so the next send tries again.
 */
function sharedBuild<V>(ctx: ServiceContext, builds: WeakMap<object, Map<string, { value: Promise<V>; builtAt: number }>>, at: Date, surveyIds: readonly string[] | undefined, build: ((at: Date, surveyIds?: readonly string[]) => Promise<V>) | undefined, inline: () => Promise<V>): Promise<V> {
  const cache = cacheFor(builds, ctx);
  const key = `${at.getTime()}|${surveyIds?.join(',') ?? '*'}`;
  const cached = cache.get(key);
  if (cached && Date.now() - cached.builtAt < DIGEST_CACHE_MS) return cached.value;
  for (const [entry, value] of cache) if (Date.now() - value.builtAt >= DIGEST_CACHE_MS) cache.delete(entry);
  const value = build
    ? build(at, surveyIds).catch((error: unknown) => {
        ctx.log.warn({ err: error }, 'the digest worker failed; building the digest in line');
        return inline();
      })
    : Promise.resolve().then(inline);
  cache.set(key, { value, builtAt: Date.now() });
  value.catch(() => cache.delete(key));
  return value;
}

/** The digest for a delivery (see `sharedBuild`). */
export function digestForDelivery(ctx: ServiceContext, at: Date, surveyIds?: readonly string[]): Promise<Digest> {
  return sharedBuild(ctx, digestBuilds, at, surveyIds, ctx.buildDigest, () => computeOrgDigest(ctx, at, surveyIds));
}

/**
 * What a digest's two deliveries send (the message's summary and the thread's files): built in the worker
 * when the context has one, so the process that sends never holds or walks the whole digest (see `sharedBuild`).
 */
export function digestPartsForDelivery(ctx: ServiceContext, at: Date, surveyIds?: readonly string[]): Promise<DigestParts> {
  return sharedBuild(ctx, digestPartBuilds, at, surveyIds, ctx.buildDigestParts, async () => digestParts(await computeOrgDigest(ctx, at, surveyIds)));
}

/** The digest computation itself, on any database connection (the app's, or a worker's read-only one). */
export async function computeOrgDigest(ctx: Pick<ServiceContext, 'store' | 'surveys' | 'policy'>, now: Date, surveyIds: readonly string[] | undefined): Promise<Digest> {
  const teams = (await ctx.store.listTeams()).filter((team) => ctx.surveys.has(team.surveyId) && (!surveyIds || surveyIds.includes(team.surveyId)));
  const tallies = await ctx.store.closedTalliesByTeam(new Map(teams.map((team) => [team.id, team.surveyId])));
  // Open steps adopted before this week play no part in a digest: only this week's adoptions are counted,
  // and only closed steps are looked at a quarter back.
  const steps = await ctx.store.stepsActiveBetween({ adopted: new Date(now.getTime() - DIGEST_WEEK_DAYS * DAY_MS), closed: new Date(now.getTime() - DIGEST_QUARTER_DAYS * DAY_MS) }, new Date(now.getTime() + 1));
  const stepsByTeam = new Map<number, NextStep[]>();
  for (const step of steps) append(stepsByTeam, step.teamId, step);
  const surveys = new Map<string, Survey>([...ctx.surveys].map(([id, loaded]) => [id, loaded.survey]));
  return buildDigest({
    surveys,
    teams: teams.map((team) => ({ id: team.id, name: team.name, surveyId: team.surveyId, rounds: tallies.get(team.id) ?? [], memberCount: team.memberCount ?? null, steps: stepsByTeam.get(team.id) ?? [] })),
    policy: ctx.policy,
    now,
    targets: await ctx.store.listTargets({ teamId: null }),
  });
}

/** How a round looks on every platform: its question, close time and how many have answered. */
export async function roundView(ctx: ServiceContext, team: Team, round: Round): Promise<RoundView> {
  return {
    roundId: round.id,
    teamName: team.name,
    aspectName: round.question.aspectName,
    prompt: round.question.prompt,
    options: round.question.options,
    closesAt: round.closedAt ?? round.closesAt,
    timeZone: team.cadence.timeZone,
    status: round.status,
    respondents: round.tally?.respondents ?? await ctx.store.countAnswers(round.id),
    minRespondents: ctx.policy.minRespondents,
  };
}

/** The result of a closed round, from frozen tallies only; null while the round is open. */
export async function closedRoundOutcome(ctx: ServiceContext, round: Round): Promise<RoundOutcome | null> {
  if (round.status !== 'closed') return null;
  const aspectRounds = (await ctx.store.closedTallies(round.teamId, round.surveyId)).filter((tally) => tally.aspectId === round.question.aspectId);
  const settings = (await ctx.store.listTargets({ surveyId: round.surveyId })).filter((setting) => setting.teamId === null || setting.teamId === round.teamId);
  return roundOutcome(ctx.surveys.get(round.surveyId)?.survey ?? null, aspectRounds, round.id, ctx.policy, { teamId: round.teamId, settings });
}
