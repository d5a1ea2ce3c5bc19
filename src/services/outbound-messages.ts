import type { OutboundMessage } from '../core/messenger.js';
import type { Delivery } from '../core/outbox.js';
import { findRound } from '../storage/round-repository.js';
import { findTeamById } from '../storage/team-repository.js';
import type { ServiceContext } from './context.js';
import { closedRoundOutcome, orgDigest, roundView } from './report-service.js';

export type PreparedMessage = { readonly kind: 'message'; readonly message: OutboundMessage } | { readonly kind: 'obsolete'; readonly reason: string };

/**
 * Builds what a delivery posts from the frozen facts it references, so every retry of the same delivery
 * posts the same content. A delivery whose round or team was deleted meanwhile is obsolete.
 */
export function prepareMessage(ctx: ServiceContext, delivery: Delivery): PreparedMessage {
  const payload = delivery.payload;
  if (payload.kind === 'digest') {
    return { kind: 'message', message: { kind: 'digest', digest: orgDigest(ctx, { at: new Date(payload.at), ...(payload.surveyIds ? { surveyIds: payload.surveyIds } : {}) }) } };
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
    case 'round-closed':
      return { kind: 'message', message: { kind: 'round-closed', round: view } };
    case 'round-result': {
      const outcome = closedRoundOutcome(ctx, round);
      return outcome ? { kind: 'message', message: { kind: 'round-result', round: view, outcome } } : { kind: 'obsolete', reason: 'the round has no result' };
    }
  }
}
