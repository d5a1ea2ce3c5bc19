/**
 * The Bot Connector's wire vocabulary for the stand-in: which REST route a request is, the ErrorResponse bodies
 * Teams answers with, and small parsing helpers. Codes and messages come from Teams' "Status codes from bot
 * conversational APIs"; the ones that page does not list are marked INFERRED.
 */
import type { IncomingMessage } from 'node:http';
import type { RemovalReason } from './teams-connector-state.js';

export type ConnectorRoute = 'send' | 'reply' | 'update' | 'delete' | 'create' | 'members' | 'member' | 'pagedmembers' | 'team' | 'teamChannels' | 'unknown';

export interface Matched {
  readonly route: ConnectorRoute;
  readonly conversationId: string | null;
  readonly activityId: string | null;
  readonly memberId: string | null;
}

/** A refusal with the Bot Connector's ErrorResponse body. */
export class ConnectorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Codes and messages from Teams' "Status codes from bot conversational APIs"; 5xx codes are INFERRED. */
export const ERROR_CODES: Readonly<Record<number, readonly [string, string]>> = {
  400: ['BadArgument', 'The request is invalid.'],
  401: ['BotNotRegistered', 'No registration found for this bot.'],
  403: ['BotNotInConversationRoster', 'The bot is not part of the conversation roster.'],
  404: ['ConversationNotFound', 'Conversation not found.'],
  412: ['PreconditionFailed', 'Precondition failed, please try again.'],
  413: ['MessageSizeTooBig', 'Message size too large.'],
  429: ['Throttled', 'Too many requests.'],
  500: ['InternalServerError', 'An internal error occurred.'],
  502: ['ServiceError', 'Bad gateway.'],
  503: ['ServiceUnavailable', 'The service is unavailable.'],
  504: ['GatewayTimeout', 'The operation timed out.'],
};

export const REMOVAL_ERRORS: Readonly<Record<RemovalReason, ConnectorError>> = {
  uninstalled: new ConnectorError(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.'),
  blocked: new ConnectorError(403, 'ConversationBlockedByUser', 'User blocked the conversation with the bot.'),
  deleted: new ConnectorError(404, 'ConversationNotFound', 'Conversation not found.'),
};

/**
 * Maps a request to its REST operation. `segments` are already decoded: ConnectorClient URL-encodes ids such as
 * `19:abc@thread.tacv2;messageid=1700…` in the path. Paths follow botframework-connector's operation specs.
 */
export function matchRoute(method: string, segments: readonly string[]): Matched {
  const none = { conversationId: null, activityId: null, memberId: null };
  const [version, collection, id, sub, subId, ...rest] = segments;
  if (version !== 'v3' || rest.length > 0) return { route: 'unknown', ...none };
  if (collection === 'conversations') {
    if (id === undefined) return method === 'POST' ? { route: 'create', ...none } : { route: 'unknown', ...none };
    const on = { conversationId: id, activityId: subId ?? null, memberId: null };
    if (sub === 'activities' && subId === undefined && method === 'POST') return { route: 'send', ...on };
    if (sub === 'activities' && subId !== undefined) {
      if (method === 'POST') return { route: 'reply', ...on };
      if (method === 'PUT') return { route: 'update', ...on };
      if (method === 'DELETE') return { route: 'delete', ...on };
    }
    if (method === 'GET' && sub === 'members') return subId === undefined ? { route: 'members', ...on, activityId: null } : { route: 'member', conversationId: id, activityId: null, memberId: subId };
    if (method === 'GET' && sub === 'pagedmembers' && subId === undefined) return { route: 'pagedmembers', ...on };
  }
  if (collection === 'teams' && id !== undefined && method === 'GET' && subId === undefined) {
    if (sub === undefined) return { route: 'team', conversationId: id, activityId: null, memberId: null };
    if (sub === 'conversations') return { route: 'teamChannels', conversationId: id, activityId: null, memberId: null };
  }
  return { route: 'unknown', ...none };
}

export function tenantOf(activity: Record<string, unknown>): string | null {
  const conversation = activity['conversation'];
  if (isRecord(conversation) && typeof conversation['tenantId'] === 'string') return conversation['tenantId'];
  const channelData = activity['channelData'];
  if (isRecord(channelData) && isRecord(channelData['tenant']) && typeof channelData['tenant']['id'] === 'string') return channelData['tenant']['id'];
  return null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
