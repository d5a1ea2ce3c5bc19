import type { Digest } from '../../core/digest.js';

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
