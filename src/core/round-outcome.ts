import type { RoundOutcome } from './messenger.js';
import { roundQualifies } from './privacy.js';
import { describeLevel, levelAt, levelFigure, type ClosedRoundTally, type ScoringPolicy } from './scoring.js';
import { aspectLevel, findAspect, type Survey } from './survey.js';
import { aspectTarget, targetStanding, type TargetSetting } from './targets.js';
import { compareLevels } from './trends.js';

/**
 * The result posted when a round closes: the round's own level against the aspect's level as it stood
 * before, and one next step; below the minimum, only that it did not count.
 * `aspectRounds` are the closed rounds of the round's aspect, oldest first, including the round itself.
 * With the team's targets, a round at or above the aspect's target suggests nothing: the team is where it
 * decided to be.
 */
export function roundOutcome(survey: Survey | null, aspectRounds: readonly ClosedRoundTally[], roundId: number, policy: ScoringPolicy, targets?: { readonly teamId: number; readonly settings: readonly TargetSetting[] }): RoundOutcome | null {
  const round = aspectRounds.find((candidate) => candidate.roundId === roundId);
  if (!round) return null;
  if (!roundQualifies(round.tally, policy)) {
    return { kind: 'too-few', respondents: round.tally.respondents, needed: policy.minRespondents };
  }
  const figure = levelFigure([round], policy);
  if (!figure) return null;
  const before = levelAt(aspectRounds, new Date(round.closedAt.getTime() - 1), policy);
  const aspect = survey ? findAspect(survey, round.aspectId) : undefined;
  const description = survey ? describeLevel(survey, figure.value) : null;
  const onTarget = survey && aspect && targets ? targetStanding(aspectTarget(survey, aspect, targets.teamId, targets.settings, figure.value), figure.value).onTarget : false;
  return {
    kind: 'figure',
    value: figure.value,
    levelCount: round.tally.levelCounts.length,
    label: description?.label ?? `Level ${Math.floor(figure.value)}`,
    respondents: round.tally.respondents,
    agreement: figure.breakdown?.agreement ?? null,
    change: compareLevels(figure, before, policy.trendThreshold),
    toward: description?.nextName ?? null,
    suggestion: aspect && description && !onTarget ? (aspectLevel(aspect, description.reached).suggestions[0]?.text ?? null) : null,
  };
}
