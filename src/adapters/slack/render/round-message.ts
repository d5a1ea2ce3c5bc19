import type { RoundOutcome, RoundView } from '../../../core/messenger.js';
import { UNKNOWN_OPTION_ID } from '../../../core/survey.js';
import { halfwayCount, outcomeText, roundPrivacyNote } from '../../text/figure-text.js';
import { formatLevel, plural } from '../../text/format.js';
import { escapeMrkdwn, slackDate } from '../mrkdwn.js';
import { SLACK_MARKUP } from './report-blocks.js';
import { actions, button, context, header, section, type Block } from './blocks.js';

export const ACTION = {
  answer: 'mp_answer',
  comment: 'mp_comment',
  forgetConfirm: 'mp_forget_confirm',
  showReport: 'mp_show_report',
} as const;

/** Button values carry the round and option, so a click needs no state beyond the database. */
export function answerValue(roundId: number, optionId: string): string {
  return `${roundId}:${optionId}`;
}

export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

/** The round in its channel: each statement with its own button, "I don't know", a comment button, close time and count. */
export function openRoundMessage(view: RoundView): SlackMessage {
  const blocks: Block[] = [header(`Platform pulse · ${view.aspectName}`), section(`*${escapeMrkdwn(view.prompt)}*`)];
  for (const option of view.options) {
    if (option.id === UNKNOWN_OPTION_ID) continue;
    blocks.push(
      section(
        escapeMrkdwn(option.text),
        button('This is us', `${ACTION.answer}_${option.id}`, answerValue(view.roundId, option.id), { accessibilityLabel: `Pick: ${option.text}` }),
      ),
    );
  }
  blocks.push(
    actions(
      [
        button("I don't know", `${ACTION.answer}_${UNKNOWN_OPTION_ID}`, answerValue(view.roundId, UNKNOWN_OPTION_ID), { accessibilityLabel: "Pick: I don't know" }),
        button('Add a comment', ACTION.comment, String(view.roundId), { accessibilityLabel: 'Add or edit your comment on this round' }),
      ],
      `mp_round_${view.roundId}`,
    ),
    context(`Closes ${slackDate(view.closesAt)} · ${plural(view.respondents, 'person', 'people')} answered · you can change your answer until then`, escapeMrkdwn(roundPrivacyNote(view))),
  );
  return { text: `Platform pulse · ${view.aspectName}: ${view.prompt}`, blocks };
}

/** The same message once closed: the statements stay readable, the buttons go. */
export function closedRoundMessage(view: RoundView): SlackMessage {
  const statements = view.options.filter((option) => option.id !== UNKNOWN_OPTION_ID).map((option) => `• ${escapeMrkdwn(option.text)}`);
  return {
    text: `Platform pulse · ${view.aspectName} — closed · ${view.respondents} answered`,
    blocks: [
      header(`Platform pulse · ${view.aspectName} — closed`),
      section(`*${escapeMrkdwn(view.prompt)}*`),
      section(statements.join('\n')),
      context(`Closed ${slackDate(view.closesAt)} · ${plural(view.respondents, 'person', 'people')} answered · the result is in the thread`),
    ],
  };
}

/** The team result posted in the round's thread. */
export function roundResultMessage(view: RoundView, outcome: RoundOutcome): SlackMessage {
  const { headline, next } = outcomeText(view, outcome, SLACK_MARKUP);
  if (outcome.kind === 'too-few') return { text: headline, blocks: [section(headline)] };
  const blocks = [section(headline)];
  if (next) blocks.push(section(next));
  blocks.push(context('Leads see more with `/maturity report`.'));
  return { text: `${view.aspectName} this round: ${formatLevel(outcome.value)} of ${outcome.levelCount}`, blocks };
}

/**
 * Halfway reminder in the round's thread. The count includes "I don't know", which carries no level, while
 * the minimum counts only answers with a level; the view has no split of the two, so the sentence says
 * which count the minimum is about instead of comparing them.
 */
export function reminderMessage(view: RoundView): SlackMessage {
  const text = `${halfwayCount(view)} The round closes ${slackDate(view.closesAt)}.`;
  return { text, blocks: [section(text)] };
}

/** The private nudge a member gets when they have not answered by halfway. */
export function nudgeText(view: RoundView, channelId: string): string {
  return `Your team's platform pulse in <#${channelId}> is waiting for your answer: *${escapeMrkdwn(view.prompt)}* It takes one click and closes ${slackDate(view.closesAt)}. Your answer stays private; the team sees totals only.`;
}
