import { buildDigest, type Digest } from '../core/digest.js';
import type { RoundOutcome, RoundView } from '../core/messenger.js';
import { buildTeamReport, type TeamReport } from '../core/report.js';
import type { Round } from '../core/round.js';
import { closeTimeFor } from '../core/schedule.js';
import { roundOutcome } from '../core/round-outcome.js';
import type { Survey } from '../core/survey.js';
import type { Team } from '../core/team.js';
import { closedRoundComments, countAnswers } from '../storage/answer-repository.js';
import { closedTallies, closedTalliesByTeam, findOpenRound } from '../storage/round-repository.js';
import { perDatabase } from '../storage/statement-cache.js';
import { listTeams } from '../storage/team-repository.js';
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
export function teamReport(ctx: ServiceContext, team: Team, options: { aspectId?: string; withComments: boolean; at?: Date }): TeamReportResult {
  const loaded = ctx.surveys.get(team.surveyId);
  if (!loaded) return { kind: 'survey-missing', surveyId: team.surveyId };
  const survey = loaded.survey;
  if (options.aspectId !== undefined && !survey.aspects.some((aspect) => aspect.id === options.aspectId)) {
    return { kind: 'unknown-aspect', aspectId: options.aspectId, known: survey.aspects.map((aspect) => aspect.id) };
  }
  const open = findOpenRound(ctx.db, team.id);
  const now = options.at ?? ctx.clock.now();
  const rounds = closedTallies(ctx.db, team.id, team.surveyId);
  const nextOpen = rounds.length === 0 && !open ? nextScheduledRound(ctx, team, now) : null;
  const report = buildTeamReport({
    team,
    survey,
    rounds,
    openRound: open ? { aspectId: open.question.aspectId, closesAt: open.closesAt } : null,
    scheduledCloseAt: nextOpen ? closeTimeFor(team.cadence, nextOpen) : null,
    comments: options.withComments ? closedRoundComments(ctx.db, team.id) : null,
    policy: ctx.policy,
    now,
    ...(options.aspectId === undefined ? {} : { aspectId: options.aspectId }),
    shuffle: shuffled,
  });
  return { kind: 'report', report };
}

const DIGEST_CACHE_MS = 5 * 60_000;

/**
 * The organisation digest as it stands at `at` (default now), over every team of every loaded survey.
 * A digest for a given past instant only depends on tallies frozen before it, so the message and its files
 * (and every channel whose digest fell due in the same tick) share one build for a few minutes.
 */
export function orgDigest(ctx: ServiceContext, options: { at?: Date; surveyIds?: readonly string[] } = {}): Digest {
  if (!options.at) return computeOrgDigest(ctx, ctx.clock.now(), options.surveyIds);
  const cache = perDatabase(ctx.db, 'digests', () => new Map<string, { digest: Digest; builtAt: number }>());
  const key = `${options.at.getTime()}|${options.surveyIds?.join(',') ?? '*'}`;
  const cached = cache.get(key);
  if (cached && Date.now() - cached.builtAt < DIGEST_CACHE_MS) return cached.digest;
  const digest = computeOrgDigest(ctx, options.at, options.surveyIds);
  for (const [entry, value] of cache) if (Date.now() - value.builtAt >= DIGEST_CACHE_MS) cache.delete(entry);
  cache.set(key, { digest, builtAt: Date.now() });
  return digest;
}

/**
 * The digest for a delivery: built in the worker when the context has one (falling back to building in
 * line if the worker fails), and shared by every send for the same instant for a few minutes.
 */
export function digestForDelivery(ctx: ServiceContext, at: Date, surveyIds?: readonly string[]): Promise<Digest> {
  const cache = perDatabase(ctx.db, 'digest-builds', () => new Map<string, { digest: Promise<Digest>; builtAt: number }>());
  const key = `${at.getTime()}|${surveyIds?.join(',') ?? '*'}`;
  const cached = cache.get(key);
  if (cached && Date.now() - cached.builtAt < DIGEST_CACHE_MS) return cached.digest;
  for (const [entry, value] of cache) if (Date.now() - value.builtAt >= DIGEST_CACHE_MS) cache.delete(entry);
  const inline = () => computeOrgDigest(ctx, at, surveyIds);
  const digest = ctx.buildDigest
    ? ctx.buildDigest(at, surveyIds).catch((error: unknown) => {
        ctx.log.warn({ err: error }, 'the digest worker failed; building the digest in line');
        return inline();
      })
    : Promise.resolve().then(inline);
  cache.set(key, { digest, builtAt: Date.now() });
  digest.catch(() => cache.delete(key));
  return digest;
}

/** The digest computation itself, on any database connection (the app's, or a worker's read-only one). */
export function computeOrgDigest(ctx: Pick<ServiceContext, 'db' | 'surveys' | 'policy'>, now: Date, surveyIds: readonly string[] | undefined): Digest {
  const teams = listTeams(ctx.db).filter((team) => ctx.surveys.has(team.surveyId) && (!surveyIds || surveyIds.includes(team.surveyId)));
  const tallies = closedTalliesByTeam(ctx.db, new Map(teams.map((team) => [team.id, team.surveyId])));
  const surveys = new Map<string, Survey>([...ctx.surveys].map(([id, loaded]) => [id, loaded.survey]));
  return buildDigest({
    surveys,
    teams: teams.map((team) => ({ id: team.id, name: team.name, surveyId: team.surveyId, rounds: tallies.get(team.id) ?? [], memberCount: team.memberCount ?? null })),
    policy: ctx.policy,
    now,
  });
}

/** How a round looks on every platform: its question, close time and how many have answered. */
export function roundView(ctx: ServiceContext, team: Team, round: Round): RoundView {
  return {
    roundId: round.id,
    teamName: team.name,
    aspectName: round.question.aspectName,
    prompt: round.question.prompt,
    options: round.question.options,
    closesAt: round.closedAt ?? round.closesAt,
    timeZone: team.cadence.timeZone,
    status: round.status,
    respondents: round.tally?.respondents ?? countAnswers(ctx.db, round.id),
    minRespondents: ctx.policy.minRespondents,
  };
}

/** The result of a closed round, from frozen tallies only; null while the round is open. */
export function closedRoundOutcome(ctx: ServiceContext, round: Round): RoundOutcome | null {
  if (round.status !== 'closed') return null;
  const aspectRounds = closedTallies(ctx.db, round.teamId, round.surveyId).filter((tally) => tally.aspectId === round.question.aspectId);
  return roundOutcome(ctx.surveys.get(round.surveyId)?.survey ?? null, aspectRounds, round.id, ctx.policy);
}
