import { describe, expect, it } from 'vitest';
import { buildDigest, type DigestTeamInput } from '../../src/core/digest.js';
import { buildSurvey, closedRound, daysAfter, TEST_POLICY } from '../support/factories.js';

const cncf = buildSurvey({ id: 'four', aspects: ['investment', 'measurement'] });
const capability = buildSurvey({ id: 'five', levels: 5, aspects: ['governance'] });
const now = new Date('2026-06-01T12:00:00Z');

function steady(aspectId: string, levels: number[], weeksBack: number[], levelCount = 4) {
  return weeksBack.map((weeks) => closedRound(aspectId, daysAfter(now, -7 * weeks), levels, { levelCount }));
}

describe('digest', () => {
  const teams: DigestTeamInput[] = [
    { id: 1, name: 'Payments', surveyId: 'four', rounds: [...steady('investment', [1, 1, 1], [20, 19, 18, 3]), closedRound('investment', daysAfter(now, -2), [4, 4, 4]), ...steady('measurement', [2, 2, 2], [5])] },
    { id: 2, name: 'Search', surveyId: 'four', rounds: [...steady('investment', [3, 3, 3], [20, 10, 4]), ...steady('measurement', [1, 1, 2], [6])] },
    { id: 3, name: 'Quiet', surveyId: 'four', rounds: steady('investment', [4, 4], [3, 2, 0.5]) },
    { id: 4, name: 'Identity', surveyId: 'five', rounds: steady('governance', [5, 5, 4], [2], 5) },
    { id: 5, name: 'Orphan', surveyId: 'missing', rounds: steady('investment', [1, 1, 1], [1]) },
  ];
  const digest = buildDigest({ surveys: new Map([['four', cncf], ['five', capability]]), teams, policy: TEST_POLICY, now });

  it('groups teams by survey, never mixing scales', () => {
    expect(digest.sections.map((section) => [section.surveyId, section.teamCount])).toEqual([['five', 1], ['four', 3]]);
    expect(digest.sections[0]?.levelNames).toHaveLength(5);
  });

  it('counts teams without figures as hidden and leaves them out of every figure', () => {
    const four = digest.sections[1]!;
    expect(four.hiddenTeamCount).toBe(1);
    expect(four.teams.map((team) => team.teamName)).toEqual(['Payments', 'Search']);
    // Org investment = mean of Payments (1+1+4)/3=2.0 and Search 3.0 → 2.5; Quiet's 4s are nowhere.
    expect(four.aspects[0]).toMatchObject({ aspectId: 'investment', value: 2.5, teams: 2 });
  });

  it('lists movers since last week and since thirteen weeks ago', () => {
    const four = digest.sections[1]!;
    expect(four.improvedThisWeek).toEqual([{ teamName: 'Payments', aspectId: 'investment', aspectName: 'Investment', delta: 1 }]);
    expect(four.slippedThisWeek).toEqual([]);
    expect(four.improvedThisQuarter.map((mover) => mover.teamName)).toContain('Payments');
  });

  it('names the weakest aspects with next-level suggestions', () => {
    const four = digest.sections[1]!;
    expect(four.belowTarget[0]).toMatchObject({ aspectId: 'measurement', value: 1.7, suggestions: ['measurement step 1a', 'measurement step 1b', 'measurement step 1c'] });
  });

  it('summarises participation of the last seven days', () => {
    const four = digest.sections[1]!;
    expect(four.participation).toMatchObject({ roundsClosed: 2, respondents: 5, roundsBelowMinimum: 1, responseRate: null });
  });
});
