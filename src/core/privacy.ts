import { levelBearing, type RoundTally } from './round.js';

/** The privacy thresholds, from configuration. */
export interface PrivacyPolicy {
  /** Level-bearing answers a closed round needs before it feeds any figure. At least 3. */
  readonly minRespondents: number;
  /** Answers a round needs before its comments or per-level counts are shown. */
  readonly minCommentRespondents: number;
}

export const PRIVACY_FLOOR = 3;

/** Checks a policy against the floors; returns the problems, empty when the policy is acceptable. */
export function privacyPolicyProblems(policy: PrivacyPolicy): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(policy.minRespondents) || policy.minRespondents < PRIVACY_FLOOR) {
    problems.push(`MIN_RESPONDENTS must be a whole number of at least ${PRIVACY_FLOOR}`);
  }
  if (!Number.isInteger(policy.minCommentRespondents) || policy.minCommentRespondents < policy.minRespondents) {
    problems.push('MIN_COMMENT_RESPONDENTS must be a whole number no smaller than MIN_RESPONDENTS');
  }
  return problems;
}

/**
 * Whether a closed round may feed figures. A round below the minimum feeds nothing at all, so the
 * difference between any two figures is always made of whole qualifying rounds.
 */
export function roundQualifies(tally: RoundTally, policy: PrivacyPolicy): boolean {
  return levelBearing(tally) >= policy.minRespondents;
}

/**
 * Whether a round may show anything beyond its count and mean: per-level counts, spread, agreement, or
 * how many chose "I don't know" next to how many picked a level. Each of these, next to the mean, tells
 * most small sets of answers apart, so they need the higher threshold.
 */
export function breakdownVisible(tally: RoundTally, policy: PrivacyPolicy): boolean {
  return levelBearing(tally) >= policy.minCommentRespondents;
}

/** A round's comments are shown (to the team's leads, unattributed) only from larger rounds. */
export function commentsVisible(tally: RoundTally, policy: PrivacyPolicy): boolean {
  return tally.respondents >= policy.minCommentRespondents;
}

/** How many more level-bearing answers a round would have needed to count. */
export function answersShort(tally: RoundTally, policy: PrivacyPolicy): number {
  return Math.max(0, policy.minRespondents - levelBearing(tally));
}
