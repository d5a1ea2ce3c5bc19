import type { OutboundMessage, StepView } from '../core/messenger.js';
import type { NextStep } from '../core/next-steps.js';
import type { Delivery, DeliveryPayload } from '../core/outbox.js';
import type { Team } from '../core/team.js';
import { memberScope } from '../core/platform.js';
import { respondentKey } from '../core/respondent-key.js';
import { z } from 'zod';
import { ROLE_NAMES } from '../core/roles.js';
import type { ServiceContext } from './context.js';
import { closedRoundOutcome, digestPartsForDelivery, roundView } from './report-service.js';

/** What a role change's audit record holds beyond its actor (written by `chat-commands.ts#changeRole`). */
const RoleChangeDetailsSchema = z.object({ role: z.enum(ROLE_NAMES), subject: z.string(), subjectName: z.string().optional(), actorName: z.string().optional(), change: z.enum(['add', 'remove']) });

async function roleChangeMessage(ctx: ServiceContext, auditId: number): Promise<PreparedMessage> {
  const record = await ctx.store.findAudit(auditId);
  const details = RoleChangeDetailsSchema.safeParse(record?.details);
  if (!record || !details.success || record.teamName === null) return { kind: 'obsolete', reason: 'the role change is no longer on record' };
  const { role, subject, subjectName, actorName, change } = details.data;
  return {
    kind: 'message',
    message: { kind: 'role-change', teamName: record.teamName, action: change, role, subject: { userId: subject, name: subjectName ?? subject }, by: { userId: record.actorUserId, name: actorName ?? record.actorUserId } },
  };
}

/** What the owner request's audit record holds (written by `step-service.ts#askOwner`). */
const OwnerAskDetailsSchema = z.object({ stepId: z.number(), owner: z.string(), actorName: z.string().optional() });

async function stepView(ctx: ServiceContext, stepId: number): Promise<{ view: StepView; step: NextStep; team: Team } | null> {
  const step = await ctx.store.findStep(stepId);
  const team = step ? await ctx.store.findTeamById(step.teamId) : null;
  if (!step || !team) return null;
  const aspect = ctx.surveys.get(step.surveyId)?.survey.aspects.find((candidate) => candidate.id === step.aspectId);
  const owner = step.owner && step.ownerStatus === 'accepted' ? { userId: step.owner.userId, name: step.ownerName ?? step.owner.userId } : null;
  return { view: { stepId: step.id, teamName: team.name, aspectName: aspect?.name ?? step.aspectId, text: step.text, dueAt: step.dueAt, timeZone: team.cadence.timeZone, owner }, step, team };
}

async function stepMessage(ctx: ServiceContext, payload: Extract<DeliveryPayload, { stepId: number }>): Promise<PreparedMessage> {
  const found = await stepView(ctx, payload.stepId);
  if (!found) return { kind: 'obsolete', reason: 'the step no longer exists' };
  const { view, step, team } = found;
  switch (payload.kind) {
    case 'step-adopted':
      return { kind: 'message', message: { kind: 'step-adopted', step: view } };
    case 'step-owner': {
      const record = payload.auditId === undefined ? null : await ctx.store.findAudit(payload.auditId);
      const details = OwnerAskDetailsSchema.safeParse(record?.details);
      if (!record || !details.success) return { kind: 'obsolete', reason: 'the owner request is no longer on record' };
      // Asked again since, or answered, or the step is closed: this request has nothing left to ask.
      if (step.status !== 'open' || step.ownerStatus !== 'asked' || step.owner?.userId !== details.data.owner) return { kind: 'obsolete', reason: 'the owner request was overtaken' };
      return { kind: 'message', message: { kind: 'step-owner-request', step: view, ownerUserId: details.data.owner, by: { userId: record.actorUserId, name: details.data.actorName ?? record.actorUserId } } };
    }
    case 'step-check-in': {
      if (step.status !== 'open') return { kind: 'obsolete', reason: `the step is ${step.status}` };
      const owner = step.ownerStatus === 'accepted' ? step.owner : null;
      const recipients = owner ? [owner.userId] : (await ctx.store.listRoles({ teamId: team.id })).filter((role) => role.role === 'lead' && role.user.platform === team.channel.platform).map((role) => role.user.userId);
      if (recipients.length === 0) return { kind: 'obsolete', reason: 'the step has no owner and the team no leads to ask' };
      return { kind: 'message', message: { kind: 'step-check-in', step: view, recipientUserIds: recipients } };
    }
  }
}

export type PreparedMessage = { readonly kind: 'message'; readonly message: OutboundMessage } | { readonly kind: 'obsolete'; readonly reason: string };

/**
 * Builds what a delivery posts from the frozen facts it references, so every retry of the same delivery
 * posts the same content. A delivery whose round or team was deleted meanwhile is obsolete.
 */
export async function prepareMessage(ctx: ServiceContext, delivery: Delivery): Promise<PreparedMessage> {
  const payload = delivery.payload;
  if (payload.kind === 'role-change') return await roleChangeMessage(ctx, payload.auditId);
  if ('stepId' in payload) return await stepMessage(ctx, payload);
  if ('at' in payload) {
    // The message shows the digest's summary and the thread gets its files: each takes only its part.
    const parts = await digestPartsForDelivery(ctx, new Date(payload.at), payload.surveyIds);
    return { kind: 'message', message: payload.kind === 'digest' ? { kind: 'digest', digest: parts.summary } : { kind: 'digest-files', files: parts.files } };
  }
  const round = await ctx.store.findRound(payload.roundId);
  if (!round) return { kind: 'obsolete', reason: 'the round no longer exists' };
  const team = await ctx.store.findTeamById(round.teamId);
  if (!team) return { kind: 'obsolete', reason: 'the team no longer exists' };
  const view = await roundView(ctx, team, round);
  switch (payload.kind) {
    case 'round-opened':
      return { kind: 'message', message: { kind: 'round-opened', round: view } };
    case 'reminder':
      return round.status === 'open' ? { kind: 'message', message: { kind: 'reminder', round: view } } : { kind: 'obsolete', reason: 'the round has closed' };
    case 'nudge': {
      if (round.status !== 'open') return { kind: 'obsolete', reason: 'the round has closed' };
      // Compared by respondent key, so no list of who answered is ever stored or handed to the platform;
      // keyed in the same scope as their clicks (on Enterprise Grid, the organisation).
      const answered = new Set(await ctx.store.answerKeys(round.id));
      const scope = memberScope(team);
      const hasAnswered = (userId: string) => answered.has(respondentKey(ctx.respondentSecret, { platform: team.channel.platform, workspaceId: scope, userId }));
      return { kind: 'message', message: { kind: 'nudge', round: view, hasAnswered } };
    }
    case 'round-closed':
      return { kind: 'message', message: { kind: 'round-closed', round: view } };
    case 'round-result': {
      const outcome = await closedRoundOutcome(ctx, round);
      return outcome ? { kind: 'message', message: { kind: 'round-result', round: view, outcome } } : { kind: 'obsolete', reason: 'the round has no result' };
    }
  }
}
