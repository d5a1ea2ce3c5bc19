import type { types } from '@slack/bolt';
import type { OutboundMessage, StepView } from '../../../core/messenger.js';
import { DEFAULT_STEP_WEEKS, STEP_TEXT_LENGTH, type CheckInAnswer } from '../../../core/next-steps.js';
import { checkInText, ownerRequestText, stepAdoptedAnnouncement } from '../../text/step-text.js';
import { escapeMrkdwn, mention, SLACK_TEXT_STYLE, truncate } from '../mrkdwn.js';
import { actions, button, context, LIMITS, plain, section, type Block } from './blocks.js';
import type { SlackMessage } from './round-message.js';

/** Action ids of the next-step buttons; each sits in a block of its own or once per actions block. */
export const STEP_ACTION = {
  adopt: 'mp_step_adopt',
  own: 'mp_step_own',
  accept: 'mp_step_owner_accept',
  decline: 'mp_step_owner_decline',
  done: 'mp_step_done',
  still: 'mp_step_still',
  drop: 'mp_step_drop',
} as const;

export const CHECK_IN_ACTIONS: Readonly<Record<CheckInAnswer, string>> = { done: STEP_ACTION.done, 'still-on-it': STEP_ACTION.still, dropped: STEP_ACTION.drop };

export const STEP_VIEW = 'mp_step_modal';
/** The adoption form's fields (block ids). */
export const STEP_FIELDS = { text: 'step_text', owner: 'step_owner', due: 'step_due' } as const;

/** What a "We'll do this" or "Add our own step" button carries: team, aspect and, for a suggestion, its id. */
export interface AdoptTarget {
  readonly teamId: number;
  readonly aspectId: string;
  readonly suggestionId: string | null;
}

/** "12:interfaces:interfaces-wrap-most-requested" (ids are kebab-case, so the colon cannot occur in them). */
export function adoptValue(target: AdoptTarget): string {
  return `${target.teamId}:${target.aspectId}${target.suggestionId === null ? '' : `:${target.suggestionId}`}`;
}

export function parseAdoptValue(value: string | undefined): AdoptTarget | null {
  const match = /^(\d{1,12}):([a-z0-9-]{1,200})(?::([a-z0-9-]{1,200}))?$/.exec(value ?? '');
  if (!match) return null;
  return { teamId: Number(match[1]), aspectId: match[2] ?? '', suggestionId: match[3] ?? null };
}

/** Where the adoption form was opened from, so its submission is judged as the click would have been. */
export interface StepModalOrigin extends AdoptTarget {
  readonly workspaceId: string;
  readonly channelId: string;
  readonly organisationId: string | null;
}

function input(blockId: string, label: string, element: Record<string, unknown>, options: { hint?: string; optional?: boolean } = {}): Block {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label, 2000),
    element: { ...element, action_id: blockId },
    ...(options.optional ? { optional: true } : {}),
    ...(options.hint ? { hint: plain(options.hint, 2000) } : {}),
  };
}

/**
 * The adoption form: the suggestion (or a line for the team's own step), an optional owner and the target
 * date, six weeks out by default (`initialDate`, YYYY-MM-DD in the team's time zone).
 */
export function stepModal(origin: StepModalOrigin, about: { readonly aspectName: string; readonly suggestionText: string | null; readonly initialDate: string }): types.ModalView {
  const what =
    about.suggestionText === null
      ? input(STEP_FIELDS.text, 'What the team will do', { type: 'plain_text_input', max_length: STEP_TEXT_LENGTH, placeholder: plain('One line, e.g. publish a golden-path template', 150) }, { hint: `One line of at most ${STEP_TEXT_LENGTH} characters.` })
      : section(`*${escapeMrkdwn(truncate(about.aspectName, 200))}*: “${escapeMrkdwn(about.suggestionText)}”`);
  return {
    type: 'modal',
    callback_id: STEP_VIEW,
    private_metadata: truncate(JSON.stringify(origin), LIMITS.privateMetadata),
    title: plain(about.suggestionText === null ? 'Add our own step' : "We'll do this", LIMITS.viewTitle),
    submit: plain('Adopt', LIMITS.viewTitle),
    close: plain('Cancel', LIMITS.viewTitle),
    blocks: [
      ...(about.suggestionText === null ? [section(`A next step of the team for *${escapeMrkdwn(truncate(about.aspectName, 200))}*.`)] : []),
      what,
      input(STEP_FIELDS.owner, 'Owner (optional)', { type: 'users_select', placeholder: plain('Pick a person', 150) }, { optional: true, hint: 'They are asked privately first, and named only if they accept.' }),
      input(STEP_FIELDS.due, 'Target date', { type: 'datepicker', initial_date: about.initialDate }, { hint: `${DEFAULT_STEP_WEEKS} weeks by default. A private check-in follows on that date.` }),
      context('The team’s channel is told once. The next rounds show whether the step moved the needle.'),
    ],
  };
}

/**
 * What the form shows once the step is adopted (or was already), so the lead alone reads the outcome; also
 * why a click on the App Home tab was refused (that tab has no message to answer next to).
 */
export function stepDoneModal(sentence: string): types.ModalView {
  return { type: 'modal', callback_id: `${STEP_VIEW}_done`, title: plain('Next step', LIMITS.viewTitle), close: plain('Close', LIMITS.viewTitle), blocks: [section(sentence)] };
}

export function stepAdoptedMessage(step: StepView): SlackMessage {
  const text = stepAdoptedAnnouncement(step, SLACK_TEXT_STYLE);
  return { text, blocks: [section(text)] };
}

/** The private question to a named owner, with its two answers. */
export function ownerRequestMessage(message: Extract<OutboundMessage, { kind: 'step-owner-request' }>): SlackMessage {
  const text = ownerRequestText(message, (who) => mention(who.userId), SLACK_TEXT_STYLE);
  const value = String(message.step.stepId);
  return {
    text,
    blocks: [
      section(text),
      actions([button('Accept', STEP_ACTION.accept, value, { style: 'primary', accessibilityLabel: 'Accept owning this step' }), button('Decline', STEP_ACTION.decline, value, { accessibilityLabel: 'Decline owning this step' })], `mp_step_owner_${value}`),
    ],
  };
}

/** The private check-in at a step's date: done, still on it, dropped. */
export function checkInMessage(step: StepView): SlackMessage {
  const text = checkInText(step, SLACK_TEXT_STYLE);
  const value = String(step.stepId);
  return {
    text,
    blocks: [
      section(text),
      actions(
        [
          button('Done', STEP_ACTION.done, value, { style: 'primary', accessibilityLabel: 'The step is done' }),
          button('Still on it', STEP_ACTION.still, value, { accessibilityLabel: 'Two more weeks' }),
          button('Dropped', STEP_ACTION.drop, value, { accessibilityLabel: 'The team dropped the step' }),
        ],
        `mp_step_check_in_${value}`,
      ),
    ],
  };
}

/** A private question once answered: the buttons give way to the answer, so a second click cannot happen. */
export function answeredMessage(answer: string): SlackMessage {
  return { text: answer, blocks: [section(answer)] };
}
