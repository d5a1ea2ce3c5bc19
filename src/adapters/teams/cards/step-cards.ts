import { defaultDueAt, STEP_TEXT_LENGTH } from '../../../core/next-steps.js';
import type { NamedPerson, OutboundMessage, StepView } from '../../../core/messenger.js';
import { checkInText, ownerRequestText, stepAdoptedAnnouncement } from '../../text/step-text.js';
import { TARGET_REASON_LENGTH } from '../../../core/targets.js';
import { actionSet, card, cardDate, escapeMarkdown, execute, text, type AdaptiveCard, type CardElement } from './elements.js';
import { VERB } from './round-card.js';

const DAY_MS = 86_400_000;
const CARD_STYLE = { bold: (value: string) => `**${value}**`, text: escapeMarkdown, date: cardDate };

/** Someone the card can name as an owner: their AAD object id (what roles and steps store) and display name. */
export interface OwnerChoice {
  readonly aadObjectId: string;
  readonly name: string;
}

/** The value of "no owner yet" in an owner picker (an empty value would not survive a round trip through the card). */
export const NO_OWNER = 'none';

/** `YYYY-MM-DD` (UTC) for an Input.Date. */
function isoDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The input ids of one "We'll do this" form; `key` is the suggestion id or `own-<aspect>`. */
export function stepFormInputIds(key: string): { readonly owner: string; readonly due: string; readonly text: string } {
  return { owner: `owner-${key}`, due: `due-${key}`, text: `text-${key}` };
}

/**
 * "We'll do this" (a suggestion) or "Add our own step" (an aspect): a ShowCard with an optional owner, a
 * target date six weeks out by default, and a button. The owner picker lists the channel's members when
 * the card was built in the channel; otherwise the owner is named later with "step owner".
 */
export function stepFormAction(options: {
  readonly title: string;
  readonly teamId: number;
  readonly aspectId: string;
  readonly suggestionId: string | null;
  readonly now: Date;
  readonly owners: readonly OwnerChoice[] | null;
}): CardElement {
  const key = options.suggestionId ?? `own-${options.aspectId}`;
  const ids = stepFormInputIds(key);
  const body: CardElement[] = [];
  if (options.suggestionId === null) {
    body.push({ type: 'Input.Text', id: ids.text, label: 'What will the team do? (one line)', isRequired: true, errorMessage: `Say what the team will do, in at most ${STEP_TEXT_LENGTH} characters.`, maxLength: STEP_TEXT_LENGTH });
  }
  if (options.owners && options.owners.length > 0) {
    body.push({
      type: 'Input.ChoiceSet',
      id: ids.owner,
      label: 'Owner (optional: they are asked privately first)',
      style: 'filtered',
      choices: [{ title: 'No owner yet', value: NO_OWNER }, ...options.owners.map((owner) => ({ title: owner.name, value: owner.aadObjectId }))],
      value: NO_OWNER,
    });
  } else {
    body.push(text('Name an owner later with **step owner <number> @person**.', { isSubtle: true, size: 'Small' }));
  }
  body.push({ type: 'Input.Date', id: ids.due, label: 'Target date', isRequired: true, errorMessage: 'Pick a target date.', value: isoDay(defaultDueAt(options.now)), min: isoDay(new Date(options.now.getTime() + DAY_MS)) });
  return {
    type: 'Action.ShowCard',
    title: options.title,
    card: { type: 'AdaptiveCard', body, actions: [execute(options.suggestionId ? 'Adopt this step' : 'Adopt our step', VERB.adoptStep, { teamId: options.teamId, aspectId: options.aspectId, suggestionId: options.suggestionId ?? '', key })] },
  };
}

/** What the channel is told once, when a step is adopted. */
export function stepAdoptedCard(step: StepView): AdaptiveCard {
  return card([text(stepAdoptedAnnouncement(step, CARD_STYLE))]);
}

/** Asked privately of the person named as owner; `by` carries the asker's display name when Teams told it. */
export function ownerRequestCard(message: Extract<OutboundMessage, { kind: 'step-owner-request' }>, byName: string | null): AdaptiveCard {
  const person = (who: NamedPerson) => `**${escapeMarkdown(byName ?? who.name)}**`;
  return card([
    text(ownerRequestText(message, person, CARD_STYLE)),
    actionSet([execute('Accept', VERB.ownerAnswer, { stepId: message.step.stepId, accept: 'yes' }, { style: 'positive' }), execute('Decline', VERB.ownerAnswer, { stepId: message.step.stepId, accept: 'no' })]),
    text('Only you can see this.', { isSubtle: true, size: 'Small' }),
  ]);
}

/** The private check-in at a step's date. */
export function checkInCard(step: StepView): AdaptiveCard {
  return card([
    text(checkInText(step, CARD_STYLE)),
    actionSet([
      execute('Done', VERB.checkIn, { stepId: step.stepId, answer: 'done' }, { style: 'positive' }),
      execute('Still on it', VERB.checkIn, { stepId: step.stepId, answer: 'still-on-it' }),
      execute('Dropped', VERB.checkIn, { stepId: step.stepId, answer: 'dropped' }, { style: 'destructive' }),
    ]),
    text('Only you can see this.', { isSubtle: true, size: 'Small' }),
  ]);
}

export interface TargetForm {
  readonly surveyTitle: string;
  readonly aspects: readonly { readonly id: string; readonly name: string }[];
  readonly levels: readonly { readonly value: number; readonly name: string }[];
}

/**
 * Each aspect's target (`listText`: the words every platform uses) and, for those who may change them (a
 * team's leads; PMs for the organisation's), a form per survey: aspect, level (or none) and, for a team,
 * a one-line reason.
 */
export function targetsCard(options: { readonly scope: 'team' | 'organisation'; readonly listText: string; readonly forms: readonly TargetForm[]; readonly notice?: { readonly text: string; readonly tone: 'info' | 'warning' } }): AdaptiveCard {
  const body: CardElement[] = [];
  if (options.notice) body.push(text(options.notice.text, options.notice.tone === 'warning' ? { color: 'Warning' } : { color: 'Good' }));
  body.push(text(options.listText));
  options.forms.forEach((form, index) => {
    if (form.aspects.length === 0) return;
    body.push(
      text(`Change a target${options.forms.length > 1 ? ` of ${escapeMarkdown(form.surveyTitle)}` : ''}`, { weight: 'Bolder' }),
      { type: 'Input.ChoiceSet', id: `target-aspect-${index}`, label: 'Aspect', isRequired: true, errorMessage: 'Pick an aspect.', choices: form.aspects.map((aspect) => ({ title: aspect.name, value: aspect.id })), value: form.aspects[0]?.id ?? '' },
      { type: 'Input.ChoiceSet', id: `target-level-${index}`, label: 'Target level', isRequired: true, errorMessage: 'Pick a level.', choices: [...form.levels.map((level) => ({ title: `${level.name} (${level.value})`, value: String(level.value) })), { title: 'None: remove this target', value: 'none' }], value: String(form.levels[0]?.value ?? 'none') },
      ...(options.scope === 'team' ? [{ type: 'Input.Text', id: `target-reason-${index}`, label: 'Why this level? (one line, shown with the target)', maxLength: TARGET_REASON_LENGTH }] : []),
      actionSet([execute('Set target', VERB.setTarget, { scope: options.scope, form: index })]),
    );
  });
  return card(body);
}
