import type { z } from 'zod';
import type { AspectAcross, TeamMover } from '../../../core/aspect-across.js';
import type { DigestSectionSummary, DigestSummary, Mover } from '../../../core/digest.js';
import type { OrgCell, OrgTable, Participation } from '../../../core/org-table.js';
import type { AspectReport, Shortfall } from '../../../core/report.js';
import type { AspectTarget } from '../../../core/targets.js';
import type { Change } from '../../../core/trends.js';
import type { AspectSeries, DigestArchiveEntry, HistoryRound, OrgOverviewSurvey, TeamDashboard } from '../../../services/dashboard-service.js';
import type { Team } from '../../../core/team.js';
import type { StepRow } from '../../../services/step-board-service.js';
import type { StepQuery } from '../step-query.js';
import { shortfallText } from '../../text/figure-text.js';
import type { OrgQuery } from '../org-query.js';
import type {
  AgreementSchema,
  ChangeSchema,
  DigestEntrySchema,
  DigestSectionSchema,
  MoverSchema,
  OrgSurveyTableSchema,
  ParticipationSchema,
  ShortfallSchema,
  TargetSchema,
  TeamMoverSchema} from './schemas.js';
import {
  type AspectExportWire,
  type DigestWire,
  type HistoryRoundWire,
  type OrgCellWire,
  type OrganisationWire,
  type StepListWire,
  type StepWire,
  type TeamAspectWire,
  type TeamDetailWire,
  type TeamExportWire,
  type TeamListWire,
  type TeamRoundsWire,
  type TeamTrendsWire,
} from './schemas.js';

/** Mappers: the domain's results as wire objects, field by field, so nothing rides along unnamed. */

const iso = (at: Date): string => at.toISOString();

export function changeWire(change: Change): z.input<typeof ChangeSchema> | null {
  return change.kind === 'change' ? { delta: change.delta, direction: change.direction, since: iso(change.since) } : null;
}

/** A shortfall as the dashboard words it: the count only while it is below the minimum (else it would say how many chose "I don't know"). */
export function shortfallWire(shortfall: Shortfall): z.input<typeof ShortfallSchema> {
  return { answered: shortfall.respondents < shortfall.needed ? shortfall.respondents : null, needed: shortfall.needed, text: shortfallText(shortfall) };
}

export function participationWire(participation: Participation): z.input<typeof ParticipationSchema> {
  return { rounds: participation.rounds, meanRespondents: participation.meanRespondents, rate: participation.rate };
}

export function teamListWire(teams: readonly Team[]): TeamListWire {
  return { teams: teams.map((team) => ({ id: team.id, name: team.name, surveyId: team.surveyId })) };
}

function targetWire(target: AspectTarget): z.infer<typeof TargetSchema> {
  return { level: target.level, name: target.name, source: target.source, reason: target.reason };
}

function teamAspectWire(aspect: AspectReport, agreement: ReadonlyMap<string, z.infer<typeof AgreementSchema>>): TeamAspectWire {
  const base = { aspectId: aspect.aspectId, aspectName: aspect.aspectName, openUntil: aspect.openUntil ? iso(aspect.openUntil) : null, target: targetWire(aspect.target) };
  const status = aspect.status;
  switch (status.kind) {
    case 'not-asked':
      return { ...base, status: 'not-asked' };
    case 'hidden':
      return { ...base, status: 'hidden', shortfall: shortfallWire(status) };
    case 'level':
      return {
        ...base,
        status: 'level',
        value: status.figure.value,
        reached: status.description.reached,
        levelName: status.description.name,
        label: status.description.label,
        change: changeWire(status.change),
        latestRespondents: status.figure.latestRespondents,
        latestShort: status.latestShort ? shortfallWire(status.latestShort) : null,
        agreement: agreement.get(aspect.aspectId) ?? null,
        toGo: aspect.standing?.toGo ?? 0,
        suggestions: aspect.suggestions.map((suggestion) => ({ id: suggestion.id, text: suggestion.text })),
        suggestionsToward: aspect.suggestionsToward,
      };
  }
}

function teamAspectsWire(dashboard: TeamDashboard): TeamAspectWire[] {
  const agreement = new Map(dashboard.agreement.map((entry) => [entry.aspectId, entry.agreement]));
  return dashboard.report.aspects.map((aspect) => teamAspectWire(aspect, agreement));
}

/** A step; its owner only once they accepted, as the id their platform gives. */
export function stepWire(step: StepRow): StepWire {
  return {
    id: step.id,
    teamId: step.teamId,
    teamName: step.teamName,
    surveyId: step.surveyId,
    aspectId: step.aspectId,
    aspectName: step.aspectName,
    suggestionId: step.suggestionId,
    text: step.text,
    status: step.status,
    adoptedAt: iso(step.adoptedAt),
    dueAt: iso(step.dueAt),
    closedAt: step.closedAt ? iso(step.closedAt) : null,
    owner: step.ownerUserId,
    levelAtAdoption: step.levelAtAdoption,
    levelNow: step.levelNow,
  };
}

export function stepListWire(generatedAt: Date, query: StepQuery, steps: readonly StepRow[]): StepListWire {
  return { generatedAt: iso(generatedAt), query: { ...query }, steps: steps.map(stepWire) };
}

/** The team endpoint. Comments are passed on exactly when the service gave them (to the team's leads only). */
export function teamDetailWire(dashboard: TeamDashboard, steps: readonly StepRow[] = []): TeamDetailWire {
  const { report } = dashboard;
  return {
    id: report.teamId,
    name: report.teamName,
    surveyId: report.surveyId,
    surveyTitle: report.surveyTitle,
    generatedAt: iso(report.generatedAt),
    minRespondents: report.minRespondents,
    windowRounds: report.windowRounds,
    hasResults: report.hasResults,
    firstCloseAt: report.firstCloseAt ? iso(report.firstCloseAt) : null,
    aspects: teamAspectsWire(dashboard),
    furthestBelowTarget: [...report.furthestBelowTarget],
    participation: participationWire(dashboard.participation),
    openRound: dashboard.openRound ? { aspectName: dashboard.openRound.aspectName, closesAt: iso(dashboard.openRound.closesAt), respondents: dashboard.openRound.respondents } : null,
    comments: report.comments ? report.comments.map((group) => ({ aspectId: group.aspectId, aspectName: group.aspectName, texts: [...group.texts] })) : null,
    steps: steps.map(stepWire),
  };
}

export function teamTrendsWire(teamId: number, series: readonly AspectSeries[]): TeamTrendsWire {
  return { teamId, series: series.map((aspect) => ({ aspectId: aspect.aspectId, aspectName: aspect.aspectName, points: aspect.points.map((point) => ({ at: iso(point.at), value: point.value })) })) };
}

export function historyRoundWire(round: HistoryRound): HistoryRoundWire {
  const base = { aspectName: round.aspectName, prompt: round.prompt, openedAt: iso(round.openedAt), closedAt: iso(round.closedAt) };
  return round.counted ? { ...base, counted: true, respondents: round.respondents, mean: round.mean, distribution: round.distribution ? [...round.distribution] : null } : { ...base, counted: false, shortfall: shortfallWire({ respondents: round.respondents, needed: round.needed }) };
}

export function teamRoundsWire(teamId: number, history: readonly HistoryRound[]): TeamRoundsWire {
  return { teamId, rounds: history.map(historyRoundWire) };
}

export function orgCellWire(cell: OrgCell): OrgCellWire {
  switch (cell.kind) {
    case 'not-asked':
      return { aspectId: cell.aspectId, status: 'not-asked' };
    case 'hidden':
      return { aspectId: cell.aspectId, status: 'hidden', shortfall: shortfallWire(cell) };
    case 'level':
      return {
        aspectId: cell.aspectId,
        status: 'level',
        value: cell.value,
        reached: cell.reached,
        levelName: cell.levelName,
        label: cell.label,
        change: changeWire(cell.change),
        latestShort: cell.latestShort ? shortfallWire(cell.latestShort) : null,
      };
  }
}

function orgTableWire(survey: OrgOverviewSurvey, table: OrgTable): z.input<typeof OrgSurveyTableSchema> {
  return {
    surveyId: survey.surveyId,
    surveyTitle: table.surveyTitle,
    levelNames: [...table.levelNames],
    aspects: table.aspects.map((aspect) => ({ id: aspect.id, name: aspect.name })),
    allTeams: table.allTeams.map((cell) => ({ aspectId: cell.aspectId, value: cell.value, label: cell.label, teams: cell.teams, hidden: cell.hidden })),
    rows: table.rows.map((row) => ({ teamId: row.teamId, teamName: row.teamName, cells: row.cells.map(orgCellWire), participation: participationWire(row.participation) })),
  };
}

/** The organisation as the query shows it; `tables` are the surveys' tables after the query was applied. */
export function organisationWire(generatedAt: Date, query: OrgQuery, tables: readonly { survey: OrgOverviewSurvey; table: OrgTable }[]): OrganisationWire {
  return { generatedAt: iso(generatedAt), query: { ...query }, surveys: tables.map(({ survey, table }) => orgTableWire(survey, table)) };
}

export function digestEntryWire(entry: DigestArchiveEntry): z.input<typeof DigestEntrySchema> {
  return { id: entry.deliveryId, platform: entry.platform, at: iso(entry.at), sentAt: iso(entry.sentAt), surveyIds: entry.surveyIds ? [...entry.surveyIds] : null };
}

const moverWire = (mover: Mover): z.input<typeof MoverSchema> => ({ teamName: mover.teamName, aspectId: mover.aspectId, aspectName: mover.aspectName, delta: mover.delta });

function digestSectionWire(section: DigestSectionSummary): z.input<typeof DigestSectionSchema> {
  return {
    surveyId: section.surveyId,
    surveyTitle: section.surveyTitle,
    levelNames: [...section.levelNames],
    teamCount: section.teamCount,
    hiddenTeamCount: section.hiddenTeamCount,
    aspects: section.aspects.map((aspect) => ({ aspectId: aspect.aspectId, aspectName: aspect.aspectName, value: aspect.value, label: aspect.label, teams: aspect.teams, week: changeWire(aspect.week), quarter: changeWire(aspect.quarter) })),
    improvedThisWeek: section.improvedThisWeek.map(moverWire),
    slippedThisWeek: section.slippedThisWeek.map(moverWire),
    improvedThisQuarter: section.improvedThisQuarter.map(moverWire),
    slippedThisQuarter: section.slippedThisQuarter.map(moverWire),
    belowTarget: section.belowTarget.map((below) => ({ aspectId: below.aspectId, aspectName: below.aspectName, value: below.value, label: below.label, target: targetWire(below.target), toGo: below.toGo, toward: below.toward, suggestions: [...below.suggestions] })),
    steps: {
      adoptedThisWeek: section.steps.adoptedThisWeek,
      doneThisWeek: section.steps.doneThisWeek,
      droppedThisWeek: section.steps.droppedThisWeek,
      paidOff: section.steps.paidOff.map((paid) => ({ teamName: paid.teamName, aspectName: paid.aspectName, text: paid.text, doneAt: iso(paid.doneAt), before: paid.before, now: paid.now })),
    },
    participation: { roundsClosed: section.participation.roundsClosed, respondents: section.participation.respondents, roundsBelowMinimum: section.participation.roundsBelowMinimum, responseRate: section.participation.responseRate },
  };
}

/** One digest: the summary its message showed (no team table, no channel, no ids beyond the digest's own). */
export function digestWire(entry: DigestArchiveEntry, summary: DigestSummary): DigestWire {
  return { ...digestEntryWire(entry), generatedAt: iso(summary.generatedAt), weekAgo: iso(summary.weekAgo), quarterAgo: iso(summary.quarterAgo), sections: summary.sections.map(digestSectionWire) };
}

export function teamExportWire(dashboard: TeamDashboard, steps: readonly StepRow[] = []): TeamExportWire {
  const { report } = dashboard;
  return {
    generatedAt: iso(report.generatedAt),
    team: { id: report.teamId, name: report.teamName, surveyId: report.surveyId, surveyTitle: report.surveyTitle },
    aspects: teamAspectsWire(dashboard),
    participation: participationWire(dashboard.participation),
    rounds: dashboard.history.map(historyRoundWire),
    steps: steps.map(stepWire),
  };
}

const teamMoverWire = (mover: TeamMover): z.input<typeof TeamMoverSchema> => ({ teamId: mover.teamId, teamName: mover.teamName, aspectId: mover.aspectId, aspectName: mover.aspectName, delta: mover.delta });

export function aspectExportWire(aspect: AspectAcross): AspectExportWire {
  return {
    surveyId: aspect.surveyId,
    aspectId: aspect.aspectId,
    aspectName: aspect.aspectName,
    generatedAt: iso(aspect.generatedAt),
    weekAgo: iso(aspect.weekAgo),
    quarterAgo: iso(aspect.quarterAgo),
    value: aspect.value,
    label: aspect.label,
    teamsWithLevel: aspect.teamsWithLevel,
    hiddenTeams: aspect.hiddenTeams,
    notAskedTeams: aspect.notAskedTeams,
    levels: aspect.levels.map((level) => ({ level: level.level, name: level.name, teams: level.teams, aspectLabel: level.aspectLabel, suggestions: [...level.suggestions], toward: level.toward })),
    improvedThisWeek: aspect.improvedThisWeek.map(teamMoverWire),
    slippedThisWeek: aspect.slippedThisWeek.map(teamMoverWire),
    improvedThisQuarter: aspect.improvedThisQuarter.map(teamMoverWire),
    slippedThisQuarter: aspect.slippedThisQuarter.map(teamMoverWire),
    weakest: aspect.weakest.map((team) => ({ teamId: team.teamId, teamName: team.teamName, value: team.value, label: team.label })),
  };
}
