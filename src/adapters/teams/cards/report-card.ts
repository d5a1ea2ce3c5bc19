import type { AspectReport, TeamReport } from '../../../core/report.js';
import { aspectLineParts, type Markup } from '../../text/figure-text.js';
import { plural } from '../../text/format.js';
import { stepSummaryLine } from '../../text/step-text.js';
import { stepFormAction, type OwnerChoice } from './step-cards.js';
import { actionSet, card, cardDate, cut, escapeMarkdown, text, type AdaptiveCard, type CardElement } from './elements.js';

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

export interface ReportCardOptions {
  /** The viewer may adopt steps for the team: every suggestion gets "We'll do this", every aspect "Add our own step". */
  readonly canManageSteps?: boolean;
  /** The clock's now, for the forms' default target date. */
  readonly now?: Date;
  /** Who the forms offer as owner (the channel's members), when the card is built in the channel. */
  readonly owners?: readonly OwnerChoice[] | null;
  /** Display names by AAD object id, for owners the steps name; an unknown one shows as its id, as elsewhere. */
  readonly names?: ReadonlyMap<string, string>;
  /** A line on top: what the viewer's last action did. */
  readonly notice?: { readonly text: string; readonly tone: 'info' | 'warning' };
}

/** Owner pickers repeat in every form; beyond this many bytes of them, owners are named later by command. */
const OWNER_PICKER_BUDGET_BYTES = 16_000;
/** The whole card stays under this, leaving room for the activity around it (Teams refuses ~80 KB). */
const CARD_BUDGET_BYTES = 72_000;

function stepLines(aspect: AspectReport, names: ReadonlyMap<string, string>): string | null {
  const steps = [...aspect.openSteps, ...aspect.doneSteps];
  if (steps.length === 0) return null;
  const style = { text: escapeMarkdown, date: cardDate, mention: (userId: string, name?: string | null) => `**${escapeMarkdown(names.get(userId) ?? name ?? userId)}**` };
  return steps.map((step) => `- ${stepSummaryLine(step, style)}`).join('\n');
}

/** The owners to offer, or null when offering them in every form would make the card too large. */
function affordableOwners(owners: readonly OwnerChoice[] | null | undefined, forms: number): readonly OwnerChoice[] | null {
  if (!owners || owners.length === 0 || forms === 0) return null;
  const perForm = owners.reduce((sum, owner) => sum + jsonBytes(owner.name) + jsonBytes(owner.aadObjectId) + 24, 0);
  return perForm * forms <= OWNER_PICKER_BUDGET_BYTES ? owners : null;
}

/** A team's report as a card, for the asker only (their 1:1 chat, or their own view of a channel card). */
export function reportCard(report: TeamReport, options: ReportCardOptions = {}): AdaptiveCard {
  const body: CardElement[] = [];
  if (options.notice) body.push(text(options.notice.text, options.notice.tone === 'warning' ? { color: 'Warning' } : { color: 'Good' }));
  body.push(text(`${escapeMarkdown(report.teamName)} · ${escapeMarkdown(report.surveyTitle)}`, { weight: 'Bolder', size: 'Medium' }));
  if (!report.hasResults) {
    body.push(text(report.firstCloseAt ? `No results yet: the first round closes ${cardDate(report.firstCloseAt)}.` : 'No results yet: no round has been asked. A lead can start one with **ask**.'));
    return card(body);
  }
  const manage = options.canManageSteps === true;
  const names = options.names ?? new Map<string, string>();
  const below = report.furthestBelowTarget.flatMap((aspectId) => report.aspects.filter((candidate) => candidate.aspectId === aspectId && candidate.suggestions.length > 0));
  const formCount = manage ? report.aspects.length + below.reduce((sum, aspect) => sum + aspect.suggestions.length, 0) : 0;
  const owners = affordableOwners(options.owners, formCount);
  const form = (aspect: AspectReport, suggestionId: string | null, title: string) => stepFormAction({ title, teamId: report.teamId, aspectId: aspect.aspectId, suggestionId, now: options.now ?? report.generatedAt, owners });
  for (const aspect of report.aspects) {
    body.push(text(aspectLine(aspect)));
    const steps = stepLines(aspect, names);
    if (steps) body.push(text(steps, { size: 'Small' }));
    if (manage) body.push(actionSet([form(aspect, null, `Add our own step · ${cut(aspect.aspectName, 40)}`)]));
  }
  for (const aspect of below) {
    body.push(text(aspect.suggestionsToward ? `To move **${escapeMarkdown(aspect.aspectName)}** toward **${escapeMarkdown(aspect.suggestionsToward)}**:` : `To keep **${escapeMarkdown(aspect.aspectName)}** where it is:`, { weight: 'Bolder' }));
    if (!manage) {
      body.push(text(aspect.suggestions.map((suggestion) => `- ${escapeMarkdown(suggestion.text)}`).join('\n')));
      continue;
    }
    for (const suggestion of aspect.suggestions) body.push(text(`- ${escapeMarkdown(suggestion.text)}`), actionSet([form(aspect, suggestion.id, "We'll do this")]));
  }
  const footer = text(`Last ${plural(report.windowRounds, 'round')} per aspect; only closed rounds with at least ${report.minRespondents} answers with a level count. Only you can see this.`, { isSubtle: true, size: 'Small' });
  if (report.comments && report.comments.length > 0) {
    body.push(text('Comments (leads only; unattributed, in random order, from rounds large enough to stay anonymous)', { weight: 'Bolder' }));
    // Forms take room too: comments share what is left of the card's budget, never more than their own.
    const left = CARD_BUDGET_BYTES - Buffer.byteLength(JSON.stringify(card([...body, footer])), 'utf8');
    const share = Math.floor(Math.max(4_000, Math.min(COMMENT_BUDGET_BYTES, left)) / report.comments.length);
    for (const group of report.comments) {
      body.push(text(`_${escapeMarkdown(group.aspectName)}_`));
      body.push(text(commentList(group.texts, share)));
    }
  }
  body.push(footer);
  return card(body);
}
