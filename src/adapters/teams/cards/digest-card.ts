import { targetPhrase } from '../../text/figure-text.js';
import type { DigestSummary, Mover } from '../../../core/digest.js';
import { isoWeekKeyAt } from '../../../core/schedule.js';
import { formatDelta, formatLevel, plural, responseRateSuffix } from '../../text/format.js';
import { card, cardDate, escapeMarkdown, text, type AdaptiveCard, type CardElement } from './elements.js';
import { digestStepLines } from '../../text/step-text.js';

function movers(label: string, list: readonly Mover[]): CardElement | null {
  if (list.length === 0) return null;
  const shown = list.slice(0, 5).map((mover) => `${escapeMarkdown(mover.teamName)} · ${escapeMarkdown(mover.aspectName)} ${formatDelta(mover.delta)}`);
  return text(`**${label}** ${shown.join(', ')}${list.length > 5 ? `, and ${list.length - 5} more` : ''}`);
}

/** The weekly digest: movers and weak spots, per survey; the chart follows in the thread. */
export function digestCard(digest: DigestSummary, timeZone = 'UTC'): AdaptiveCard {
  const teams = digest.sections.reduce((sum, section) => sum + section.teamCount, 0);
  const body: CardElement[] = [text(`Platform maturity · week ${isoWeekKeyAt(digest.generatedAt, timeZone).slice(-2)} · ${plural(teams, 'team')}`, { weight: 'Bolder', size: 'Medium' })];
  if (digest.sections.length === 0) body.push(text('No teams are set up yet.'));
  for (const section of digest.sections) {
    const rate = responseRateSuffix(section.participation.responseRate);
    body.push(text(`**${escapeMarkdown(section.surveyTitle)}** · ${plural(section.teamCount, 'team')} · ${plural(section.participation.roundsClosed, 'round')} closed this week, ${plural(section.participation.respondents, 'answer')}${rate}`));
    body.push(text(section.aspects.map((aspect) => `- ${escapeMarkdown(aspect.aspectName)}: ${aspect.value === null ? '—' : `**${formatLevel(aspect.value)}** ${escapeMarkdown(aspect.label ?? '')}`}${aspect.week.kind === 'change' ? ` · week ${formatDelta(aspect.week.delta)}` : ''}${aspect.quarter.kind === 'change' ? ` · 13 weeks ${formatDelta(aspect.quarter.delta)}` : ''}`).join('\n')));
    for (const line of [movers('Improved this week:', section.improvedThisWeek), movers('Slipped this week:', section.slippedThisWeek), movers('Improved over 13 weeks:', section.improvedThisQuarter), movers('Slipped over 13 weeks:', section.slippedThisQuarter)]) {
      if (line) body.push(line);
    }
    for (const below of section.belowTarget) {
      body.push(text(`**Furthest below target: ${escapeMarkdown(below.aspectName)} ${formatLevel(below.value)}** — ${targetPhrase(below.target, below.toGo, { escape: escapeMarkdown })}${below.toward ? `; try next, toward ${escapeMarkdown(below.toward)}:` : ':'}\n${below.suggestions.slice(0, 2).map((step) => `- ${escapeMarkdown(step)}`).join('\n')}`));
    }
    const stepLines = digestStepLines(section.steps, { bold: (value) => `**${value}**`, text: escapeMarkdown, date: cardDate });
    if (stepLines.length > 0) body.push(text(stepLines.join('\n\n')));
    if (section.hiddenTeamCount > 0) body.push(text(`${plural(section.hiddenTeamCount, 'team')} hidden: no round with enough answers yet.`, { isSubtle: true, size: 'Small' }));
  }
  body.push(text('Figures use closed rounds with enough answers only; nobody’s individual answer is shown. The chart follows in the thread.', { isSubtle: true, size: 'Small' }));
  return card(body);
}

/** The chart, inline, when it fits a Teams message; otherwise a pointer to the full chart. */
export function digestChartCard(images: readonly { title: string; png: Buffer }[], maxBytes: number): AdaptiveCard {
  const body: CardElement[] = [];
  let used = 0;
  for (const image of images) {
    const size = Math.ceil((image.png.length * 4) / 3);
    if (used + size > maxBytes) {
      body.push(text(`${escapeMarkdown(image.title)}: the chart is too large for a Teams message; run \`maturity-pulse digest --preview --out digest.png\` to get it.`, { isSubtle: true }));
      continue;
    }
    used += size;
    body.push(text(escapeMarkdown(image.title), { weight: 'Bolder' }), { type: 'Image', url: `data:image/png;base64,${image.png.toString('base64')}`, altText: image.title, size: 'Stretch' });
  }
  return card(body);
}
