/**
 * A stand-in for Slack's Web API on loopback, for tests that cannot reach slack.com. It speaks the wire
 * format of the real API (POST {slackApiUrl}{method}, form-urlencoded or JSON bodies, Bearer tokens,
 * HTTP 200 with `{ ok: false, error }` for API errors, HTTP 429 with Retry-After when rate limited) so the
 * real `@slack/web-api` WebClient and Bolt can be pointed at it with `slackApiUrl: standIn.apiUrl`.
 *
 * It keeps a small world model (channels, users, the bot's messages, ephemerals, views, response URLs,
 * uploaded files — see slack-stand-in-files.ts) so a test asserts what Slack would show, not which
 * functions ran. Facts come from /work/shared/platform-facts.md and Slack's method reference; choices where
 * Slack's behaviour is not documented are marked INFERRED.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { blockKitProblems, isRecord, viewProblems } from './block-kit-limits.js';
import { SlackFileUploads, type SharedFile, type SharedFileRef, type UploadSession } from './slack-stand-in-files.js';

export type { SharedFile, SharedFileRef, UploadSession, UploadState } from './slack-stand-in-files.js';

export interface SlackApiStandInOptions {
  botToken?: string;
  teamId?: string;
  teamName?: string;
  teamDomain?: string;
  /** The Enterprise Grid organisation the workspace belongs to (team.info's `enterprise_id`); none by default. */
  enterpriseId?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** Messages one channel accepts at once before the 1-per-second limit applies. */
  postBurst?: number;
  /**
   * chat.postMessage calls the workspace accepts per minute across all channels (a token bucket: this many at
   * once, refilled evenly over the minute). Slack's limit is unpublished ("several hundred messages per
   * minute"); 300 is a guess in that range.
   */
  workspacePostsPerMinute?: number;
  /** Clock for message timestamps, rate-limit buckets and response-URL expiry (ms since the epoch). */
  now?: () => number;
  /**
   * Clock for trigger_id lifetimes (ms, any origin). Real monotonic time by default and apart from `now`:
   * Slack measures the app's real latency, so moving `now` by minutes must not expire a trigger. A test of
   * the expiry itself injects one and moves it.
   */
  triggerNow?: () => number;
}

export interface ChannelSpec {
  id: string;
  name: string;
  /** Human members; the bot is listed too when `botIsMember`. */
  members: string[];
  botIsMember?: boolean;
  archived?: boolean;
  isPrivate?: boolean;
}

export interface UserSpec {
  id: string;
  name: string;
  realName?: string;
  /** IANA zone; Slack always reports one, so the stand-in defaults to UTC. */
  timeZone?: string;
  isBot?: boolean;
  /** A deactivated account: still a channel member id in old listings, `deleted: true` in users.info. */
  deleted?: boolean;
}

export interface RecordedCall {
  method: string;
  /** Form fields or JSON body, with JSON-string fields (blocks, attachments, view, metadata, files) parsed. */
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  at: number;
  status: number;
  response: Record<string, unknown>;
  /** Set on a call held by `answerTooLateNext`: it took effect, but its caller gave up before the answer. */
  unanswered?: true;
}

/** A message as Slack returns it in `chat.postMessage`'s `message` and in `conversations.history`. */
export interface SlackMessage {
  type: 'message';
  ts: string;
  user: string;
  team: string;
  text: string;
  bot_id?: string;
  app_id?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  reply_count?: number;
  metadata?: unknown;
  edited?: { user: string; ts: string };
  /** Files shared with this message by files.completeUploadExternal (Slack lists full file objects). */
  files?: SharedFileRef[];
  /** Set on the message that shares freshly uploaded files, as Slack does. */
  upload?: boolean;
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  message_ts: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  via: 'chat.postEphemeral' | 'response_url';
}

export interface ResponseUrlContext {
  /** Channel the interaction happened in: where `in_channel` replies and ephemerals go. */
  channelId?: string;
  /** User who interacted: who sees ephemeral replies. */
  userId?: string;
  /** ts of the message the interaction came from: what `replace_original`/`delete_original` act on. */
  originalTs?: string;
}

export interface ResponseUrlPost {
  url: string;
  body: unknown;
  at: number;
  status: number;
  error?: string;
}

export interface StoredView {
  id: string;
  userId: string | undefined;
  type: 'modal' | 'home';
  /** The view object as Slack returns it (id, hash, state, blocks with block_ids, …). */
  view: Record<string, unknown>;
}

interface Channel {
  id: string;
  name: string;
  members: string[];
  botIsMember: boolean;
  archived: boolean;
  isPrivate: boolean;
  imUser: string | undefined;
  created: number;
  messages: SlackMessage[];
}

interface User {
  id: string;
  name: string;
  realName: string;
  timeZone: string;
  isBot: boolean;
  deleted: boolean;
}

interface Trigger {
  userId: string | undefined;
  issuedAt: number;
  used: boolean;
}

interface ResponseUrlState {
  context: ResponseUrlContext;
  createdAt: number;
  uses: number;
}

/** A scripted answer for the next matching call; `channel` (as the call names it) narrows which call. */
type Override = ({ kind: 'fail'; error: string } | { kind: 'ratelimit'; retryAfterSeconds: number }) & { channel?: string };

type Body = Record<string, unknown>;

interface Outcome {
  status: number;
  body: Body;
  headers?: Record<string, string>;
}

interface ParsedArgs {
  args: Body;
  /** JSON-string fields that did not parse: each method answers its own *_format error. */
  malformed: Set<string>;
  warnings: string[];
  bodyFormat: 'form' | 'json' | 'none';
  /** A `token` field of a form body; query-string tokens are refused for apps created since 2021. */
  formToken: string | undefined;
}

type Handler = (request: ParsedArgs) => Body;

/** Fields Slack takes as JSON strings in form bodies (and as objects or strings in JSON bodies). */
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata', 'files'] as const;

/**
 * Read methods whose reference lists only application/x-www-form-urlencoded. INFERRED: Slack ignores a JSON
 * body there, so the method sees no arguments and answers e.g. channel_not_found.
 */
const FORM_ONLY_METHODS = new Set(['conversations.info', 'conversations.members', 'users.info', 'users.conversations']);

/**
 * Methods Slack has retired, with the error they answer whatever the body (a retired files.upload is still
 * sent multipart/form-data, which this stand-in otherwise refuses).
 */
const RETIRED_METHODS: ReadonlyMap<string, string> = new Map([['files.upload', 'method_deprecated']]);

/** Per-workspace limits of the tiered methods (Tier 3: 50/min, Tier 4: 100/min), as token buckets. */
const TIER_PER_MINUTE: Readonly<Record<string, number>> = {
  'chat.update': 50,
  'conversations.info': 50,
  'conversations.open': 50,
  'chat.postEphemeral': 100,
  'views.open': 100,
  'views.update': 100,
  'views.publish': 100,
  'conversations.members': 100,
  'users.info': 100,
  'users.conversations': 50,
  'files.getUploadURLExternal': 100,
  'files.completeUploadExternal': 100,
};

/** Bucket key of the workspace-wide chat.postMessage limit; channel buckets are `chat.postMessage:<id>`. */
const WORKSPACE_POST_BUCKET = 'workspace:chat.postMessage';

const MAX_MESSAGE_TEXT = 40_000;
/** Where upload URLs point, like files.slack.com's `/upload/v1/<ticket>`. */
const UPLOAD_PATH = '/upload/v1/';
const TRIGGER_LIFETIME_MS = 3_000;
const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;
const RESPONSE_URL_USES = 5;
const MAX_VIEW_BYTES = 250 * 1024;

class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /**
   * The whole seconds until a token is there (Retry-After), or undefined when one is. Takes nothing, so a
   * call limited by one bucket does not use up another.
   */
  wait(now: number): number | undefined {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perSecond);
    this.updatedAt = Math.max(now, this.updatedAt);
    return this.tokens >= 1 ? undefined : Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }

  /** Takes a token; call only after `wait` answered undefined. */
  take(): void {
    this.tokens -= 1;
  }
}

/** Takes one token from every bucket, or none when any is empty; answers the longest Retry-After then. */
function takeFromAll(buckets: readonly TokenBucket[], now: number): number | undefined {
  const waits = buckets.map((bucket) => bucket.wait(now)).filter((wait): wait is number => wait !== undefined);
  if (waits.length > 0) return Math.max(...waits);
  for (const bucket of buckets) bucket.take();
  return undefined;
}

function fail(error: string, extra: Body = {}): Body {
  return { ok: false, error, ...extra };
}

/** Slack's invalid_blocks answer: `errors` without the level prefix, `response_metadata.messages` with it. */
function invalidBlocks(problems: string[]): Body {
  return fail('invalid_blocks', {
    errors: problems.map((problem) => problem.replace(/^\[ERROR\] /, '')),
    response_metadata: { messages: problems },
  });
}

function str(args: Body, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function bool(args: Body, key: string): boolean {
  const value = args[key];
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** The raw body: bytes, because file uploads are binary; Web API callers decode it as UTF-8. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Parses a Web API request body the way Slack documents it: form-urlencoded (JSON strings inside fields)
 * or JSON. Query parameters count as arguments too, as on slack.com. Answers an error code for bodies
 * Slack refuses.
 */
function parseApiRequest(contentType: string | undefined, raw: string, query: URLSearchParams): ParsedArgs | { error: string } {
  const args: Body = Object.fromEntries(query.entries());
  const warnings: string[] = [];
  let bodyFormat: ParsedArgs['bodyFormat'] = 'none';
  let formToken: string | undefined;
  if (raw.length > 0) {
    if (contentType === undefined) return { error: 'missing_post_type' };
    const [mediaType = '', ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
    const charset = params.find((param) => param.startsWith('charset='))?.slice('charset='.length);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'iso-8859-1') return { error: 'invalid_charset' };
    if (mediaType === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(raw);
      Object.assign(args, Object.fromEntries(form.entries()));
      formToken = form.get('token') ?? undefined;
      // Slack warns when a form body names a charset (python-slack-sdk#692).
      if (charset !== undefined) warnings.push('superfluous_charset');
      bodyFormat = 'form';
    } else if (mediaType === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return { error: 'invalid_json' };
      }
      if (!isRecord(parsed)) return { error: 'invalid_json' };
      Object.assign(args, parsed);
      // Slack asks JSON senders to name the charset and warns when they do not.
      if (charset === undefined) warnings.push('missing_charset');
      bodyFormat = 'json';
    } else {
      // multipart/form-data and text/plain are valid on slack.com but no method modelled here needs them;
      // refusing them makes a test notice instead of silently seeing no arguments.
      return { error: 'invalid_post_type' };
    }
  }
  const malformed = new Set<string>();
  for (const field of JSON_FIELDS) {
    const value = args[field];
    if (typeof value !== 'string') continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      malformed.add(field);
    }
  }
  return { args, malformed, warnings, bodyFormat, formToken };
}

function timeZoneDetails(timeZone: string, at: number): { label: string; offsetSeconds: number } {
  const date = new Date(at);
  const part = (style: 'long' | 'longOffset'): string =>
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: style }).formatToParts(date).find((p) => p.type === 'timeZoneName')
      ?.value ?? '';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(part('longOffset'));
  const offsetSeconds = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 3600 + Number(match[3]) * 60) : 0;
  return { label: part('long'), offsetSeconds };
}

/** The fake Slack workspace. Configure it, `start()` it, point a WebClient at `apiUrl`. */
export class SlackApiStandIn {
  /** Every Web API call, including refused and rate-limited ones, in arrival order. */
  readonly calls: RecordedCall[] = [];
  /** Every POST to a response URL, including refused ones. */
  readonly responses: ResponseUrlPost[] = [];

  private readonly botToken: string;
  private readonly teamId: string;
  private readonly enterpriseId: string | null;
  private readonly teamName: string;
  private readonly teamDomain: string;
  private readonly botUserId: string;
  private readonly botId: string;
  private readonly appId: string;
  private readonly postBurst: number;
  private readonly workspacePostsPerMinute: number;
  private readonly now: () => number;
  private readonly triggerNow: () => number;
  private readonly fileUploads: SlackFileUploads;

  private server: Server | undefined;
  private port = 0;
  private revoked = false;
  private lastTsMicros = 0;
  private counter = 0;
  private readonly channels = new Map<string, Channel>();
  private readonly users = new Map<string, User>();
  private readonly ephemeralsByUser = new Map<string, EphemeralMessage[]>();
  private readonly viewsById = new Map<string, StoredView>();
  private readonly triggers = new Map<string, Trigger>();
  private readonly responseUrls = new Map<string, ResponseUrlState>();
  private readonly overrides = new Map<string, Override[]>();
  /** People the bot can no longer message privately, with the error Slack answers (`refuseDirectMessages`). */
  private readonly dmRefusals = new Map<string, string>();
  /** Calls whose answer is held until the caller gives up (`answerTooLateNext`), per method. */
  private readonly lateAnswers = new Map<string, { channel?: string }[]>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly handlers: ReadonlyMap<string, Handler>;

  constructor(options: SlackApiStandInOptions = {}) {
    this.botToken = options.botToken ?? 'xoxb-test-token';
    this.teamId = options.teamId ?? 'T0001';
    this.enterpriseId = options.enterpriseId ?? null;
    this.teamName = options.teamName ?? 'Test Workspace';
    this.teamDomain = options.teamDomain ?? 'test-workspace';
    this.botUserId = options.botUserId ?? 'UBOT';
    this.botId = options.botId ?? 'BBOT';
    this.appId = options.appId ?? 'A0001';
    this.postBurst = options.postBurst ?? 3;
    this.workspacePostsPerMinute = options.workspacePostsPerMinute ?? 300;
    if (!(this.workspacePostsPerMinute > 0)) throw new Error('workspacePostsPerMinute must be positive');
    this.now = options.now ?? Date.now;
    this.triggerNow = options.triggerNow ?? (() => performance.now());
    this.fileUploads = this.createFileUploads();
    this.addUser({ id: this.botUserId, name: 'maturity-pulse', isBot: true });
    this.handlers = new Map<string, Handler>([
      ['auth.test', () => this.authTest()],
      ['team.info', (request) => this.teamInfo(request.args)],
      ['chat.postMessage', (request) => this.postMessage(request)],
      ['chat.update', (request) => this.updateMessage(request)],
      ['chat.postEphemeral', (request) => this.postEphemeral(request)],
      ['views.open', (request) => this.openView(request)],
      ['views.update', (request) => this.updateView(request)],
      ['views.publish', (request) => this.publishView(request)],
      ['conversations.info', (request) => this.conversationInfo(request.args)],
      ['conversations.members', (request) => this.conversationMembers(request.args)],
      ['conversations.open', (request) => this.openConversation(request.args)],
      ['users.info', (request) => this.userInfo(request.args)],
      ['users.conversations', (request) => this.userConversations(request.args)],
      ['files.getUploadURLExternal', (request) => this.fileUploads.getUploadURLExternal(request.args)],
      ['files.completeUploadExternal', (request) => this.fileUploads.completeUploadExternal(request.args, request.malformed)],
    ]);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        // A bug in the stand-in must fail the test loudly, not look like a Slack outage.
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`stand-in error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // fetch keeps connections alive; close them so stop() does not wait for their idle timeout.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  /** What WebClient's `slackApiUrl` expects: `http://127.0.0.1:PORT/api/`. */
  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  private get origin(): string {
    if (!this.server) throw new Error('SlackApiStandIn is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  // ---- world model -------------------------------------------------------------------------------------

  addChannel(spec: ChannelSpec): void {
    this.channels.set(spec.id, {
      id: spec.id,
      name: spec.name,
      members: [...spec.members],
      botIsMember: spec.botIsMember ?? true,
      archived: spec.archived ?? false,
      isPrivate: spec.isPrivate ?? false,
      imUser: undefined,
      created: Math.floor(this.now() / 1000),
      messages: [],
    });
  }

  /** Changes a channel mid-test, e.g. the bot is removed or the channel archived. */
  updateChannel(id: string, patch: Partial<Omit<ChannelSpec, 'id'>>): void {
    const channel = this.channels.get(id);
    if (!channel) throw new Error(`unknown channel ${id}`);
    if (patch.name !== undefined) channel.name = patch.name;
    if (patch.members !== undefined) channel.members = [...patch.members];
    if (patch.botIsMember !== undefined) channel.botIsMember = patch.botIsMember;
    if (patch.archived !== undefined) channel.archived = patch.archived;
    if (patch.isPrivate !== undefined) channel.isPrivate = patch.isPrivate;
  }

  addUser(spec: UserSpec): void {
    this.users.set(spec.id, {
      id: spec.id,
      name: spec.name,
      realName: spec.realName ?? spec.name,
      timeZone: spec.timeZone ?? 'UTC',
      isBot: spec.isBot ?? false,
      deleted: spec.deleted ?? false,
    });
  }

  /** The app is uninstalled: from now on every call with the bot token answers token_revoked. */
  revokeToken(): void {
    this.revoked = true;
  }

  /** A message some person posted, so tests can show that the bot cannot edit it. Returns its ts. */
  addUserMessage(channelId: string, message: { user: string; text: string }): string {
    const channel = this.requireChannel(channelId);
    const ts = this.nextTs();
    channel.messages.push({ type: 'message', ts, user: message.user, team: this.teamId, text: message.text });
    return ts;
  }

  /** The DM channel id the bot gets when it posts to a user id (or opens a DM with conversations.open). */
  dmChannelId(userId: string): string {
    return this.ensureIm(userId).id;
  }

  /**
   * A trigger_id as an interaction payload carries one. Valid for 3 seconds by `triggerNow` (real time
   * unless injected: the app's real latency is what Slack measures, so an injected `now` does not stretch
   * it) and for one views.open.
   */
  issueTriggerId(userId?: string): string {
    const id = `${++this.counter}.${this.teamId.replace(/\D/g, '') || '1'}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { userId, issuedAt: this.triggerNow(), used: false });
    return id;
  }

  /**
   * A response_url as an interaction or slash command carries one: POST JSON to it up to 5 times within
   * 30 minutes. Choices (Slack documents the limits, not the refusals; INFERRED): a sixth use answers
   * HTTP 404 `{ ok: false, error: 'used_url' }`, a late one 404 `expired_url`, an unknown one 404
   * `invalid_url`; a bad payload answers 400 (`invalid_payload`, `no_text`, `invalid_blocks`) and does not
   * use the URL up.
   */
  createResponseUrl(context: ResponseUrlContext = {}): string {
    const id = randomBytes(12).toString('hex');
    this.responseUrls.set(id, { context: { ...context }, createdAt: this.now(), uses: 0 });
    return `${this.origin}/response/${id}`;
  }

  /**
   * The next call of `method` answers HTTP 429 with this Retry-After and has no effect. With `channel`, the
   * next call naming that channel (or user id, for a DM) does, so a test can hit one call in the middle of
   * a loop.
   */
  rateLimitNext(method: string, retryAfterSeconds: number, only: { channel?: string } = {}): void {
    this.pushOverride(method, { kind: 'ratelimit', retryAfterSeconds, ...(only.channel === undefined ? {} : { channel: only.channel }) });
  }

  /**
   * From now on the bot cannot message this person privately: chat.postMessage naming them (their user id or
   * their DM's id) and conversations.open with them answer HTTP 200 `{ ok: false, error }` and post nothing,
   * as Slack does for an account deactivated since (`user_disabled`), a user of a workspace the token cannot
   * see (`user_not_found`) or a bot user (`cannot_dm_bot`). conversations.open documents these codes;
   * INFERRED: chat.postMessage to the user id answers the same, since it opens the same DM.
   */
  refuseDirectMessages(userId: string, error: 'user_disabled' | 'user_not_found' | 'cannot_dm_bot' = 'user_disabled'): void {
    this.dmRefusals.set(userId, error);
  }

  /** The next call of `method` answers `{ ok: false, error }` and has no effect. */
  failNext(method: string, error: string): void {
    this.pushOverride(method, { kind: 'fail', error });
  }

  /**
   * Slack slower than the caller's timeout: the next call of `method` (with `channel`, the next naming that
   * channel) takes effect as usual, but its answer is held until the caller gives up and closes the
   * connection, so the caller never learns what happened. The call is recorded with `unanswered: true`.
   */
  answerTooLateNext(method: string, only: { channel?: string } = {}): void {
    const queue = this.lateAnswers.get(method) ?? [];
    queue.push(only.channel === undefined ? {} : { channel: only.channel });
    this.lateAnswers.set(method, queue);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** What the channel shows now (top-level messages and replies, oldest first); accepts a user id for a DM. */
  messages(channelId: string): SlackMessage[] {
    const channel = this.channels.get(channelId) ?? (this.users.has(channelId) ? this.ensureIm(channelId) : undefined);
    return structuredClone(channel?.messages ?? []);
  }

  /** Ephemeral messages the user has been shown and that were not deleted. */
  ephemerals(userId: string): EphemeralMessage[] {
    return structuredClone(this.ephemeralsByUser.get(userId) ?? []);
  }

  /** Current modals and Home tab of a user (all views when no user is given), latest version of each. */
  views(userId?: string): StoredView[] {
    return structuredClone([...this.viewsById.values()].filter((view) => userId === undefined || view.userId === userId));
  }

  homeTab(userId: string): StoredView | undefined {
    return this.views(userId).find((view) => view.type === 'home');
  }

  /**
   * Files completed into a channel (a user id means the bot's DM with them), oldest first, with their exact
   * bytes; all completed files, private ones included, when no channel is given.
   */
  files(channelId?: string): SharedFile[] {
    if (channelId === undefined) return this.fileUploads.files();
    return this.fileUploads.files(this.users.has(channelId) ? this.imId(channelId) : channelId);
  }

  /** Every upload announced with files.getUploadURLExternal and where it stands (e.g. `broken`). */
  uploads(): UploadSession[] {
    return this.fileUploads.uploads();
  }

  // ---- HTTP --------------------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const bytes = await readBody(req);
    if (url.pathname.startsWith(UPLOAD_PATH) && req.method === 'POST') {
      // The upload edge (files.slack.com on Slack) answers plain text, not Web API JSON.
      const answer = await this.fileUploads.receive(decodeURIComponent(url.pathname.slice(UPLOAD_PATH.length)), req.headers['content-type'], bytes);
      res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(answer.text)) });
      res.end(answer.text);
      return;
    }
    const raw = bytes.toString('utf8');
    let outcome: Outcome;
    if (url.pathname.startsWith('/api/') && (req.method === 'POST' || req.method === 'GET')) {
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      const parsed = parseApiRequest(req.headers['content-type'], raw, url.searchParams);
      const late = 'error' in parsed ? false : this.takeLateAnswer(method, parsed.args);
      outcome = this.apiOutcome(method, parsed, req.headers);
      this.calls.push({
        method,
        body: 'error' in parsed ? {} : parsed.args,
        headers: req.headers,
        at: this.now(),
        status: outcome.status,
        response: outcome.body,
        ...(late ? { unanswered: true as const } : {}),
      });
      if (late) {
        // No timer: the answer waits for the caller to hang up (or for stop() to close the connection).
        if (!res.destroyed) await new Promise<void>((resolve) => res.once('close', () => resolve()));
        return;
      }
    } else if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      const id = url.pathname.slice('/response/'.length);
      outcome = this.responseUrlOutcome(id, req.headers['content-type'], raw);
      const error = outcome.body['error'];
      this.responses.push({
        url: `${this.origin}${url.pathname}`,
        body: safeJson(raw),
        at: this.now(),
        status: outcome.status,
        ...(typeof error === 'string' ? { error } : {}),
      });
    } else {
      outcome = { status: 404, body: fail('not_found') };
    }
    const text = JSON.stringify(outcome.body);
    res.writeHead(outcome.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...outcome.headers,
    });
    res.end(text);
  }

  private apiOutcome(method: string, parsed: ParsedArgs | { error: string }, headers: IncomingHttpHeaders): Outcome {
    const retired = RETIRED_METHODS.get(method);
    if (retired) return { status: 200, body: fail(retired) };
    const handler = this.handlers.get(method);
    if (!handler) return { status: 200, body: fail('unknown_method') };
    if ('error' in parsed) return { status: 200, body: fail(parsed.error) };
    const authError = this.authError(headers, parsed);
    if (authError) return { status: 200, body: fail(authError) };
    const override = this.takeOverride(method, parsed.args);
    if (override?.kind === 'fail') return { status: 200, body: fail(override.error) };
    if (override?.kind === 'ratelimit') return rateLimited(override.retryAfterSeconds);
    const wait = this.rateLimitWait(method, parsed.args);
    if (wait !== undefined) return rateLimited(wait);
    const request = FORM_ONLY_METHODS.has(method) && parsed.bodyFormat === 'json' ? { ...parsed, args: {} } : parsed;
    const body = handler(request);
    if (body['ok'] === true && parsed.warnings.length > 0) {
      body['warning'] = parsed.warnings.join(',');
      body['response_metadata'] = { ...(isRecord(body['response_metadata']) ? body['response_metadata'] : {}), warnings: parsed.warnings };
    }
    return { status: 200, body };
  }

  /**
   * Slack takes the token from `Authorization: Bearer` or, for form bodies only, a `token` field. JSON
   * bodies must use the header (Slack changelog 2017-10 "Keeping up with the JSONs"); tokens in the query
   * string are refused for apps created since February 2021.
   */
  private authError(headers: IncomingHttpHeaders, parsed: ParsedArgs): string | undefined {
    let token: string | undefined;
    const header = headers.authorization;
    if (header !== undefined) token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    token ??= parsed.formToken;
    if (token === undefined || token === '') return 'not_authed';
    if (token !== this.botToken) return 'invalid_auth';
    if (this.revoked) return 'token_revoked';
    return undefined;
  }

  /**
   * chat.postMessage: per channel, `postBurst` at once then 1/s, and per workspace `workspacePostsPerMinute`;
   * a post limited by either takes from neither. Tiered methods: per workspace.
   */
  private rateLimitWait(method: string, args: Body): number | undefined {
    const now = this.now();
    if (method === 'chat.postMessage') {
      const channelArg = str(args, 'channel') ?? '';
      const key = `chat.postMessage:${this.resolveConversation(channelArg)?.id ?? channelArg}`;
      const perMinute = this.workspacePostsPerMinute;
      return takeFromAll([this.bucket(key, this.postBurst, 1, now), this.bucket(WORKSPACE_POST_BUCKET, perMinute, perMinute / 60, now)], now);
    }
    const perMinute = TIER_PER_MINUTE[method];
    if (perMinute === undefined) return undefined;
    return takeFromAll([this.bucket(method, perMinute, perMinute / 60, now)], now);
  }

  private bucket(key: string, capacity: number, perSecond: number, now: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(capacity, perSecond, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private takeOverride(method: string, args: Body): Override | undefined {
    const queue = this.overrides.get(method);
    const index = queue?.findIndex((override) => override.channel === undefined || override.channel === str(args, 'channel')) ?? -1;
    return index < 0 ? undefined : queue?.splice(index, 1)[0];
  }

  private takeLateAnswer(method: string, args: Body): boolean {
    const queue = this.lateAnswers.get(method);
    const index = queue?.findIndex((late) => late.channel === undefined || late.channel === str(args, 'channel')) ?? -1;
    if (index < 0) return false;
    queue?.splice(index, 1);
    return true;
  }

  private pushOverride(method: string, override: Override): void {
    const queue = this.overrides.get(method) ?? [];
    queue.push(override);
    this.overrides.set(method, queue);
  }

  // ---- methods -----------------------------------------------------------------------------------------

  /** team.info: this workspace (asked by id or without one); any other id is `team_not_found`, as for a workspace the token cannot see. */
  private teamInfo(args: Body): Body {
    const asked = str(args, 'team') ?? this.teamId;
    if (asked !== this.teamId) return fail('team_not_found');
    return { ok: true, team: { id: this.teamId, name: this.teamName, domain: this.teamDomain, ...(this.enterpriseId ? { enterprise_id: this.enterpriseId, enterprise_name: 'Stand-in Grid' } : {}) } };
  }

  private authTest(): Body {
    return {
      ok: true,
      url: `https://${this.teamDomain}.slack.com/`,
      team: this.teamName,
      user: this.users.get(this.botUserId)?.name,
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    };
  }

  private postMessage({ args, malformed }: ParsedArgs): Body {
    const refused = this.dmRefusal(str(args, 'channel') ?? '');
    if (refused) return fail(refused);
    const channel = this.resolveConversation(str(args, 'channel') ?? '');
    const accessError = this.postAccessError(channel);
    if (accessError || !channel) return fail(accessError ?? 'channel_not_found');
    const content = this.messageContent(args, malformed);
    if ('error' in content) return content.error;
    const metadata = args['metadata'];
    if (malformed.has('metadata') || (metadata !== undefined && !validMetadata(metadata))) return fail('invalid_metadata_format');
    const message: SlackMessage = { type: 'message', ts: this.nextTs(), ...this.botAuthor(), text: content.text };
    if (content.blocks) message.blocks = content.blocks;
    if (content.attachments) message.attachments = content.attachments;
    if (metadata !== undefined) message.metadata = metadata;
    this.addToChannel(channel, message, str(args, 'thread_ts'));
    return { ok: true, channel: channel.id, ts: message.ts, message: structuredClone(message) };
  }

  /**
   * Adds a message, as a reply when `threadTs` names one in the channel. INFERRED: a thread_ts that names no
   * message in the channel posts at top level; a reply's ts threads under its parent, as Slack's docs advise
   * ("use its parent instead").
   */
  private addToChannel(channel: Channel, message: SlackMessage, threadTs: string | undefined): void {
    const target = threadTs === undefined ? undefined : channel.messages.find((candidate) => candidate.ts === threadTs);
    if (target) {
      const rootTs = target.thread_ts ?? target.ts;
      const root = channel.messages.find((candidate) => candidate.ts === rootTs);
      message.thread_ts = rootTs;
      if (root) {
        root.thread_ts = root.ts;
        root.reply_count = (root.reply_count ?? 0) + 1;
      }
    }
    channel.messages.push(message);
  }

  /** The upload module, lent the channel rules and message model so they stay in this file. */
  private createFileUploads(): SlackFileUploads {
    return new SlackFileUploads({
      botUserId: this.botUserId,
      teamId: this.teamId,
      teamDomain: this.teamDomain,
      now: () => this.now(),
      nextId: (prefix) => this.nextId(prefix),
      uploadUrl: (fileId) => `${this.origin}${UPLOAD_PATH}${encodeURIComponent(fileId)}`,
      shareError: (channelId) => {
        const channel = this.channels.get(channelId);
        // files.completeUploadExternal documents invalid_channel where chat.postMessage says channel_not_found.
        if (!channel || (channel.isPrivate && !channel.botIsMember)) return 'invalid_channel';
        return this.postAccessError(channel);
      },
      postFileMessage: (channelId, { text, blocks, threadTs, files }) => {
        const channel = this.requireChannel(channelId);
        const message: SlackMessage = { type: 'message', ts: this.nextTs(), ...this.botAuthor(), text, files, upload: true };
        if (blocks) message.blocks = this.withBlockIds(blocks);
        this.addToChannel(channel, message, threadTs);
        return { ts: message.ts, ...(message.thread_ts !== undefined ? { threadTs: message.thread_ts } : {}) };
      },
    });
  }

  /** chat.update edits only messages this bot posted; blocks omitted keep the old ones (Slack docs). */
  private updateMessage({ args, malformed }: ParsedArgs): Body {
    const channel = this.resolveConversation(str(args, 'channel') ?? '');
    if (!channel || (channel.isPrivate && !channel.botIsMember)) return fail('channel_not_found');
    if (channel.archived) return fail('is_archived');
    const message = channel.messages.find((candidate) => candidate.ts === str(args, 'ts'));
    if (!message) return fail('message_not_found');
    if (message.user !== this.botUserId) return fail('cant_update_message');
    const content = this.messageContent(args, malformed);
    if ('error' in content) return content.error;
    const metadata = args['metadata'];
    if (malformed.has('metadata') || (metadata !== undefined && !validMetadata(metadata))) return fail('invalid_metadata_format');
    message.text = content.text;
    if (content.blocks) message.blocks = content.blocks;
    if (content.attachments) message.attachments = content.attachments;
    if (metadata !== undefined) message.metadata = metadata;
    message.edited = { user: this.botUserId, ts: this.nextTs() };
    return { ok: true, channel: channel.id, ts: message.ts, text: message.text, message: structuredClone(message) };
  }

  private postEphemeral({ args, malformed }: ParsedArgs): Body {
    const channel = this.resolveConversation(str(args, 'channel') ?? '');
    const accessError = this.postAccessError(channel);
    if (accessError || !channel) return fail(accessError ?? 'channel_not_found');
    const user = str(args, 'user') ?? '';
    if (!channel.members.includes(user)) return fail('user_not_in_channel');
    const content = this.messageContent(args, malformed);
    if ('error' in content) return content.error;
    const ephemeral: EphemeralMessage = { channel: channel.id, user, message_ts: this.nextTs(), text: content.text, via: 'chat.postEphemeral' };
    if (content.blocks) ephemeral.blocks = content.blocks;
    const threadTs = str(args, 'thread_ts');
    if (threadTs !== undefined) ephemeral.thread_ts = threadTs;
    this.ephemeralList(user).push(ephemeral);
    return { ok: true, message_ts: ephemeral.message_ts };
  }

  /**
   * views.open: the view is validated first (a bad view does not use up the trigger — INFERRED), then the
   * trigger: unknown → invalid_trigger_id, older than 3 s → expired_trigger_id, already used →
   * exchanged_trigger_id (the error views.open documents for a second exchange).
   */
  private openView({ args, malformed }: ParsedArgs): Body {
    const viewError = this.viewError(args, malformed, 'modal');
    if (viewError) return viewError;
    const trigger = this.triggers.get(str(args, 'trigger_id') ?? '');
    if (!trigger) return fail('invalid_trigger_id');
    if (trigger.used) return fail('exchanged_trigger_id');
    if (this.triggerNow() - trigger.issuedAt > TRIGGER_LIFETIME_MS) return fail('expired_trigger_id');
    const view = args['view'];
    if (!isRecord(view)) return fail('invalid_arguments');
    if (this.externalIdTaken(view, undefined)) return fail('duplicate_external_id');
    trigger.used = true;
    const id = this.nextId('V');
    const stored: StoredView = { id, userId: trigger.userId, type: 'modal', view: this.viewObject(id, view, 'modal') };
    this.viewsById.set(id, stored);
    return { ok: true, view: structuredClone(stored.view) };
  }

  private updateView({ args, malformed }: ParsedArgs): Body {
    const viewId = str(args, 'view_id');
    const externalId = str(args, 'external_id');
    if (!viewId && !externalId) {
      return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] either view_id or external_id is required'] } });
    }
    const stored = viewId
      ? this.viewsById.get(viewId)
      : [...this.viewsById.values()].find((candidate) => candidate.view['external_id'] === externalId);
    if (!stored) return fail('not_found');
    const viewError = this.viewError(args, malformed, stored.type);
    if (viewError) return viewError;
    const hash = str(args, 'hash');
    if (hash !== undefined && hash !== stored.view['hash']) return fail('hash_conflict');
    const view = args['view'];
    if (!isRecord(view)) return fail('invalid_arguments');
    if (this.externalIdTaken(view, stored.id)) return fail('duplicate_external_id');
    stored.view = this.viewObject(stored.id, view, stored.type);
    return { ok: true, view: structuredClone(stored.view) };
  }

  private publishView({ args, malformed }: ParsedArgs): Body {
    const userId = str(args, 'user_id') ?? '';
    if (!this.users.has(userId)) return fail('invalid_arguments', { response_metadata: { messages: ['invalid `user_id`'] } });
    const viewError = this.viewError(args, malformed, 'home');
    if (viewError) return viewError;
    const existing = [...this.viewsById.values()].find((candidate) => candidate.userId === userId && candidate.type === 'home');
    const hash = str(args, 'hash');
    if (hash !== undefined && existing && hash !== existing.view['hash']) return fail('hash_conflict');
    const view = args['view'];
    if (!isRecord(view)) return fail('invalid_arguments');
    const id = existing?.id ?? this.nextId('V');
    if (this.externalIdTaken(view, id)) return fail('duplicate_external_id');
    const stored: StoredView = { id, userId, type: 'home', view: this.viewObject(id, view, 'home') };
    this.viewsById.set(id, stored);
    return { ok: true, view: structuredClone(stored.view) };
  }

  /** A private channel the bot is not in does not exist for it, as on Slack. */
  private visibleChannel(args: Body): Channel | undefined {
    const channel = this.channels.get(str(args, 'channel') ?? '');
    return channel && (!channel.isPrivate || channel.botIsMember) ? channel : undefined;
  }

  private conversationInfo(args: Body): Body {
    const channel = this.visibleChannel(args);
    if (!channel) return fail('channel_not_found');
    const isIm = channel.imUser !== undefined;
    const info: Body = {
      id: channel.id,
      created: channel.created,
      is_archived: channel.archived,
      is_im: isIm,
      is_mpim: false,
      is_private: channel.isPrivate || isIm,
    };
    if (isIm) {
      info['user'] = channel.imUser;
    } else {
      Object.assign(info, {
        name: channel.name,
        name_normalized: channel.name,
        is_channel: !channel.isPrivate,
        is_group: channel.isPrivate,
        is_general: false,
        is_shared: false,
        is_ext_shared: false,
        is_org_shared: false,
        is_member: channel.botIsMember,
        topic: { value: '', creator: '', last_set: 0 },
        purpose: { value: '', creator: '', last_set: 0 },
      });
    }
    if (bool(args, 'include_num_members')) info['num_members'] = this.memberIds(channel).length;
    return { ok: true, channel: info };
  }

  /**
   * conversations.members pages with opaque cursors (base64 of `user:<id>`, as Slack's look) and
   * `limit` (default 100, at most 1000); the last page has `next_cursor: ''`.
   */
  private conversationMembers(args: Body): Body {
    const channel = this.visibleChannel(args);
    if (!channel) return fail('channel_not_found');
    const members = this.memberIds(channel);
    const requested = Number(str(args, 'limit') ?? '100');
    const limit = Number.isInteger(requested) && requested > 0 ? Math.min(requested, 1000) : 100;
    let start = 0;
    const cursor = str(args, 'cursor');
    if (cursor) {
      const decoded = Buffer.from(cursor, 'base64').toString('utf8');
      start = decoded.startsWith('user:') ? members.indexOf(decoded.slice('user:'.length)) : -1;
      if (start < 0) return fail('invalid_cursor');
    }
    const page = members.slice(start, start + limit);
    const next = members[start + limit];
    return {
      ok: true,
      members: page,
      response_metadata: { next_cursor: next === undefined ? '' : Buffer.from(`user:${next}`).toString('base64') },
    };
  }

  /**
   * users.conversations with a bot token and `user`: the channels of the requested `types` (default
   * public_channel) that the person is in and the bot can see (public ones, private ones it is in); paged
   * like conversations.members, `limit` at most 1000.
   */
  private userConversations(args: Body): Body {
    const userId = str(args, 'user') ?? this.botUserId;
    if (!this.users.has(userId)) return fail('user_not_found');
    const types = new Set((str(args, 'types') ?? 'public_channel').split(',').map((type) => type.trim()));
    const matching = [...this.channels.values()].filter((channel) => {
      if (channel.imUser !== undefined) return false;
      if (!types.has(channel.isPrivate ? 'private_channel' : 'public_channel')) return false;
      if (channel.isPrivate && !channel.botIsMember) return false;
      if (bool(args, 'exclude_archived') && channel.archived) return false;
      return this.memberIds(channel).includes(userId);
    });
    const requested = Number(str(args, 'limit') ?? '100');
    const limit = Number.isInteger(requested) && requested > 0 ? Math.min(requested, 1000) : 100;
    let start = 0;
    const cursor = str(args, 'cursor');
    if (cursor) {
      const decoded = Buffer.from(cursor, 'base64').toString('utf8');
      start = decoded.startsWith('channel:') ? matching.findIndex((channel) => channel.id === decoded.slice('channel:'.length)) : -1;
      if (start < 0) return fail('invalid_cursor');
    }
    const page = matching.slice(start, start + limit);
    const next = matching[start + limit];
    return {
      ok: true,
      channels: page.map((channel) => ({ id: channel.id, name: channel.name, is_channel: !channel.isPrivate, is_private: channel.isPrivate === true, is_archived: channel.archived === true })),
      response_metadata: { next_cursor: next === undefined ? '' : Buffer.from(`channel:${next.id}`).toString('base64') },
    };
  }

  private openConversation(args: Body): Body {
    const users = (str(args, 'users') ?? '').split(',').filter((id) => id !== '');
    if (users.length === 0) return fail('users_list_not_supplied');
    // Group DMs are not modelled; refuse loudly rather than pretend.
    if (users.length > 1) return fail('stand_in_does_not_model_group_dms');
    const userId = users[0] ?? '';
    if (!this.users.has(userId)) return fail('user_not_found');
    const refused = this.dmRefusal(userId);
    if (refused) return fail(refused);
    const existed = this.channels.has(this.imId(userId));
    const channel = this.ensureIm(userId);
    return existed ? { ok: true, no_op: true, already_open: true, channel: { id: channel.id } } : { ok: true, channel: { id: channel.id } };
  }

  private userInfo(args: Body): Body {
    const user = this.users.get(str(args, 'user') ?? '');
    if (!user) return fail('user_not_found');
    const zone = timeZoneDetails(user.timeZone, this.now());
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: this.teamId,
        name: user.name,
        deleted: user.deleted,
        real_name: user.realName,
        tz: user.timeZone,
        tz_label: zone.label,
        tz_offset: zone.offsetSeconds,
        is_admin: false,
        is_owner: false,
        is_bot: user.isBot,
        is_app_user: false,
        profile: { real_name: user.realName, display_name: user.name, team: this.teamId },
      },
    };
  }

  // ---- response URLs -----------------------------------------------------------------------------------

  private responseUrlOutcome(id: string, contentType: string | undefined, raw: string): Outcome {
    const state = this.responseUrls.get(id);
    if (!state) return { status: 404, body: fail('invalid_url') };
    if (this.now() - state.createdAt > RESPONSE_URL_LIFETIME_MS) return { status: 404, body: fail('expired_url') };
    if (state.uses >= RESPONSE_URL_USES) return { status: 404, body: fail('used_url') };
    const payload = safeJson(raw);
    if (!contentType?.toLowerCase().startsWith('application/json') || !isRecord(payload)) {
      return { status: 400, body: fail('invalid_payload') };
    }
    const { channelId, userId, originalTs } = state.context;
    const channel = channelId === undefined ? undefined : this.resolveConversation(channelId);
    const originalMessage = channel?.messages.find((message) => message.ts === originalTs);
    const ephemeralList = userId === undefined ? undefined : this.ephemeralsByUser.get(userId);
    const originalEphemeral = ephemeralList?.find((message) => message.message_ts === originalTs);
    if (bool(payload, 'delete_original')) {
      // INFERRED: there is nothing to delete without an original message, so Slack cannot succeed.
      if (originalMessage && channel) channel.messages.splice(channel.messages.indexOf(originalMessage), 1);
      else if (originalEphemeral && ephemeralList) ephemeralList.splice(ephemeralList.indexOf(originalEphemeral), 1);
      else return { status: 404, body: fail('message_not_found') };
      state.uses += 1;
      return { status: 200, body: { ok: true } };
    }
    const content = this.messageContent(payload, new Set());
    if ('error' in content) return { status: 400, body: content.error };
    state.uses += 1;
    if (bool(payload, 'replace_original') && (originalMessage || originalEphemeral)) {
      const target = originalMessage ?? originalEphemeral;
      if (target) {
        target.text = content.text;
        if (content.blocks) target.blocks = content.blocks;
        else delete target.blocks;
      }
      return { status: 200, body: { ok: true } };
    }
    // INFERRED: replace_original with no original message to replace posts a new one instead.
    if (payload['response_type'] === 'in_channel') {
      if (channel) {
        const message: SlackMessage = { type: 'message', ts: this.nextTs(), ...this.botAuthor(), text: content.text };
        if (content.blocks) message.blocks = content.blocks;
        channel.messages.push(message);
      }
    } else if (channel && userId !== undefined) {
      const ephemeral: EphemeralMessage = { channel: channel.id, user: userId, message_ts: this.nextTs(), text: content.text, via: 'response_url' };
      if (content.blocks) ephemeral.blocks = content.blocks;
      this.ephemeralList(userId).push(ephemeral);
    }
    return { status: 200, body: { ok: true } };
  }

  // ---- helpers -----------------------------------------------------------------------------------------

  /** Text and blocks of a message, or Slack's refusal: no_text, invalid_blocks_format, invalid_blocks. */
  private messageContent(
    args: Body,
    malformed: ReadonlySet<string>,
  ): { text: string; blocks?: unknown[]; attachments?: unknown[] } | { error: Body } {
    const blocks: unknown = args['blocks'];
    if (malformed.has('blocks') || (blocks !== undefined && !Array.isArray(blocks))) return { error: fail('invalid_blocks_format') };
    const blockList: unknown[] | undefined = Array.isArray(blocks) ? blocks : undefined;
    const rawAttachments: unknown = args['attachments'];
    const attachments: unknown[] | undefined = Array.isArray(rawAttachments) ? rawAttachments : undefined;
    const text = str(args, 'text') ?? '';
    if (text === '' && !blockList?.length && !attachments?.length) return { error: fail('no_text') };
    if (blockList) {
      const problems = blockKitProblems(blockList, 'message');
      if (problems.length > 0) return { error: invalidBlocks(problems) };
    }
    // Slack truncates rather than refuses long text (chat.postMessage reference: "risk truncation").
    return {
      text: text.slice(0, MAX_MESSAGE_TEXT),
      ...(blockList ? { blocks: this.withBlockIds(blockList) } : {}),
      ...(attachments ? { attachments } : {}),
    };
  }

  /** Slack answers views.* problems with invalid_arguments and json-pointer messages. */
  private viewError(args: Body, malformed: ReadonlySet<string>, type: 'modal' | 'home'): Body | undefined {
    const view = args['view'];
    if (view === undefined) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
    if (malformed.has('view')) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] view must be valid JSON'] } });
    if (Buffer.byteLength(JSON.stringify(view)) > MAX_VIEW_BYTES) return fail('view_too_large');
    const problems = viewProblems(view, type);
    return problems.length > 0 ? fail('invalid_arguments', { response_metadata: { messages: problems } }) : undefined;
  }

  private externalIdTaken(view: Body, ownId: string | undefined): boolean {
    const externalId = view['external_id'];
    if (typeof externalId !== 'string' || externalId === '') return false;
    return [...this.viewsById.values()].some((stored) => stored.id !== ownId && stored.view['external_id'] === externalId);
  }

  /** The view object Slack returns: the payload plus id, hash, state and the fields Slack fills in. */
  private viewObject(id: string, view: Body, type: 'modal' | 'home'): Body {
    return {
      id,
      team_id: this.teamId,
      type,
      ...(type === 'modal' ? { title: view['title'] } : {}),
      submit: view['submit'] ?? null,
      close: view['close'] ?? null,
      blocks: this.withBlockIds(Array.isArray(view['blocks']) ? view['blocks'] : []),
      private_metadata: view['private_metadata'] ?? '',
      callback_id: view['callback_id'] ?? '',
      external_id: view['external_id'] ?? '',
      state: { values: {} },
      hash: `${Math.floor(this.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      clear_on_close: bool(view, 'clear_on_close'),
      notify_on_close: bool(view, 'notify_on_close'),
      root_view_id: id,
      previous_view_id: null,
      app_id: this.appId,
      bot_id: this.botId,
    };
  }

  /** Slack gives every block without a block_id a generated one; tests comparing blocks should expect it. */
  private withBlockIds(blocks: unknown[]): unknown[] {
    return blocks.map((block) =>
      isRecord(block) && block['block_id'] === undefined ? { ...structuredClone(block), block_id: this.nextId('b') } : structuredClone(block),
    );
  }

  private postAccessError(channel: Channel | undefined): string | undefined {
    if (!channel || (channel.isPrivate && !channel.botIsMember)) return 'channel_not_found';
    if (channel.archived) return 'is_archived';
    // Posting into a public channel without joining needs chat:write.public, which this app does not ask for.
    if (!channel.botIsMember) return 'not_in_channel';
    return undefined;
  }

  /** The error for a private message to a person the bot may not reach (`refuseDirectMessages`), by user id or DM id. */
  private dmRefusal(conversation: string): string | undefined {
    if (this.dmRefusals.size === 0) return undefined;
    const userId = this.channels.get(conversation)?.imUser ?? conversation;
    return this.dmRefusals.get(userId);
  }

  /** Channel ids as given; a user id means the bot's DM with that user, as chat.postMessage allows. */
  private resolveConversation(id: string): Channel | undefined {
    const channel = this.channels.get(id);
    if (channel) return channel;
    return this.users.has(id) && id !== this.botUserId ? this.ensureIm(id) : undefined;
  }

  private imId(userId: string): string {
    return `D${userId.replace(/^U/, '')}`;
  }

  private ensureIm(userId: string): Channel {
    const id = this.imId(userId);
    let channel = this.channels.get(id);
    if (!channel) {
      channel = {
        id,
        name: id,
        members: [userId],
        botIsMember: true,
        archived: false,
        isPrivate: false,
        imUser: userId,
        created: Math.floor(this.now() / 1000),
        messages: [],
      };
      this.channels.set(id, channel);
    }
    return channel;
  }

  private requireChannel(id: string): Channel {
    const channel = this.channels.get(id);
    if (!channel) throw new Error(`unknown channel ${id}`);
    return channel;
  }

  /** Slack lists bot users among a channel's members; apps must filter them out themselves. */
  private memberIds(channel: Channel): string[] {
    return channel.botIsMember ? [...channel.members, this.botUserId] : [...channel.members];
  }

  private ephemeralList(userId: string): EphemeralMessage[] {
    let list = this.ephemeralsByUser.get(userId);
    if (!list) {
      list = [];
      this.ephemeralsByUser.set(userId, list);
    }
    return list;
  }

  private botAuthor(): Pick<SlackMessage, 'user' | 'team' | 'bot_id' | 'app_id'> {
    return { user: this.botUserId, team: this.teamId, bot_id: this.botId, app_id: this.appId };
  }

  /** Message timestamps like '1700000000.000100': from the clock, strictly increasing like Slack's. */
  private nextTs(): string {
    const micros = Math.max(Math.floor(this.now()) * 1000, this.lastTsMicros + 100);
    this.lastTsMicros = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter.toString(36).toUpperCase().padStart(8, '0')}`;
  }
}

function rateLimited(retryAfterSeconds: number): Outcome {
  return { status: 429, body: fail('ratelimited'), headers: { 'retry-after': String(retryAfterSeconds) } };
}

/** Message metadata per Slack's docs: `{ event_type: string, event_payload: object }`. */
function validMetadata(value: unknown): boolean {
  return isRecord(value) && typeof value['event_type'] === 'string' && isRecord(value['event_payload']);
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
