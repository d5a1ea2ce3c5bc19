import type { AspectReport, TeamReport } from '../../core/report.js';
import { formatChange, formatDate, formatLevel, pad, plural } from './format.js';

function aspectLine(aspect: AspectReport, nameWidth: number): string {
  const name = pad(aspect.aspectName, nameWidth);
  const status = aspect.status;
  const open = aspect.openUntil ? ` · round open until ${formatDate(aspect.openUntil)}` : '';
  switch (status.kind) {
    case 'not-asked':
      return `  ${name}  —    not asked yet${open}`;
    case 'hidden':
      return `  ${name}  —    hidden: ${status.answered} answered, results need ${status.needed}${open}`;
    case 'level': {
      const { figure } = status;
      const agreement = figure.agreement === 'low' ? 'agreement low — worth a conversation' : `agreement ${figure.agreement}`;
      const short = status.latestShort ? ` · last round not counted (${status.latestShort.answered} of ${status.latestShort.needed} needed)` : '';
      return `  ${name}  ${formatLevel(figure.value)}  ${pad(status.description.label, 38)} ${pad(formatChange(status.change), 7)} ${pad(`${figure.latestRespondents} answered`, 12)} ${agreement}${short}${open}`;
    }
  }
}

/** The plain-text report (CLI and logs); chat adapters render the same TeamReport their own way. */
export function renderReportText(report: TeamReport): string {
  const lines = [`${report.teamName} · ${report.surveyTitle} · last ${plural(report.windowRounds, 'round')} per aspect`];
  if (!report.hasResults) {
    lines.push(report.firstCloseAt ? `No results yet: the first round closes ${formatDate(report.firstCloseAt)}.` : 'No results yet: no round has been asked.');
  }
  const nameWidth = Math.max(...report.aspects.map((aspect) => aspect.aspectName.length), 8);
  if (report.hasResults) for (const aspect of report.aspects) lines.push(aspectLine(aspect, nameWidth));
  for (const aspectId of report.weakest) {
    const aspect = report.aspects.find((candidate) => candidate.aspectId === aspectId);
    if (!aspect || aspect.suggestions.length === 0) continue;
    lines.push(aspect.suggestionsToward ? `To move ${aspect.aspectName} toward ${aspect.suggestionsToward}:` : `To keep ${aspect.aspectName} where it is:`);
    for (const suggestion of aspect.suggestions) lines.push(`  • ${suggestion}`);
  }
  if (report.comments && report.comments.length > 0) {
    lines.push('Comments (from rounds large enough to keep them anonymous, in random order):');
    for (const group of report.comments) {
      lines.push(`  ${group.aspectName}:`);
      for (const text of group.texts) lines.push(`    “${text}”`);
    }
  }
  lines.push(`Figures use closed rounds with at least ${report.minRespondents} answers; nobody's individual answer is shown.`);
  return lines.join('\n');
}
