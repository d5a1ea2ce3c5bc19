import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Platform } from './core/platform.js';
import { secondsSince, type Metrics } from './metrics.js';

export interface HealthStatus {
  readonly status: 'ok';
  readonly mode: 'demo' | 'live';
  readonly scheduler: 'running' | 'standby';
  readonly platforms: readonly string[];
}

/** A path the chat adapters serve on the same server (Slack's /slack/events, Teams' /api/messages). */
export interface Route {
  readonly path: string;
  readonly listener: RequestListener;
  /** The platform whose requests this route acknowledges, for the acknowledgement-latency metric. */
  readonly platform?: Platform;
}

/** `GET /metrics` in Prometheus' text format. */
export interface MetricsEndpoint {
  render(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** Required as `Authorization: Bearer …` when set; null only on a port of its own (METRICS_PORT). */
  readonly token: string | null;
}

export interface HttpServerOptions {
  readonly metrics?: Metrics;
  /** Serve `/metrics` on this server (off unless configured). */
  readonly metricsEndpoint?: MetricsEndpoint;
  /** Serves every other path (the web dashboard); it times its own requests under its route templates. */
  readonly fallback?: RequestListener;
}

export const METRICS_PATH = '/metrics';

/** Compared as digests, so neither the length nor any prefix of the token leaks through timing. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(createHash('sha256').update(presented).digest(), createHash('sha256').update(token).digest());
}

/** Answers a scrape: 401 without the right bearer token (when one is required), else the registry's text. */
export function serveMetrics(endpoint: MetricsEndpoint, request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'method not allowed' }));
    return;
  }
  if (endpoint.token !== null && !bearerMatches(request.headers.authorization, endpoint.token)) {
    response.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'a bearer token (METRICS_TOKEN) is required' }));
    return;
  }
  endpoint.render().then(
    ({ contentType, body }) => {
      response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    },
    () => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'could not collect the metrics' }));
    },
  );
}

/**
 * The most an adapter route reads of a request body: 512 KiB, several times what Slack or Teams can send this app.
 * Our largest interactive payloads, rendered at every Block Kit limit with all text as emoji (which Slack sends as
 * \uXXXX escapes, then form-encodes), measure about 80 KB (the setup modal's view_submission with 120 surveys) and
 * 48 KB (a Home tab block_actions); even a 50-block report message echoed whole would be about 320 KB. Teams
 * activities are plain JSON under Teams' own message limits (about 28 KB of text; cards about 80 KB), and invokes
 * carry only a card's action data and inputs. Bolt (its own limit is 4 MB) and the Teams route buffer the whole body
 * before they check the signature or token, so this is what bounds an unauthenticated sender.
 */
export const MAX_ADAPTER_BODY_BYTES = 512 * 1024;

/**
 * How long a refused connection stays open after its 413 before Node tears it down. Closing a socket that still has
 * unread input makes the kernel send a reset, which can destroy the 413 at a client that is still uploading before
 * it reads it (the "TCP reset problem" of RFC 9112 §9.6; nodejs/node#12339). The 413 is complete on the wire at once
 * (it has a Content-Length), so a client can read it and hang up; one that keeps sending stalls and is then reset.
 */
const REFUSAL_LINGER_MS = 2_000;

/** Answers 413 with `connection: close` without reading any more of the body, and closes the connection soon after. */
function refuseTooLarge(request: IncomingMessage, response: ServerResponse, maxBytes: number): void {
  // Stop reading: the sender's writes stall against TCP flow control and nothing more is buffered here.
  request.pause();
  const body = JSON.stringify({ error: 'payload too large', limitBytes: maxBytes });
  response.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  // Written, not ended: ending a `connection: close` response makes Node close the socket at once (see above).
  response.write(body);
  const linger = setTimeout(() => response.end(), REFUSAL_LINGER_MS).unref();
  response.once('close', () => clearTimeout(linger));
}

/** A fresh IncomingMessage with `request`'s method, URL and headers whose stream yields exactly `body`. */
function withBody(request: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(request.socket);
  copy.method = request.method;
  copy.url = request.url;
  copy.httpVersion = request.httpVersion;
  copy.httpVersionMajor = request.httpVersionMajor;
  copy.httpVersionMinor = request.httpVersionMinor;
  copy.headers = request.headers;
  copy.rawHeaders = request.rawHeaders;
  copy.trailers = request.trailers;
  copy.rawTrailers = request.rawTrailers;
  copy.complete = true;
  if (body.length > 0) copy.push(body);
  copy.push(null);
  return copy;
}

/**
 * Wraps a listener that buffers request bodies (Bolt's HTTPReceiver, the Teams route) so that it never sees more
 * than `maxBytes`: a declared Content-Length over the cap is refused before any of the body is read, and a body
 * without one (chunked) is counted as it streams in and refused as soon as it passes the cap. A refusal is a 413
 * with `connection: close`; the rest of the body is never read and the connection is closed shortly after, so memory
 * stays flat whatever the sender does. A body within the cap is read whole and handed to `listener` byte for byte
 * (Bolt verifies Slack's HMAC over the raw bytes) on a copy of the request; the listener never runs for a request
 * that was refused or abandoned.
 */
export function limitBody(listener: RequestListener, maxBytes: number): RequestListener {
  return (request, response) => {
    const declared = request.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) {
      refuseTooLarge(request, response, maxBytes);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        request.off('data', onData).off('end', onEnd);
        chunks.length = 0;
        refuseTooLarge(request, response, maxBytes);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => listener(withBody(request, Buffer.concat(chunks, received)), response);
    request.on('data', onData).once('end', onEnd);
  };
}

/**
 * Serves GET /healthz, the adapters' routes (each body capped at MAX_ADAPTER_BODY_BYTES) and, when
 * configured, GET /metrics; everything else goes to the fallback (the dashboard) or is 404. Every request's duration is observed under its route
 * (a fixed path of ours, or "unmatched"), and a platform route's as that platform's acknowledgement time.
 */
export function createHttpServer(status: () => HealthStatus, routes: readonly Route[] = [], options: HttpServerOptions = {}): Server {
  const limited = routes.map((route) => ({ path: route.path, platform: route.platform, listener: limitBody(route.listener, MAX_ADAPTER_BODY_BYTES) }));
  const { metrics, metricsEndpoint, fallback } = options;
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = limited.find((candidate) => candidate.path === url.pathname);
    const ours = route !== undefined || url.pathname === '/healthz' || (metricsEndpoint !== undefined && url.pathname === METRICS_PATH);
    if (!ours && fallback) {
      fallback(request, response);
      return;
    }
    if (metrics) {
      const started = process.hrtime.bigint();
      const template = route?.path ?? (url.pathname === '/healthz' || (metricsEndpoint && url.pathname === METRICS_PATH) ? url.pathname : 'unmatched');
      response.once('finish', () => {
        const seconds = secondsSince(started);
        metrics.observeHttpRequest(template, request.method ?? 'other', response.statusCode, seconds);
        if (route?.platform) metrics.observeAck(route.platform, seconds);
      });
    }
    if (route) {
      route.listener(request, response);
      return;
    }
    if (metricsEndpoint && url.pathname === METRICS_PATH) {
      serveMetrics(metricsEndpoint, request, response);
      return;
    }
    if (url.pathname === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      const body = JSON.stringify(status());
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'not found' }));
  });
}

/** Listens and resolves with the bound port (useful with port 0). Rejects with a sentence on failure. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(new Error(error.code === 'EADDRINUSE' ? `Port ${port} on ${host} is already in use; set PORT to a free port.` : `Cannot listen on ${host}:${port}: ${error.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
