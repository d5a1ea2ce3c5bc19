import type { RoundOutcome, RoundView } from '../../core/messenger.js';
import type { AspectReport, Shortfall } from '../../core/report.js';
import type { Agreement } from '../../core/scoring.js';
import type { AspectTarget } from '../../core/targets.js';
import { formatChange, formatLevel, plural } from './format.js';

/**
 * The words of every figure, shared by the plain-text, Slack and Teams renderers so the three cannot
 * drift apart (what a figure says is a privacy matter, not a layout one). Each platform passes how it
 * escapes user-visible text and marks emphasis.
 */
export interface Markup {
  escape(text: string): string;
  bold(text: string): string;
  date(at: Date): string;
}

export const PLAIN_MARKUP: Markup = { escape: (text) => text, bold: (text) => text, date: (at) => at.toISOString() };

/**
 * Why a round or an aspect shows no figure. Only the count everyone already saw on the round message is
 * named; how many answers had a level is not, or the two would say how many chose "I don't know".
 */
export function shortfallText(shortfall: Shortfall): string {
  return shortfall.respondents < shortfall.needed
    ? `${shortfall.respondents} answered, results need ${shortfall.needed}`
    : `too few answers with a level, results need ${shortfall.needed}`;
}

/** "agreement high" for a report line; null when the figure may not show it (a round in it is too small). */
export function agreementPhrase(agreement: Agreement | null): string | null {
  if (agreement === null) return null;
  return agreement === 'low' ? 'agreement low — worth a conversation' : `agreement ${agreement}`;
}

/** The agreement as a sentence for a round's result; null when the round is too small to show it. */
export function agreementSentence(agreement: Agreement | null): string | null {
  if (agreement === null) return null;
  return agreement === 'high' ? 'The team mostly agrees.' : agreement === 'medium' ? 'Views differ somewhat.' : 'Views differ a lot — worth a conversation.';
}

/**
 * An aspect against its target: "target Scalable (3): 0.4 to go", "on target (Scalable, 3)"; without a
 * target set, the next level is the target and is called that.
 */
export function targetPhrase(target: AspectTarget, toGo: number, markup: Pick<Markup, 'escape'>): string {
  const level = `${markup.escape(target.name)} (${target.level})`;
  if (toGo <= 0) return target.source === 'next' ? `top level: ${level}` : `on target: ${level}`;
  return `${target.source === 'next' ? 'next level' : 'target'} ${level}: ${toGo.toFixed(1)} to go`;
}

/** The parts of one aspect's report line, in order; each platform joins (or pads) them its own way. */
export function aspectLineParts(aspect: AspectReport, markup: Markup): string[] {
  const name = markup.bold(markup.escape(aspect.aspectName));
  const open = aspect.openUntil ? [`a round is open until ${markup.date(aspect.openUntil)}`] : [];
  const status = aspect.status;
  switch (status.kind) {
    case 'not-asked':
      return [name, '—', 'not asked yet', ...open];
    case 'hidden':
      return [name, '—', `hidden: ${shortfallText(status)}`, ...open];
    case 'level': {
      const { figure } = status;
      const agreement = agreementPhrase(figure.breakdown?.agreement ?? null);
      const short = status.latestShort ? [`the last round did not count (${shortfallText(status.latestShort)})`] : [];
      const target = aspect.standing ? [targetPhrase(aspect.standing.target, aspect.standing.toGo, markup)] : [];
      return [name, markup.bold(formatLevel(figure.value)), markup.escape(status.description.label), formatChange(status.change), `${figure.latestRespondents} answered`, ...target, ...(agreement ? [agreement] : []), ...short, ...open];
    }
  }
}

/** A round's result: its headline and, when there is one, the next step. */
export function outcomeText(view: RoundView, outcome: RoundOutcome, markup: Markup): { readonly headline: string; readonly next: string | null } {
  if (outcome.kind === 'too-few') {
    const headline =
      outcome.respondents < outcome.needed
        ? `Only ${outcome.respondents} answered; results need ${outcome.needed} answers with a level, so this round stays private. ${plural(outcome.needed - outcome.respondents, 'more answer')} next time!`
        : `Too few answers with a level ("I don't know" carries none); results need ${outcome.needed}, so this round stays private.`;
    return { headline, next: null };
  }
  const change = outcome.change.kind === 'change' ? ` ${formatChange(outcome.change)} on the previous rounds.` : '';
  const agreement = agreementSentence(outcome.agreement);
  const headline = `${markup.bold(`${markup.escape(view.aspectName)} this round: ${formatLevel(outcome.value)} of ${outcome.levelCount}`)} (${markup.escape(outcome.label)}), ${outcome.respondents} answered.${change}${agreement ? ` ${agreement}` : ''}`;
  const next = outcome.suggestion ? `${outcome.toward ? `Next step toward ${markup.bold(markup.escape(outcome.toward))}` : 'To keep the edge'}: ${markup.escape(outcome.suggestion)}` : null;
  return { headline, next };
}

/** The line under every round: who sees what, and when. */
export function roundPrivacyNote(view: RoundView): string {
  return `Private: nobody sees who picked what; the team sees totals only, once ${view.minRespondents} or more have picked a level.`;
}

/**
 * The halfway reminder's count, the same on every platform. It names one number, everyone who answered
 * (the one the round message shows), and says which answers the minimum counts instead of counting them.
 */
export function halfwayCount(view: RoundView): string {
  return `Halfway through: ${view.respondents} answered so far; results need ${plural(view.minRespondents, 'answer')} with a level ("I don't know" does not count toward them).`;
}
