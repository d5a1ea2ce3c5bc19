import { meanOfTenths } from './digest.js';
import { buildTeamReport, type AspectStatus, type Shortfall } from './report.js';
import { describeLevel, roundToTenth, type ClosedRoundTally, type ScoringPolicy } from './scoring.js';
import type { Survey } from './survey.js';
import type { Change, Direction } from './trends.js';

/** How many of a team's latest closed rounds its participation figure covers. */
export const PARTICIPATION_ROUNDS = 4;

/** A cell's trend for filtering: the direction of its change, or 'none' when it has no level or no earlier one. */
export type Movement = Direction | 'none';

/**
 * One team × aspect cell, exactly as that team's report shows the aspect (it is built by `buildTeamReport`).
 * A hidden cell carries the latest round's count and the number needed, never a value.
 */
export type OrgCell =
  | {
      readonly kind: 'level';
      readonly aspectId: string;
      readonly value: number;
      /** The whole level reached (2.6 → 2): what the level filter matches. */
      readonly reached: number;
      /** The reached level's name ("Operational"). */
      readonly levelName: string;
      /** The name with where the team is heading ("Operational, on the way to Scalable"); the name at a whole level. */
      readonly label: string;
      /**
       * The report's change: the level now against the level just before the aspect's latest qualifying
       * close. Chosen over the digest's week change so a cell and the team's own report never disagree; the
       * week and quarter movers are in `aspect-across.ts`, like the digest's.
       */
      readonly change: Change;
      readonly latestShort: Shortfall | null;
    }
  | ({ readonly kind: 'hidden'; readonly aspectId: string } & Shortfall)
  | { readonly kind: 'not-asked'; readonly aspectId: string };

/** Answers per round over a team's latest closed rounds: each round's message already showed its count. */
export interface Participation {
  /** Closed rounds counted (at most `PARTICIPATION_ROUNDS`). */
  readonly rounds: number;
  /** Mean respondents per round, one decimal; null without a closed round. */
  readonly meanRespondents: number | null;
  /** Mean respondents over channel members (at most 1); null when the member count is unknown. */
  readonly rate: number | null;
}

export interface OrgTableRow {
  readonly teamId: number;
  readonly teamName: string;
  /** One per aspect, in the table's aspect order. */
  readonly cells: readonly OrgCell[];
  /** Movement per aspect id (a plain record, so the JSON API can send it as is). */
  readonly movement: Readonly<Record<string, Movement>>;
  readonly participation: Participation;
}

export interface OrgAllTeamsCell {
  readonly aspectId: string;
  /** Mean of the teams' shown levels (one decimal, as the digest computes it); null when no team has one. */
  readonly value: number | null;
  readonly label: string | null;
  /** Teams with a level for the aspect. */
  readonly teams: number;
  /** Teams whose rounds of the aspect did not reach the minimum: counted, never valued. */
  readonly hidden: number;
}

export interface OrgTable {
  readonly surveyId: string;
  readonly surveyTitle: string;
  readonly levelNames: readonly string[];
  readonly aspects: readonly { readonly id: string; readonly name: string }[];
  readonly generatedAt: Date;
  readonly rows: readonly OrgTableRow[];
  /** The organisation row, over every team of the survey (filters leave it as it is). */
  readonly allTeams: readonly OrgAllTeamsCell[];
}

export interface OrgTableInput {
  readonly survey: Survey;
  /** The survey's teams with their closed rounds under it, oldest first. */
  readonly teams: readonly { readonly id: number; readonly name: string; readonly rounds: readonly ClosedRoundTally[]; readonly memberCount?: number | null }[];
  readonly policy: ScoringPolicy;
  readonly now: Date;
}

/** Participation over the latest `PARTICIPATION_ROUNDS` rounds closed by `now`. `rounds` oldest first. */
export function participationOf(rounds: readonly ClosedRoundTally[], memberCount: number | null | undefined, now: Date): Participation {
  const recent = rounds.filter((round) => round.closedAt.getTime() <= now.getTime()).slice(-PARTICIPATION_ROUNDS);
  if (recent.length === 0) return { rounds: 0, meanRespondents: null, rate: null };
  const mean = recent.reduce((sum, round) => sum + round.tally.respondents, 0) / recent.length;
  return { rounds: recent.length, meanRespondents: roundToTenth(mean), rate: memberCount ? Math.min(1, mean / memberCount) : null };
}

function cellOf(aspectId: string, status: AspectStatus): OrgCell {
  switch (status.kind) {
    case 'level':
      return {
        kind: 'level',
        aspectId,
        value: status.figure.value,
        reached: status.description.reached,
        levelName: status.description.name,
        label: status.description.label,
        change: status.change,
        latestShort: status.latestShort,
      };
    case 'hidden':
      // Rebuilt field by field so nothing but the shortfall can ride along into the view.
      return { kind: 'hidden', aspectId, respondents: status.respondents, needed: status.needed };
    case 'not-asked':
      return { kind: 'not-asked', aspectId };
  }
}

function movementOf(cell: OrgCell): Movement {
  return cell.kind === 'level' && cell.change.kind === 'change' ? cell.change.direction : 'none';
}

const keepOrder = <T>(items: readonly T[]): T[] => [...items];

/**
 * The organisation table of one survey: every team × aspect cell as the team's own report shows it, the
 * all-teams row and each team's participation. Built with `buildTeamReport` (without comments), so a figure
 * hidden in chat is hidden here the same way.
 */
export function buildOrgTable(input: OrgTableInput): OrgTable {
  const { survey, policy, now } = input;
  const rows: OrgTableRow[] = input.teams.map((team) => {
    const report = buildTeamReport({ team, survey, rounds: team.rounds, openRound: null, comments: null, policy, now, belowTargetCount: 0, shuffle: keepOrder });
    const cells = report.aspects.map((aspect) => cellOf(aspect.aspectId, aspect.status));
    return {
      teamId: team.id,
      teamName: team.name,
      cells,
      movement: Object.fromEntries(cells.map((cell) => [cell.aspectId, movementOf(cell)])),
      participation: participationOf(team.rounds, team.memberCount, now),
    };
  });
  rows.sort((a, b) => a.teamName.localeCompare(b.teamName) || a.teamId - b.teamId);
  const allTeams = survey.aspects.map((aspect, index): OrgAllTeamsCell => {
    const cells = rows.map((row) => row.cells[index]);
    const values = cells.flatMap((cell) => (cell?.kind === 'level' ? [cell.value] : []));
    const value = values.length > 0 ? meanOfTenths(values) : null;
    return {
      aspectId: aspect.id,
      value,
      label: value === null ? null : describeLevel(survey, value).label,
      teams: values.length,
      hidden: cells.filter((cell) => cell?.kind === 'hidden').length,
    };
  });
  return {
    surveyId: survey.id,
    surveyTitle: survey.title,
    levelNames: survey.levels.map((level) => level.name),
    aspects: survey.aspects.map((aspect) => ({ id: aspect.id, name: aspect.name })),
    generatedAt: now,
    rows,
    allTeams,
  };
}

export interface OrgTableFilter {
  /** Part of the team name, any case. */
  readonly team?: string;
  /** The aspect `level` and `movement` look at; without it, any aspect of the row may match. */
  readonly aspectId?: string;
  /** Whole level reached (a cell at 2.6 has reached 2). */
  readonly level?: number;
  readonly movement?: Movement;
}

/**
 * Keeps the rows that match every given criterion; `level` and `movement` must hold for the same cell.
 * Columns and the all-teams row stay as they are: a filter narrows the list, not the organisation.
 */
export function filterOrgTable(table: OrgTable, filter: OrgTableFilter): OrgTable {
  const needle = filter.team?.trim().toLocaleLowerCase('en') ?? '';
  const cellMatches = (row: OrgTableRow, cell: OrgCell): boolean =>
    (filter.aspectId === undefined || cell.aspectId === filter.aspectId) &&
    (filter.level === undefined || (cell.kind === 'level' && cell.reached === filter.level)) &&
    (filter.movement === undefined || row.movement[cell.aspectId] === filter.movement);
  const byCell = filter.aspectId !== undefined || filter.level !== undefined || filter.movement !== undefined;
  const rows = table.rows.filter(
    (row) => (needle === '' || row.teamName.toLocaleLowerCase('en').includes(needle)) && (!byCell || row.cells.some((cell) => cellMatches(row, cell))),
  );
  return { ...table, rows };
}

export type OrgTableSortKey = 'team' | 'participation' | `aspect:${string}`;

export interface OrgTableSort {
  readonly by: OrgTableSortKey;
  readonly dir: 'asc' | 'desc';
}

function sortValue(row: OrgTableRow, by: OrgTableSortKey): number | null {
  if (by === 'participation') return row.participation.meanRespondents;
  const aspectId = by.slice('aspect:'.length);
  const cell = row.cells.find((candidate) => candidate.aspectId === aspectId);
  return cell?.kind === 'level' ? cell.value : null;
}

/**
 * Sorts the rows by team name, by one aspect's level or by mean respondents. Rows without a value (hidden,
 * not asked, no closed round) go last in either direction, so "lowest first" never starts with blanks;
 * ties fall back to the team name.
 */
export function sortOrgTable(table: OrgTable, sort: OrgTableSort): OrgTable {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const byName = (a: OrgTableRow, b: OrgTableRow) => a.teamName.localeCompare(b.teamName) || a.teamId - b.teamId;
  const rows = [...table.rows].sort((a, b) => {
    if (sort.by === 'team') return sign * byName(a, b);
    const x = sortValue(a, sort.by);
    const y = sortValue(b, sort.by);
    if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1;
    return sign * (x - y) || byName(a, b);
  });
  return { ...table, rows };
}
