import type { UserRef } from './platform.js';

/**
 * Next steps a team adopted: a survey suggestion (linked by its stable id, with the wording it had when
 * adopted) or a lead's own. Team-level facts: an owner is named because they accepted, and nothing here
 * says anything about who answered what.
 */
export const STEP_STATUSES = ['open', 'done', 'dropped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** An owner is asked first; until they accept, the leads hear about the step. */
export const OWNER_STATUSES = ['asked', 'accepted', 'declined'] as const;
export type OwnerStatus = (typeof OWNER_STATUSES)[number];

/** Longest step text a lead may write (a survey suggestion's limit). */
export const STEP_TEXT_LENGTH = 200;
/** Default time to do a step. */
export const DEFAULT_STEP_WEEKS = 6;
/** "Still on it" moves the date this far. */
export const SNOOZE_WEEKS = 2;
/** Nobody is asked about a step more often than this. */
export const CHECK_IN_GAP_DAYS = 7;
const DAY_MS = 86_400_000;

export interface NextStep {
  readonly id: number;
  readonly teamId: number;
  readonly surveyId: string;
  readonly aspectId: string;
  /** The survey suggestion it came from; null for a lead's own step. */
  readonly suggestionId: string | null;
  readonly text: string;
  readonly owner: UserRef | null;
  readonly ownerStatus: OwnerStatus | null;
  readonly status: StepStatus;
  readonly adoptedAt: Date;
  /** When the check-in is due (the target date, moved by "Still on it"). */
  readonly dueAt: Date;
  readonly closedAt: Date | null;
  /** The last check-in sent, so nobody is asked twice within a week. */
  readonly lastCheckInAt: Date | null;
}

export type NewStep = Omit<NextStep, 'id' | 'status' | 'closedAt' | 'lastCheckInAt'>;

/** The default target date: six weeks after adoption. */
export function defaultDueAt(adoptedAt: Date): Date {
  return new Date(adoptedAt.getTime() + DEFAULT_STEP_WEEKS * 7 * DAY_MS);
}

/** "Still on it": two more weeks from now (not from the old date, which may be long past). */
export function snoozedDueAt(now: Date): Date {
  return new Date(now.getTime() + SNOOZE_WEEKS * 7 * DAY_MS);
}

/**
 * Whether a step's check-in should go out now: it is open, its date has come, it has not been asked about
 * since (one check-in per date: an unanswered one is not repeated), and its last check-in (if any) is at
 * least a week old, so a date moved by "Still on it" inside a week waits for the week to pass.
 */
export function checkInDue(step: NextStep, now: Date): boolean {
  if (step.status !== 'open' || step.dueAt.getTime() > now.getTime()) return false;
  if (step.lastCheckInAt === null) return true;
  return step.lastCheckInAt.getTime() < step.dueAt.getTime() && now.getTime() - step.lastCheckInAt.getTime() >= CHECK_IN_GAP_DAYS * DAY_MS;
}

/**
 * Who a step's check-in goes to, as a key: its owner once they accepted, else the team's leads. Steps
 * with the same key share the once-a-week allowance.
 */
export function checkInRecipientKey(step: NextStep): string {
  return step.ownerStatus === 'accepted' && step.owner ? `owner:${step.owner.platform}:${step.owner.userId}` : `leads:${step.teamId}`;
}

/**
 * The due steps to ask about now, so that nobody is asked more than once a week: per recipient, none if
 * any step of theirs had a check-in in the last week (`others`: the teams' steps, any status), else the
 * earliest due one; the rest wait for next week.
 */
export function checkInsToSend(due: readonly NextStep[], others: readonly NextStep[], now: Date): NextStep[] {
  const asked = new Set(others.filter((step) => step.lastCheckInAt !== null && now.getTime() - step.lastCheckInAt.getTime() < CHECK_IN_GAP_DAYS * DAY_MS).map(checkInRecipientKey));
  const chosen: NextStep[] = [];
  for (const step of [...due].filter((candidate) => checkInDue(candidate, now)).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id)) {
    const key = checkInRecipientKey(step);
    if (asked.has(key)) continue;
    asked.add(key);
    chosen.push(step);
  }
  return chosen;
}

/** The outbox period key of a step's check-in: one per step and due date, so a date is asked about once. */
export function checkInPeriodKey(step: Pick<NextStep, 'id' | 'dueAt'>): string {
  return `step-${step.id}-due-${step.dueAt.toISOString().slice(0, 10)}`;
}

/** The outbox period key of a step's announcement in the team's channel: once per step. */
export function adoptionPeriodKey(stepId: number): string {
  return `step-${stepId}-adopted`;
}

/**
 * The outbox period key of the private question to a named owner: once per naming, keyed by its audit
 * record (which holds who), so the outbox holds no user id of its own.
 */
export function ownerRequestPeriodKey(stepId: number, auditId: number): string {
  return `step-${stepId}-owner-${auditId}`;
}

/** What the person asked to own a step reads after answering (services pass it on; every platform shows it). */
export const OWNER_ACCEPTED = 'Thanks: you own this step now. You get one private check-in at its date.';
export const OWNER_DECLINED = 'Declined: the leads keep the step, and nobody is told you were asked.';

/** The answers to a check-in. */
export const CHECK_IN_ANSWERS = ['done', 'still-on-it', 'dropped'] as const;
export type CheckInAnswer = (typeof CHECK_IN_ANSWERS)[number];
