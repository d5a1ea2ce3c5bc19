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
  /** The name the owner goes by, as their platform gave it (null when it never said): shown instead of a Teams id. */
  readonly ownerName: string | null;
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
 * Who a step's check-in goes to, as person keys: its owner once they accepted, else each of the team's
 * leads (`leadsOf`, keyed like `personKey`). A team without leads keys the step by the team, so its steps
 * still go one a week.
 */
export function checkInRecipientKeys(step: NextStep, leadsOf: (teamId: number) => readonly string[]): readonly string[] {
  if (step.ownerStatus === 'accepted' && step.owner) return [personKey(step.owner)];
  const leads = leadsOf(step.teamId);
  return leads.length > 0 ? leads : [`team-leads:${step.teamId}`];
}

/** A person as the once-a-week allowance counts them: the same person in every team they lead or own steps in. */
export function personKey(person: UserRef): string {
  return `${person.platform}:${person.workspaceId}:${person.userId}`;
}

/**
 * The due steps to ask about now, so that nobody is asked more than once a week, whichever teams they
 * lead or own steps in: a step goes out only if none of its recipients had a check-in in the last week
 * (`recent`: steps checked in lately, any team, any status) or was already chosen this time; the earliest
 * due goes first, and the rest wait for next week.
 */
export function checkInsToSend(due: readonly NextStep[], recent: readonly NextStep[], now: Date, leadsOf: (teamId: number) => readonly string[]): NextStep[] {
  const asked = new Set(recent.filter((step) => step.lastCheckInAt !== null && now.getTime() - step.lastCheckInAt.getTime() < CHECK_IN_GAP_DAYS * DAY_MS).flatMap((step) => checkInRecipientKeys(step, leadsOf)));
  const chosen: NextStep[] = [];
  for (const step of [...due].filter((candidate) => checkInDue(candidate, now)).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id)) {
    const keys = checkInRecipientKeys(step, leadsOf);
    if (keys.some((key) => asked.has(key))) continue;
    keys.forEach((key) => asked.add(key));
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
