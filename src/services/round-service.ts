import { roundPeriodKey, type DeliveryKind } from '../core/outbox.js';
import { isFromTeamChannel, type Origin, type UserRef } from '../core/platform.js';
import { chooseQuestion } from '../core/question-choice.js';
import { respondentKey } from '../core/respondent-key.js';
import { decideAnswer, decideComment, decideEarlyClose, snapshotQuestion, type OptionSnapshot, type Round, type RoundOrigin } from '../core/round.js';
import { closeTimeFor, extraRoundKey, nextPeriod, periodAt } from '../core/schedule.js';
import type { Team } from '../core/team.js';
import type { Store } from '../storage/store.js';
import type { ServiceContext } from './context.js';

export type OpenRoundResult =
  | { readonly kind: 'opened'; readonly round: Round }
  | { readonly kind: 'already-open'; readonly round: Round }
  /** This period already had its round; the next one opens at `nextOpensAt`. */
  | { readonly kind: 'period-taken'; readonly round: Round; readonly nextOpensAt: Date }
  | { readonly kind: 'unknown-aspect'; readonly aspectId: string; readonly known: readonly string[] }
  | { readonly kind: 'survey-missing'; readonly surveyId: string };

type RoundDeliveryKind = Exclude<DeliveryKind, 'digest' | 'digest-files' | 'role-change' | 'step-adopted' | 'step-owner' | 'step-check-in'>;

export async function enqueueRoundDelivery(store: Store, team: Team, round: Round, kind: RoundDeliveryKind, at: Date): Promise<void> {
  await store.enqueueDelivery({ target: team.channel, periodKey: roundPeriodKey(round.id), payload: { kind, roundId: round.id }, teamId: team.id, roundId: round.id, at });
}

/**
 * Opens a round for the team now and writes the intent to post it, in one transaction. An ad hoc round
 * fills the current period, so the scheduled one for that period is skipped; asked for in a period that
 * already had its round, it opens as an extra round of that period.
 */
export async function openRound(ctx: ServiceContext, team: Team, options: { aspectId?: string; origin: RoundOrigin; at?: Date; closesAt?: Date }): Promise<OpenRoundResult> {
  const loaded = ctx.surveys.get(team.surveyId);
  if (!loaded) return { kind: 'survey-missing', surveyId: team.surveyId };
  const now = options.at ?? ctx.clock.now();
  const choice = chooseQuestion(loaded.survey, await ctx.store.askedQuestions(team.id, team.surveyId), options.aspectId);
  if (choice.kind === 'unknown-aspect') return choice;
  const period = periodAt(team.cadence, now);
  const result = await ctx.store.transaction(async (tx) => {
    const round = {
      teamId: team.id,
      surveyId: loaded.survey.id,
      surveyHash: loaded.contentHash,
      question: snapshotQuestion(loaded.survey, choice.aspect, choice.question),
      periodKey: period.key,
      origin: options.origin,
      openedAt: now,
      closesAt: options.closesAt ?? closeTimeFor(team.cadence, now),
    };
    let inserted = await tx.insertRound(round);
    if (inserted.kind === 'period-taken' && options.origin === 'ad-hoc') inserted = await tx.insertRound({ ...round, periodKey: extraRoundKey(period.key, now) });
    if (inserted.kind === 'opened') await enqueueRoundDelivery(tx, team, inserted.round, 'round-opened', now);
    return inserted;
  }, { fence: ctx.fence });
  if (result.kind === 'opened') {
    ctx.log.info({ teamId: team.id, roundId: result.round.id, aspectId: choice.aspect.id, origin: options.origin }, 'round opened');
    ctx.onIntent?.();
  }
  if (result.kind === 'period-taken') return { ...result, nextOpensAt: nextPeriod(team.cadence, period).opensAt };
  return result;
}

async function closeAndAnnounce(ctx: ServiceContext, roundId: number, now: Date): Promise<Round | null> {
  return ctx.store.transaction(async (tx) => {
    const round = await tx.closeRound(roundId, now);
    if (!round) return null;
    const team = await tx.findTeamById(round.teamId);
    if (team) {
      await enqueueRoundDelivery(tx, team, round, 'round-closed', now);
      await enqueueRoundDelivery(tx, team, round, 'round-result', now);
    }
    return round;
  }, { fence: ctx.fence });
}

/** Closes the team's open round now (early), freezing its tally and queueing the closed message and result. */
export async function closeOpenRound(ctx: ServiceContext, team: Team): Promise<{ kind: 'closed'; round: Round } | { kind: 'none-open' }> {
  const open = await ctx.store.findOpenRound(team.id);
  const closed = open ? await closeAndAnnounce(ctx, open.id, ctx.clock.now()) : null;
  if (!closed) return { kind: 'none-open' };
  ctx.log.info({ teamId: team.id, roundId: closed.id, respondents: closed.tally?.respondents }, 'round closed');
  ctx.onIntent?.();
  return { kind: 'closed', round: closed };
}

export type EarlyCloseResult = { kind: 'closed'; round: Round } | { kind: 'none-open' } | { kind: 'too-early'; round: Round; needed: number; allowedFrom: Date };

/**
 * A lead's (or admin's) early close from chat: refused while few have answered and less than half the
 * round has passed (see `decideEarlyClose`).
 */
export async function closeOpenRoundEarly(ctx: ServiceContext, team: Team): Promise<EarlyCloseResult> {
  const open = await ctx.store.findOpenRound(team.id);
  if (!open) return { kind: 'none-open' };
  const decision = decideEarlyClose(open, await ctx.store.countAnswers(open.id), ctx.clock.now(), ctx.policy);
  if (decision.kind === 'too-early') return { kind: 'too-early', round: open, needed: decision.needed, allowedFrom: decision.allowedFrom };
  return await closeOpenRound(ctx, team);
}

/** Closes every round past its close time, for all teams, in one pass. */
export async function closeDueRounds(ctx: ServiceContext): Promise<Round[]> {
  const now = ctx.clock.now();
  const closed: Round[] = [];
  for (const due of await ctx.store.dueRounds(now)) {
    const round = await closeAndAnnounce(ctx, due.id, now);
    if (round) closed.push(round);
  }
  for (const round of closed) ctx.log.info({ teamId: round.teamId, roundId: round.id, respondents: round.tally?.respondents }, 'round closed at its close time');
  return closed;
}

export type AnswerOutcome =
  | { readonly kind: 'recorded'; readonly round: Round; readonly option: OptionSnapshot; readonly changed: boolean; readonly changeableUntil: Date }
  | { readonly kind: 'round-closed'; readonly round: Round; readonly closedAt: Date }
  | { readonly kind: 'unknown-option'; readonly round: Round }
  | { readonly kind: 'unknown-round' }
  /** The click named a round of another team's channel than the one it was made in: nothing is written. */
  | { readonly kind: 'wrong-channel' };

/**
 * Records a click. The write is committed before this returns, so an adapter acknowledges only what is
 * stored. The person is stored under their pseudonymous respondent key, never their user id.
 */
export async function recordAnswer(ctx: ServiceContext, user: UserRef, roundId: number, optionId: string, origin: Origin): Promise<AnswerOutcome> {
  const key = respondentKey(ctx.respondentSecret, user);
  const now = ctx.clock.now();
  // Deciding inside the write transaction means a concurrent close cannot slip between check and write.
  return ctx.store.transaction((tx) => storeAnswer(ctx, tx, key, roundId, optionId, origin, now));
}

/**
 * The round a click names, if it was made in that round's team channel. A click from anywhere else is
 * refused and logged (without the person): round ids are sequential and easy to guess.
 */
async function roundForClick(ctx: ServiceContext, store: Store, roundId: number, origin: Origin, forWrite: boolean, lookups?: RoundLookups): Promise<{ kind: 'round'; round: Round; team: Team } | { kind: 'unknown-round' } | { kind: 'wrong-channel' }> {
  let looked = lookups?.get(roundId);
  if (!looked) {
    looked = lookUpRound(store, roundId, forWrite);
    lookups?.set(roundId, looked);
  }
  const found = await looked;
  if (!found) return { kind: 'unknown-round' };
  const { round, team } = found;
  if (!isFromTeamChannel(team, origin)) {
    ctx.log.warn({ roundId, teamId: team.id, platform: origin.channel.platform }, 'refused a click on a round from outside its team channel');
    return { kind: 'wrong-channel' };
  }
  return { kind: 'round', round, team };
}

async function lookUpRound(store: Store, roundId: number, forWrite: boolean): Promise<{ round: Round; team: Team } | null> {
  const round = forWrite ? await store.findRoundForWrite(roundId) : await store.findRound(roundId);
  const team = round ? await store.findTeamById(round.teamId) : null;
  return round && team ? { round, team } : null;
}

/**
 * Rounds (with their teams) already read in one transaction, by id: the clicks of a group commit mostly
 * name the same round, and its row, read for write, stays locked until the commit.
 */
export type RoundLookups = Map<number, Promise<{ round: Round; team: Team } | null>>;

/** Decides and stores one answer inside the caller's transaction `tx` (sharing `lookups` with the rest of it). */
export async function storeAnswer(ctx: ServiceContext, tx: Store, key: string, roundId: number, optionId: string, origin: Origin, now: Date, lookups?: RoundLookups): Promise<AnswerOutcome> {
  const found = await roundForClick(ctx, tx, roundId, origin, true, lookups);
  if (found.kind !== 'round') return found;
  const { round } = found;
  const decision = decideAnswer(round, optionId, now);
  if (decision.kind === 'round-closed') return { kind: 'round-closed', round, closedAt: decision.closedAt };
  if (decision.kind === 'unknown-option') return { kind: 'unknown-option', round };
  const stored = await tx.upsertAnswer({ roundId, respondentKey: key, optionId: decision.option.id, level: decision.option.level, at: now });
  return { kind: 'recorded', round, option: decision.option, changed: stored.previousOptionId !== null && stored.previousOptionId !== decision.option.id, changeableUntil: round.closesAt };
}

export type CommentOutcome =
  | { readonly kind: 'saved' | 'removed'; readonly round: Round }
  | { readonly kind: 'too-long'; readonly length: number; readonly max: number }
  | { readonly kind: 'round-closed'; readonly closedAt: Date }
  | { readonly kind: 'unknown-round' }
  | { readonly kind: 'wrong-channel' };

/** Saves, replaces or (with empty text) removes the author's comment on an open round. */
export async function recordComment(ctx: ServiceContext, user: UserRef, roundId: number, text: string, origin: Origin): Promise<CommentOutcome> {
  const key = respondentKey(ctx.respondentSecret, user);
  const now = ctx.clock.now();
  return ctx.store.transaction(async (tx): Promise<CommentOutcome> => {
    const found = await roundForClick(ctx, tx, roundId, origin, true);
    if (found.kind !== 'round') return found;
    const { round } = found;
    const decision = decideComment(round, text, now);
    switch (decision.kind) {
      case 'round-closed':
      case 'too-long':
        return decision;
      case 'remove':
        await tx.deleteComment(roundId, key);
        return { kind: 'removed', round };
      case 'accept':
        await tx.upsertComment({ roundId, respondentKey: key, text: decision.text, at: now });
        return { kind: 'saved', round };
    }
  });
}

/** What one person sees of a round: the round, and their own pick and comment while it is theirs to change. */
export type PersonalRoundOutcome =
  | { readonly kind: 'round'; readonly team: Team; readonly round: Round; readonly pickedOptionId: string | null; readonly comment: string | null }
  | { readonly kind: 'unknown-round' }
  | { readonly kind: 'wrong-channel' };

/**
 * A person's own view of a round (Teams' card refresh, Slack's comment dialog), only from the round's team
 * channel: anywhere else, a guessed round id would show another team's question and count.
 */
export async function personalRound(ctx: ServiceContext, user: UserRef | null, roundId: number, origin: Origin): Promise<PersonalRoundOutcome> {
  const found = await roundForClick(ctx, ctx.store, roundId, origin, false);
  if (found.kind !== 'round') return found;
  const { team } = found;
  const key = user ? respondentKey(ctx.respondentSecret, user) : null;
  return {
    kind: 'round',
    team,
    round: found.round,
    pickedOptionId: key ? ((await ctx.store.findAnswer(roundId, key))?.optionId ?? null) : null,
    comment: key ? await ctx.store.findComment(roundId, key) : null,
  };
}
