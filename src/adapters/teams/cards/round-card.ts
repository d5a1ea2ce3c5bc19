import type { RoundOutcome, RoundView } from '../../../core/messenger.js';
import { UNKNOWN_OPTION_ID } from '../../../core/survey.js';
import { halfwayCount, outcomeText, roundPrivacyNote } from '../../text/figure-text.js';
import { plural } from '../../text/format.js';
import { actionSet, card, cardDate, escapeMarkdown, execute, text, type AdaptiveCard, type CardElement } from './elements.js';
import { TEAMS_MARKUP } from './report-card.js';

export const VERB = {
  answer: 'answer',
  comment: 'comment',
  refresh: 'refresh',
  setup: 'setup',
  forgetConfirm: 'forget-confirm',
  reportView: 'report-view',
  showReport: 'show-report',
  adoptStep: 'step-adopt',
  ownerAnswer: 'step-owner-answer',
  checkIn: 'step-check-in',
  setTarget: 'target-set',
} as const;

/**
 * Members' ids (29:…) whose clients fetch their own view of the card; Teams allows up to 60. A larger
 * channel gets no automatic refresh at all, as Microsoft documents: everyone taps for their view alike,
 * rather than 60 arbitrary members seeing theirs and the rest left without the button.
 */
export const MAX_REFRESH_USERS = 60;

export interface PersonalState {
  /** The option the viewer picked, if any. */
  readonly pickedOptionId: string | null;
  readonly comment: string | null;
  readonly notice: string | null;
}

function statementRows(view: RoundView, personal: PersonalState | null, open: boolean): CardElement[] {
  const rows: CardElement[] = [];
  for (const option of view.options) {
    if (option.id === UNKNOWN_OPTION_ID) continue;
    const picked = personal?.pickedOptionId === option.id;
    rows.push(text(`${picked ? '✅ ' : ''}${escapeMarkdown(option.text)}`, picked ? { weight: 'Bolder' } : {}));
    if (open) rows.push(actionSet([execute(picked ? 'Your pick' : 'This is us', VERB.answer, { roundId: view.roundId, optionId: option.id }, { tooltip: `Pick: ${option.text}` })]));
  }
  return rows;
}

/**
 * The round card. The shared view (what the channel sees) shows the count; each member's own view (fetched
 * through `refresh`, or returned after a click) also shows their pick and comment. Nobody's view shows who
 * answered or what anyone else picked.
 */
export function roundCard(view: RoundView, options: { personal?: PersonalState | null; refreshUserIds?: readonly string[] } = {}): AdaptiveCard {
  const open = view.status === 'open';
  const personal = options.personal ?? null;
  const ids = options.refreshUserIds ?? [];
  const refreshUserIds = open && ids.length > 0 && ids.length <= MAX_REFRESH_USERS ? ids : null;
  const body: CardElement[] = [
    text(`Platform pulse · ${escapeMarkdown(view.aspectName)}${open ? '' : ' — closed'}`, { weight: 'Bolder', size: 'Medium' }),
    text(`**${escapeMarkdown(view.prompt)}**`),
    ...statementRows(view, personal, open),
  ];
  if (personal?.notice) body.push(text(personal.notice, { color: 'Good' }));
  if (open) {
    body.push({ type: 'Input.Text', id: 'comment', isMultiline: true, maxLength: 1000, placeholder: 'Add a comment (optional; leads see it without your name after the round closes)', ...(personal?.comment ? { value: personal.comment } : {}) });
    body.push(actionSet([
      execute("I don't know", VERB.answer, { roundId: view.roundId, optionId: UNKNOWN_OPTION_ID }, { tooltip: "Pick: I don't know" }),
      execute('Save comment', VERB.comment, { roundId: view.roundId }, { tooltip: 'Save, change or (when empty) remove your comment' }),
      ...(refreshUserIds ? [] : [execute('Show my answer', VERB.refresh, { roundId: view.roundId })]),
    ]));
  }
  body.push(
    text(`${open ? `Closes ${cardDate(view.closesAt)}` : `Closed ${cardDate(view.closesAt)}`} · ${plural(view.respondents, 'person', 'people')} answered`, { isSubtle: true, size: 'Small' }),
    text(escapeMarkdown(roundPrivacyNote(view)), { isSubtle: true, size: 'Small' }),
  );
  const refresh = refreshUserIds ? { action: { type: 'Action.Execute', verb: VERB.refresh, data: { verb: VERB.refresh, roundId: view.roundId } }, userIds: [...refreshUserIds] } : undefined;
  return card(body, refresh ? { refresh } : {});
}

export function resultCard(view: RoundView, outcome: RoundOutcome): AdaptiveCard {
  const { headline, next } = outcomeText(view, outcome, TEAMS_MARKUP);
  return card([text(headline), ...(next ? [text(next)] : [])]);
}

export function reminderCard(view: RoundView): AdaptiveCard {
  return card([text(`${halfwayCount(view)} The round closes ${cardDate(view.closesAt)}.`)]);
}

/** The private nudge to a member who has not answered by halfway. */
export function nudgeCard(view: RoundView): AdaptiveCard {
  return card([text(`Your team's platform pulse is waiting for your answer: **${escapeMarkdown(view.prompt)}** It takes one click in the team channel and closes ${cardDate(view.closesAt)}. Your answer stays private; the team sees totals only.`)]);
}
