import type { OutboundMessage, RoundOutcome, RoundView } from '../../core/messenger.js';
import { halfwayCount, outcomeText, PLAIN_MARKUP, roundPrivacyNote } from './figure-text.js';
import { formatTime } from './format.js';
import { renderDigestText } from './render-digest.js';
import { roleChangeAnnouncement } from './reply-text.js';
import { checkInText, ownerRequestText, stepAdoptedAnnouncement } from './step-text.js';

const PLAIN_STYLE = { bold: (text: string) => text, text: (text: string) => text, date: (at: Date) => at.toISOString().slice(0, 10) };

function roundHeader(round: RoundView): string {
  return `Platform pulse · ${round.aspectName}${round.status === 'closed' ? ` — closed · ${round.respondents} answered` : ''}`;
}

function renderOpenRound(round: RoundView): string {
  return [
    roundHeader(round),
    round.prompt,
    ...round.options.map((option) => `  [${option.id}] ${option.text}`),
    `Closes ${formatTime(round.closesAt, round.timeZone)} · ${round.respondents} answered`,
    roundPrivacyNote(round),
  ].join('\n');
}

export function renderOutcomeText(round: RoundView, outcome: RoundOutcome): string {
  const { headline, next } = outcomeText(round, outcome, PLAIN_MARKUP);
  return next ? `${headline} ${next}` : headline;
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
    case 'role-change':
      return roleChangeAnnouncement(message, (who) => who.name, PLAIN_STYLE);
    case 'step-adopted':
      return stepAdoptedAnnouncement(message.step, PLAIN_STYLE);
    case 'step-owner-request':
      return `(privately) ${ownerRequestText(message, (who) => who.name, PLAIN_STYLE)} [Accept] [Decline]`;
    case 'step-check-in':
      return `(privately, to ${message.recipientUserIds.length === 1 ? 'the owner' : 'the leads'}) ${checkInText(message.step, PLAIN_STYLE)} [Done] [Still on it] [Dropped]`;
    case 'digest-files':
      return `The full table and chart of the digest (${message.files.charts.length} survey${message.files.charts.length === 1 ? '' : 's'}).`;
  }
}
