/**
 * Property tests of the privacy invariant: every figure anyone sees is computed from whole closed rounds,
 * each with at least `minRespondents` level-bearing answers; a round below the minimum feeds no figure;
 * org figures leave hidden teams out; per-level counts and comments need `minCommentRespondents`.
 *
 * The tests attack the reports the way a curious reader would: by differencing two reports (across a
 * close, across teams, after one more answer or one changed answer) over random organisations, and
 * they fail as soon as such a difference isolates anything finer than a whole qualifying round.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDigest, DIGEST_QUARTER_DAYS, DIGEST_WEEK_DAYS, type Digest, type DigestTeamInput } from '../../src/core/digest.js';
import { privacyPolicyProblems } from '../../src/core/privacy.js';
import { buildTeamReport, type TeamReport } from '../../src/core/report.js';
import { roundOutcome } from '../../src/core/round-outcome.js';
import type { ClosedRoundTally, ScoringPolicy } from '../../src/core/scoring.js';
import type { Survey } from '../../src/core/survey.js';
import { levelSeries } from '../../src/core/trends.js';
import { buildSurvey, closedRound, DAY, TEST_POLICY } from '../support/factories.js';

// ---------------------------------------------------------------------------------------------------
// The organisation model
// ---------------------------------------------------------------------------------------------------

const T0 = Date.parse('2026-01-05T09:00:00Z');
const HOUR = 60 * 60 * 1000;
const WEEK = DIGEST_WEEK_DAYS * DAY;
const QUARTER = DIGEST_QUARTER_DAYS * DAY;
const MAX_LEVELS = 8;

const SURVEYS: readonly Survey[] = [
  buildSurvey({ id: 'four-levels', levels: 4, aspects: ['investment', 'adoption', 'interfaces'] }),
  buildSurvey({ id: 'five-stages', levels: 5, aspects: ['delivery', 'security'] }),
];
/** Teams may sit under a survey that is no longer loaded; the digest must skip them. */
const RETIRED_SURVEY_ID = 'retired-survey';
const SURVEY_MAP: ReadonlyMap<string, Survey> = new Map(SURVEYS.map((survey) => [survey.id, survey]));

const identityShuffle = <T>(items: readonly T[]): T[] => [...items];

/** What the generator draws for one closed round; `alt*` feed the twin dataset. */
interface GenRound {
  readonly aspect: number;
  readonly day: number;
  readonly jitter: number;
  readonly levels: readonly number[];
  readonly unknown: number;
  readonly commentCount: number;
  /** Replacement answers for a round whose answers must stay secret. */
  readonly altLevels: readonly number[];
  /** Picks one of the other answer multisets with the same count and sum. */
  readonly altPick: number;
  readonly altCommentCount: number;
}

interface GenTeam {
  readonly survey: number;
  readonly rounds: readonly GenRound[];
  readonly memberCount: number | null;
  readonly commentOrder: number;
}

interface GenOrg {
  readonly policy: ScoringPolicy;
  readonly teams: readonly GenTeam[];
}

interface TeamData {
  readonly id: number;
  readonly name: string;
  readonly surveyId: string;
  /** Null for a team under a retired survey. */
  readonly survey: Survey | null;
  /** Sorted by close time, then id, like storage returns them. */
  readonly rounds: readonly ClosedRoundTally[];
  readonly comments: readonly { readonly roundId: number; readonly text: string }[];
  readonly memberCount: number | null;
}

const policyArb: fc.Arbitrary<ScoringPolicy> = fc
  .record({
    minRespondents: fc.integer({ min: 3, max: 5 }),
    extra: fc.integer({ min: 0, max: 3 }),
    windowRounds: fc.integer({ min: 1, max: 4 }),
    thresholdTenths: fc.integer({ min: 1, max: 5 }),
  })
  .map(({ minRespondents, extra, windowRounds, thresholdTenths }) => ({
    minRespondents,
    minCommentRespondents: minRespondents + extra,
    windowRounds,
    trendThreshold: thresholdTenths / 10,
  }));

const policyWithDefaultsArb: fc.Arbitrary<ScoringPolicy> = fc.oneof(fc.constant(TEST_POLICY), policyArb);

function genRoundArb(maxDay: number): fc.Arbitrary<GenRound> {
  return fc.record({
    aspect: fc.nat({ max: 2 }),
    day: fc.nat({ max: maxDay }),
    // Ties (same instant), rounds a millisecond apart and rounds an hour apart.
    jitter: fc.constantFrom(0, 0, 1, 2, HOUR),
    levels: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: MAX_LEVELS }),
    unknown: fc.nat({ max: 3 }),
    commentCount: fc.nat({ max: 3 }),
    altLevels: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: MAX_LEVELS, maxLength: MAX_LEVELS }),
    altPick: fc.nat({ max: 1000 }),
    altCommentCount: fc.nat({ max: 3 }),
  });
}

function genTeamArb(maxRounds: number, maxDay: number): fc.Arbitrary<GenTeam> {
  return fc.record({
    // Mostly the two loaded surveys; now and then a retired one.
    survey: fc.constantFrom(0, 0, 1, 1, 2),
    rounds: fc.array(genRoundArb(maxDay), { maxLength: maxRounds }),
    memberCount: fc.option(fc.integer({ min: 1, max: 12 })),
    commentOrder: fc.nat(),
  });
}

const orgArb: fc.Arbitrary<GenOrg> = fc.record({
  policy: policyWithDefaultsArb,
  teams: fc.array(genTeamArb(8, 130), { minLength: 1, maxLength: 4 }),
});

/** Bends a drawn level into 1..levelCount. */
function fit(level: number, levelCount: number): number {
  return ((level - 1) % levelCount) + 1;
}

const multisetCache = new Map<string, number[][]>();

/** Every answer multiset of `size` levels in 1..levelCount, sorted, in a fixed order. */
function multisets(size: number, levelCount: number): number[][] {
  const key = `${size}/${levelCount}`;
  const cached = multisetCache.get(key);
  if (cached) return cached;
  const result: number[][] = [];
  const walk = (prefix: number[], from: number): void => {
    if (prefix.length === size) {
      result.push([...prefix]);
      return;
    }
    for (let level = from; level <= levelCount; level += 1) walk([...prefix, level], level);
  };
  walk([], 1);
  multisetCache.set(key, result);
  return result;
}

/**
 * Answers a reader must not be able to tell from `levels` when only the round's count and mean may show:
 * the same count and sum (for example 1,3,3 and 2,2,3; with spread or agreement shown these differ).
 */
function sameSumAnswers(levels: readonly number[], levelCount: number, pick: number): number[] {
  const sum = levels.reduce((total, level) => total + level, 0);
  const candidates = multisets(levels.length, levelCount).filter((candidate) => candidate.reduce((total, level) => total + level, 0) === sum);
  return candidates[pick % candidates.length] ?? [...levels];
}

/** A deterministic permutation chosen by `seed`. */
function permute<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed >>> 0 || 1;
  for (let i = copy.length - 1; i > 0; i -= 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    const held = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = held;
  }
  return copy;
}

function sortRounds(rounds: readonly ClosedRoundTally[]): ClosedRoundTally[] {
  return [...rounds].sort((a, b) => a.closedAt.getTime() - b.closedAt.getTime() || a.roundId - b.roundId);
}

/**
 * Builds the organisation. With `twin`, every secret is replaced: the answers of rounds below the minimum
 * (keeping their counts), the per-level answers of qualifying rounds too small to show them (keeping mean
 * and spread), the comments of rounds whose comments are never shown, and the order comments arrive in.
 */
function buildOrg(gen: GenOrg, twin: boolean): TeamData[] {
  const { policy } = gen;
  return gen.teams.map((team, teamIndex) => {
    const id = teamIndex + 1;
    const survey = SURVEYS[team.survey] ?? null;
    const levelCount = survey?.levels.length ?? 4;
    const aspectIds = survey?.aspects.map((aspect) => aspect.id) ?? ['old-aspect'];
    const comments: { roundId: number; text: string }[] = [];
    const rounds = team.rounds.map((round, roundIndex) => {
      const roundId = id * 100 + roundIndex;
      let levels = round.levels.map((level) => fit(level, levelCount));
      const qualifies = levels.length >= policy.minRespondents;
      const commentsShowable = qualifies && levels.length + round.unknown >= policy.minCommentRespondents;
      if (twin && !qualifies) levels = round.altLevels.slice(0, levels.length).map((level) => fit(level, levelCount));
      else if (twin && levels.length < policy.minCommentRespondents) levels = sameSumAnswers(levels, levelCount, round.altPick);
      const commentCount = twin && !commentsShowable ? round.altCommentCount : round.commentCount;
      for (let k = 0; k < commentCount; k += 1) {
        comments.push({ roundId, text: twin && !commentsShowable ? `secret ${roundId}/${k}` : `comment ${roundId}/${k}` });
      }
      return closedRound(aspectIds[round.aspect % aspectIds.length] ?? 'investment', new Date(T0 + round.day * DAY + round.jitter), levels, {
        unknown: round.unknown,
        levelCount,
        roundId,
      });
    });
    return {
      id,
      name: `Team ${String.fromCharCode(65 + teamIndex)}`,
      surveyId: survey?.id ?? RETIRED_SURVEY_ID,
      survey,
      rounds: sortRounds(rounds),
      comments: twin ? permute(comments, team.commentOrder) : comments,
      memberCount: team.memberCount,
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Building what readers see
// ---------------------------------------------------------------------------------------------------

function closedBy(rounds: readonly ClosedRoundTally[], at: number): ClosedRoundTally[] {
  return rounds.filter((round) => round.closedAt.getTime() <= at);
}

interface ReportOptions {
  /** Pass every closed round and a past `now` (a report "as of"), instead of only the rounds closed by then. */
  readonly historical?: boolean;
  readonly aspectId?: string;
}

function reportAt(team: TeamData, survey: Survey, at: number, policy: ScoringPolicy, options: ReportOptions = {}): TeamReport {
  const rounds = options.historical ? team.rounds : closedBy(team.rounds, at);
  const roundIds = new Set(rounds.map((round) => round.roundId));
  return buildTeamReport({
    team: { id: team.id, name: team.name },
    survey,
    rounds,
    openRound: null,
    comments: team.comments.filter((comment) => roundIds.has(comment.roundId)),
    policy,
    now: new Date(at),
    ...(options.aspectId === undefined ? {} : { aspectId: options.aspectId }),
    shuffle: identityShuffle,
  });
}

/** The report with comment order stripped (the one thing a shuffle is allowed to decide). */
function normalised(report: TeamReport): TeamReport {
  return { ...report, comments: report.comments?.map((group) => ({ ...group, texts: [...group.texts].sort() })) ?? null };
}

function digestAt(teams: readonly TeamData[], at: number, policy: ScoringPolicy): Digest {
  return buildDigest({ surveys: SURVEY_MAP, teams: teams.map(digestTeam), policy, now: new Date(at) });
}

function digestTeam(team: TeamData): DigestTeamInput {
  return { id: team.id, name: team.name, surveyId: team.surveyId, rounds: team.rounds, memberCount: team.memberCount };
}

/** Everything in a report that is derived from answer levels (the counts of answers are left out). */
function levelView(report: TeamReport): unknown {
  return {
    aspects: report.aspects.map((aspect) => ({
      id: aspect.aspectId,
      level: aspect.status.kind === 'level' ? { figure: aspect.status.figure, description: aspect.status.description, change: aspect.status.change } : null,
      suggestions: aspect.suggestions,
      toward: aspect.suggestionsToward,
    })),
    furthestBelowTarget: report.furthestBelowTarget,
    comments: normalised(report).comments,
  };
}

/** The paths at which two values differ, e.g. `aspects.0.status.answered`. */
function diffPaths(a: unknown, b: unknown, path = '$'): string[] {
  if (Object.is(a, b)) return [];
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime() ? [] : [path];
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return [path];
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return [path];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) => diffPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`));
}

/** Fails with a readable diff when two values are not deep-equal (fast path without expect). */
function assertSame(actual: unknown, expected: unknown, context: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, context).toEqual(expected);
}

// ---------------------------------------------------------------------------------------------------
// Time points: every instant at which some figure could change, and the instants either side of it
// ---------------------------------------------------------------------------------------------------

function reportInstants(rounds: readonly ClosedRoundTally[]): number[] {
  const instants = new Set<number>([T0 - 1]);
  for (const round of rounds) {
    const at = round.closedAt.getTime();
    instants.add(at - 1);
    instants.add(at);
    instants.add(at + 1);
  }
  const last = rounds.at(-1);
  if (last) instants.add(last.closedAt.getTime() + 200 * DAY);
  return [...instants].sort((a, b) => a - b);
}

function digestInstants(teams: readonly TeamData[]): number[] {
  const instants = new Set<number>([T0 - 1]);
  for (const team of teams) {
    for (const round of team.rounds) {
      const at = round.closedAt.getTime();
      // The close itself, and the moments the week-ago and quarter-ago references pass it.
      for (const offset of [0, WEEK, QUARTER]) {
        instants.add(at + offset - 1);
        instants.add(at + offset);
      }
    }
  }
  return [...instants].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------------
// An independent model of the rule
// ---------------------------------------------------------------------------------------------------

function answersOf(round: ClosedRoundTally): number {
  return round.tally.levelCounts.reduce((total, count) => total + count, 0);
}

function qualifies(round: ClosedRoundTally, policy: ScoringPolicy): boolean {
  return answersOf(round) >= policy.minRespondents;
}

/** The latest `windowRounds` qualifying rounds of an aspect closed by `at`. */
function modelWindow(rounds: readonly ClosedRoundTally[], aspectId: string, at: number, policy: ScoringPolicy): ClosedRoundTally[] {
  return rounds.filter((round) => round.aspectId === aspectId && round.closedAt.getTime() <= at && qualifies(round, policy)).slice(-policy.windowRounds);
}

/** The pooled mean of a window in tenths, rounded half up, in exact integer arithmetic. */
function modelTenths(window: readonly ClosedRoundTally[]): number {
  let answers = 0;
  let sum = 0;
  for (const round of window) {
    round.tally.levelCounts.forEach((count, index) => {
      answers += count;
      sum += count * (index + 1);
    });
  }
  return Math.floor((20 * sum + answers) / (2 * answers));
}

function windowKey(rounds: readonly ClosedRoundTally[], survey: Survey, at: number, policy: ScoringPolicy): string {
  return survey.aspects
    .map((aspect) => {
      const now = modelWindow(rounds, aspect.id, at, policy);
      const latest = now.at(-1);
      const before = latest ? modelWindow(rounds, aspect.id, latest.closedAt.getTime() - 1, policy) : [];
      return `${aspect.id}:${now.map((round) => round.roundId).join(',')}|${before.map((round) => round.roundId).join(',')}`;
    })
    .join(';');
}

/** What the model says an aspect shows: null without a level, else every level-derived number. */
function modelAspect(team: TeamData, survey: Survey, aspectId: string, at: number, policy: ScoringPolicy): unknown {
  const levelCount = survey.levels.length;
  const window = modelWindow(team.rounds, aspectId, at, policy);
  const latest = window.at(-1);
  if (!latest) return null;
  const tenths = modelTenths(window);
  const reached = Math.min(Math.max(Math.floor(tenths / 10), 1), levelCount);
  // Anything beyond count and mean (per-level counts, "I don't know" next to answers with a level, agreement)
  // only when every round of the window is large enough.
  let breakdown: unknown = null;
  if (window.every((round) => answersOf(round) >= policy.minCommentRespondents)) {
    const distribution = new Array<number>(levelCount).fill(0);
    for (const round of window) round.tally.levelCounts.forEach((count, index) => (distribution[index] = (distribution[index] ?? 0) + count));
    breakdown = { answers: window.reduce((total, round) => total + answersOf(round), 0), unknown: window.reduce((total, round) => total + round.tally.unknown, 0), distribution };
  }
  // The trend compares with the level as it stood just before the latest qualifying close.
  const reference = modelWindow(team.rounds, aspectId, latest.closedAt.getTime() - 1, policy);
  const referenceLatest = reference.at(-1);
  const thresholdTenths = Math.round(policy.trendThreshold * 10);
  const deltaTenths = referenceLatest ? tenths - modelTenths(reference) : 0;
  return {
    tenths,
    rounds: window.length,
    respondents: window.reduce((total, round) => total + round.tally.respondents, 0),
    asOf: latest.closedAt.getTime(),
    latestRespondents: latest.tally.respondents,
    breakdown,
    reached,
    name: survey.levels[reached - 1]?.name,
    change: referenceLatest
      ? { deltaTenths, since: referenceLatest.closedAt.getTime(), direction: Math.abs(deltaTenths) >= thresholdTenths && deltaTenths !== 0 ? (deltaTenths > 0 ? 'improved' : 'slipped') : 'steady' }
      : 'none',
    hasSuggestions: true,
  };
}

/** The same projection of what a report actually shows. */
function observedAspect(aspect: TeamReport['aspects'][number]): unknown {
  const { status } = aspect;
  if (status.kind !== 'level') return aspect.suggestions.length === 0 ? null : { suggestionsWithoutLevel: aspect.suggestions };
  const { figure, change } = status;
  return {
    // A value that is not a whole number of tenths shows up as a mismatch.
    tenths: Math.abs(figure.value * 10 - Math.round(figure.value * 10)) < 1e-9 ? Math.round(figure.value * 10) : figure.value,
    rounds: figure.rounds,
    respondents: figure.respondents,
    asOf: figure.asOf.getTime(),
    latestRespondents: figure.latestRespondents,
    breakdown: figure.breakdown === null ? null : { answers: figure.breakdown.answers, unknown: figure.breakdown.unknown, distribution: [...figure.breakdown.distribution] },
    reached: status.description.reached,
    name: status.description.name,
    change: change.kind === 'none' ? 'none' : { deltaTenths: Math.round(change.delta * 10), since: change.since.getTime(), direction: change.direction },
    hasSuggestions: aspect.suggestions.length > 0,
  };
}

/** Checks every level-derived part of a report against the model: whole qualifying rounds only. */
function checkReportAgainstModel(report: TeamReport, team: TeamData, survey: Survey, at: number, policy: ScoringPolicy): void {
  const observed = report.aspects.map((aspect) => [aspect.aspectId, observedAspect(aspect)]);
  const expected = report.aspects.map((aspect) => [aspect.aspectId, modelAspect(team, survey, aspect.aspectId, at, policy)]);
  assertSame(observed, expected, `team ${team.id} at ${new Date(at).toISOString()}`);
  // Comments: exactly those of the window's rounds with enough respondents, nothing else.
  if (report.comments !== null) {
    const shown = report.comments.flatMap((group) => group.texts.map((text) => `${group.aspectId}|${text}`)).sort();
    const expectedComments = report.aspects
      .flatMap((aspect) => {
        const ids = new Set(
          modelWindow(team.rounds, aspect.aspectId, at, policy)
            .filter((round) => round.tally.respondents >= policy.minCommentRespondents)
            .map((round) => round.roundId),
        );
        return team.comments.filter((comment) => ids.has(comment.roundId)).map((comment) => `${aspect.aspectId}|${comment.text}`);
      })
      .sort();
    assertSame(shown, expectedComments, `comments of team ${team.id} at ${new Date(at).toISOString()}`);
  }
}

function surveyed(teams: readonly TeamData[]): (TeamData & { survey: Survey })[] {
  return teams.filter((team): team is TeamData & { survey: Survey } => team.survey !== null);
}

const RUNS = 150;

// ---------------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------------

describe('privacy policy', () => {
  it('accepts every policy the generators use, and rejects minimums below the floor', () => {
    fc.assert(
      fc.property(policyArb, (policy) => {
        expect(privacyPolicyProblems(policy)).toEqual([]);
      }),
      { numRuns: 50 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 2 }), fc.integer({ min: 0, max: 10 }), (minRespondents, minCommentRespondents) => {
        expect(privacyPolicyProblems({ minRespondents, minCommentRespondents }).length).toBeGreaterThan(0);
      }),
      { numRuns: 50 },
    );
  });
});

describe('indistinguishability: what must stay secret cannot change anything anyone sees', () => {
  it('reports, digests, outcomes and series are identical when only secrets differ', () => {
    fc.assert(
      fc.property(orgArb, (gen) => {
        const { policy } = gen;
        const real = buildOrg(gen, false);
        const twin = buildOrg(gen, true);
        for (const [index, team] of surveyed(real).entries()) {
          const other = surveyed(twin)[index]!;
          const survey = team.survey;
          for (const at of reportInstants(team.rounds)) {
            for (const historical of [false, true]) {
              assertSame(normalised(reportAt(other, survey, at, policy, { historical })), normalised(reportAt(team, survey, at, policy, { historical })), `team ${team.id} at ${at}`);
            }
          }
          const aspectId = survey.aspects[team.id % survey.aspects.length]!.id;
          const last = (team.rounds.at(-1)?.closedAt.getTime() ?? T0) + 1;
          assertSame(normalised(reportAt(other, survey, last, policy, { aspectId })), normalised(reportAt(team, survey, last, policy, { aspectId })), 'single aspect');
          for (const aspect of survey.aspects) {
            const mine = team.rounds.filter((round) => round.aspectId === aspect.id);
            const theirs = other.rounds.filter((round) => round.aspectId === aspect.id);
            assertSame(levelSeries(theirs, policy), levelSeries(mine, policy), `series of ${aspect.id}`);
            for (const round of mine) {
              assertSame(roundOutcome(survey, theirs, round.roundId, policy), roundOutcome(survey, mine, round.roundId, policy), `outcome of round ${round.roundId}`);
            }
          }
        }
        for (const at of digestInstants(real)) {
          assertSame(digestAt(twin, at, policy), digestAt(real, at, policy), `digest at ${at}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('the twin really differs: the generator does change secrets', () => {
    // Guards against a vacuous indistinguishability test.
    let changed = 0;
    fc.assert(
      fc.property(orgArb, (gen) => {
        if (!isDeepStrictEqual(buildOrg(gen, true), buildOrg(gen, false))) changed += 1;
      }),
      { numRuns: 100 },
    );
    expect(changed).toBeGreaterThan(50);
  });
});

describe('differencing across closes', () => {
  it('every figure in a report is the model figure of whole qualifying rounds, at every instant around every close', () => {
    fc.assert(
      fc.property(orgArb, (gen) => {
        const { policy } = gen;
        for (const team of surveyed(buildOrg(gen, false))) {
          for (const at of reportInstants(team.rounds)) {
            checkReportAgainstModel(reportAt(team, team.survey, at, policy), team, team.survey, at, policy);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('between two consecutive instants, no visible figure changes unless a whole qualifying round entered or left a window', () => {
    fc.assert(
      fc.property(orgArb, (gen) => {
        const { policy } = gen;
        for (const team of surveyed(buildOrg(gen, false))) {
          const instants = reportInstants(team.rounds);
          let previous: { at: number; view: unknown; key: string } | null = null;
          for (const at of instants) {
            const view = levelView(reportAt(team, team.survey, at, policy));
            const key = windowKey(team.rounds, team.survey, at, policy);
            if (previous && previous.key === key) {
              assertSame(view, previous.view, `team ${team.id}: figures changed between ${previous.at} and ${at} with the same qualifying rounds`);
            }
            previous = { at, view, key };
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a report "as of" a past time shows the same figures as one built from the rounds closed by then', () => {
    fc.assert(
      fc.property(orgArb, (gen) => {
        const { policy } = gen;
        for (const team of surveyed(buildOrg(gen, false))) {
          for (const at of reportInstants(team.rounds)) {
            assertSame(levelView(reportAt(team, team.survey, at, policy, { historical: true })), levelView(reportAt(team, team.survey, at, policy)), `team ${team.id} at ${at}`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a digest leaves out every round that had not closed by its time', () => {
    fc.assert(
      fc.property(orgArb, (gen) => {
        const { policy } = gen;
        const teams = buildOrg(gen, false);
        for (const at of digestInstants(teams)) {
          const truncated = teams.map((team) => ({ ...team, rounds: closedBy(team.rounds, at) }));
          assertSame(digestAt(teams, at, policy), digestAt(truncated, at, policy), `digest at ${at}`);
        }
      }),
      { numRuns: 100 },
    );
  });
});

/** One team, one aspect, and one round of it below the minimum that an attacker probes. */
const probeArb = fc.record({
  policy: policyWithDefaultsArb,
  team: genTeamArb(7, 60),
  target: genRoundArb(60),
  /** How far below the minimum the probed round is: 1 means one answer short. */
  short: fc.integer({ min: 1, max: 5 }),
  extraLevel: fc.integer({ min: 1, max: 5 }),
  changedIndex: fc.nat(),
  memberCount: fc.option(fc.integer({ min: 1, max: 12 })),
});

type Probe = typeof probeArb extends fc.Arbitrary<infer T> ? T : never;

/** The probed org: the team's rounds plus the target round, with `answers` as the target's answers. */
function probeOrg(probe: Probe, answers: readonly number[], unknown: number): { team: TeamData & { survey: Survey }; targetId: number } {
  const survey = SURVEYS[0]!;
  const gen: GenOrg = { policy: probe.policy, teams: [{ ...probe.team, survey: 0, memberCount: probe.memberCount, rounds: [...probe.team.rounds, { ...probe.target, levels: answers, unknown }] }] };
  const team = buildOrg(gen, false)[0]!;
  return { team: { ...team, survey }, targetId: team.id * 100 + probe.team.rounds.length };
}

function targetAnswers(probe: Probe): number[] {
  const size = Math.max(0, probe.policy.minRespondents - probe.short);
  return Array.from({ length: size }, (_, index) => fit(probe.target.altLevels[index] ?? 1, 4));
}

/** Report and digest differences are allowed only in the answer counts of rounds below the minimum. */
const COUNT_PATHS = /(\.status\.respondents$)|(\.latestShort\.respondents$)|(\.participation\.(respondents|responseRate)$)/;

describe('the explicit attack: one more answer, or one changed answer, in a round', () => {
  it('below the minimum before and after: nothing but answer counts changes, anywhere, at any time', () => {
    fc.assert(
      fc.property(
        probeArb.filter((probe) => probe.short >= 2),
        (probe) => {
          const { policy } = probe;
          const answers = targetAnswers(probe);
          const before = probeOrg(probe, answers, probe.target.unknown);
          const after = probeOrg(probe, [...answers, fit(probe.extraLevel, 4)], probe.target.unknown);
          const survey = before.team.survey;
          for (const at of reportInstants(after.team.rounds)) {
            const a = reportAt(before.team, survey, at, policy);
            const b = reportAt(after.team, survey, at, policy);
            assertSame(levelView(b), levelView(a), `levels at ${at}`);
            expect(diffPaths(a, b).filter((path) => !COUNT_PATHS.test(path))).toEqual([]);
          }
          for (const at of digestInstants([after.team])) {
            const a = digestAt([before.team], at, policy);
            const b = digestAt([after.team], at, policy);
            expect(diffPaths(a, b).filter((path) => !COUNT_PATHS.test(path))).toEqual([]);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('below the minimum: changing one answer (or turning it into "I don\'t know") changes nothing at all', () => {
    fc.assert(
      fc.property(
        probeArb.filter((probe) => probe.policy.minRespondents - probe.short >= 1),
        fc.boolean(),
        (probe, toUnknown) => {
          const { policy } = probe;
          const answers = targetAnswers(probe);
          const index = probe.changedIndex % answers.length;
          const changed = toUnknown ? answers.filter((_, i) => i !== index) : answers.map((level, i) => (i === index ? fit(probe.extraLevel, 4) : level));
          const before = probeOrg(probe, answers, probe.target.unknown);
          const after = probeOrg(probe, changed, probe.target.unknown + (toUnknown ? 1 : 0));
          const survey = before.team.survey;
          for (const at of reportInstants(after.team.rounds)) {
            const a = reportAt(before.team, survey, at, policy);
            const b = reportAt(after.team, survey, at, policy);
            // Everyone who answered is the only count shown, and it stays the same.
            expect(diffPaths(a, b)).toEqual([]);
          }
          for (const at of digestInstants([after.team])) {
            assertSame(digestAt([after.team], at, policy), digestAt([before.team], at, policy), `digest at ${at}`);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('the answer that makes a round qualify reveals only the whole round: the window grows by all of it, never by one answer', () => {
    let grew = 0;
    fc.assert(
      fc.property(
        probeArb.map((probe) => ({ ...probe, short: 1 })),
        (probe) => {
          const { policy } = probe;
          const answers = targetAnswers(probe);
          const before = probeOrg(probe, answers, probe.target.unknown);
          const after = probeOrg(probe, [...answers, fit(probe.extraLevel, 4)], probe.target.unknown);
          const survey = before.team.survey;
          const target = after.team.rounds.find((round) => round.roundId === after.targetId)!;
          const aspectId = target.aspectId;
          for (const at of reportInstants(after.team.rounds)) {
            const reportBefore = reportAt(before.team, survey, at, policy);
            const reportAfter = reportAt(after.team, survey, at, policy);
            // Other aspects are untouched.
            assertSame(
              reportAfter.aspects.filter((aspect) => aspect.aspectId !== aspectId),
              reportBefore.aspects.filter((aspect) => aspect.aspectId !== aspectId),
              `other aspects at ${at}`,
            );
            const a = reportBefore.aspects.find((aspect) => aspect.aspectId === aspectId)!.status;
            const b = reportAfter.aspects.find((aspect) => aspect.aspectId === aspectId)!.status;
            const figureBefore = a.kind === 'level' ? a.figure : null;
            const figureAfter = b.kind === 'level' ? b.figure : null;
            const windowBefore = modelWindow(before.team.rounds, aspectId, at, policy).map((round) => round.roundId);
            const windowAfter = modelWindow(after.team.rounds, aspectId, at, policy).map((round) => round.roundId);
            if (!windowAfter.includes(after.targetId)) {
              // Not (or no longer) in the window: the figure is exactly as without the extra answer.
              assertSame(figureAfter, figureBefore, `figure at ${at}`);
              continue;
            }
            const answersBefore = figureBefore ? modelWindow(before.team.rounds, aspectId, at, policy).reduce((total, round) => total + answersOf(round), 0) : 0;
            const answersAfter = figureAfter ? modelWindow(after.team.rounds, aspectId, at, policy).reduce((total, round) => total + answersOf(round), 0) : 0;
            if (windowBefore.every((id) => windowAfter.includes(id))) {
              // Nothing displaced: the difference is the whole round, at least the minimum.
              grew += 1;
              expect(answersAfter - answersBefore).toBe(answersOf(target));
              expect(answersAfter - answersBefore).toBeGreaterThanOrEqual(policy.minRespondents);
            } else {
              // The round displaced older whole rounds; the difference is whole rounds in and out.
              const displaced = before.team.rounds.filter((round) => windowBefore.includes(round.roundId) && !windowAfter.includes(round.roundId));
              expect(displaced.length).toBe(1);
              expect(displaced.every((round) => qualifies(round, policy))).toBe(true);
              expect(answersAfter - answersBefore).toBe(answersOf(target) - answersOf(displaced[0]!));
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(grew).toBeGreaterThan(0);
  });
});

describe('org figures and the digest', () => {
  it('teams without a qualifying round appear in no figure, and are only counted', () => {
    const orgWithHiddenArb = fc.record({
      gen: orgArb,
      /** Which teams only ever have rounds below the minimum. */
      hiddenMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      at: fc.integer({ min: 0, max: 250 }),
    });
    fc.assert(
      fc.property(orgWithHiddenArb, ({ gen, hiddenMask, at: atDay }) => {
        const { policy } = gen;
        const shrunk: GenOrg = {
          policy,
          teams: gen.teams.map((team, index) =>
            hiddenMask[index] ? { ...team, rounds: team.rounds.map((round) => ({ ...round, levels: round.levels.slice(0, policy.minRespondents - 1) })) } : team,
          ),
        };
        const teams = buildOrg(shrunk, false);
        const at = T0 + atDay * DAY;
        const hidden = (team: TeamData): boolean => !team.rounds.some((round) => round.closedAt.getTime() <= at && qualifies(round, policy));
        const digest = digestAt(teams, at, policy);
        const withoutHidden = digestAt(
          teams.filter((team) => !hidden(team)),
          at,
          policy,
        );
        for (const section of digest.sections) {
          const members = teams.filter((team) => team.surveyId === section.surveyId);
          const hiddenTeams = members.filter(hidden);
          expect(section.teamCount).toBe(members.length);
          expect(section.hiddenTeamCount).toBe(hiddenTeams.length);
          const hiddenNames = new Set(hiddenTeams.map((team) => team.name));
          expect(section.teams.filter((row) => hiddenNames.has(row.teamName))).toEqual([]);
          for (const list of [section.improvedThisWeek, section.slippedThisWeek, section.improvedThisQuarter, section.slippedThisQuarter]) {
            expect(list.filter((mover) => hiddenNames.has(mover.teamName))).toEqual([]);
          }
          // Each visible cell is the team's own model figure; the org counts only visible teams.
          for (const row of section.teams) {
            const team = members.find((member) => member.id === row.teamId)!;
            for (const cell of row.cells) {
              const window = modelWindow(team.rounds, cell.aspectId, at, policy);
              expect(cell.value === null ? null : Math.round(cell.value * 10)).toBe(window.length === 0 ? null : modelTenths(window));
            }
          }
          for (const aspect of section.aspects) {
            const values = section.teams.flatMap((row) => row.cells.filter((cell) => cell.aspectId === aspect.aspectId && cell.value !== null).map((cell) => cell.value!));
            expect(aspect.teams).toBe(values.length);
            if (values.length === 0) expect(aspect.value).toBeNull();
            // Within rounding of the mean of visible teams (see the known bug below for exact rounding).
            else expect(Math.abs(aspect.value! - values.reduce((total, value) => total + value, 0) / values.length)).toBeLessThanOrEqual(0.05 + 1e-9);
          }
        }
        // A section whose teams are all hidden shows no figure at all.
        for (const section of digest.sections.filter((candidate) => candidate.teams.length === 0)) {
          expect(section.aspects.map((aspect) => [aspect.value, aspect.label, aspect.teams, aspect.week, aspect.quarter])).toEqual(section.aspects.map(() => [null, null, 0, { kind: 'none' }, { kind: 'none' }]));
          expect([section.improvedThisWeek, section.slippedThisWeek, section.improvedThisQuarter, section.slippedThisQuarter, section.belowTarget]).toEqual([[], [], [], [], []]);
        }
        // Removing the hidden teams changes nothing but the team counts and participation.
        const strip = (d: Digest): unknown =>
          d.sections.filter((section) => section.teams.length > 0).map(({ participation: _p, teamCount: _t, hiddenTeamCount: _h, ...rest }) => rest);
        assertSame(strip(withoutHidden), strip(digest), 'digest without the hidden teams');
        expect(digest.sections.map((section) => section.surveyId)).not.toContain(RETIRED_SURVEY_ID);
      }),
      { numRuns: RUNS },
    );
  });

  it('a team in the digest shows the same level as its own report', () => {
    fc.assert(
      fc.property(orgArb, fc.integer({ min: 0, max: 250 }), (gen, atDay) => {
        const { policy } = gen;
        const teams = buildOrg(gen, false);
        const at = T0 + atDay * DAY;
        const digest = digestAt(teams, at, policy);
        for (const team of surveyed(teams)) {
          const report = reportAt(team, team.survey, at, policy);
          const row = digest.sections.find((section) => section.surveyId === team.surveyId)?.teams.find((candidate) => candidate.teamId === team.id);
          const values = report.aspects.map((aspect) => (aspect.status.kind === 'level' ? aspect.status.figure.value : null));
          if (values.every((value) => value === null)) expect(row).toBeUndefined();
          else expect(row?.cells.map((cell) => cell.value)).toEqual(values);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('participation counts only rounds closed in the last week', () => {
    fc.assert(
      fc.property(orgArb, fc.integer({ min: 0, max: 140 }), (gen, atDay) => {
        const { policy } = gen;
        const teams = buildOrg(gen, false);
        const at = T0 + atDay * DAY;
        for (const section of digestAt(teams, at, policy).sections) {
          const recent = teams
            .filter((team) => team.surveyId === section.surveyId)
            .flatMap((team) => team.rounds)
            .filter((round) => round.closedAt.getTime() > at - WEEK && round.closedAt.getTime() <= at);
          expect(section.participation.roundsClosed).toBe(recent.length);
          expect(section.participation.respondents).toBe(recent.reduce((total, round) => total + round.tally.respondents, 0));
          expect(section.participation.roundsBelowMinimum).toBe(recent.filter((round) => !qualifies(round, policy)).length);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('distributions and comments', () => {
  it('per-level counts and comments come only from rounds large enough to show them', () => {
    fc.assert(
      fc.property(orgArb, (gen) => {
        const { policy } = gen;
        for (const team of surveyed(buildOrg(gen, false))) {
          const small = new Set(team.rounds.filter((round) => round.tally.respondents < policy.minCommentRespondents).map((round) => round.roundId));
          const smallTexts = new Set(team.comments.filter((comment) => small.has(comment.roundId)).map((comment) => comment.text));
          for (const at of reportInstants(team.rounds)) {
            for (const historical of [false, true]) {
              const report = reportAt(team, team.survey, at, policy, { historical });
              for (const aspect of report.aspects) {
                if (aspect.status.kind !== 'level' || aspect.status.figure.breakdown === null) continue;
                const window = modelWindow(team.rounds, aspect.aspectId, at, policy);
                expect(window.every((round) => answersOf(round) >= policy.minCommentRespondents)).toBe(true);
                const { breakdown } = aspect.status.figure;
                expect(breakdown.distribution.reduce((total, count) => total + count, 0)).toBe(breakdown.answers);
              }
              for (const group of report.comments ?? []) {
                expect(group.texts.filter((text) => smallTexts.has(text))).toEqual([]);
              }
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('comments are hidden from viewers who may not read them', () => {
    const survey = SURVEYS[0]!;
    const rounds = [closedRound('investment', '2026-01-05', [1, 2, 3, 4, 4], { roundId: 1 })];
    const report = buildTeamReport({
      team: { id: 1, name: 'Team' },
      survey,
      rounds,
      openRound: null,
      comments: null,
      policy: TEST_POLICY,
      now: new Date('2026-02-01'),
      shuffle: identityShuffle,
    });
    expect(report.comments).toBeNull();
  });
});

describe('known bugs (regressions kept as expected failures; see the report)', () => {
  // The org value is the float mean of rounded team values, rounded with Math.round. Summing tenths in
  // floating point lands just below a half for some inputs, so 2.85 is shown as 2.8 and the result
  // depends on the order of the teams: 2.9, 1.3, 1.7, 3.9 (mean 2.45) gives 2.5, reversed 2.4.
  const survey = SURVEYS[0]!;
  const team = (id: number, levels: number[]): DigestTeamInput => ({
    id,
    name: `Team ${id}`,
    surveyId: survey.id,
    rounds: [closedRound('investment', '2026-01-05', levels, { roundId: id })],
  });
  const tenOf = (high: number, low: number, highCount: number): number[] => [...new Array<number>(highCount).fill(high), ...new Array<number>(10 - highCount).fill(low)];
  const teams = [team(1, tenOf(3, 2, 9)), team(2, tenOf(2, 1, 3)), team(3, tenOf(2, 1, 7)), team(4, tenOf(4, 3, 9))];
  const orgValue = (list: readonly DigestTeamInput[]): number | null =>
    buildDigest({ surveys: SURVEY_MAP, teams: list, policy: TEST_POLICY, now: new Date('2026-02-01') }).sections[0]!.aspects.find((aspect) => aspect.aspectId === 'investment')!.value;

  it('the counterexample teams have levels 2.9, 1.3, 1.7 and 3.9', () => {
    expect(teams.map((entry) => orgValue([entry]))).toEqual([2.9, 1.3, 1.7, 3.9]);
  });

  it('org figures do not depend on the order teams are listed in', () => {
    expect(orgValue([...teams].reverse())).toBe(orgValue(teams));
  });

  it('a report "as of" a past time says nothing about rounds that closed after it', () => {
    // At 8 January the latest closed round (5 January) qualified; the short round closed on 12 January.
    const rounds = [closedRound('investment', '2026-01-05', [2, 3, 3], { roundId: 1 }), closedRound('investment', '2026-01-12', [4], { roundId: 2 })];
    const input = { team: { id: 1, name: 'Team' }, survey, openRound: null, comments: null, policy: TEST_POLICY, now: new Date('2026-01-08'), shuffle: identityShuffle };
    const historical = buildTeamReport({ ...input, rounds });
    const asItStood = buildTeamReport({ ...input, rounds: closedBy(rounds, Date.parse('2026-01-08')) });
    expect(historical).toEqual(asItStood);
  });
});
