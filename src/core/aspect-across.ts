import { DIGEST_QUARTER_DAYS, DIGEST_WEEK_DAYS, meanOfTenths, type Mover } from './digest.js';
import { describeLevel, levelAt, type ClosedRoundTally, type ScoringPolicy } from './scoring.js';
import { aspectLevel, findAspect, type Survey } from './survey.js';
import { compareLevels, type Change } from './trends.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A digest mover that also names the team by id, for a link to its page. */
export interface TeamMover extends Mover {
  readonly teamId: number;
}

/** One level of the aspect: how many teams have reached it, and what the survey suggests to climb from it. */
export interface AspectLevelGroup {
  readonly level: number;
  readonly name: string;
  /** Teams whose level for the aspect has reached this whole level (2.6 counts at 2). Teams, never people. */
  readonly teams: number;
  /** The aspect's own label for this level (from the survey). */
  readonly aspectLabel: string;
  /** What a team at this level does next (from the survey). */
  readonly suggestions: readonly string[];
  /** The level the suggestions lead to; null at the top. */
  readonly toward: string | null;
}

export interface TeamAspectValue {
  readonly teamId: number;
  readonly teamName: string;
  readonly value: number;
  readonly label: string;
}

export interface AspectAcross {
  readonly surveyId: string;
  readonly aspectId: string;
  readonly aspectName: string;
  readonly generatedAt: Date;
  readonly weekAgo: Date;
  readonly quarterAgo: Date;
  /** Mean of the teams' levels, computed as the digest does; null when no team has one. */
  readonly value: number | null;
  readonly label: string | null;
  readonly teamsWithLevel: number;
  /** Teams asked about the aspect whose rounds have not reached the minimum: a count, nothing more. */
  readonly hiddenTeams: number;
  readonly notAskedTeams: number;
  /** Every level of the survey, lowest first: the distribution of teams and the suggestions per level. */
  readonly levels: readonly AspectLevelGroup[];
  readonly improvedThisWeek: readonly TeamMover[];
  readonly slippedThisWeek: readonly TeamMover[];
  readonly improvedThisQuarter: readonly TeamMover[];
  readonly slippedThisQuarter: readonly TeamMover[];
  /** Teams with the lowest levels, lowest first. */
  readonly weakest: readonly TeamAspectValue[];
}

export interface AspectAcrossInput {
  readonly survey: Survey;
  readonly aspectId: string;
  /** The survey's teams with their closed rounds under it (any aspect), oldest first. */
  readonly teams: readonly { readonly id: number; readonly name: string; readonly rounds: readonly ClosedRoundTally[] }[];
  readonly policy: ScoringPolicy;
  readonly now: Date;
  /** How many movers of each kind and weakest teams to list; default 5. */
  readonly limit?: number;
}

interface TeamFigures {
  readonly teamId: number;
  readonly teamName: string;
  readonly value: number;
  readonly week: Change;
  readonly quarter: Change;
}

function moversOf(figures: readonly TeamFigures[], aspect: { id: string; name: string }, pick: (figure: TeamFigures) => Change, direction: 'improved' | 'slipped', limit: number): TeamMover[] {
  return figures
    .flatMap((figure) => {
      const change = pick(figure);
      return change.kind === 'change' && change.direction === direction ? [{ teamId: figure.teamId, teamName: figure.teamName, aspectId: aspect.id, aspectName: aspect.name, delta: change.delta }] : [];
    })
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.teamName.localeCompare(b.teamName))
    .slice(0, limit);
}

/**
 * One aspect across every team of a survey: how teams spread over its levels, who moved most this week and
 * this quarter (as the digest computes movers), the weakest teams and the survey's suggestions per level.
 * Only qualifying figures take part; a team without one is counted, never valued. Null for an unknown aspect.
 */
export function buildAspectAcross(input: AspectAcrossInput): AspectAcross | null {
  const { survey, policy, now } = input;
  const aspect = findAspect(survey, input.aspectId);
  if (!aspect) return null;
  const limit = input.limit ?? 5;
  const weekAgo = new Date(now.getTime() - DIGEST_WEEK_DAYS * DAY_MS);
  const quarterAgo = new Date(now.getTime() - DIGEST_QUARTER_DAYS * DAY_MS);
  const figures: TeamFigures[] = [];
  let hiddenTeams = 0;
  let notAskedTeams = 0;
  for (const team of input.teams) {
    const rounds = team.rounds.filter((round) => round.aspectId === aspect.id && round.closedAt.getTime() <= now.getTime());
    const current = levelAt(rounds, now, policy);
    if (!current) {
      if (rounds.length > 0) hiddenTeams += 1;
      else notAskedTeams += 1;
      continue;
    }
    figures.push({
      teamId: team.id,
      teamName: team.name,
      value: current.value,
      week: compareLevels(current, levelAt(rounds, weekAgo, policy), policy.trendThreshold),
      quarter: compareLevels(current, levelAt(rounds, quarterAgo, policy), policy.trendThreshold),
    });
  }
  const reachedCounts = new Map<number, number>();
  for (const figure of figures) {
    const reached = describeLevel(survey, figure.value).reached;
    reachedCounts.set(reached, (reachedCounts.get(reached) ?? 0) + 1);
  }
  const levels = survey.levels.map((level, index): AspectLevelGroup => {
    const own = aspectLevel(aspect, level.value);
    return { level: level.value, name: level.name, teams: reachedCounts.get(level.value) ?? 0, aspectLabel: own.label, suggestions: own.suggestions.map((suggestion) => suggestion.text), toward: survey.levels[index + 1]?.name ?? null };
  });
  const value = figures.length > 0 ? meanOfTenths(figures.map((figure) => figure.value)) : null;
  const weakest = [...figures]
    .sort((a, b) => a.value - b.value || a.teamName.localeCompare(b.teamName))
    .slice(0, limit)
    .map((figure) => ({ teamId: figure.teamId, teamName: figure.teamName, value: figure.value, label: describeLevel(survey, figure.value).label }));
  return {
    surveyId: survey.id,
    aspectId: aspect.id,
    aspectName: aspect.name,
    generatedAt: now,
    weekAgo,
    quarterAgo,
    value,
    label: value === null ? null : describeLevel(survey, value).label,
    teamsWithLevel: figures.length,
    hiddenTeams,
    notAskedTeams,
    levels,
    improvedThisWeek: moversOf(figures, aspect, (figure) => figure.week, 'improved', limit),
    slippedThisWeek: moversOf(figures, aspect, (figure) => figure.week, 'slipped', limit),
    improvedThisQuarter: moversOf(figures, aspect, (figure) => figure.quarter, 'improved', limit),
    slippedThisQuarter: moversOf(figures, aspect, (figure) => figure.quarter, 'slipped', limit),
    weakest,
  };
}
