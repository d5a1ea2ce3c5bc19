/**
 * Activities as Microsoft Teams sends them to a bot's messaging endpoint, and a helper that POSTs one with a bearer
 * token the way the Bot Framework channel does. Shapes follow the Teams docs' samples (conversation events,
 * channel and personal messages, Universal Actions, installation updates); ids follow observed Teams formats
 * (INFERRED): users 29:…, bots 28:{appId}, channels 19:…@thread.tacv2, 1:1 chats a:…, message ids in milliseconds.
 */

export const TEAMS_CHANNEL_ID = 'msteams';
/** The bot's display name in the samples; mentions render as `<at>maturity</at>`. */
export const BOT_NAME = 'maturity';

export interface TeamsUser {
  readonly id: string;
  readonly aadObjectId: string;
  readonly name: string;
}

/** The JSON of an inbound activity. Known fields are typed; Teams adds more, hence the index signature. */
export interface TeamsActivity {
  readonly type: string;
  readonly id: string;
  readonly timestamp: string;
  readonly serviceUrl: string;
  readonly channelId: string;
  readonly from: { readonly id: string; readonly name?: string; readonly aadObjectId?: string };
  readonly recipient: { readonly id: string; readonly name: string };
  readonly conversation: { readonly id: string; readonly conversationType: 'channel' | 'personal' | 'groupChat'; readonly tenantId: string; readonly isGroup?: boolean; readonly name?: string };
  readonly channelData: Record<string, unknown>;
  readonly [field: string]: unknown;
}

interface Common {
  readonly appId: string;
  readonly serviceUrl: string;
  readonly tenantId: string;
  readonly from: TeamsUser;
  /** The message id Teams assigned to this activity; default: a fresh millisecond-style id. */
  readonly id?: string;
  readonly locale?: string;
}

export interface ChannelPlace {
  readonly teamId: string;
  readonly channelId: string;
  readonly teamName?: string;
  readonly aadGroupId?: string;
  /** The root post of the thread this activity is in; absent when the activity starts a new thread. */
  readonly threadRootId?: string;
}

let lastId = Date.now();
/** Millisecond-style ids, strictly increasing within the process. */
export function newTeamsMessageId(): string {
  lastId = Math.max(lastId + 1, Date.now());
  return String(lastId);
}

/** The bot's account as Teams addresses it. */
export function botAccount(appId: string): { id: string; name: string } {
  return { id: `28:${appId}`, name: BOT_NAME };
}

function base(common: Common, type: string, conversation: TeamsActivity['conversation'], channelData: Record<string, unknown>, id: string): TeamsActivity {
  return {
    type,
    id,
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    serviceUrl: common.serviceUrl,
    channelId: TEAMS_CHANNEL_ID,
    from: { id: common.from.id, name: common.from.name, aadObjectId: common.from.aadObjectId },
    recipient: botAccount(common.appId),
    conversation,
    channelData,
    locale: common.locale ?? 'en-US',
  };
}

function channelConversation(common: Common, place: ChannelPlace, id: string): TeamsActivity['conversation'] {
  // Every channel post is its own thread: Teams addresses it as channel;messageid=root.
  return { isGroup: true, conversationType: 'channel', tenantId: common.tenantId, id: `${place.channelId};messageid=${place.threadRootId ?? id}` };
}

function channelData(common: Common, place: ChannelPlace): Record<string, unknown> {
  return {
    teamsChannelId: place.channelId,
    teamsTeamId: place.teamId,
    channel: { id: place.channelId },
    team: { id: place.teamId, ...(place.teamName ? { name: place.teamName } : {}), ...(place.aadGroupId ? { aadGroupId: place.aadGroupId } : {}) },
    tenant: { id: common.tenantId },
  };
}

function personalConversation(common: Common, conversationId: string): TeamsActivity['conversation'] {
  return { conversationType: 'personal', tenantId: common.tenantId, id: conversationId };
}

/**
 * A message in a team channel that @mentions the bot: text `<at>maturity</at> {command}` with the mention entity
 * Teams adds (botbuilder's removeRecipientMention strips exactly that text).
 */
export function channelMessage(options: Common & ChannelPlace & { readonly command: string }): TeamsActivity {
  const id = options.id ?? newTeamsMessageId();
  const mention = `<at>${BOT_NAME}</at>`;
  return {
    ...base(options, 'message', channelConversation(options, options, id), channelData(options, options), id),
    ...(options.threadRootId ? { replyToId: options.threadRootId } : {}),
    textFormat: 'plain',
    text: `${mention} ${options.command}`,
    entities: [
      { type: 'mention', mentioned: botAccount(options.appId), text: mention },
      { type: 'clientInfo', locale: options.locale ?? 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Berlin' },
    ],
  };
}

/** A message in the user's 1:1 chat with the bot (no mention needed there). */
export function personalMessage(options: Common & { readonly conversationId: string; readonly text: string }): TeamsActivity {
  const id = options.id ?? newTeamsMessageId();
  return {
    ...base(options, 'message', personalConversation(options, options.conversationId), { tenant: { id: options.tenantId } }, id),
    textFormat: 'plain',
    text: options.text,
    entities: [{ type: 'clientInfo', locale: options.locale ?? 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Berlin' }],
  };
}

type Place = { readonly place: ChannelPlace } | { readonly conversationId: string };

function placed(options: Common & Place, type: string, id: string): TeamsActivity {
  return 'place' in options
    ? base(options, type, channelConversation(options, options.place, id), channelData(options, options.place), id)
    : base(options, type, personalConversation(options, options.conversationId), { tenant: { id: options.tenantId } }, id);
}

/**
 * An Action.Execute click (Universal Actions): invoke `adaptiveCard/action` with `value.action.verb/data`. The bot
 * must answer the HTTP request itself with `{ statusCode, type, value }` (botbuilder's invoke response).
 */
export function adaptiveCardAction(options: Common & Place & { readonly verb: string; readonly data?: Record<string, unknown>; readonly cardActivityId: string; readonly trigger?: 'manual' | 'automatic' }): TeamsActivity {
  const id = options.id ?? newTeamsMessageId();
  return {
    ...placed(options, 'invoke', id),
    name: 'adaptiveCard/action',
    replyToId: options.cardActivityId,
    // `automatic` is a refresh: the client fetching a user-specific view.
    value: { action: { type: 'Action.Execute', verb: options.verb, data: options.data ?? {} }, trigger: options.trigger ?? 'manual' },
  };
}

/**
 * An Action.Submit click from an older client: a `message` with the card's data in `value`, no text, replying to
 * the card's activity (Teams' legacy card actions).
 */
export function cardSubmit(options: Common & Place & { readonly data: Record<string, unknown>; readonly cardActivityId: string }): TeamsActivity {
  const id = options.id ?? newTeamsMessageId();
  return { ...placed(options, 'message', id), replyToId: options.cardActivityId, value: options.data };
}

/**
 * The app was installed or removed in a team (or a 1:1 scope). Teams sends `installationUpdate` with `action`
 * 'add' | 'remove' (and '-upgrade' variants for updates of the app).
 */
export function installationUpdate(options: Common & Place & { readonly action: 'add' | 'remove' | 'add-upgrade' | 'remove-upgrade' }): TeamsActivity {
  const id = options.id ?? newTeamsMessageId();
  if ('place' in options) {
    // Installation events in a team arrive on the General channel, whose id is the team id; the channel the
    // installer picked is in settings.selectedChannel (shape from Teams' docs sample and captured traffic).
    const place = { ...options.place, channelId: options.place.teamId, threadRootId: undefined };
    const conversation = { isGroup: true, conversationType: 'channel' as const, tenantId: options.tenantId, id: place.teamId };
    const data = { ...channelData(options, place), settings: { selectedChannel: { id: options.place.channelId } }, source: { name: 'message' } };
    return { ...base(options, 'installationUpdate', conversation, data, id), action: options.action };
  }
  return { ...placed(options, 'installationUpdate', id), action: options.action };
}

/**
 * The bot (or users) joined or left a team: `conversationUpdate` with membersAdded/membersRemoved and
 * channelData.eventType teamMemberAdded/teamMemberRemoved. Pass `botAccount(appId)` among the members for the bot.
 */
export function conversationUpdate(
  options: Common & { readonly place: ChannelPlace; readonly membersAdded?: readonly { readonly id: string; readonly aadObjectId?: string }[]; readonly membersRemoved?: readonly { readonly id: string; readonly aadObjectId?: string }[] },
): TeamsActivity {
  const id = options.id ?? newTeamsMessageId();
  const place = { ...options.place, channelId: options.place.teamId };
  const conversation = { isGroup: true, conversationType: 'channel' as const, tenantId: options.tenantId, id: place.teamId };
  const eventType = options.membersRemoved?.length ? 'teamMemberRemoved' : 'teamMemberAdded';
  return {
    ...base(options, 'conversationUpdate', conversation, { ...channelData(options, place), eventType }, id),
    ...(options.membersAdded ? { membersAdded: options.membersAdded } : {}),
    ...(options.membersRemoved ? { membersRemoved: options.membersRemoved } : {}),
  };
}

export interface BotResponse {
  readonly status: number;
  /** Parsed JSON when the bot answered JSON, the text otherwise, null when empty. */
  readonly body: unknown;
  readonly headers: Headers;
}

/** POSTs an activity to the bot's messaging endpoint as the channel does: JSON body, `Authorization: Bearer`. */
export async function postActivity(botUrl: string, activity: TeamsActivity | Record<string, unknown>, token: string | null): Promise<BotResponse> {
  const response = await fetch(botUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  let body: unknown = text.length > 0 ? text : null;
  if (text.length > 0 && (response.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: response.status, body, headers: response.headers };
}
