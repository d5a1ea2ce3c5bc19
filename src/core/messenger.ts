import type { DigestSummary } from './digest.js';
import type { DigestFiles } from './digest-files.js';
import type { ChannelRef, Platform } from './platform.js';
import type { OptionSnapshot } from './round.js';
import type { RoleName } from './roles.js';
import type { Agreement } from './scoring.js';
import type { Change } from './trends.js';

/** A round as every platform renders it. */
export interface RoundView {
  readonly roundId: number;
  readonly teamName: string;
  readonly aspectName: string;
  readonly prompt: string;
  readonly options: readonly OptionSnapshot[];
  readonly closesAt: Date;
  readonly timeZone: string;
  readonly status: 'open' | 'closed';
  /**
   * Everyone who answered, "I don't know" included: the only count a round shows while it runs. How many
   * picked a level is never shown next to it, or the next click would tell who said "I don't know".
   */
  readonly respondents: number;
  readonly minRespondents: number;
}

/**
 * A closed round's result for the team: a figure, or that it had too few answers with a level. Either way
 * the only count is everyone who answered (the number the round message already shows); agreement only
 * for a round large enough to show more than its count and mean.
 */
export type RoundOutcome =
  | {
      readonly kind: 'figure';
      readonly value: number;
      readonly levelCount: number;
      readonly label: string;
      readonly respondents: number;
      readonly agreement: Agreement | null;
      readonly change: Change;
      readonly toward: string | null;
      readonly suggestion: string | null;
    }
  | { readonly kind: 'too-few'; readonly respondents: number; readonly needed: number };

/** A person named in a channel message: their platform id (for a Slack mention) and the name they go by. */
export interface NamedPerson {
  readonly userId: string;
  readonly name: string;
}

/** A team's adopted next step as messages show it. */
export interface StepView {
  readonly stepId: number;
  readonly teamName: string;
  readonly aspectName: string;
  readonly text: string;
  readonly dueAt: Date;
  readonly timeZone: string;
  /** The owner, only once they accepted (a person asked is named nowhere until then). */
  readonly owner: NamedPerson | null;
}

export type OutboundMessage =
  | { readonly kind: 'round-opened'; readonly round: RoundView }
  | { readonly kind: 'round-closed'; readonly round: RoundView }
  | { readonly kind: 'round-result'; readonly round: RoundView; readonly outcome: RoundOutcome }
  | { readonly kind: 'reminder'; readonly round: RoundView }
  /** Private nudges to channel members for whom `hasAnswered` is false; who answered never leaves the process. */
  | { readonly kind: 'nudge'; readonly round: RoundView; readonly hasAnswered: (userId: string) => boolean }
  | { readonly kind: 'digest'; readonly digest: DigestSummary }
  /** The digest's full table (CSV) and its charts' data, attached in its thread. */
  | { readonly kind: 'digest-files'; readonly files: DigestFiles }
  /** Told to a team's channel whenever its leads change: leads read the team's comments, so the team knows who does. */
  | { readonly kind: 'role-change'; readonly teamName: string; readonly action: 'add' | 'remove'; readonly role: RoleName; readonly subject: NamedPerson; readonly by: NamedPerson }
  /** Told to the team's channel once, when a lead adopts a step. */
  | { readonly kind: 'step-adopted'; readonly step: StepView }
  /** Asked privately of the person named as a step's owner: accept or decline. */
  | { readonly kind: 'step-owner-request'; readonly step: StepView; readonly ownerUserId: string; readonly by: NamedPerson }
  /** Asked privately at the step's date, of its owner or else of each of the team's leads: done, still on it, dropped. */
  | { readonly kind: 'step-check-in'; readonly step: StepView; readonly recipientUserIds: readonly string[] };

export interface SendContext {
  readonly deliveryId: number;
  /**
   * Call right before the first platform call that could post something (after any rendering). A crash
   * after this point leaves the outcome unknown, so the post is sent again (and logged as a possible
   * duplicate); a crash before it simply retries.
   */
  beginSend(): Promise<void>;
  /** The platform reference of the message to reply under (a thread), if any. */
  readonly threadOf: string | null;
  /** The platform reference of the message to replace, if this send is an edit. */
  readonly replaces: string | null;
}

export type SendOutcome =
  /** `audience`: how many people the channel holds (bots left out), when the platform said so while a round was posted (Teams lists them for the card anyway). */
  | { readonly kind: 'sent'; readonly messageRef: string; readonly audience?: number }
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs: number | null }
  /** A failure retrying cannot fix (channel gone, token revoked); `pauseTeam` stops further sends there. */
  | { readonly kind: 'failed'; readonly reason: string; readonly pauseTeam: boolean };

/** The port each chat adapter implements so the outbox can deliver through it. */
export interface Messenger {
  readonly platform: Platform;
  send(target: ChannelRef, message: OutboundMessage, context: SendContext): Promise<SendOutcome>;
  /** Tells the workspace's configured admins, privately, that a team was paused; best effort. */
  notifyAdmins?(workspaceId: string, text: string): Promise<void>;
}
