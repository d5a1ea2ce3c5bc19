import { PLAIN_MARKUP, targetPhrase } from './figure-text.js';
import type { DigestSectionSummary, DigestSummary, Mover } from '../../core/digest.js';
import { isoWeekKeyAt } from '../../core/schedule.js';
import { formatDate, formatDelta, formatLevel, pad, plural, responseRateSuffix } from './format.js';
import { digestStepLines } from './step-text.js';

const MOVERS_SHOWN = 5;

function movers(label: string, list: readonly Mover[]): string | null {
  if (list.length === 0) return null;
  const shown = list.slice(0, MOVERS_SHOWN).map((mover) => `${mover.teamName} (${mover.aspectName} ${formatDelta(mover.delta)})`);
  const more = list.length > MOVERS_SHOWN ? `, and ${list.length - MOVERS_SHOWN} more` : '';
  return `${label} ${shown.join(', ')}${more}`;
}

function renderSection(section: DigestSectionSummary): string[] {
  const rate = responseRateSuffix(section.participation.responseRate);
  const lines = [`${section.surveyTitle} · ${plural(section.teamCount, 'team')} · ${section.participation.roundsClosed} rounds closed this week, ${section.participation.respondents} answers${rate}`];
  const nameWidth = Math.max(...section.aspects.map((aspect) => aspect.aspectName.length), 8);
  for (const aspect of section.aspects) {
    const week = aspect.week.kind === 'change' ? `week ${formatDelta(aspect.week.delta)}` : 'week —';
    const quarter = aspect.quarter.kind === 'change' ? `13 weeks ${formatDelta(aspect.quarter.delta)}` : '13 weeks —';
    const value = aspect.value === null ? '—  ' : formatLevel(aspect.value);
    lines.push(`  ${pad(aspect.aspectName, nameWidth)}  ${value}  ${pad(aspect.label ?? 'no team has results yet', 38)} ${pad(week, 10)} ${pad(quarter, 14)} ${plural(aspect.teams, 'team')}`);
  }
  for (const line of [
    movers('Improved this week:', section.improvedThisWeek),
    movers('Slipped this week: ', section.slippedThisWeek),
    movers('Improved over 13 weeks:', section.improvedThisQuarter),
    movers('Slipped over 13 weeks: ', section.slippedThisQuarter),
  ]) {
    if (line) lines.push(line);
  }
  if (section.belowTarget.length > 0) {
    lines.push(`Furthest below target: ${section.belowTarget.map((aspect) => `${aspect.aspectName} ${formatLevel(aspect.value)} (${targetPhrase(aspect.target, aspect.toGo, PLAIN_MARKUP)})`).join(' · ')}`);
    for (const aspect of section.belowTarget) {
      const first = aspect.suggestions[0];
      if (first) lines.push(`  Try next for ${aspect.aspectName}${aspect.toward ? ` (toward ${aspect.toward})` : ''}: ${first}`);
    }
  }
  lines.push(...digestStepLines(section.steps, { bold: (value) => value, text: (value) => value, date: (at) => formatDate(at) }));
  if (section.hiddenTeamCount > 0) {
    lines.push(`Hidden: ${plural(section.hiddenTeamCount, 'team')} without a round of at least the minimum number of answers yet.`);
  }
  return lines;
}

/** The plain-text digest preview (CLI and demo). */
export function renderDigestText(digest: DigestSummary, zone = 'UTC'): string {
  const header = `Platform maturity · week ${isoWeekKeyAt(digest.generatedAt, zone)}`;
  if (digest.sections.length === 0) return `${header}\nNo teams yet.`;
  return [header, ...digest.sections.flatMap((section) => ['', ...renderSection(section)])].join('\n');
}
