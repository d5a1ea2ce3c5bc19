import { describe, expect, it } from 'vitest';
import { buildTeamReport, type TeamReportInput } from '../../src/core/report.js';
import { buildSurvey, closedRound, TEST_POLICY } from '../support/factories.js';

const survey = buildSurvey({ aspects: ['investment', 'adoption', 'interfaces', 'operations'] });
const identity = <T>(items: readonly T[]): T[] => [...items];

function input(overrides: Partial<TeamReportInput>): TeamReportInput {
  return { team: { id: 1, name: 'Payments' }, survey, rounds: [], openRound: null, comments: null, policy: TEST_POLICY, now: new Date('2026-03-01'), shuffle: identity, ...overrides };
}

describe('team report', () => {
  const rounds = [
    closedRound('investment', '2026-01-05', [1, 2, 2], { roundId: 1 }),
    closedRound('investment', '2026-02-05', [2, 3, 3], { roundId: 2 }),
    closedRound('adoption', '2026-01-12', [3, 3, 4, 4, 3], { roundId: 3 }),
    closedRound('interfaces', '2026-01-19', [1, 2], { roundId: 4 }),
  ];

  it('shows each aspect with its level, change and next steps, and hides the too-small ones', () => {
    const report = buildTeamReport(input({ rounds }));
    const [investment, adoption, interfaces, operations] = report.aspects;
    expect(investment?.status).toMatchObject({ kind: 'level', figure: { value: 2.2 }, change: { kind: 'change', delta: 0.5, direction: 'improved' } });
    expect(investment?.suggestions.map((suggestion) => suggestion.text)).toEqual(['investment step 2a', 'investment step 2b', 'investment step 2c']);
    expect(investment?.suggestionsToward).toBe('Steady');
    expect(adoption?.status).toMatchObject({ kind: 'level', figure: { value: 3.4 }, change: { kind: 'none' } });
    expect(interfaces?.status).toEqual({ kind: 'hidden', respondents: 2, needed: 3 });
    expect(interfaces?.suggestions).toEqual([]);
    expect(operations?.status).toEqual({ kind: 'not-asked' });
    expect(report.furthestBelowTarget).toEqual(['investment', 'adoption']);
  });

  it('before the first close says when results arrive', () => {
    const report = buildTeamReport(input({ openRound: { aspectId: 'adoption', closesAt: new Date('2026-03-06T16:00:00Z') } }));
    expect(report.hasResults).toBe(false);
    expect(report.firstCloseAt?.toISOString()).toBe('2026-03-06T16:00:00.000Z');
    expect(report.aspects[1]?.openUntil?.toISOString()).toBe('2026-03-06T16:00:00.000Z');
  });

  it('shows comments only from rounds in the window with enough respondents', () => {
    const comments = [
      { roundId: 1, text: 'from a round of three' },
      { roundId: 3, text: 'from a round of five' },
    ];
    const report = buildTeamReport(input({ rounds, comments }));
    expect(report.comments).toEqual([{ aspectId: 'adoption', aspectName: 'Adoption', texts: ['from a round of five'] }]);
    expect(buildTeamReport(input({ rounds, comments: null })).comments).toBeNull();
  });

  it('puts comments through the shuffle, so their order says nothing about who wrote them', () => {
    const comments = ['first', 'second', 'third'].map((text) => ({ roundId: 3, text }));
    const reversed = <T,>(items: readonly T[]): T[] => [...items].reverse();
    expect(buildTeamReport(input({ rounds, comments, shuffle: reversed })).comments?.[0]?.texts).toEqual(['third', 'second', 'first']);
  });

  it('notes a latest round that did not count, by everyone who answered it (never how many had a level)', () => {
    const report = buildTeamReport(input({ rounds: [...rounds, closedRound('investment', '2026-02-20', [4, 4], { roundId: 9, unknown: 2 })] }));
    expect(report.aspects[0]?.status).toMatchObject({ kind: 'level', figure: { value: 2.2 }, latestShort: { respondents: 4, needed: 3 } });
    expect(JSON.stringify(report.aspects[0]?.status)).not.toMatch(/"(answers|answered|unknown)"/);
  });

  it('reports one aspect on request', () => {
    const report = buildTeamReport(input({ rounds, aspectId: 'adoption' }));
    expect(report.aspects.map((aspect) => aspect.aspectId)).toEqual(['adoption']);
  });

  it('ignores rounds closed after the report time', () => {
    const report = buildTeamReport(input({ rounds, now: new Date('2026-01-31') }));
    expect(report.aspects[0]?.status).toMatchObject({ kind: 'level', figure: { value: 1.7 } });
  });
});
