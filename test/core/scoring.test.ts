import { describe, expect, it } from 'vitest';
import { describeLevel, levelAt, levelFigure, windowAt } from '../../src/core/scoring.js';
import { changeSince, changeSincePreviousClose, compareValues, levelSeries } from '../../src/core/trends.js';
import { buildSurvey, closedRound, TEST_POLICY } from '../support/factories.js';

const survey = buildSurvey();

describe('level', () => {
  it('is the mean of the level-bearing answers in the last three qualifying rounds', () => {
    const rounds = [
      closedRound('investment', '2026-01-05', [1, 1, 1]),
      closedRound('investment', '2026-01-12', [2, 2, 3]),
      closedRound('investment', '2026-01-19', [4, 4]), // below the minimum: feeds nothing
      closedRound('investment', '2026-01-26', [3, 3, 2], { unknown: 2 }),
      closedRound('investment', '2026-02-02', [2, 3, 3, 4]),
    ];
    const figure = levelAt(rounds, new Date('2026-03-01'), TEST_POLICY);
    // Window: rounds of 12 Jan, 26 Jan, 2 Feb → (7 + 8 + 12) / 10 = 2.7
    expect(figure?.value).toBe(2.7);
    expect(figure?.rounds).toBe(3);
    expect(figure?.respondents).toBe(12);
    expect(figure?.breakdown).toBeNull();
    expect(figure?.latestRespondents).toBe(4);
    expect(windowAt(rounds, new Date('2026-03-01'), TEST_POLICY).map((round) => round.closedAt.toISOString().slice(0, 10))).toEqual(['2026-01-12', '2026-01-26', '2026-02-02']);
  });

  it('names the level reached and the next one', () => {
    expect(describeLevel(survey, 2.6).label).toBe('Growing, on the way to Steady');
    expect(describeLevel(survey, 3).label).toBe('Steady');
    expect(describeLevel(survey, 4).label).toBe('Leading');
    expect(describeLevel(survey, 2.96).label).toBe('Steady');
  });

  it('measures agreement by spread', () => {
    expect(levelFigure([closedRound('a', '2026-01-01', [2, 2, 2, 2, 2])], TEST_POLICY)?.breakdown?.agreement).toBe('high');
    expect(levelFigure([closedRound('a', '2026-01-01', [1, 1, 4, 4, 4])], TEST_POLICY)?.breakdown?.agreement).toBe('low');
  });

  it('shows nothing beyond count and mean (agreement, spread, per-level counts) unless every round in the window is large enough', () => {
    const big = closedRound('a', '2026-01-01', [1, 2, 2, 3, 4], { unknown: 1 });
    const small = closedRound('a', '2026-01-08', [2, 2, 3]);
    expect(levelFigure([big], TEST_POLICY)?.breakdown).toEqual({ answers: 5, unknown: 1, spread: 1, agreement: 'low', distribution: [1, 2, 1, 1] });
    expect(levelFigure([big, small], TEST_POLICY)?.breakdown).toBeNull();
    // 1,3,3 and 2,2,3 share count and mean; with agreement shown they would be told apart.
    const a = levelFigure([closedRound('a', '2026-01-08', [1, 3, 3], { roundId: 9 })], TEST_POLICY);
    const b = levelFigure([closedRound('a', '2026-01-08', [2, 2, 3], { roundId: 9 })], TEST_POLICY);
    expect(a).toEqual(b);
  });
});

describe('change', () => {
  const rounds = [
    closedRound('a', '2026-01-05', [2, 2, 2]),
    closedRound('a', '2026-01-12', [2, 2, 2]),
    closedRound('a', '2026-01-19', [2, 2, 2]),
    closedRound('a', '2026-01-26', [4, 4, 4]),
  ];

  it('compares with the level as it stood at the previous close', () => {
    const change = changeSincePreviousClose(rounds, new Date('2026-02-01'), TEST_POLICY);
    // Now: (2,2,2 | 2,2,2 | 4,4,4) = 2.7; before: 2.0
    expect(change).toMatchObject({ kind: 'change', delta: 0.7, direction: 'improved' });
  });

  it('has no change until a reference exists', () => {
    expect(changeSincePreviousClose(rounds.slice(0, 1), new Date('2026-02-01'), TEST_POLICY)).toEqual({ kind: 'none' });
    expect(changeSince(rounds, new Date('2026-02-01'), new Date('2025-12-01'), TEST_POLICY)).toEqual({ kind: 'none' });
  });

  it('calls a change improved or slipped only from the threshold on', () => {
    const since = new Date('2026-01-01');
    expect(compareValues(2.3, 2.0, since, 0.3)).toMatchObject({ direction: 'improved', delta: 0.3 });
    expect(compareValues(2.2, 2.0, since, 0.3)).toMatchObject({ direction: 'steady', delta: 0.2 });
    expect(compareValues(1.7, 2.0, since, 0.3)).toMatchObject({ direction: 'slipped', delta: -0.3 });
  });

  it('draws one series point per qualifying close', () => {
    const withSmall = [...rounds.slice(0, 2), closedRound('a', '2026-01-15', [1, 1]), ...rounds.slice(2)];
    expect(levelSeries(withSmall, TEST_POLICY).map((point) => point.value)).toEqual([2, 2, 2, 2.7]);
  });
});
