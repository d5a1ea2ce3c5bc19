import type { AspectReport, TeamReport } from '../../../core/report.js';
import { aspectLineParts, type Markup } from '../../text/figure-text.js';
import { plural } from '../../text/format.js';
import { card, cardDate, cut, escapeMarkdown, text, type AdaptiveCard, type CardElement } from './elements.js';

/**
 * Teams refuses a message over about 80 KB (413), and comments are the only part of a report that grows
 * with what people write: they share this many bytes of card JSON, split evenly between aspects.
 */
const COMMENT_BUDGET_BYTES = 40_000;

/** Bytes a string takes inside the card's JSON (escapes and UTF-8 included). */
function jsonBytes(value: string): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** One aspect's comments as a list within `budget` bytes, saying how many did not fit. */
function commentList(texts: readonly string[], budget: number): string {
  const lines: string[] = [];
  let used = 0;
  for (const [index, comment] of texts.entries()) {
    let line = `- ${escapeMarkdown(comment.replace(/\n/g, ' '))}`;
    // A single comment longer than the whole share is shortened rather than dropped.
    while (lines.length === 0 && jsonBytes(line) > budget) line = cut(line, Math.floor(line.length * 0.8));
    if (used + jsonBytes(line) > budget) {
      lines.push(`- …${plural(texts.length - index, 'more comment')} did not fit here`);
      break;
    }
    lines.push(line);
    used += jsonBytes(line);
  }
  return lines.join('\n');
}

export const TEAMS_MARKUP: Markup = { escape: escapeMarkdown, bold: (value) => `**${value}**`, date: cardDate };

function aspectLine(aspect: AspectReport): string {
  const [name = '', value = '', ...rest] = aspectLineParts(aspect, TEAMS_MARKUP);
  return `${name} ${value} ${rest.join(' · ')}`;
}

/** A team's report as a card, for the asker only (their 1:1 chat, or their own view of a channel card). */
export function reportCard(report: TeamReport): AdaptiveCard {
  const body: CardElement[] = [text(`${escapeMarkdown(report.teamName)} · ${escapeMarkdown(report.surveyTitle)}`, { weight: 'Bolder', size: 'Medium' })];
  if (!report.hasResults) {
    body.push(text(report.firstCloseAt ? `No results yet: the first round closes ${cardDate(report.firstCloseAt)}.` : 'No results yet: no round has been asked. A lead can start one with **ask**.'));
    return card(body);
  }
  for (const aspect of report.aspects) body.push(text(aspectLine(aspect)));
  for (const aspectId of report.furthestBelowTarget) {
    const aspect = report.aspects.find((candidate) => candidate.aspectId === aspectId);
    if (!aspect || aspect.suggestions.length === 0) continue;
    body.push(text(aspect.suggestionsToward ? `To move **${escapeMarkdown(aspect.aspectName)}** toward **${escapeMarkdown(aspect.suggestionsToward)}**:` : `To keep **${escapeMarkdown(aspect.aspectName)}** where it is:`, { weight: 'Bolder' }));
    body.push(text(aspect.suggestions.map((suggestion) => `- ${escapeMarkdown(suggestion.text)}`).join('\n')));
  }
  if (report.comments && report.comments.length > 0) {
    body.push(text('Comments (leads only; unattributed, in random order, from rounds large enough to stay anonymous)', { weight: 'Bolder' }));
    const share = Math.floor(COMMENT_BUDGET_BYTES / report.comments.length);
    for (const group of report.comments) {
      body.push(text(`_${escapeMarkdown(group.aspectName)}_`));
      body.push(text(commentList(group.texts, share)));
    }
  }
  body.push(text(`Last ${plural(report.windowRounds, 'round')} per aspect; only closed rounds with at least ${report.minRespondents} answers with a level count. Only you can see this.`, { isSubtle: true, size: 'Small' }));
  return card(body);
}
