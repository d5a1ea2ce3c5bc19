import type { OutboundMessage } from '../core/messenger.js';
import type { Delivery } from '../core/outbox.js';
import { respondentKey } from '../core/respondent-key.js';
import { answerKeys } from '../storage/answer-repository.js';
import { findRound } from '../storage/round-repository.js';
import { findTeamById } from '../storage/team-repository.js';
import type { ServiceContext } from './context.js';
import { closedRoundOutcome, digestForDelivery, roundView } from './report-service.js';

export type PreparedMessage = { readonly kind: 'message'; readonly message: OutboundMessage } | { readonly kind: 'obsolete'; readonly reason: string };

/**
 * Builds what a delivery posts from the frozen facts it references, so every retry of the same delivery
 * posts the same content. A delivery whose round or team was deleted meanwhile is obsolete.
 */
export async function prepareMessage(ctx: ServiceContext, delivery: Delivery): Promise<PreparedMessage> {
  const payload = delivery.payload;
  if ('at' in payload) {
    const digest = await digestForDelivery(ctx, new Date(payload.at), payload.surveyIds);
    return { kind: 'message', message: { kind: payload.kind, digest } };
  }
  const round = findRound(ctx.db, payload.roundId);
  if (!round) return { kind: 'obsolete', reason: 'the round no longer exists' };
  const team = findTeamById(ctx.db, round.teamId);
  if (!team) return { kind: 'obsolete', reason: 'the team no longer exists' };
  const view = roundView(ctx, team, round);
  switch (payload.kind) {
    case 'round-opened':
      return { kind: 'message', message: { kind: 'round-opened', round: view } };
    case 'reminder':
      return round.status === 'open' ? { kind: 'message', message: { kind: 'reminder', round: view } } : { kind: 'obsolete', reason: 'the round has closed' };
    case 'nudge': {
      if (round.status !== 'open') return { kind: 'obsolete', reason: 'the round has closed' };
      // Compared by respondent key, so no list of who answered is ever stored or handed to the platform.
      const answered = new Set(answerKeys(ctx.db, round.id));
      const hasAnswered = (userId: string) => answered.has(respondentKey(ctx.respondentSecret, { platform: team.channel.platform, workspaceId: team.channel.workspaceId, userId }));
      return { kind: 'message', message: { kind: 'nudge', round: view, hasAnswered } };
    }
    case 'round-closed':
      return { kind: 'message', message: { kind: 'round-closed', round: view } };
    case 'round-result': {
      const outcome = closedRoundOutcome(ctx, round);
      return outcome ? { kind: 'message', message: { kind: 'round-result', round: view, outcome } } : { kind: 'obsolete', reason: 'the round has no result' };
    }
  }
}
