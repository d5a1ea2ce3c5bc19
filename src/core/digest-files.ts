import { summariseDigest, type Digest, type DigestSection, type DigestSummary } from './digest.js';

/** The chart data of one digest section, as plain JSON that can cross to the render worker. */
export interface ChartInput {
  readonly title: string;
  readonly levelCount: number;
  readonly aspects: readonly string[];
  readonly cells: readonly { team: string; aspect: string; value: number | null }[];
  readonly trend: readonly { aspect: string; week: string; value: number }[];
}

export function chartInput(section: DigestSection): ChartInput {
  const names = new Map(section.aspects.map((aspect) => [aspect.aspectId, aspect.aspectName]));
  return {
    title: section.surveyTitle,
    levelCount: section.levelNames.length,
    aspects: section.aspects.map((aspect) => aspect.aspectName),
    cells: section.teams.flatMap((row) => row.cells.map((cell) => ({ team: row.teamName, aspect: names.get(cell.aspectId) ?? cell.aspectId, value: cell.value }))),
    trend: section.trend.map((point) => ({ aspect: names.get(point.aspectId) ?? point.aspectId, week: point.at.toISOString().slice(0, 10), value: point.value })),
  };
}

function cell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The digest's full team × aspect table as CSV: one row per visible team and aspect, hidden teams absent. */
export function digestCsv(digest: Digest): string {
  const rows = [['survey', 'team', 'aspect', 'level', 'change_week', 'change_13_weeks'].join(',')];
  for (const section of digest.sections) {
    const names = new Map(section.aspects.map((aspect) => [aspect.aspectId, aspect.aspectName]));
    for (const team of section.teams) {
      for (const entry of team.cells) {
        rows.push(
          [section.surveyTitle, team.teamName, names.get(entry.aspectId) ?? entry.aspectId, entry.value, entry.week.kind === 'change' ? entry.week.delta : null, entry.quarter.kind === 'change' ? entry.quarter.delta : null].map(cell).join(','),
        );
      }
    }
  }
  return `${rows.join('\n')}\n`;
}

/** One survey section's chart: what it is called and the data it plots. */
export interface DigestChart {
  readonly surveyId: string;
  readonly surveyTitle: string;
  readonly input: ChartInput;
}

/** What the digest's reply in its thread attaches: the full table as CSV and one chart per survey section. */
export interface DigestFiles {
  readonly csv: string;
  readonly charts: readonly DigestChart[];
}

export function digestFiles(digest: Digest): DigestFiles {
  return { csv: digestCsv(digest), charts: digest.sections.map((section) => ({ surveyId: section.surveyId, surveyTitle: section.surveyTitle, input: chartInput(section) })) };
}

/**
 * A digest as its two deliveries send it: the message's summary and the thread's files (CSV text and the
 * charts' data), taken from the digest where it was built. The process that sends them then never receives
 * or walks the whole digest (a 500-team digest is ~700 KB of objects; its summary ~160 KB).
 */
export interface DigestParts {
  readonly summary: DigestSummary;
  readonly files: DigestFiles;
}

export function digestParts(digest: Digest): DigestParts {
  return { summary: summariseDigest(digest), files: digestFiles(digest) };
}
