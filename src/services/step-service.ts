import { adoptionPeriodKey, CHECK_IN_GAP_DAYS, checkInDue, checkInPeriodKey, checkInsToSend, defaultDueAt, personKey, ownerRequestPeriodKey, snoozedDueAt, STEP_TEXT_LENGTH, type CheckInAnswer, type NextStep } from '../core/next-steps.js';
import { append } from '../core/multimap.js';
import type { UserRef } from '../core/platform.js';
import { isAllowed, whoMay, type Viewer } from '../core/roles.js';
import { findAspect, findSuggestion } from '../core/survey.js';
import type { Team } from '../core/team.js';
import type { AuditActor } from '../storage/records.js';
import type { ServiceContext } from './context.js';

const DAY_MS = 86_400_000;
/** A target date further out than this is more likely a typo than a plan. */
const MAX_DUE_DAYS = 366;

export interface AdoptStepInput {
  readonly aspectId: string;
  /** A survey suggestion's id; without it, `text` is the team's own step. */
  readonly suggestionId?: string | null;
  readonly text?: string | null;
  /** A person in the channel who is asked, privately, to own the step. */
  readonly owner?: UserRef | null;
  /** The owner's name as the platform gave it with the choice (a mention's label, a roster entry), if it did. */
  readonly ownerName?: string | null;
  /** The adopting lead's name as the platform gave it, for the owner's private question. */
  readonly byName?: string | null;
  /** Default: six weeks from now. */
  readonly dueAt?: Date | null;
}

export type StepRefusal =
  | { readonly kind: 'not-allowed'; readonly who: string }
  | { readonly kind: 'unknown-aspect'; readonly aspectId: string; readonly known: readonly string[] }
  | { readonly kind: 'unknown-step' }
  | { readonly kind: 'survey-missing'; readonly surveyId: string }
  | { readonly kind: 'invalid'; readonly problem: string };

export type AdoptStepResult = { readonly kind: 'adopted'; readonly step: NextStep; readonly aspectName: string } | { readonly kind: 'already-adopted'; readonly step: NextStep; readonly aspectName: string } | StepRefusal;

/**
 * A lead adopts a next step for the team: a survey suggestion (linked by id, its wording kept as it was)
 * or their own. The team hears of it once in its channel; a named owner is asked privately first and is
 * named nowhere until they accept.
 */
export async function adoptStep(ctx: ServiceContext, actor: AuditActor, viewer: Viewer, team: Team, input: AdoptStepInput): Promise<AdoptStepResult> {
  if (!isAllowed(viewer, { kind: 'manage-steps', teamId: team.id })) return { kind: 'not-allowed', who: whoMay({ kind: 'manage-steps', teamId: team.id }) };
  const survey = ctx.surveys.get(team.surveyId)?.survey;
  if (!survey) return { kind: 'survey-missing', surveyId: team.surveyId };
  const aspect = findAspect(survey, input.aspectId);
  if (!aspect) return { kind: 'unknown-aspect', aspectId: input.aspectId, known: survey.aspects.map((candidate) => candidate.id) };
  let text: string;
  let suggestionId: string | null = null;
  if (input.suggestionId) {
    const found = findSuggestion(aspect, input.suggestionId);
    if (!found) return { kind: 'invalid', problem: `${aspect.name} has no suggestion "${input.suggestionId}"; the survey may have changed since the report was shown.` };
    text = found.suggestion.text;
    suggestionId = found.suggestion.id;
  } else {
    text = (input.text ?? '').trim().replace(/\s+/g, ' ');
    if (text === '') return { kind: 'invalid', problem: 'Say what the team will do, in one line.' };
    if (text.length > STEP_TEXT_LENGTH) return { kind: 'invalid', problem: `Keep the step to one line of at most ${STEP_TEXT_LENGTH} characters (this one has ${text.length}).` };
  }
  const now = ctx.clock.now();
  const dueAt = input.dueAt ?? defaultDueAt(now);
  if (dueAt.getTime() <= now.getTime()) return { kind: 'invalid', problem: 'The target date must be in the future.' };
  if (dueAt.getTime() > now.getTime() + MAX_DUE_DAYS * DAY_MS) return { kind: 'invalid', problem: 'Pick a target date within a year; a step can always be moved on later.' };
  const owner = input.owner ?? null;
  const result = await ctx.store.transaction(async (tx): Promise<AdoptStepResult> => {
    if (suggestionId !== null) {
      const open = (await tx.listSteps({ teamId: team.id, status: 'open', aspectId: aspect.id })).find((step) => step.suggestionId === suggestionId);
      if (open) return { kind: 'already-adopted', step: open, aspectName: aspect.name };
    }
    const step = await tx.insertStep({ teamId: team.id, surveyId: survey.id, aspectId: aspect.id, suggestionId, text, owner, ownerName: owner ? (input.ownerName ?? null) : null, ownerStatus: owner ? 'asked' : null, adoptedAt: now, dueAt });
    await tx.recordAudit({ at: now, actor, action: 'step.adopt', teamName: team.name, details: { stepId: step.id, aspectId: aspect.id, suggestionId, dueAt: dueAt.toISOString() } });
    await tx.enqueueDelivery({ target: team.channel, periodKey: adoptionPeriodKey(step.id), payload: { kind: 'step-adopted', stepId: step.id }, teamId: team.id, roundId: null, at: now });
    if (owner) await askOwner(tx, actor, team, step, owner, input.byName ?? null, now);
    return { kind: 'adopted', step, aspectName: aspect.name };
  });
  if (result.kind === 'adopted') ctx.onIntent?.();
  return result;
}

/**
 * Records who is asked to own a step (in the audit log, which alone keeps such ids, with the asking lead's
 * name for the question) and queues the private question.
 */
async function askOwner(tx: ServiceContext['store'], actor: AuditActor, team: Team, step: NextStep, owner: UserRef, byName: string | null, now: Date): Promise<void> {
  const auditId = await tx.recordAudit({ at: now, actor, action: 'step.owner-ask', teamName: team.name, details: { stepId: step.id, owner: owner.userId, ...(byName ? { actorName: byName } : {}) } });
  await tx.enqueueDelivery({ target: team.channel, periodKey: ownerRequestPeriodKey(step.id, auditId), payload: { kind: 'step-owner', stepId: step.id, auditId }, teamId: team.id, roundId: null, at: now });
}

/** Names (or changes) a step's owner after adoption; they are asked privately like at adoption. */
export async function setStepOwner(ctx: ServiceContext, actor: AuditActor, viewer: Viewer, stepId: number, owner: UserRef, names: { readonly ownerName?: string | null; readonly byName?: string | null } = {}): Promise<{ readonly kind: 'owner-asked'; readonly step: NextStep } | StepRefusal> {
  const step = await ctx.store.findStep(stepId);
  const team = step ? await ctx.store.findTeamById(step.teamId) : null;
  if (!step || !team) return { kind: 'unknown-step' };
  if (!isAllowed(viewer, { kind: 'manage-steps', teamId: team.id })) return { kind: 'not-allowed', who: whoMay({ kind: 'manage-steps', teamId: team.id }) };
  if (step.status !== 'open') return { kind: 'invalid', problem: `That step is already ${step.status}.` };
  const now = ctx.clock.now();
  const updated = await ctx.store.transaction(async (tx) => {
    const changed = await tx.updateStep(step.id, { owner, ownerName: names.ownerName ?? null, ownerStatus: 'asked' });
    await askOwner(tx, actor, team, step, owner, names.byName ?? null, now);
    return changed ?? step;
  });
  ctx.onIntent?.();
  return { kind: 'owner-asked', step: updated };
}

export type OwnerAnswerResult = { readonly kind: 'owner-answered'; readonly step: NextStep; readonly accepted: boolean } | { readonly kind: 'not-asked' } | { readonly kind: 'already-answered'; readonly step: NextStep } | StepRefusal;

/**
 * The person asked to own a step accepts or declines; only they can. On accepting, the name their platform
 * gives with the click (`actorName`) is kept, so the step can name them where a platform id is unreadable.
 */
export async function answerOwnerRequest(ctx: ServiceContext, actor: UserRef, stepId: number, accept: boolean, actorName?: string | null): Promise<OwnerAnswerResult> {
  const now = ctx.clock.now();
  return await ctx.store.transaction(async (tx): Promise<OwnerAnswerResult> => {
    const step = await tx.findStep(stepId);
    if (!step) return { kind: 'unknown-step' };
    if (!step.owner || step.owner.platform !== actor.platform || step.owner.userId !== actor.userId) return { kind: 'not-asked' };
    if (step.ownerStatus !== 'asked' || step.status !== 'open') return { kind: 'already-answered', step };
    const updated = await tx.updateStep(step.id, accept ? { ownerStatus: 'accepted', ...(actorName ? { ownerName: actorName } : {}) } : { ownerStatus: 'declined' });
    const team = await tx.findTeamById(step.teamId);
    await tx.recordAudit({ at: now, actor, action: accept ? 'step.owner-accept' : 'step.owner-decline', teamName: team?.name ?? null, details: { stepId: step.id } });
    return { kind: 'owner-answered', step: updated ?? step, accepted: accept };
  });
}

export type CheckInResult = { readonly kind: 'checked-in'; readonly step: NextStep; readonly answer: CheckInAnswer } | { readonly kind: 'already-closed'; readonly step: NextStep } | StepRefusal;

/**
 * Done, still on it (two more weeks) or dropped: from a check-in, or any time from a command. The owner who
 * accepted the step may answer, as may the team's leads and admins.
 */
export async function answerCheckIn(ctx: ServiceContext, actor: UserRef, viewer: Viewer, stepId: number, answer: CheckInAnswer): Promise<CheckInResult> {
  const now = ctx.clock.now();
  return await ctx.store.transaction(async (tx): Promise<CheckInResult> => {
    const step = await tx.findStep(stepId);
    if (!step) return { kind: 'unknown-step' };
    const isOwner = step.ownerStatus === 'accepted' && step.owner?.platform === actor.platform && step.owner.userId === actor.userId;
    if (!isOwner && !isAllowed(viewer, { kind: 'manage-steps', teamId: step.teamId })) return { kind: 'not-allowed', who: "the step's owner, the team's leads and admins" };
    if (step.status !== 'open') return { kind: 'already-closed', step };
    const patch = answer === 'still-on-it' ? { dueAt: snoozedDueAt(now) } : { status: answer === 'done' ? ('done' as const) : ('dropped' as const), closedAt: now };
    const updated = await tx.updateStep(step.id, patch);
    const team = await tx.findTeamById(step.teamId);
    await tx.recordAudit({ at: now, actor, action: `step.${answer}`, teamName: team?.name ?? null, details: { stepId: step.id } });
    return { kind: 'checked-in', step: updated ?? step, answer };
  });
}

/**
 * The scheduler's part: a private check-in for open steps whose date has come, through the outbox (one
 * per step and due date, so a restart or a second process never asks twice), and never more than one a
 * week to the same person, across all the teams they lead or own steps in (`checkInsToSend`).
 */
export async function queueDueCheckIns(ctx: ServiceContext): Promise<number> {
  const now = ctx.clock.now();
  const dueNow = (await ctx.store.stepsDue(now)).filter((step) => checkInDue(step, now));
  if (dueNow.length === 0) return 0;
  const [recent, roles] = await Promise.all([ctx.store.stepsCheckedInSince(new Date(now.getTime() - CHECK_IN_GAP_DAYS * DAY_MS)), ctx.store.listRoles()]);
  const leads = new Map<number, string[]>();
  for (const role of roles) {
    if (role.role !== 'lead' || role.teamId === null) continue;
    append(leads, role.teamId, personKey(role.user));
  }
  const due = checkInsToSend(dueNow, recent, now, (teamId) => leads.get(teamId) ?? []);
  let queued = 0;
  for (const candidate of due) {
    const wrote = await ctx.store.transaction(async (tx) => {
      const step = await tx.findStep(candidate.id);
      const team = step ? await tx.findTeamById(step.teamId) : null;
      if (!step || !team || !checkInDue(step, now)) return false;
      const { created } = await tx.enqueueDelivery({ target: team.channel, periodKey: checkInPeriodKey(step), payload: { kind: 'step-check-in', stepId: step.id }, teamId: team.id, roundId: null, at: now });
      await tx.updateStep(step.id, { lastCheckInAt: now });
      return created;
    }, { fence: ctx.fence });
    if (wrote) queued += 1;
  }
  if (queued > 0) ctx.onIntent?.();
  return queued;
}
