import { describe, expect, it } from 'vitest';
import { buildAspectAcross } from '../../src/core/aspect-across.js';
import { buildDigest } from '../../src/core/digest.js';
import { buildOrgTable, filterOrgTable, sortOrgTable, type OrgCell, type OrgTable } from '../../src/core/org-table.js';
import { buildTeamReport } from '../../src/core/report.js';
import type { ClosedRoundTally } from '../../src/core/scoring.js';
import { buildSurvey, closedRound, daysAfter, TEST_POLICY } from '../support/factories.js';

const survey = buildSurvey();
const T0 = '2026-01-05T12:00:00Z';
const NOW = daysAfter(T0, 60);

interface TeamSpec {
  readonly id: number;
  readonly name: string;
  readonly rounds: readonly ClosedRoundTally[];
  readonly memberCount?: number | null;
}

/** Alpha: improved on investment, hidden on adoption. Beta: steady-ish, one short round last. Gamma: asked nothing. */
const teams: TeamSpec[] = [
  {
    id: 1,
    name: 'Alpha',
    memberCount: 10,
    rounds: [
      closedRound('investment', daysAfter(T0, 0), [1, 1, 1]),
      closedRound('adoption', daysAfter(T0, 7), [2, 3]),
      closedRound('investment', daysAfter(T0, 14), [3, 3, 3, 3]),
      closedRound('interfaces', daysAfter(T0, 21), [2, 2, 3], { unknown: 1 }),
    ],
  },
  {
    id: 2,
    name: 'beta squad',
    rounds: [
      closedRound('investment', daysAfter(T0, 1), [4, 4, 4]),
      closedRound('adoption', daysAfter(T0, 8), [1, 2, 2]),
      closedRound('investment', daysAfter(T0, 15), [4], { unknown: 1 }),
    ],
  },
  { id: 3, name: 'Gamma', memberCount: 6, rounds: [] },
];

function table(): OrgTable {
  return buildOrgTable({ survey, teams, policy: TEST_POLICY, now: NOW });
}

function cell(t: OrgTable, teamName: string, aspectId: string): OrgCell {
  const found = t.rows.find((row) => row.teamName === teamName)?.cells.find((candidate) => candidate.aspectId === aspectId);
  if (!found) throw new Error(`no cell ${teamName}/${aspectId}`);
  return found;
}

describe('buildOrgTable', () => {
  it('shows a hidden cell as the latest round’s count and the number needed, and nothing else', () => {
    const hidden = cell(table(), 'Alpha', 'adoption');
    expect(hidden).toEqual({ kind: 'hidden', aspectId: 'adoption', respondents: 2, needed: 3 });
    expect(Object.keys(hidden)).not.toContain('value');
    expect(table().rows.find((row) => row.teamName === 'Alpha')?.movement.adoption).toBe('none');
  });

  it('shows a level cell with its value, level name, label and the report’s change since the previous close', () => {
    const t = table();
    expect(cell(t, 'Alpha', 'investment')).toMatchObject({ kind: 'level', value: 2.1, reached: 2, levelName: 'Growing', label: 'Growing, on the way to Steady', latestShort: null, change: { kind: 'change', delta: 1.1, direction: 'improved' } });
    expect(t.rows.find((row) => row.teamName === 'Alpha')?.movement).toEqual({ investment: 'improved', adoption: 'none', interfaces: 'none' });
    expect(cell(t, 'beta squad', 'investment')).toMatchObject({ kind: 'level', value: 4, label: 'Leading', latestShort: { respondents: 2, needed: 3 }, change: { kind: 'none' } });
    expect(cell(t, 'Gamma', 'interfaces')).toEqual({ kind: 'not-asked', aspectId: 'interfaces' });
  });

  it('matches the team report and the digest figure for figure', () => {
    const t = table();
    const digest = buildDigest({ surveys: new Map([[survey.id, survey]]), teams: teams.map((team) => ({ ...team, surveyId: survey.id })), policy: TEST_POLICY, now: NOW });
    for (const team of teams) {
      const report = buildTeamReport({ team, survey, rounds: team.rounds, openRound: null, comments: null, policy: TEST_POLICY, now: NOW, shuffle: (items) => [...items] });
      const row = t.rows.find((candidate) => candidate.teamId === team.id);
      const digestRow = digest.sections[0]?.teams.find((candidate) => candidate.teamId === team.id);
      for (const aspect of report.aspects) {
        const ours = row?.cells.find((candidate) => candidate.aspectId === aspect.aspectId);
        expect(ours?.kind).toBe(aspect.status.kind);
        const value = ours?.kind === 'level' ? ours.value : null;
        expect(value).toBe(aspect.status.kind === 'level' ? aspect.status.figure.value : null);
        expect(digestRow?.cells.find((candidate) => candidate.aspectId === aspect.aspectId)?.value ?? null).toBe(value);
      }
    }
  });

  it('knows nothing of rounds closed after `now`, not even their counts', () => {
    const early = buildOrgTable({ survey, teams, policy: TEST_POLICY, now: daysAfter(T0, 10) });
    expect(cell(early, 'Alpha', 'investment')).toMatchObject({ kind: 'level', value: 1 });
    expect(cell(early, 'Alpha', 'interfaces')).toEqual({ kind: 'not-asked', aspectId: 'interfaces' });
    expect(early.rows.find((row) => row.teamName === 'Alpha')?.participation).toEqual({ rounds: 2, meanRespondents: 2.5, rate: 0.25 });
  });

  it('adds an all-teams row: the mean of shown levels, how many teams have one and how many are hidden', () => {
    expect(table().allTeams).toEqual([
      { aspectId: 'investment', value: 3.1, label: 'Steady, on the way to Leading', teams: 2, hidden: 0 },
      { aspectId: 'adoption', value: 1.7, label: 'Starting, on the way to Growing', teams: 1, hidden: 1 },
      { aspectId: 'interfaces', value: 2.3, label: 'Growing, on the way to Steady', teams: 1, hidden: 0 },
    ]);
  });

  it('gives participation over the last four closed rounds, with a rate only when the member count is known', () => {
    const rows = new Map(table().rows.map((row) => [row.teamName, row.participation]));
    expect(rows.get('Alpha')).toEqual({ rounds: 4, meanRespondents: 3.3, rate: 0.325 });
    expect(rows.get('beta squad')).toEqual({ rounds: 3, meanRespondents: 2.7, rate: null });
    expect(rows.get('Gamma')).toEqual({ rounds: 0, meanRespondents: null, rate: null });
    const busy = buildOrgTable({ survey, teams: [{ id: 9, name: 'Busy', memberCount: 2, rounds: [1, 2, 3, 4, 5].map((day) => closedRound('investment', daysAfter(T0, day), day === 1 ? [1, 1, 1, 1, 1, 1, 1, 1, 1] : [2, 2, 2])) }], policy: TEST_POLICY, now: NOW });
    expect(busy.rows[0]?.participation).toEqual({ rounds: 4, meanRespondents: 3, rate: 1 });
  });

  it('lists teams by name', () => {
    expect(table().rows.map((row) => row.teamName)).toEqual(['Alpha', 'beta squad', 'Gamma']);
  });
});

describe('filterOrgTable', () => {
  it('matches part of the team name in any case, and leaves columns and the all-teams row alone', () => {
    const t = table();
    const filtered = filterOrgTable(t, { team: 'BETA' });
    expect(filtered.rows.map((row) => row.teamName)).toEqual(['beta squad']);
    expect(filtered.allTeams).toEqual(t.allTeams);
    expect(filtered.aspects).toEqual(t.aspects);
  });

  it('filters by reached level, on one aspect or any', () => {
    expect(filterOrgTable(table(), { aspectId: 'investment', level: 2 }).rows.map((row) => row.teamName)).toEqual(['Alpha']);
    expect(filterOrgTable(table(), { aspectId: 'adoption', level: 2 }).rows).toEqual([]);
    expect(filterOrgTable(table(), { level: 1 }).rows.map((row) => row.teamName)).toEqual(['beta squad']);
    expect(filterOrgTable(table(), { level: 4 }).rows.map((row) => row.teamName)).toEqual(['beta squad']);
  });

  it('filters by movement, and requires level and movement of the same cell', () => {
    expect(filterOrgTable(table(), { movement: 'improved' }).rows.map((row) => row.teamName)).toEqual(['Alpha']);
    expect(filterOrgTable(table(), { aspectId: 'interfaces', movement: 'improved' }).rows).toEqual([]);
    expect(filterOrgTable(table(), { level: 2, movement: 'improved' }).rows.map((row) => row.teamName)).toEqual(['Alpha']);
    // Alpha has reached 2 on interfaces, and improved only on investment (also at 2): same cell.
    expect(filterOrgTable(table(), { aspectId: 'interfaces', level: 2, movement: 'improved' }).rows).toEqual([]);
    expect(filterOrgTable(table(), { aspectId: 'interfaces', movement: 'none' }).rows.map((row) => row.teamName)).toEqual(['Alpha', 'beta squad', 'Gamma']);
  });
});

describe('sortOrgTable', () => {
  it('sorts by an aspect’s level either way, with teams without a level last both ways', () => {
    const names = (t: OrgTable) => t.rows.map((row) => row.teamName);
    expect(names(sortOrgTable(table(), { by: 'aspect:investment', dir: 'asc' }))).toEqual(['Alpha', 'beta squad', 'Gamma']);
    expect(names(sortOrgTable(table(), { by: 'aspect:investment', dir: 'desc' }))).toEqual(['beta squad', 'Alpha', 'Gamma']);
    expect(names(sortOrgTable(table(), { by: 'aspect:adoption', dir: 'desc' }))).toEqual(['beta squad', 'Alpha', 'Gamma']);
    expect(names(sortOrgTable(table(), { by: 'aspect:no-such-aspect', dir: 'desc' }))).toEqual(['Alpha', 'beta squad', 'Gamma']);
  });

  it('sorts by team name and by participation', () => {
    const names = (t: OrgTable) => t.rows.map((row) => row.teamName);
    expect(names(sortOrgTable(table(), { by: 'team', dir: 'desc' }))).toEqual(['Gamma', 'beta squad', 'Alpha']);
    expect(names(sortOrgTable(table(), { by: 'participation', dir: 'asc' }))).toEqual(['beta squad', 'Alpha', 'Gamma']);
    expect(names(sortOrgTable(table(), { by: 'participation', dir: 'desc' }))).toEqual(['Alpha', 'beta squad', 'Gamma']);
  });
});

describe('buildAspectAcross', () => {
  const now = daysAfter(T0, 20);
  const across = (aspectId: string) =>
    buildAspectAcross({
      survey,
      aspectId,
      policy: TEST_POLICY,
      now,
      teams: [
        ...teams,
        { id: 4, name: 'Delta', rounds: [closedRound('investment', daysAfter(T0, 2), [2, 2, 2]), closedRound('investment', daysAfter(T0, 16), [1, 1, 1])] },
      ],
    });

  it('counts teams per reached level and gives the survey’s suggestions per level', () => {
    const result = across('investment');
    expect(result?.levels.map((level) => [level.level, level.name, level.teams])).toEqual([
      [1, 'Starting', 1],
      [2, 'Growing', 1],
      [3, 'Steady', 0],
      [4, 'Leading', 1],
    ]);
    expect(result?.levels[0]).toMatchObject({ suggestions: ['investment step 1a', 'investment step 1b', 'investment step 1c'], toward: 'Growing', aspectLabel: 'investment label 1' });
    expect(result?.levels[3]?.toward).toBeNull();
    expect(result).toMatchObject({ teamsWithLevel: 3, hiddenTeams: 0, notAskedTeams: 1, value: 2.5 });
  });

  it('lists movers over the week like the digest, and the weakest teams lowest first', () => {
    const result = across('investment');
    expect(result?.improvedThisWeek).toEqual([{ teamId: 1, teamName: 'Alpha', aspectId: 'investment', aspectName: 'Investment', delta: 1.1 }]);
    expect(result?.slippedThisWeek).toEqual([{ teamId: 4, teamName: 'Delta', aspectId: 'investment', aspectName: 'Investment', delta: -0.5 }]);
    expect(result?.weakest.map((team) => [team.teamName, team.value])).toEqual([
      ['Delta', 1.5],
      ['Alpha', 2.1],
      ['beta squad', 4],
    ]);
  });

  it('counts teams below the minimum without valuing them, and refuses an unknown aspect', () => {
    expect(across('adoption')).toMatchObject({ teamsWithLevel: 1, hiddenTeams: 1, notAskedTeams: 2, weakest: [{ teamName: 'beta squad', value: 1.7 }] });
    expect(across('nope')).toBeNull();
  });
});
