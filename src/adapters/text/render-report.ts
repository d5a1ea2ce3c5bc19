import type { AspectReport, TeamReport } from '../../core/report.js';
import { aspectLineParts, PLAIN_MARKUP, type Markup } from './figure-text.js';
import { formatDate, pad, plural } from './format.js';
import { stepSummaryLine } from './step-text.js';

const TEXT_MARKUP: Markup = { ...PLAIN_MARKUP, date: (at) => formatDate(at) };
const STEP_STYLE = { text: (value: string) => value, date: (at: Date) => formatDate(at), mention: (userId: string, name?: string | null) => name ?? userId };
/** Column widths after the name: level, label, change, count; the rest follows unpadded. */
const COLUMNS = [4, 38, 7, 12];

function aspectLine(aspect: AspectReport, nameWidth: number): string {
  const [name = '', ...rest] = aspectLineParts(aspect, TEXT_MARKUP);
  const cells = rest.map((part, index) => (index < COLUMNS.length && rest.length > 3 ? pad(part, COLUMNS[index] ?? 0) : part));
  return `  ${pad(name, nameWidth)}  ${cells.join(' ')}`.trimEnd();
}

/** The plain-text report (CLI and logs); chat adapters render the same TeamReport their own way. */
export function renderReportText(report: TeamReport): string {
  const lines = [`${report.teamName} · ${report.surveyTitle} · last ${plural(report.windowRounds, 'round')} per aspect`];
  if (!report.hasResults) {
    lines.push(report.firstCloseAt ? `No results yet: the first round closes ${formatDate(report.firstCloseAt)}.` : 'No results yet: no round has been asked.');
  }
  const nameWidth = Math.max(...report.aspects.map((aspect) => aspect.aspectName.length), 8);
  if (report.hasResults) for (const aspect of report.aspects) lines.push(aspectLine(aspect, nameWidth));
  for (const aspectId of report.furthestBelowTarget) {
    const aspect = report.aspects.find((candidate) => candidate.aspectId === aspectId);
    if (!aspect || aspect.suggestions.length === 0) continue;
    lines.push(aspect.suggestionsToward ? `To move ${aspect.aspectName} toward ${aspect.suggestionsToward}:` : `To keep ${aspect.aspectName} where it is:`);
    for (const suggestion of aspect.suggestions) lines.push(`  • ${suggestion.text}`);
  }
  const withSteps = report.aspects.filter((aspect) => aspect.openSteps.length + aspect.doneSteps.length > 0);
  if (withSteps.length > 0) {
    lines.push('Next steps:');
    for (const aspect of withSteps) {
      for (const step of [...aspect.openSteps, ...aspect.doneSteps]) lines.push(`  ${aspect.aspectName}: ${stepSummaryLine(step, STEP_STYLE)}`);
    }
  }
  if (report.comments && report.comments.length > 0) {
    lines.push('Comments (from rounds large enough to keep them anonymous, in random order):');
    for (const group of report.comments) {
      lines.push(`  ${group.aspectName}:`);
      for (const text of group.texts) lines.push(`    “${text}”`);
    }
  }
  lines.push(`Figures use closed rounds with at least ${report.minRespondents} answers with a level; nobody's individual answer is shown.`);
  return lines.join('\n');
}
