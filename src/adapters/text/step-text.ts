import type { DigestSteps } from '../../core/digest.js';
import type { NamedPerson, OutboundMessage, StepView } from '../../core/messenger.js';
import type { StepSummary } from '../../core/report.js';
import { SNOOZE_WEEKS } from '../../core/next-steps.js';
import { formatLevel } from './format.js';
import type { TextStyle } from './reply-text.js';

/**
 * The words of next steps, shared by every platform: what the channel is told once, what an owner is
 * asked, the check-in, and a step's line in a report. A person is named only once they accepted.
 */

/** "“Publish a golden-path template” (#12)". */
export function stepName(step: { readonly id?: number; readonly stepId?: number; readonly text: string }, style: Pick<TextStyle, 'text'>): string {
  const id = step.stepId ?? step.id;
  return `“${style.text(step.text)}”${id === undefined ? '' : ` (#${id})`}`;
}

export function stepAdoptedAnnouncement(step: StepView, style: Pick<TextStyle, 'bold' | 'text' | 'date'>): string {
  return `${style.bold(style.text(step.teamName))} adopted a next step for ${style.bold(style.text(step.aspectName))}: ${stepName(step, style)}, due ${style.date(step.dueAt)}. A check-in follows on that date; the next rounds show whether it moved the needle.`;
}

export function ownerRequestText(message: Extract<OutboundMessage, { kind: 'step-owner-request' }>, person: (who: NamedPerson) => string, style: Pick<TextStyle, 'bold' | 'text' | 'date'>): string {
  return `${person(message.by)} would like you to own a next step of ${style.bold(style.text(message.step.teamName))} for ${style.bold(style.text(message.step.aspectName))}: ${stepName(message.step, style)}, due ${style.date(message.step.dueAt)}. If you accept, you are named as its owner in the team's reports and get one private check-in at the date. Nobody else is told if you decline.`;
}

export function checkInText(step: StepView, style: Pick<TextStyle, 'bold' | 'text' | 'date'>): string {
  return `Check-in for ${style.bold(style.text(step.teamName))} · ${style.text(step.aspectName)}: is ${stepName(step, style)} done? It was due ${style.date(step.dueAt)}. “Still on it” gives it ${SNOOZE_WEEKS} more weeks.`;
}


/** "done 12 Jan · Interfaces 2.1 → 2.6 since adoption" or "open · due 20 Jan · owner @sam". */
export function stepSummaryLine(step: StepSummary, style: Pick<TextStyle, 'text' | 'date' | 'mention'>): string {
  const owner = step.ownerUserId ? ` · owner ${style.mention(step.ownerUserId, step.ownerName)}` : '';
  if (step.status === 'open') return `${stepName(step, style)} · due ${style.date(step.dueAt)}${owner}`;
  const when = step.closedAt ? ` ${style.date(step.closedAt)}` : '';
  const moved = step.status === 'done' && step.levelAtAdoption !== null && step.levelNow !== null ? ` · ${formatLevel(step.levelAtAdoption)} at adoption → ${formatLevel(step.levelNow)} now` : '';
  return `${stepName(step, style)} · ${step.status}${when}${moved}${owner}`;
}

/**
 * The digest's lines on next steps: this week's adopted, done and dropped counts (teams' steps, not
 * people), then done steps whose aspect improved since adoption. Empty when nothing happened.
 */
export function digestStepLines(steps: DigestSteps, style: Pick<TextStyle, 'bold' | 'text' | 'date'>): string[] {
  const lines: string[] = [];
  const { adoptedThisWeek, doneThisWeek, droppedThisWeek } = steps;
  if (adoptedThisWeek + doneThisWeek + droppedThisWeek > 0) lines.push(`Next steps this week: ${adoptedThisWeek} adopted · ${doneThisWeek} done · ${droppedThisWeek} dropped`);
  for (const paid of steps.paidOff) {
    lines.push(`Paid off: ${style.bold(style.text(paid.teamName))} · ${style.text(paid.aspectName)}: “${style.text(paid.text)}” done ${style.date(paid.doneAt)}; ${formatLevel(paid.before)} at adoption → ${formatLevel(paid.now)} now`);
  }
  return lines;
}
