import { roundQualifies } from './privacy.js';
import { describeLevel, levelAt, type ClosedRoundTally, type ScoringPolicy } from './scoring.js';
import { aspectLevel, type Survey } from './survey.js';
import { aspectTarget, furthestBelowTarget, targetStanding, type AspectTarget, type TargetSetting } from './targets.js';
import { append } from './multimap.js';
import { compareLevels, compareValues, NO_CHANGE, type Change } from './trends.js';
import type { NextStep } from './next-steps.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const DIGEST_WEEK_DAYS = 7;
export const DIGEST_QUARTER_DAYS = 91;

export interface DigestTeamInput {
  readonly id: number;
  readonly name: string;
  readonly surveyId: string;
  /** Closed rounds under the team's survey, oldest first. */
  readonly rounds: readonly ClosedRoundTally[];
  /** Channel members, when the platform told us; enables a response rate. */
  readonly memberCount?: number | null;
  /** The team's next steps adopted or closed in the last quarter (others are ignored). */
  readonly steps?: readonly NextStep[];
}

export interface DigestInput {
  readonly surveys: ReadonlyMap<string, Survey>;
  readonly teams: readonly DigestTeamInput[];
  readonly policy: ScoringPolicy;
  readonly now: Date;
  /** How many of the org aspects furthest below target get suggestions (2–3 reads well). */
  readonly belowTargetCount?: number;
  /** The organisation's target levels (team targets are the teams' own business and are ignored here). */
  readonly targets?: readonly TargetSetting[];
}

export interface TeamAspectCell {
  readonly aspectId: string;
  /** Null when the team has no qualifying figure for the aspect. */
  readonly value: number | null;
  readonly week: Change;
  readonly quarter: Change;
}

export interface DigestTeamRow {
  readonly teamId: number;
  readonly teamName: string;
  readonly cells: readonly TeamAspectCell[];
}

export interface OrgAspect {
  readonly aspectId: string;
  readonly aspectName: string;
  /** Mean of the visible teams' levels, one decimal; null when no team has one. */
  readonly value: number | null;
  readonly label: string | null;
  readonly teams: number;
  /** Mean change of the teams that had a level both now and then. */
  readonly week: Change;
  readonly quarter: Change;
}

export interface Mover {
  readonly teamName: string;
  readonly aspectId: string;
  readonly aspectName: string;
  readonly delta: number;
}

/** An org aspect below its target: how far, and what a team at its level does next. */
export interface BelowTargetAspect {
  readonly aspectId: string;
  readonly aspectName: string;
  readonly value: number;
  readonly label: string;
  readonly target: AspectTarget;
  /** Levels still to go, to one decimal. */
  readonly toGo: number;
  readonly toward: string | null;
  readonly suggestions: readonly string[];
}

/**
 * A done step whose aspect improved since the step was adopted, beyond the trend threshold: both figures
 * follow the usual rules (qualifying rounds only), so a team without them is not named here.
 */
export interface PaidOffStep {
  readonly teamName: string;
  readonly aspectName: string;
  readonly text: string;
  readonly doneAt: Date;
  readonly before: number;
  readonly now: number;
}

export interface DigestSteps {
  readonly adoptedThisWeek: number;
  readonly doneThisWeek: number;
  readonly droppedThisWeek: number;
  /** Steps done in the last quarter whose aspect improved since adoption, biggest gain first. */
  readonly paidOff: readonly PaidOffStep[];
}

/** How many paid-off steps a digest names. */
const PAID_OFF_SHOWN = 5;

/** The org level of one aspect at one point of the trend. */
export interface TrendPoint {
  readonly aspectId: string;
  readonly at: Date;
  readonly value: number;
}

/** Weekly points of the org trend the digest charts (the last 12 weeks, now included). */
export const TREND_WEEKS = 12;

export interface DigestSection {
  readonly surveyId: string;
  readonly surveyTitle: string;
  readonly levelNames: readonly string[];
  readonly teamCount: number;
  /** Teams without any figure to show, counted but never named with figures. */
  readonly hiddenTeamCount: number;
  readonly aspects: readonly OrgAspect[];
  /** Visible teams only, in name order. */
  readonly teams: readonly DigestTeamRow[];
  readonly improvedThisWeek: readonly Mover[];
  readonly slippedThisWeek: readonly Mover[];
  readonly improvedThisQuarter: readonly Mover[];
  readonly slippedThisQuarter: readonly Mover[];
  /** Org aspects below the organisation's target, furthest below first. */
  readonly belowTarget: readonly BelowTargetAspect[];
  /** What teams did about it: next steps adopted, done and dropped this week, and done steps that paid off. */
  readonly steps: DigestSteps;
  /** Org level per aspect at weekly points, oldest first; points without any visible team are left out. */
  readonly trend: readonly TrendPoint[];
  readonly participation: {
    /** Rounds closed in the last 7 days, and their answers. */
    readonly roundsClosed: number;
    readonly respondents: number;
    readonly roundsBelowMinimum: number;
    /** Respondents over members, for teams whose member count is known; null otherwise. */
    readonly responseRate: number | null;
  };
}

export interface Digest {
  readonly generatedAt: Date;
  readonly weekAgo: Date;
  readonly quarterAgo: Date;
  readonly sections: readonly DigestSection[];
}

/** A digest section as the digest's message shows it: all but the full team table and the trend, which its files carry. */
export type DigestSectionSummary = Omit<DigestSection, 'teams' | 'trend'>;

/** What the digest's message shows; a whole `Digest` is one too. */
export interface DigestSummary {
  readonly generatedAt: Date;
  readonly weekAgo: Date;
  readonly quarterAgo: Date;
  readonly sections: readonly DigestSectionSummary[];
}

export function summariseDigest(digest: Digest): DigestSummary {
  return {
    generatedAt: digest.generatedAt,
    weekAgo: digest.weekAgo,
    quarterAgo: digest.quarterAgo,
    sections: digest.sections.map(({ teams: _teams, trend: _trend, ...summary }) => summary),
  };
}

/**
 * The mean of one-decimal levels, rounded half up to one decimal. Summed in whole tenths so the result
 * does not depend on the order of the teams or on floating-point error.
 */
export function meanOfTenths(values: readonly number[]): number {
  const tenths = values.reduce((sum, value) => sum + Math.round(value * 10), 0);
  return Math.round(tenths / values.length) / 10;
}

function meanChange(pairs: readonly { now: number; then: number }[], since: Date, threshold: number): Change {
  if (pairs.length === 0) return NO_CHANGE;
  return compareValues(
    meanOfTenths(pairs.map((pair) => pair.now)),
    meanOfTenths(pairs.map((pair) => pair.then)),
    since,
    threshold,
  );
}

function movers(rows: readonly DigestTeamRow[], survey: Survey, pick: (cell: TeamAspectCell) => Change, direction: 'improved' | 'slipped'): Mover[] {
  const names = new Map(survey.aspects.map((aspect) => [aspect.id, aspect.name]));
  return rows
    .flatMap((row) =>
      row.cells.flatMap((cell) => {
        const change = pick(cell);
        return change.kind === 'change' && change.direction === direction
          ? [{ teamName: row.teamName, aspectId: cell.aspectId, aspectName: names.get(cell.aspectId) ?? cell.aspectId, delta: change.delta }]
          : [];
      }),
    )
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.teamName.localeCompare(b.teamName));
}

function section(survey: Survey, teams: readonly DigestTeamInput[], input: DigestInput): DigestSection {
  const { policy, now } = input;
  const weekAgo = new Date(now.getTime() - DIGEST_WEEK_DAYS * DAY_MS);
  const quarterAgo = new Date(now.getTime() - DIGEST_QUARTER_DAYS * DAY_MS);
  const rows: DigestTeamRow[] = [];
  let hiddenTeamCount = 0;
  const nowByAspect = new Map<string, number[]>();
  const weekPairs = new Map<string, { now: number; then: number }[]>();
  const quarterPairs = new Map<string, { now: number; then: number }[]>();
  let roundsClosed = 0;
  let respondents = 0;
  let roundsBelowMinimum = 0;
  let rateRespondents = 0;
  let rateMembers = 0;

  const teamRounds = new Map<number, Map<string, ClosedRoundTally[]>>();
  for (const team of teams) {
    const byAspect = new Map<string, ClosedRoundTally[]>();
    teamRounds.set(team.id, byAspect);
    for (const round of team.rounds) {
      append(byAspect, round.aspectId, round);
      if (round.closedAt.getTime() > weekAgo.getTime() && round.closedAt.getTime() <= now.getTime()) {
        roundsClosed += 1;
        respondents += round.tally.respondents;
        if (!roundQualifies(round.tally, policy)) roundsBelowMinimum += 1;
        if (team.memberCount) {
          rateRespondents += round.tally.respondents;
          rateMembers += team.memberCount;
        }
      }
    }
    const cells: TeamAspectCell[] = [];
    let visible = false;
    for (const aspect of survey.aspects) {
      const rounds = byAspect.get(aspect.id) ?? [];
      const current = levelAt(rounds, now, policy);
      if (!current) {
        cells.push({ aspectId: aspect.id, value: null, week: NO_CHANGE, quarter: NO_CHANGE });
        continue;
      }
      visible = true;
      append(nowByAspect, aspect.id, current.value);
      const week = levelAt(rounds, weekAgo, policy);
      const quarter = levelAt(rounds, quarterAgo, policy);
      if (week) append(weekPairs, aspect.id, { now: current.value, then: week.value });
      if (quarter) append(quarterPairs, aspect.id, { now: current.value, then: quarter.value });
      cells.push({
        aspectId: aspect.id,
        value: current.value,
        week: compareLevels(current, week, policy.trendThreshold),
        quarter: compareLevels(current, quarter, policy.trendThreshold),
      });
    }
    if (visible) rows.push({ teamId: team.id, teamName: team.name, cells });
    else hiddenTeamCount += 1;
  }

  const aspects: OrgAspect[] = survey.aspects.map((aspect) => {
    const values = nowByAspect.get(aspect.id) ?? [];
    const value = values.length > 0 ? meanOfTenths(values) : null;
    return {
      aspectId: aspect.id,
      aspectName: aspect.name,
      value,
      label: value === null ? null : describeLevel(survey, value).label,
      teams: values.length,
      week: meanChange(weekPairs.get(aspect.id) ?? [], weekAgo, policy.trendThreshold),
      quarter: meanChange(quarterPairs.get(aspect.id) ?? [], quarterAgo, policy.trendThreshold),
    };
  });

  const organisationTargets = (input.targets ?? []).filter((setting) => setting.teamId === null);
  const belowTarget: BelowTargetAspect[] = furthestBelowTarget(
    aspects.flatMap((aspect) => {
      const definition = survey.aspects.find((candidate) => candidate.id === aspect.aspectId);
      if (aspect.value === null || !definition) return [];
      const target = aspectTarget(survey, definition, null, organisationTargets, aspect.value);
      return [{ item: { aspect, definition, value: aspect.value, target }, standing: targetStanding(target, aspect.value), value: aspect.value }];
    }),
    input.belowTargetCount ?? 3,
  ).map(({ aspect, definition, value, target }) => {
    const description = describeLevel(survey, value);
    return {
      aspectId: aspect.aspectId,
      aspectName: aspect.aspectName,
      value,
      label: description.label,
      target,
      toGo: targetStanding(target, value).toGo,
      toward: description.nextName,
      suggestions: aspectLevel(definition, description.reached).suggestions.map((suggestion) => suggestion.text),
    };
  });

  const trend: TrendPoint[] = [];
  for (let week = TREND_WEEKS - 1; week >= 0; week -= 1) {
    const at = new Date(now.getTime() - week * DIGEST_WEEK_DAYS * DAY_MS);
    for (const aspect of survey.aspects) {
      const values = [...teamRounds.values()].flatMap((byAspect) => levelAt(byAspect.get(aspect.id) ?? [], at, policy)?.value ?? []);
      if (values.length > 0) trend.push({ aspectId: aspect.id, at, value: meanOfTenths(values) });
    }
  }

  rows.sort((a, b) => a.teamName.localeCompare(b.teamName));
  return {
    surveyId: survey.id,
    surveyTitle: survey.title,
    levelNames: survey.levels.map((level) => level.name),
    teamCount: teams.length,
    hiddenTeamCount,
    aspects,
    teams: rows,
    improvedThisWeek: movers(rows, survey, (cell) => cell.week, 'improved'),
    slippedThisWeek: movers(rows, survey, (cell) => cell.week, 'slipped'),
    improvedThisQuarter: movers(rows, survey, (cell) => cell.quarter, 'improved'),
    slippedThisQuarter: movers(rows, survey, (cell) => cell.quarter, 'slipped'),
    belowTarget,
    steps: digestSteps(survey, teams, teamRounds, input),
    trend,
    participation: {
      roundsClosed,
      respondents,
      roundsBelowMinimum,
      responseRate: rateMembers > 0 ? Math.min(1, rateRespondents / rateMembers) : null,
    },
  };
}

function digestSteps(survey: Survey, teams: readonly DigestTeamInput[], teamRounds: ReadonlyMap<number, ReadonlyMap<string, ClosedRoundTally[]>>, input: DigestInput): DigestSteps {
  const { now, policy } = input;
  const weekAgo = now.getTime() - DIGEST_WEEK_DAYS * DAY_MS;
  const quarterAgo = now.getTime() - DIGEST_QUARTER_DAYS * DAY_MS;
  const within = (at: Date | null, from: number) => at !== null && at.getTime() > from && at.getTime() <= now.getTime();
  let adoptedThisWeek = 0;
  let doneThisWeek = 0;
  let droppedThisWeek = 0;
  const paidOff: PaidOffStep[] = [];
  for (const team of teams) {
    for (const step of team.steps ?? []) {
      if (step.surveyId !== survey.id) continue;
      if (within(step.adoptedAt, weekAgo)) adoptedThisWeek += 1;
      if (step.status === 'done' && within(step.closedAt, weekAgo)) doneThisWeek += 1;
      if (step.status === 'dropped' && within(step.closedAt, weekAgo)) droppedThisWeek += 1;
      if (step.status !== 'done' || !within(step.closedAt, quarterAgo) || !step.closedAt) continue;
      const rounds = teamRounds.get(team.id)?.get(step.aspectId) ?? [];
      const current = levelAt(rounds, now, policy);
      const before = levelAt(rounds, step.adoptedAt, policy);
      const change = compareLevels(current, before, policy.trendThreshold);
      const aspect = survey.aspects.find((candidate) => candidate.id === step.aspectId);
      if (!current || !before || change.kind !== 'change' || change.direction !== 'improved' || !aspect) continue;
      paidOff.push({ teamName: team.name, aspectName: aspect.name, text: step.text, doneAt: step.closedAt, before: before.value, now: current.value });
    }
  }
  paidOff.sort((a, b) => b.now - b.before - (a.now - a.before) || a.teamName.localeCompare(b.teamName));
  return { adoptedThisWeek, doneThisWeek, droppedThisWeek, paidOff: paidOff.slice(0, PAID_OFF_SHOWN) };
}

/**
 * The organisation digest: one section per survey (4-level and 5-stage teams are never mixed), built
 * from qualifying closed rounds only; teams without any figure are counted, not shown.
 */
export function buildDigest(input: DigestInput): Digest {
  const bySurvey = new Map<string, DigestTeamInput[]>();
  for (const team of input.teams) {
    if (!input.surveys.has(team.surveyId)) continue;
    append(bySurvey, team.surveyId, team);
  }
  const sections = [...bySurvey.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([surveyId, teams]) => {
      const survey = input.surveys.get(surveyId);
      return survey ? [section(survey, teams, input)] : [];
    });
  return {
    generatedAt: input.now,
    weekAgo: new Date(input.now.getTime() - DIGEST_WEEK_DAYS * DAY_MS),
    quarterAgo: new Date(input.now.getTime() - DIGEST_QUARTER_DAYS * DAY_MS),
    sections,
  };
}
