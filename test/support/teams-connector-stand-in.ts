/**
 * A stand-in for the Bot Connector service that a Teams bot calls at the activity's `serviceUrl`, on loopback. It
 * speaks the REST wire format botframework-connector 4.23's ConnectorClient uses (paths under `{serviceUrl}v3/…`,
 * URL-encoded ids, JSON bodies, `{ id }` answers, `{ error: { code, message } }` failures) and enforces what Teams
 * documents: bearer tokens for the bot's app (401), the per-conversation and per-tenant rate limits (429 with
 * Retry-After), the message size limit (413 MessageSizeTooBig), paged member lists (page size clamped to 50–500), and
 * the 403/404 answers for conversations the bot was removed from. Choices the docs leave open are marked INFERRED.
 *
 * Mind that ConnectorClient's azure-core pipeline itself retries 429 (after Retry-After) and 5xx (exponential
 * backoff) up to 3 times before an error reaches the bot; 412 is not retried.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  baseConversationId,
  ConnectorWorld,
  memberJson,
  personalConversationIdFor,
  type ConversationKind,
  type ConversationState,
  type RemovalReason,
  type StoredActivity,
  type TeamSpec,
  type TeamsMember,
} from './teams-connector-state.js';
import { CONVERSATION_LIST_LIMITS, CREATE_LIMITS, LEGACY_MEMBERS_LIMITS, longestWindow, MEMBER_LIMITS, SEND_LIMITS, SlidingWindows, tenantLimits, type WindowLimit } from './teams-rate-limits.js';
import { BOT_CONNECTOR_AUDIENCE, type TeamsTokenIssuer } from './teams-token-issuer.js';
import { ConnectorError, ERROR_CODES, isRecord, matchRoute, parseJson, readBody, REMOVAL_ERRORS, safeDecode, tenantOf, type ConnectorRoute, type Matched } from './teams-connector-protocol.js';

export interface RecordedConnectorCall {
  readonly method: string;
  /** The path below the serviceUrl with each segment decoded, e.g. `v3/conversations/a:1x/activities`. */
  readonly path: string;
  readonly route: ConnectorRoute;
  /** The conversation id as addressed (a channel thread keeps its `;messageid=`), or the team id for team routes. */
  readonly conversationId: string | null;
  readonly activityId: string | null;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; null when there was none or it did not parse. */
  readonly body: unknown;
  readonly bodyBytes: number;
  /** The app id of a valid bearer token; null when the token was refused. */
  readonly appId: string | null;
  readonly at: number;
  readonly status: number;
  readonly response: unknown;
  readonly retryAfter: string | null;
}

type MutableCall = { -readonly [K in keyof RecordedConnectorCall]: RecordedConnectorCall[K] };

export interface TeamsConnectorStandInOptions {
  readonly issuer: TeamsTokenIssuer;
  /** The bot app id(s) whose tokens are accepted. */
  readonly appId: string | readonly string[];
  /** The `aud` outbound tokens must carry (ToChannelFromBotOAuthScope). Default https://api.botframework.com. */
  readonly audience?: string;
  /** A path prefix like Teams' regional `/amer/`; the serviceUrl ends with it. Default `/`. */
  readonly servicePath?: string;
  /** Clock for rate limits and timestamps (ms). Inject one to step time instead of sleeping. */
  readonly now?: () => number;
  /**
   * Largest accepted request body in bytes. platform-facts.md: keep a message under ~80 KB, Teams answers 413
   * MessageSizeTooBig beyond its limit. Measured on the UTF-8 JSON body as sent (INFERRED: Microsoft does not say
   * what exactly it measures). Default 80 × 1024.
   */
  readonly maxActivityBytes?: number;
  /** Per app per tenant, all operations. Default 30 (the rate-limit page; some Microsoft answers say 50). */
  readonly tenantRequestsPerSecond?: number;
}

/** Which requests a forced failure applies to: a route, and optionally the conversation exactly as addressed. */
export interface FailureTarget {
  readonly route?: ConnectorRoute;
  /** Compared with the addressed id as is, so `19:x@thread.tacv2` does not match a thread `19:x@thread.tacv2;messageid=…`. */
  readonly conversationId?: string;
  /** Text the raw request body must contain, e.g. a member id to fail the 1:1 conversation with that one person. */
  readonly bodyIncludes?: string;
}

interface ForcedFailure {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  readonly target: FailureTarget;
}

const PAGE_SIZE_MIN = 50;
const PAGE_SIZE_MAX = 500;
/** INFERRED: the docs give no default page size. */
const PAGE_SIZE_DEFAULT = 200;

export class TeamsConnectorStandIn {
  /** Every request, in arrival order, including refused ones. */
  readonly calls: RecordedConnectorCall[] = [];
  private readonly world: ConnectorWorld;
  private readonly windows: SlidingWindows;
  private readonly forced: ForcedFailure[] = [];
  private readonly appIds: readonly string[];
  private readonly audience: string;
  private readonly servicePath: string;
  private readonly now: () => number;
  private readonly maxActivityBytes: number;
  private readonly tenantLimits: readonly WindowLimit[];
  private server: Server | null = null;
  private origin = '';

  private constructor(private readonly options: TeamsConnectorStandInOptions) {
    this.appIds = typeof options.appId === 'string' ? [options.appId] : options.appId;
    this.audience = options.audience ?? BOT_CONNECTOR_AUDIENCE;
    const path = options.servicePath ?? '/';
    this.servicePath = `/${path.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
    this.now = options.now ?? Date.now;
    this.maxActivityBytes = options.maxActivityBytes ?? 80 * 1024;
    this.tenantLimits = tenantLimits(options.tenantRequestsPerSecond ?? 30);
    this.windows = new SlidingWindows(this.now);
    // Message ids look like Teams' millisecond timestamps and only grow.
    this.world = new ConnectorWorld(Date.now());
  }

  /** Starts the stand-in on 127.0.0.1 with an ephemeral port. */
  static async start(options: TeamsConnectorStandInOptions): Promise<TeamsConnectorStandIn> {
    const standIn = new TeamsConnectorStandIn(options);
    // A client that hangs up mid-body only loses its own request.
    const server = createServer((req, res) => {
      standIn.handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    standIn.server = server;
    standIn.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return standIn;
  }

  /** The value to put in activities' `serviceUrl` (ends with a slash, as Teams' do). */
  get serviceUrl(): string {
    return `${this.origin}${this.servicePath}`;
  }

  callsTo(route: ConnectorRoute): RecordedConnectorCall[] {
    return this.calls.filter((call) => call.route === route);
  }

  conversation(conversationId: string): ConversationState | undefined {
    return this.world.find(conversationId);
  }

  /** The bot's activities in a conversation (all threads), deleted ones left out. */
  activities(conversationId: string): StoredActivity[] {
    return (this.world.find(conversationId)?.activities ?? []).filter((stored) => !stored.deleted);
  }

  /** Top-level posts in a channel, or every message of a chat. */
  topLevel(conversationId: string): StoredActivity[] {
    return this.activities(conversationId).filter((stored) => stored.threadRootId === null);
  }

  /** Replies in the channel thread under `rootId`. */
  replies(conversationId: string, rootId: string): StoredActivity[] {
    return this.activities(conversationId).filter((stored) => stored.threadRootId === rootId);
  }

  activity(conversationId: string, activityId: string): StoredActivity | undefined {
    return this.world.activity(conversationId, activityId);
  }

  /** The id Teams answers when the bot creates a 1:1 conversation with `userId`. */
  personalConversationId(userId: string, appId: string = this.appIds[0]!): string {
    return personalConversationIdFor(appId, userId);
  }

  /** Sets who is in a conversation (channel, chat or team id) for members/pagedmembers. */
  setMembers(conversationId: string, members: readonly TeamsMember[], options: { readonly tenantId?: string; readonly kind?: ConversationKind } = {}): void {
    const state = this.world.ensure(conversationId);
    state.members = [...members];
    if (options.tenantId) state.tenantId = options.tenantId;
    if (options.kind) state.kind = options.kind;
  }

  /** Declares a team (GET v3/teams/{id}, v3/teams/{id}/conversations). */
  setTeam(teamId: string, spec: TeamSpec = {}): void {
    this.world.setTeam(teamId, spec);
  }

  /** Makes every later call about the conversation (and its threads) fail as Teams does; see RemovalReason. */
  removeBot(conversationId: string, reason: RemovalReason = 'uninstalled'): void {
    this.world.ensure(conversationId).removed = reason;
  }

  restoreBot(conversationId: string): void {
    this.world.ensure(conversationId).removed = null;
  }

  /**
   * The next authenticated request (optionally: the next one to `route`, or matching a FailureTarget) fails once with
   * `status` and Teams' error body; 429 and 503 carry Retry-After (default 1 s). Queue several calls to fail several
   * requests.
   */
  failNext(status: number, retryAfterSeconds?: number, target?: ConnectorRoute | FailureTarget): void {
    this.forced.push({ status, retryAfterSeconds, target: typeof target === 'string' ? { route: target } : (target ?? {}) });
  }

  /** Forced failures not yet used. */
  get pendingFailures(): number {
    return this.forced.length;
  }

  /** Forget rate-limit history, e.g. between scenarios sharing one stand-in. */
  resetLimits(): void {
    this.windows.clear();
  }

  async close(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', this.origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const inService = url.pathname.startsWith(this.servicePath);
    const segments = inService ? url.pathname.slice(this.servicePath.length).split('/').filter(Boolean).map(safeDecode) : [];
    const matched = inService ? matchRoute(method, segments) : { route: 'unknown' as const, conversationId: null, activityId: null, memberId: null };
    const body = parseJson(raw);
    const call: MutableCall = {
      method,
      path: segments.join('/'),
      route: matched.route,
      conversationId: matched.conversationId,
      activityId: matched.activityId,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      bodyBytes: raw.length,
      appId: null,
      at: this.now(),
      status: 0,
      response: null,
      retryAfter: null,
    };
    this.calls.push(call);

    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const check = token ? await this.options.issuer.verifyBotToken(token, { audience: this.audience, appIds: this.appIds }) : { ok: false as const, reason: 'no bearer token' };
    if (!check.ok) {
      // The service's ASP.NET-style refusal (INFERRED from observed responses).
      return send(res, call, 401, { message: 'Authorization has been denied for this request.' });
    }
    call.appId = check.appId;
    try {
      const { status, payload } = this.route(call, check.appId, matched, raw, body, url.searchParams);
      return send(res, call, status, payload);
    } catch (error) {
      // A bug in the stand-in answers 500 rather than leaving the bot's request hanging.
      if (!(error instanceof ConnectorError)) return send(res, call, 500, { error: { code: 'StandInFailure', message: error instanceof Error ? error.message : String(error) } });
      const headers: Record<string, string> = error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
      return send(res, call, error.status, { error: { code: error.code, message: error.message } }, headers);
    }
  }

  private route(call: MutableCall, appId: string, matched: Matched, raw: Buffer, body: unknown, query: URLSearchParams): { status: number; payload: unknown } {
    if (matched.route === 'unknown') throw new ConnectorError(404, 'NotFound', `No route for ${call.method} ${call.path}`);
    const forcedAt = this.forced.findIndex(
      ({ target }) =>
        (target.route === undefined || target.route === matched.route) &&
        (target.conversationId === undefined || target.conversationId === matched.conversationId) &&
        (target.bodyIncludes === undefined || raw.toString('utf8').includes(target.bodyIncludes)),
    );
    if (forcedAt !== -1) {
      const [failure] = this.forced.splice(forcedAt, 1);
      const [code, message] = ERROR_CODES[failure!.status] ?? ['Error', 'Forced failure.'];
      const retryAfter = failure!.retryAfterSeconds ?? (failure!.status === 429 || failure!.status === 503 ? 1 : undefined);
      throw new ConnectorError(failure!.status, code, message, retryAfter);
    }
    const writes = matched.route === 'send' || matched.route === 'reply' || matched.route === 'update' || matched.route === 'create';
    if (writes && raw.length > this.maxActivityBytes) throw new ConnectorError(413, ...ERROR_CODES[413]!);
    if (writes && !isRecord(body)) throw new ConnectorError(400, 'BadArgument', 'The request body must be a JSON object.');
    if (matched.route === 'create') return this.create(appId, body as Record<string, unknown>);

    const target = matched.conversationId!;
    const state = this.world.ensure(target);
    if (state.removed) throw REMOVAL_ERRORS[state.removed];
    if (isRecord(body)) state.tenantId ??= tenantOf(body);
    const base = baseConversationId(target);
    switch (matched.route) {
      case 'send':
      case 'reply': {
        const activity = body as Record<string, unknown>;
        if (typeof activity['type'] !== 'string') throw new ConnectorError(400, 'BadArgument', 'Activity type is required.');
        this.admit(appId, state, `send|${base}`, SEND_LIMITS);
        const replyToId = matched.activityId ?? (typeof activity['replyToId'] === 'string' ? activity['replyToId'] : null);
        const stored = this.world.add(target, activity, replyToId, this.now());
        // INFERRED: Teams answers 201 Created; ConnectorClient accepts 200/201/202 alike.
        return { status: 201, payload: { id: stored.id } };
      }
      case 'update':
      case 'delete': {
        const stored = this.world.activity(target, matched.activityId!);
        // INFERRED code: Teams' status-code table does not list this case.
        if (!stored || stored.deleted) throw new ConnectorError(404, 'ActivityNotFound', 'Activity not found.');
        this.admit(appId, state, `send|${base}`, SEND_LIMITS);
        if (matched.route === 'delete') {
          stored.deleted = true;
          return { status: 200, payload: null };
        }
        const content = { ...(body as Record<string, unknown>), id: stored.id };
        stored.activity = content;
        stored.versions.push(content);
        stored.updatedAt = this.now();
        return { status: 200, payload: { id: stored.id } };
      }
      case 'members':
        this.admit(appId, state, `members|${base}`, MEMBER_LIMITS, [`legacy-members|${base}`, LEGACY_MEMBERS_LIMITS]);
        return { status: 200, payload: this.world.roster(state).map((member) => memberJson(member, state.tenantId)) };
      case 'member': {
        this.admit(appId, state, `members|${base}`, MEMBER_LIMITS);
        const wanted = matched.memberId!;
        const member = this.world.roster(state).find((m) => m.id === wanted || m.aadObjectId === wanted || m.userPrincipalName?.toLowerCase() === wanted.toLowerCase());
        // botbuilder's TeamsActivityHandler expects exactly this code for a member it cannot look up.
        if (!member) throw new ConnectorError(404, 'ConversationNotFound', 'Conversation not found.');
        return { status: 200, payload: memberJson(member, state.tenantId) };
      }
      case 'pagedmembers':
        this.admit(appId, state, `members|${base}`, MEMBER_LIMITS);
        return { status: 200, payload: this.page(state, query) };
      case 'team':
      case 'teamChannels': {
        const team = this.world.team(target);
        if (!team) throw new ConnectorError(404, 'TeamNotFound', 'Team not found.'); // INFERRED code
        this.admit(appId, state, `conversations|${base}`, CONVERSATION_LIST_LIMITS);
        if (matched.route === 'team') return { status: 200, payload: { id: target, name: team.name ?? null, aadGroupId: team.aadGroupId ?? null } };
        return { status: 200, payload: { conversations: [{ id: target, name: null }, ...(team.channels ?? []).map((channel) => ({ id: channel.id, name: channel.name }))] } };
      }
    }
  }

  /** POST v3/conversations: a 1:1 chat with one user, or a new thread in a channel (Teams' two supported cases). */
  private create(appId: string, params: Record<string, unknown>): { status: number; payload: unknown } {
    const channelData = isRecord(params['channelData']) ? params['channelData'] : {};
    const channelId = isRecord(channelData['channel']) && typeof channelData['channel']['id'] === 'string' ? channelData['channel']['id'] : null;
    const members = Array.isArray(params['members']) ? params['members'].filter(isRecord) : [];
    const activity = isRecord(params['activity']) ? params['activity'] : null;
    const tenantId = (typeof params['tenantId'] === 'string' && params['tenantId']) || tenantOf(params);
    let target: string;
    if (channelId) {
      // A channel thread is a new root post: Teams needs the message to post (INFERRED: it refuses without one).
      if (!activity) throw new ConnectorError(400, 'BadArgument', 'An activity is required to start a thread in a channel.');
      target = channelId;
    } else if (params['isGroup'] !== true && members.length === 1 && typeof members[0]!['id'] === 'string') {
      // INFERRED: Teams refuses a 1:1 without the tenant (it cannot resolve the user otherwise).
      if (!tenantId) throw new ConnectorError(400, 'BadArgument', 'Tenant id is required to create a conversation with a user.');
      target = personalConversationIdFor(appId, members[0]!['id']);
    } else {
      // Bots cannot create group chats in Teams (INFERRED code).
      throw new ConnectorError(400, 'BadArgument', 'Bots can create 1:1 conversations or channel threads only.');
    }
    const state = this.world.ensure(target);
    if (state.removed) throw REMOVAL_ERRORS[state.removed];
    if (channelId) state.kind = 'channel';
    else state.kind = 'personal';
    state.tenantId ??= tenantId;
    this.admit(appId, state, `create|${target}`, CREATE_LIMITS);
    if (!activity) return { status: 201, payload: { id: target } };
    const stored = this.world.add(target, activity, null, this.now());
    return { status: 201, payload: channelId ? { id: `${target};messageid=${stored.id}`, activityId: stored.id } : { id: target, activityId: stored.id } };
  }

  private page(state: ConversationState, query: URLSearchParams): { continuationToken?: string; members: unknown[] } {
    const requested = Number(query.get('pageSize') ?? PAGE_SIZE_DEFAULT);
    // Documented: "Page size less than 50, are treated as 50, and greater than 500, are capped at 500."
    const pageSize = Math.min(PAGE_SIZE_MAX, Math.max(PAGE_SIZE_MIN, Number.isFinite(requested) ? Math.floor(requested) : PAGE_SIZE_DEFAULT));
    const token = query.get('continuationToken');
    const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/, '')) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new ConnectorError(400, 'BadArgument', 'Invalid continuation token.');
    const roster = this.world.roster(state);
    const slice = roster.slice(offset, offset + pageSize).map((member) => memberJson(member, state.tenantId));
    const next = offset + pageSize;
    // Opaque to the bot, like Teams' tokens; absent on the last page.
    return next < roster.length ? { continuationToken: Buffer.from(`offset:${next}`).toString('base64url'), members: slice } : { members: slice };
  }

  /**
   * Counts the operation against the conversation's windows (`key`, plus any `extra` ones) and the tenant's, or
   * refuses it with 429 and the seconds until it would fit. Nothing is counted unless every window has room.
   */
  private admit(appId: string, state: ConversationState, key: string, limits: readonly WindowLimit[], ...extra: (readonly [string, readonly WindowLimit[]])[]): void {
    const checks: (readonly [string, readonly WindowLimit[]])[] = [[`${appId}|${key}`, limits], ...extra.map(([k, l]) => [`${appId}|${k}`, l] as const), [`${appId}|tenant|${state.tenantId ?? 'unknown'}`, this.tenantLimits]];
    const wait = Math.max(...checks.map(([k, l]) => this.windows.waitMs(k, l)));
    if (wait > 0) throw new ConnectorError(429, ...ERROR_CODES[429]!, Math.max(1, Math.ceil(wait / 1000)));
    for (const [k, l] of checks) this.windows.record(k, longestWindow(l));
  }
}

function send(res: ServerResponse, call: MutableCall, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  call.status = status;
  call.response = payload;
  call.retryAfter = headers['retry-after'] ?? null;
  const text = payload === null ? '' : JSON.stringify(payload);
  res.writeHead(status, { ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}), 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
