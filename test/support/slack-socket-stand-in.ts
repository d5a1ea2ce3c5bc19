/**
 * A stand-in for Slack's Socket Mode on loopback, next to the Web API stand-in. It speaks the wire format
 * the real service does, so the real @slack/socket-mode client inside Bolt connects to it unchanged:
 *
 * - `apps.connections.open` (POST, form or JSON, `Authorization: Bearer xapp-…`) answers
 *   `{ ok: true, url: 'ws://127.0.0.1:PORT/link/?ticket=…&app_id=…' }`; Slack's refusals are `not_authed`
 *   (no token), `not_allowed_token_type` (the bot token) and `invalid_auth` (any other token).
 * - The WebSocket greets with `hello`, carries envelopes `{ envelope_id, type, payload,
 *   accepts_response_payload[, retry_attempt, retry_reason] }`, takes acks `{ envelope_id, payload }`,
 *   answers pings with pongs and can ask the client to reconnect with `disconnect`.
 *
 * The app's WebClient uses one SLACK_API_URL for everything, so this stand-in has its own HTTP front: it
 * answers `apps.connections.open` itself and passes every other request through to a `SlackApiStandIn`
 * (method, headers and body unchanged), which keeps the Web API stand-in the single world model.
 * Choices where Slack does not document its behaviour are marked INFERRED.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { isRecord } from './block-kit-limits.js';
import type { SlackApiStandIn } from './slack-stand-in.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** Reasons Slack sends with `disconnect`: `warning` ~10 s before a refresh, then `refresh_requested`. */
export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

export interface SlackSocketStandInOptions {
  /** The Web API stand-in that answers every method except apps.connections.open. */
  readonly api: SlackApiStandIn;
  readonly appToken?: string;
  /** The workspace's bot token: Slack answers `not_allowed_token_type` when it opens a connection. */
  readonly botToken?: string;
  readonly appId?: string;
  readonly teamId?: string;
  /** How long `sendEnvelope` waits for the ack; Slack's own deadline is 3 seconds. */
  readonly ackTimeoutMs?: number;
  /** Server pings every this many ms, as Slack sends them; 0 sends none. */
  readonly pingIntervalMs?: number;
}

export interface EnvelopeOptions {
  readonly retryAttempt?: number;
  readonly retryReason?: string;
  /** Defaults to what Slack sends for the type and payload (see `acceptsResponsePayload`). */
  readonly acceptsResponsePayload?: boolean;
  readonly timeoutMs?: number;
}

/** An envelope as it went over the wire. */
export interface SocketEnvelope {
  readonly envelope_id: string;
  readonly type: EnvelopeType;
  readonly payload: Record<string, unknown>;
  readonly accepts_response_payload: boolean;
  readonly retry_attempt?: number;
  readonly retry_reason?: string;
}

/** The app's acknowledgement as it arrived: the @slack/socket-mode client always sends a payload object. */
export interface SocketAck {
  readonly envelope_id: string;
  readonly payload?: Record<string, unknown>;
}

export interface RecordedAck extends SocketAck {
  /** Which connection (1-based, in order of opening) carried the ack. */
  readonly connection: number;
  readonly at: number;
  /** True when it came after `sendEnvelope` had given up waiting, or for an envelope never sent. */
  readonly late: boolean;
}

export interface ConnectionsOpenCall {
  readonly token: string | undefined;
  readonly at: number;
  readonly response: Record<string, unknown>;
}

interface Connection {
  readonly id: number;
  readonly socket: WebSocket;
  /** A `disconnect` went out: Slack sends no more envelopes on it. */
  draining: boolean;
  open: boolean;
  readonly closed: Promise<void>;
  pinger: NodeJS.Timeout | undefined;
}

interface PendingAck {
  readonly resolve: (ack: SocketAck) => void;
  readonly timer: NodeJS.Timeout;
}

const STAND_IN_HOST = 'applink-stand-in';
/** Hop-by-hop headers a proxy does not pass on (RFC 9110 §7.6.1), plus the length it recomputes. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'content-length', 'host']);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function passOnHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/**
 * What Slack puts in `accepts_response_payload`: true where the ack's payload has an effect (a slash
 * command's reply, a view_submission's response_action, a block_suggestion's options), false for events and
 * other interactions. INFERRED from Slack's Socket Mode guide and its examples.
 */
export function acceptsResponsePayload(type: EnvelopeType, payload: Record<string, unknown>): boolean {
  if (type === 'slash_commands') return true;
  if (type === 'interactive') return payload['type'] === 'view_submission' || payload['type'] === 'block_suggestion';
  return false;
}

/** Fake Socket Mode for one app. `start()` it after the Web API stand-in and point SLACK_API_URL at `apiUrl`. */
export class SlackSocketStandIn {
  /** Every apps.connections.open call, refused ones included. */
  readonly connectionsOpenCalls: ConnectionsOpenCall[] = [];
  /** Every envelope sent, in order. */
  readonly envelopes: SocketEnvelope[] = [];
  /** Every ack received, in order, late ones included. */
  readonly acks: RecordedAck[] = [];
  /** Messages from the app that were neither acks nor valid JSON: the real service would drop them. */
  readonly unexpected: string[] = [];
  /** Pongs the app sent back to the stand-in's pings. */
  pongs = 0;

  private readonly api: SlackApiStandIn;
  private readonly appToken: string;
  private readonly botToken: string;
  private readonly appId: string;
  private readonly ackTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private port = 0;
  private readonly tickets = new Set<string>();
  private readonly connections: Connection[] = [];
  private readonly pending = new Map<string, PendingAck>();
  private readonly openFailures: string[] = [];

  constructor(options: SlackSocketStandInOptions) {
    this.api = options.api;
    this.appToken = options.appToken ?? 'xapp-1-A0001-1-test-app-token';
    this.botToken = options.botToken ?? 'xoxb-test-token';
    this.appId = options.appId ?? 'A0001';
    this.ackTimeoutMs = options.ackTimeoutMs ?? 3_000;
    this.pingIntervalMs = options.pingIntervalMs ?? 0;
  }

  async start(): Promise<void> {
    // noServer: the front owns the port, so upgrades and plain HTTP share it as on one Slack host.
    const wss = new WebSocketServer({ noServer: true });
    const server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        // A bug in the stand-in must fail the test loudly, not look like a Slack outage.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`socket stand-in error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(wss, req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.wss = wss;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    const wss = this.wss;
    if (!server || !wss) return;
    this.server = undefined;
    this.wss = undefined;
    // Pending acks stay unresolved: their timers would only fire into a finished test.
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    this.pending.clear();
    for (const connection of this.connections) {
      clearInterval(connection.pinger);
      connection.socket.terminate();
    }
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  /** SLACK_API_URL for the app: apps.connections.open here, everything else passed to the Web API stand-in. */
  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  /** Connections opened so far (each answered with `hello`), closed ones included. */
  get connectionCount(): number {
    return this.connections.length;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.connections.filter((connection) => connection.open).length;
  }

  /** Resolves once `count` connections have been opened in total; rejects after `timeoutMs`. */
  async waitForConnections(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length < count || !this.connections[count - 1]?.open) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for Socket Mode connection ${count} (have ${this.connections.length})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Sends an envelope over the newest open connection, as Slack picks one of the app's connections, and
   * resolves with the app's ack. Rejects when no ack arrives within the timeout (Slack's 3 s by default),
   * when Slack would show the user `operation_timeout` or retry the event.
   */
  sendEnvelope(type: EnvelopeType, payload: Record<string, unknown>, options: EnvelopeOptions = {}): Promise<SocketAck> {
    const connection = this.connections.findLast((candidate) => candidate.open && !candidate.draining);
    if (!connection) return Promise.reject(new Error('no open Socket Mode connection to send an envelope on'));
    const envelope: SocketEnvelope = {
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: options.acceptsResponsePayload ?? acceptsResponsePayload(type, payload),
      // Only Events API envelopes carry retry fields (python-slack-sdk's SocketModeRequest marks them so).
      ...(type === 'events_api' || options.retryAttempt !== undefined ? { retry_attempt: options.retryAttempt ?? 0 } : {}),
      ...(type === 'events_api' || options.retryReason !== undefined ? { retry_reason: options.retryReason ?? '' } : {}),
    };
    const timeoutMs = options.timeoutMs ?? this.ackTimeoutMs;
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.envelope_id);
        reject(new Error(`no ack for ${type} envelope ${envelope.envelope_id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelope.envelope_id, { resolve, timer });
      this.envelopes.push(envelope);
      connection.socket.send(JSON.stringify(envelope), (error) => {
        if (!error) return;
        clearTimeout(timer);
        this.pending.delete(envelope.envelope_id);
        reject(error);
      });
    });
  }

  /**
   * The outer payload of an Events API envelope, as Slack wraps an event: `event_callback` with the event,
   * its id and time, the team and the app.
   */
  eventCallback(event: Record<string, unknown>, eventId: string = `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`, teamId = 'T0001'): Record<string, unknown> {
    const eventTime = Math.floor(Date.now() / 1000);
    return {
      token: 'verification-token-unused-in-socket-mode',
      team_id: teamId,
      api_app_id: this.appId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: eventTime,
      authorizations: [{ enterprise_id: null, team_id: teamId, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: `4-${randomUUID()}`,
    };
  }

  /**
   * The next apps.connections.open calls with the right token answer `{ ok: false, error }`, one per entry:
   * e.g. `invalid_auth` after the app-level token was revoked, `internal_error` during a Slack incident.
   */
  failConnectionsOpen(...errors: string[]): void {
    this.openFailures.push(...errors);
  }

  /**
   * Slack's request to reconnect: sends `disconnect` on every open connection, sends no more envelopes on
   * them, and resolves once the app has closed them. INFERRED: Slack closes a connection itself some time
   * after the request; the stand-in does so after `closeAfterMs`.
   */
  async disconnect(reason: DisconnectReason = 'refresh_requested', closeAfterMs = 10_000): Promise<void> {
    const targets = this.connections.filter((connection) => connection.open && !connection.draining);
    await Promise.all(
      targets.map(async (connection) => {
        connection.draining = true;
        connection.socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: STAND_IN_HOST } }));
        const forced = setTimeout(() => connection.socket.terminate(), closeAfterMs);
        await connection.closed;
        clearTimeout(forced);
      }),
    );
  }

  private get origin(): string {
    if (!this.server) throw new Error('SlackSocketStandIn is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  // ---- HTTP --------------------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    if (url.pathname === '/api/apps.connections.open' && (req.method === 'POST' || req.method === 'GET')) {
      const answer = this.connectionsOpen(req.headers, body.toString('utf8'));
      const text = JSON.stringify(answer);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
      return;
    }
    await this.passThrough(req, url, body, res);
  }

  /** Forwards a request unchanged to the Web API stand-in and its answer unchanged back. */
  private async passThrough(req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): Promise<void> {
    const target = new URL(`${url.pathname}${url.search}`, this.api.apiUrl);
    const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const forwarded = httpRequest(
        target,
        { method: req.method, headers: { ...passOnHeaders(req.headers), ...(body.length > 0 ? { 'content-length': String(body.length) } : {}) } },
        (response) => {
          readBody(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
        },
      );
      forwarded.on('error', reject);
      forwarded.end(body);
    });
    res.writeHead(answer.status, { ...passOnHeaders(answer.headers), 'content-length': String(answer.body.length) });
    res.end(answer.body);
  }

  /**
   * apps.connections.open needs an app-level token with connections:write. The token comes from the
   * Authorization header or, for form bodies, a `token` field, as for every Web API method.
   */
  private connectionsOpen(headers: IncomingHttpHeaders, raw: string): Record<string, unknown> {
    let token = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
    if (token === undefined && headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      token = new URLSearchParams(raw).get('token') ?? undefined;
    }
    let response: Record<string, unknown>;
    if (token === undefined || token === '') response = { ok: false, error: 'not_authed' };
    else if (token === this.botToken) response = { ok: false, error: 'not_allowed_token_type' };
    else if (token !== this.appToken) response = { ok: false, error: 'invalid_auth' };
    else if (this.openFailures.length > 0) response = { ok: false, error: this.openFailures.shift() };
    else {
      const ticket = randomUUID();
      this.tickets.add(ticket);
      response = { ok: true, url: `ws://127.0.0.1:${this.port}/link/?ticket=${ticket}&app_id=${this.appId}` };
    }
    this.connectionsOpenCalls.push({ token, at: Date.now(), response });
    return response;
  }

  // ---- WebSocket ---------------------------------------------------------------------------------------

  /** Tickets are single-use. INFERRED: Slack refuses a reused or unknown ticket at the handshake. */
  private upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(socket: WebSocket): void {
    let markClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    const connection: Connection = { id: this.connections.length + 1, socket, draining: false, open: true, closed, pinger: undefined };
    this.connections.push(connection);
    socket.on('message', (data: RawData, isBinary: boolean) => this.receive(connection, data, isBinary));
    socket.on('pong', () => {
      this.pongs += 1;
    });
    socket.on('close', () => {
      connection.open = false;
      clearInterval(connection.pinger);
      markClosed();
    });
    // A client that vanishes mid-frame is an ordinary event for Slack; the close handler records it.
    socket.on('error', () => undefined);
    if (this.pingIntervalMs > 0) {
      connection.pinger = setInterval(() => socket.ping(`ping-${Date.now()}`), this.pingIntervalMs);
      connection.pinger.unref();
    }
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.openConnections,
        debug_info: { host: STAND_IN_HOST, build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: this.appId },
      }),
    );
  }

  private receive(connection: Connection, data: RawData, isBinary: boolean): void {
    const text = rawText(data);
    let message: unknown;
    try {
      message = isBinary ? undefined : JSON.parse(text);
    } catch {
      message = undefined;
    }
    if (!isRecord(message) || typeof message['envelope_id'] !== 'string') {
      this.unexpected.push(text);
      return;
    }
    const envelopeId = message['envelope_id'];
    const payload = message['payload'];
    const ack: SocketAck = isRecord(payload) ? { envelope_id: envelopeId, payload } : { envelope_id: envelopeId };
    const pending = this.pending.get(envelopeId);
    this.acks.push({ ...ack, connection: connection.id, at: Date.now(), late: pending === undefined });
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(envelopeId);
    pending.resolve(ack);
  }
}
