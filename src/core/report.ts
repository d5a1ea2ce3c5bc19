import { commentsVisible, roundQualifies } from './privacy.js';
import type { NextStep } from './next-steps.js';
import { describeLevel, levelAt, levelFigure, windowAt, type ClosedRoundTally, type LevelDescription, type LevelFigure, type ScoringPolicy } from './scoring.js';
import { aspectLevel, findAspect, type Aspect, type Suggestion, type Survey } from './survey.js';
import { aspectTarget, furthestBelowTarget, targetStanding, type AspectTarget, type TargetSetting, type TargetStanding } from './targets.js';
import { changeSincePreviousClose, type Change } from './trends.js';

/**
 * A round that did not count: how many answered it (the count its message showed) and how many answers
 * with a level it needed. How many of them had a level is not given: next to the count it would say how
 * many chose "I don't know".
 */
export interface Shortfall {
  readonly respondents: number;
  readonly needed: number;
}

export type AspectStatus =
  | {
      readonly kind: 'level';
      readonly figure: LevelFigure;
      readonly description: LevelDescription;
      readonly change: Change;
      /** Set when the aspect's latest closed round had too few answers with a level and so is not part of the figure. */
      readonly latestShort: Shortfall | null;
    }
  | ({ readonly kind: 'hidden' } & Shortfall)
  | { readonly kind: 'not-asked' };

export interface AspectReport {
  readonly aspectId: string;
  readonly aspectName: string;
  readonly status: AspectStatus;
  /** The level this team aims for in the aspect, and where that target comes from. */
  readonly target: AspectTarget;
  /** How the shown level stands against the target; null unless a level is shown. */
  readonly standing: TargetStanding | null;
  /** What a team at this level does next (from the survey), empty unless a level is shown below target. */
  readonly suggestions: readonly Suggestion[];
  /** The level the suggestions lead to, or null at the top level. */
  readonly suggestionsToward: string | null;
  /** Close time of the aspect's open round, if one is running. */
  readonly openUntil: Date | null;
  /** The team's open steps for the aspect, oldest first. */
  readonly openSteps: readonly StepSummary[];
  /** Steps done, most recent first (the last few). */
  readonly doneSteps: readonly StepSummary[];
}

/**
 * A next step as the report shows it. The levels follow the usual rules (qualifying rounds only): the
 * aspect's figure when the step was adopted, and now; either is null when there was none to show.
 */
export interface StepSummary {
  readonly id: number;
  readonly text: string;
  readonly status: NextStep['status'];
  readonly dueAt: Date;
  readonly adoptedAt: Date;
  readonly closedAt: Date | null;
  /** The owner, once they accepted; a person only asked is not named. */
  readonly ownerUserId: string | null;
  /** That owner's name as their platform gave it, when it did (Teams ids are unreadable). */
  readonly ownerName: string | null;
  readonly levelAtAdoption: number | null;
  readonly levelNow: number | null;
}

export interface CommentGroup {
  readonly aspectId: string;
  readonly aspectName: string;
  readonly texts: readonly string[];
}

export interface TeamReport {
  readonly teamId: number;
  readonly teamName: string;
  readonly surveyId: string;
  readonly surveyTitle: string;
  readonly generatedAt: Date;
  readonly windowRounds: number;
  readonly minRespondents: number;
  readonly hasResults: boolean;
  /** When the first round closes, for a team without any closed round yet. */
  readonly firstCloseAt: Date | null;
  readonly aspects: readonly AspectReport[];
  /** Aspects with a level below their target, furthest below first: where next steps matter most. */
  readonly furthestBelowTarget: readonly string[];
  /** Only for viewers allowed to see comments; null otherwise. */
  readonly comments: readonly CommentGroup[] | null;
}

export interface TeamReportInput {
  readonly team: { readonly id: number; readonly name: string };
  readonly survey: Survey;
  /** Closed rounds of this team under this survey, oldest first. */
  readonly rounds: readonly ClosedRoundTally[];
  readonly openRound: { readonly aspectId: string; readonly closesAt: Date } | null;
  /** When the next scheduled round would close, for a team with neither results nor an open round yet. */
  readonly scheduledCloseAt?: Date | null;
  /** Comments of the team's closed rounds, passed only when the viewer may read comments. */
  readonly comments: readonly { readonly roundId: number; readonly text: string }[] | null;
  readonly policy: ScoringPolicy;
  readonly now: Date;
  /** The team's next steps (any status); none when left out. */
  readonly steps?: readonly NextStep[];
  /** Target levels set for this team and for the organisation (others are ignored); none when left out. */
  readonly targets?: readonly TargetSetting[];
  /** Report a single aspect. */
  readonly aspectId?: string;
  /** How many of the aspects furthest below target to list; default 2. */
  readonly belowTargetCount?: number;
  /** Puts comments in an order that says nothing about who wrote them. */
  readonly shuffle: <T>(items: readonly T[]) => T[];
}

function groupByAspect(rounds: readonly ClosedRoundTally[]): Map<string, ClosedRoundTally[]> {
  const byAspect = new Map<string, ClosedRoundTally[]>();
  for (const round of rounds) {
    const list = byAspect.get(round.aspectId);
    if (list) list.push(round);
    else byAspect.set(round.aspectId, [round]);
  }
  return byAspect;
}

function aspectStatus(survey: Survey, rounds: readonly ClosedRoundTally[], now: Date, policy: ScoringPolicy): AspectStatus {
  const latest = rounds[rounds.length - 1];
  if (!latest) return { kind: 'not-asked' };
  const figure = levelFigure(windowAt(rounds, now, policy), policy);
  const shortfall: Shortfall = { respondents: latest.tally.respondents, needed: policy.minRespondents };
  const latestShort = roundQualifies(latest.tally, policy) ? null : shortfall;
  if (!figure) return { kind: 'hidden', ...shortfall };
  return {
    kind: 'level',
    figure,
    description: describeLevel(survey, figure.value),
    change: changeSincePreviousClose(rounds, now, policy),
    latestShort,
  };
}

function aspectReport(survey: Survey, aspect: Aspect, rounds: readonly ClosedRoundTally[], input: TeamReportInput): AspectReport {
  const status = aspectStatus(survey, rounds, input.now, input.policy);
  const openUntil = input.openRound?.aspectId === aspect.id ? input.openRound.closesAt : null;
  const target = aspectTarget(survey, aspect, input.team.id, input.targets ?? [], status.kind === 'level' ? status.figure.value : null);
  const steps = (input.steps ?? []).filter((step) => step.aspectId === aspect.id && step.surveyId === survey.id && step.teamId === input.team.id).map((step) => stepSummary(step, rounds, input));
  const openSteps = steps.filter((step) => step.status === 'open');
  const doneSteps = steps
    .filter((step) => step.status === 'done')
    .sort((a, b) => (b.closedAt?.getTime() ?? 0) - (a.closedAt?.getTime() ?? 0))
    .slice(0, DONE_STEPS_SHOWN);
  if (status.kind !== 'level') {
    return { aspectId: aspect.id, aspectName: aspect.name, status, target, standing: null, suggestions: [], suggestionsToward: null, openUntil, openSteps, doneSteps };
  }
  const standing = targetStanding(target, status.figure.value);
  return {
    aspectId: aspect.id,
    aspectName: aspect.name,
    status,
    target,
    standing,
    // At or above target the team has what it decided to pay for: nothing to suggest.
    suggestions: standing.onTarget ? [] : aspectLevel(aspect, status.description.reached).suggestions,
    suggestionsToward: standing.onTarget ? null : status.description.nextName,
    openUntil,
    openSteps,
    doneSteps,
  };
}

/** How many done steps an aspect lists: the latest few tell the story. */
const DONE_STEPS_SHOWN = 3;

function stepSummary(step: NextStep, rounds: readonly ClosedRoundTally[], input: TeamReportInput): StepSummary {
  return {
    id: step.id,
    text: step.text,
    status: step.status,
    dueAt: step.dueAt,
    adoptedAt: step.adoptedAt,
    closedAt: step.closedAt,
    ownerUserId: step.ownerStatus === 'accepted' ? (step.owner?.userId ?? null) : null,
    ownerName: step.ownerStatus === 'accepted' ? step.ownerName : null,
    levelAtAdoption: levelAt(rounds, step.adoptedAt, input.policy)?.value ?? null,
    levelNow: levelAt(rounds, input.now, input.policy)?.value ?? null,
  };
}

/** Aspects with a level below target, furthest below first; ties keep survey order. */
export function aspectsBelowTarget(aspects: readonly AspectReport[], count: number): string[] {
  return furthestBelowTarget(
    aspects.flatMap((aspect) => (aspect.standing && aspect.status.kind === 'level' ? [{ item: aspect.aspectId, standing: aspect.standing, value: aspect.status.figure.value }] : [])),
    count,
  );
}

function visibleComments(input: TeamReportInput, byAspect: Map<string, ClosedRoundTally[]>, aspects: readonly Aspect[]): CommentGroup[] | null {
  if (!input.comments) return null;
  const groups: CommentGroup[] = [];
  for (const aspect of aspects) {
    // Comments come from the rounds behind the figure shown now, and only from rounds large enough.
    const window = windowAt(byAspect.get(aspect.id) ?? [], input.now, input.policy);
    const roundIds = new Set(window.filter((round) => commentsVisible(round.tally, input.policy)).map((round) => round.roundId));
    const texts = input.comments.filter((comment) => roundIds.has(comment.roundId)).map((comment) => comment.text);
    if (texts.length > 0) groups.push({ aspectId: aspect.id, aspectName: aspect.name, texts: input.shuffle(texts) });
  }
  return groups;
}

/** A team's report: a level, trend and next steps per aspect, computed from qualifying closed rounds only. */
export function buildTeamReport(input: TeamReportInput): TeamReport {
  const { survey } = input;
  // A report as of `now` knows nothing of rounds that closed later, not even how many answered them.
  const closedByNow = input.rounds.filter((round) => round.closedAt.getTime() <= input.now.getTime());
  if (closedByNow.length !== input.rounds.length) return buildTeamReport({ ...input, rounds: closedByNow });
  const selected = input.aspectId === undefined ? survey.aspects : [findAspect(survey, input.aspectId)].filter((aspect): aspect is Aspect => aspect !== undefined);
  const byAspect = groupByAspect(input.rounds);
  const aspects = selected.map((aspect) => aspectReport(survey, aspect, byAspect.get(aspect.id) ?? [], input));
  return {
    teamId: input.team.id,
    teamName: input.team.name,
    surveyId: survey.id,
    surveyTitle: survey.title,
    generatedAt: input.now,
    windowRounds: input.policy.windowRounds,
    minRespondents: input.policy.minRespondents,
    hasResults: input.rounds.length > 0,
    firstCloseAt: input.rounds.length === 0 ? (input.openRound?.closesAt ?? input.scheduledCloseAt ?? null) : null,
    aspects,
    furthestBelowTarget: aspectsBelowTarget(aspects, input.belowTargetCount ?? 2),
    comments: visibleComments(input, byAspect, selected),
  };
}
