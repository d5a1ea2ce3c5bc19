/**
 * What the Bot Connector stand-in remembers: conversations, the bot's activities in them (latest content, every
 * version, deletions), channel threads, members and teams. Tests assert on this, not on which calls were made.
 *
 * Threading follows Teams: only channel conversations have threads. A channel thread is addressed either as
 * `{channelId};messageid={rootId}` or by replying to the root's id; both land under that root. Everything else about
 * ids here is INFERRED from observed Teams traffic: channel ids end in @thread.tacv2 (older: @thread.skype), group
 * chats and meetings in @thread.v2, 1:1 chats start with `a:`; message ids are millisecond timestamps.
 */
import { createHash } from 'node:crypto';

export type ConversationKind = 'channel' | 'groupChat' | 'personal' | 'unknown';

/**
 * Why the bot can no longer reach a conversation, with Teams' documented answers ("Status codes from bot
 * conversational APIs"): the app was uninstalled (403 BotNotInConversationRoster), the user blocked the bot
 * (403 ConversationBlockedByUser), or the conversation is gone (404 ConversationNotFound).
 */
export type RemovalReason = 'uninstalled' | 'blocked' | 'deleted';

export interface TeamsMember {
  /** The Teams user id (29:…), which the bot uses to address the user. */
  readonly id: string;
  readonly aadObjectId: string;
  readonly name: string;
  readonly givenName?: string;
  readonly surname?: string;
  readonly email?: string;
  readonly userPrincipalName?: string;
  readonly tenantId?: string;
  readonly userRole?: 'user' | 'guest' | 'anonymous';
}

export interface StoredActivity {
  /** The id the connector assigned and answered with. */
  readonly id: string;
  /** The conversation id the bot addressed (a thread id carries `;messageid=`). */
  readonly addressedTo: string;
  /** The channel thread this is a reply in; null for a top-level post or any chat message. */
  readonly threadRootId: string | null;
  /** The id in the reply URL or the activity's replyToId, as sent. */
  readonly replyToId: string | null;
  /** The latest content, with `id` set to the assigned id. */
  activity: Record<string, unknown>;
  /** Every version, oldest first (updates append). */
  readonly versions: Record<string, unknown>[];
  deleted: boolean;
  readonly sentAt: number;
  updatedAt: number | null;
}

export interface ConversationState {
  /** The base id: a channel, group chat or 1:1 chat, without any `;messageid=` suffix. */
  readonly id: string;
  kind: ConversationKind;
  tenantId: string | null;
  removed: RemovalReason | null;
  members: TeamsMember[];
  readonly activities: StoredActivity[];
}

export interface TeamSpec {
  readonly name?: string;
  readonly aadGroupId?: string;
  /** Channels other than General; General's id is the team id and its name is null, as Teams answers. */
  readonly channels?: readonly { readonly id: string; readonly name: string }[];
}

/** Strips a channel thread suffix: `19:abc@thread.tacv2;messageid=1700…` → `19:abc@thread.tacv2`. */
export function baseConversationId(conversationId: string): string {
  const at = conversationId.indexOf(';messageid=');
  return at === -1 ? conversationId : conversationId.slice(0, at);
}

/** The thread root in a `;messageid=` conversation id, or null. */
export function threadRootOf(conversationId: string): string | null {
  const match = /;messageid=([^;]+)/.exec(conversationId);
  return match ? match[1]! : null;
}

export function conversationKindOf(conversationId: string): ConversationKind {
  const base = baseConversationId(conversationId);
  if (base.startsWith('a:') || base.startsWith('8:')) return 'personal';
  if (base.endsWith('@thread.tacv2') || base.endsWith('@thread.skype')) return 'channel';
  if (base.endsWith('@thread.v2')) return 'groupChat';
  return 'unknown';
}

/**
 * The 1:1 conversation id between a bot and a user. Teams answers the same id every time a bot creates a
 * conversation with the same user, so it is derived, not random.
 */
export function personalConversationIdFor(appId: string, userId: string): string {
  return `a:1${createHash('sha256').update(`${appId}\n${userId}`).digest('base64url')}`;
}

/**
 * A member as the connector returns it. The docs' samples show `objectId`; the SDK types and the member API
 * change notice say it became `aadObjectId`. Both are sent (INFERRED) so neither reader breaks.
 */
export function memberJson(member: TeamsMember, tenantId: string | null): Record<string, unknown> {
  return {
    id: member.id,
    name: member.name,
    aadObjectId: member.aadObjectId,
    objectId: member.aadObjectId,
    ...(member.givenName ? { givenName: member.givenName } : {}),
    ...(member.surname ? { surname: member.surname } : {}),
    ...(member.email ? { email: member.email } : {}),
    ...(member.userPrincipalName ? { userPrincipalName: member.userPrincipalName } : {}),
    tenantId: member.tenantId ?? tenantId,
    userRole: member.userRole ?? 'user',
  };
}

/** `count` deterministic members: ids 29:1member-0001…, AAD ids …-000000000001, names "Member 1"…. */
export function makeTeamsMembers(count: number, options: { readonly prefix?: string; readonly tenantId?: string } = {}): TeamsMember[] {
  const prefix = options.prefix ?? 'member';
  return Array.from({ length: count }, (_, index) => {
    const n = String(index + 1).padStart(4, '0');
    return {
      id: `29:1${prefix}-${n}`,
      aadObjectId: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
      name: `${prefix[0]!.toUpperCase()}${prefix.slice(1)} ${index + 1}`,
      givenName: `${prefix[0]!.toUpperCase()}${prefix.slice(1)}`,
      surname: String(index + 1),
      email: `${prefix}${index + 1}@contoso.example`,
      userPrincipalName: `${prefix}${index + 1}@contoso.example`,
      ...(options.tenantId ? { tenantId: options.tenantId } : {}),
      userRole: 'user' as const,
    };
  });
}

/** The stand-in's world: conversations by base id, teams by id. */
export class ConnectorWorld {
  private readonly conversations = new Map<string, ConversationState>();
  private readonly teams = new Map<string, TeamSpec>();
  private nextId: number;

  constructor(firstActivityId: number) {
    this.nextId = firstActivityId;
  }

  newActivityId(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  find(conversationId: string): ConversationState | undefined {
    return this.conversations.get(baseConversationId(conversationId));
  }

  /** Conversations the bot writes to spring into existence, as far as the stand-in knows them (lenient on purpose). */
  ensure(conversationId: string): ConversationState {
    const id = baseConversationId(conversationId);
    let state = this.conversations.get(id);
    if (!state) {
      state = { id, kind: conversationKindOf(id), tenantId: null, removed: null, members: [], activities: [] };
      this.conversations.set(id, state);
    }
    return state;
  }

  setTeam(teamId: string, spec: TeamSpec): void {
    this.teams.set(teamId, spec);
    this.ensure(teamId).kind = 'channel';
  }

  team(teamId: string): TeamSpec | undefined {
    return this.teams.get(teamId);
  }

  /**
   * Who the roster endpoints list for a conversation: its own members when set (a private channel, a chat), else,
   * for a standard channel of a declared team, the team's members (INFERRED: a standard channel's roster is the
   * team's). botbuilder's TeamsInfo asks for `conversations/{teamId}/pagedmembers` in an inbound channel turn, but
   * for the channel id in a proactive turn, whose activity carries no channelData.team.
   */
  roster(state: ConversationState): TeamsMember[] {
    if (state.members.length > 0 || state.kind !== 'channel') return state.members;
    for (const [teamId, spec] of this.teams) {
      if (teamId === state.id || spec.channels?.some((channel) => channel.id === state.id)) return this.find(teamId)?.members ?? [];
    }
    return state.members;
  }

  /** Stores a new activity, working out its channel thread (see the file comment). */
  add(addressedTo: string, activity: Record<string, unknown>, replyToId: string | null, at: number): StoredActivity {
    const state = this.ensure(addressedTo);
    const id = this.newActivityId();
    let threadRootId: string | null = null;
    if (state.kind === 'channel') {
      const parent = replyToId ? state.activities.find((stored) => stored.id === replyToId) : undefined;
      // A reply to an id Teams does not know is a plain post: botbuilder's continueConversationAsync always
      // replies to its continuation activity's random uuid, and those proactive posts land top-level (INFERRED).
      threadRootId = threadRootOf(addressedTo) ?? (parent ? (parent.threadRootId ?? parent.id) : null);
    }
    const content = { ...activity, id };
    const stored: StoredActivity = { id, addressedTo, threadRootId, replyToId, activity: content, versions: [content], deleted: false, sentAt: at, updatedAt: null };
    state.activities.push(stored);
    return stored;
  }

  activity(conversationId: string, activityId: string): StoredActivity | undefined {
    return this.find(conversationId)?.activities.find((stored) => stored.id === activityId);
  }
}
