import type { OutboundMessage, RoundOutcome, RoundView } from '../../core/messenger.js';
import { formatChange, formatLevel, formatTime, plural } from './format.js';
import { renderDigestText } from './render-digest.js';

/**
 * The halfway reminder's count, the same on every platform: the respondents include "I don't know", while
 * the minimum counts only answers with a level, so both numbers are given.
 */
export function halfwayCount(view: RoundView): string {
  return `Halfway through: ${view.respondents} answered so far, ${view.withLevel} with a level; results need ${plural(view.minRespondents, 'answer')} with a level ("I don't know" does not count toward them).`;
}

function roundHeader(round: RoundView): string {
  return `Platform pulse · ${round.aspectName}${round.status === 'closed' ? ` — closed · ${round.respondents} answered` : ''}`;
}

function renderOpenRound(round: RoundView): string {
  return [
    roundHeader(round),
    round.prompt,
    ...round.options.map((option) => `  [${option.id}] ${option.text}`),
    `Closes ${formatTime(round.closesAt, round.timeZone)} · ${round.respondents} answered`,
    `Private: the team sees totals only, and only once ${round.minRespondents} or more have answered.`,
  ].join('\n');
}

export function renderOutcomeText(round: RoundView, outcome: RoundOutcome): string {
  if (outcome.kind === 'too-few') {
    return `Only ${outcome.answered} answered with a level; results need ${outcome.needed}, so this round stays private.`;
  }
  const change = outcome.change.kind === 'change' ? ` Change on the previous rounds: ${formatChange(outcome.change)}.` : '';
  const next = outcome.suggestion && outcome.toward ? ` Next step toward ${outcome.toward}: ${outcome.suggestion}` : '';
  return `${round.aspectName} this round: ${formatLevel(outcome.value)} of ${outcome.levelCount} (${outcome.label}), ${plural(outcome.answers, 'answer')}.${change} Agreement ${outcome.agreement}.${next}`;
}

/** Any outbound message as plain text: what the demo "posts" to its log. */
export function renderMessageText(message: OutboundMessage): string {
  switch (message.kind) {
    case 'round-opened':
      return renderOpenRound(message.round);
    case 'round-closed':
      return roundHeader(message.round);
    case 'round-result':
      return renderOutcomeText(message.round, message.outcome);
    case 'reminder':
      return `${halfwayCount(message.round)} Closes ${formatTime(message.round.closesAt, message.round.timeZone)}.`;
    case 'nudge':
      return `A friendly nudge to channel members who have not answered yet: ${message.round.prompt}`;
    case 'digest':
      return renderDigestText(message.digest);
    case 'digest-files':
      return `The full table and chart of the digest (${message.digest.sections.length} survey${message.digest.sections.length === 1 ? '' : 's'}).`;
  }
}
