import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ADAPTER_BODY_BYTES } from '../../src/http-server.js';
import { cleanEnv, ServerProcess } from '../support/processes.js';
import { SlackApiStandIn } from '../support/slack-stand-in.js';
import { slackSignature } from '../support/slack-requests.js';
import { channelMessage } from '../support/teams-activities.js';
import { createTestStorage, tempDir, type TestStorage } from '../support/test-context.js';
import { APP_ID, CHANNEL_ID, PLACE, startTeamsHarness, type TeamsHarness } from '../teams/teams-harness.js';

const SIGNING_SECRET = 'body-limit-signing-secret-0123456789';
const FIFTY_MB = 50 * 1024 * 1024;
/** Generous on purpose: buffering the 50 MB body would grow the peak RSS by well over 50 MB. */
const MAX_PEAK_GROWTH_KB = 20 * 1024;

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Body bytes the client handed to the socket before the server closed the connection. */
  readonly bodyBytesSent: number;
}

/** Splits a raw HTTP/1.1 response into status, lower-cased headers and the (de-chunked) body. */
function parseResponse(raw: Buffer, bodyBytesSent: number, socketError: string | null): RawResponse {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new Error(`the connection closed without an HTTP response (${socketError ?? 'no socket error'}; got ${raw.length} bytes)`);
  const [statusLine = '', ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  let body = raw.subarray(headEnd + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    for (let rest = body; ; ) {
      const lineEnd = rest.indexOf('\r\n');
      const size = Number.parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (!size) break;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8'), bodyBytesSent };
}

/**
 * One POST on a fresh loopback connection, written as a client would: the head, then the body, each piece as its own
 * HTTP/1.1 chunk (`chunked`) or as it is (`raw`, after a declared Content-Length), never faster than the server
 * reads, and going on after the server has answered, as an uploader that does not look at the response would.
 * Resolves once the server has closed the connection, with what it answered; a server that answers but never closes
 * makes this wait until the test's timeout.
 */
function post(port: number, path: string, headers: Record<string, string>, body: Iterable<Buffer>, framing: 'chunked' | 'raw'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // Half-open, so that the server's FIN does not end our side before the body is written.
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const received: Buffer[] = [];
    let sent = 0;
    let writing = true;
    let serverEnded = false;
    let closed = false;
    let socketError: string | null = null;
    const whenClosed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // A server that stops reading makes further writes fail (EPIPE, ECONNRESET): expected, and reported with the result.
    socket.on('error', (error: NodeJS.ErrnoException) => (socketError = error.code ?? error.message));
    socket.once('end', () => {
      serverEnded = true;
      if (!writing) socket.end();
    });
    socket.once('close', () => {
      closed = true;
      try {
        resolve(parseResponse(Buffer.concat(received), sent, socketError));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    const head = Object.entries({ host: `127.0.0.1:${port}`, ...headers, ...(framing === 'chunked' ? { 'transfer-encoding': 'chunked' } : {}) })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.once('connect', () => {
      void (async () => {
        socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
        for (const chunk of body) {
          if (closed) return;
          const framed = framing === 'chunked' ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
          const flushed = socket.write(framed);
          sent += chunk.length;
          if (!flushed) await Promise.race([new Promise((drained) => socket.once('drain', drained)), whenClosed]);
        }
        if (closed) return;
        if (framing === 'chunked') socket.write('0\r\n\r\n');
        writing = false;
        if (serverEnded) socket.end();
      })();
    });
  });
}

/** `buffer` in pieces of `size` bytes (an odd size splits multi-byte characters, as TCP may). */
function* pieces(buffer: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size);
}

/** `total` bytes of filler in 64 KiB chunks, generated as they are sent so that the client's memory stays flat too. */
function* filler(total: number): Generator<Buffer> {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  for (let sent = 0; sent < total; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, total - sent));
}

/** A url_verification event whose JSON is exactly `bytes` long in UTF-8, padded with two-byte characters. */
function verificationOfSize(bytes: number, challenge: string): string {
  const base = Buffer.byteLength(JSON.stringify({ token: 'x', challenge, type: 'url_verification', padding: '' }));
  const room = bytes - base;
  const padding = 'ü'.repeat(Math.floor(room / 2)) + 'a'.repeat(room % 2);
  const body = JSON.stringify({ token: 'x', challenge, type: 'url_verification', padding });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

function signedHeaders(body: string, contentType: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body), connection: 'close' };
}

/** A Linux process's resident set size and its peak since the last reset, in KiB, from /proc. */
function memoryKb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Expects the refusal: 413, a short JSON body and `connection: close` (`post` resolves only once the server closed). */
function expectRefused(response: RawResponse): void {
  expect(response.status).toBe(413);
  expect(response.headers.connection).toBe('close');
  expect(JSON.parse(response.body)).toEqual({ error: 'payload too large', limitBytes: MAX_ADAPTER_BODY_BYTES });
}

describe('the body cap on /slack/events (the built server, as a child process)', () => {
  let slack: SlackApiStandIn;
  let server: ServerProcess;
  let port: number;
  let cleanup: () => void;
  let storage: TestStorage;
  beforeAll(async () => {
    slack = new SlackApiStandIn({ teamId: 'T0001' });
    await slack.start();
    const temp = tempDir('mp-body-limit-');
    cleanup = temp.cleanup;
    // The live process on this project's engine (a SQLite file, or a PostgreSQL database).
    storage = await createTestStorage(temp.dir);
    server = new ServerProcess(
      cleanEnv(temp.dir, {
        ...storage.env,
        PORT: '0',
        SLACK_BOT_TOKEN: 'xoxb-body-limit-token',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        RESPONDENT_KEY_SECRET: 'respondent-secret-for-the-body-limit-tests',
        // A yearly tick: nothing but the requests below runs in the process while its memory is measured.
        TICK_CRON: '0 0 1 1 *',
      }),
    );
    port = await server.port();
  });
  afterAll(async () => {
    await server.stop('SIGKILL');
    await slack.stop();
    await storage.drop();
    cleanup();
  });

  it('still hands a signed, normal-size slash command to Bolt: 200 and the help text', async () => {
    const body = new URLSearchParams({ command: '/maturity', text: 'help', user_id: 'U1', user_name: 'u1', team_id: 'T0001', channel_id: 'C1', channel_name: 'payments' }).toString();
    const response = await post(port, '/slack/events', signedHeaders(body, 'application/x-www-form-urlencoded'), [Buffer.from(body)], 'chunked');
    expect(response.status).toBe(200);
    expect(response.body).toContain('/maturity report [aspect]');
  });

  it('hands a signed body of exactly the cap, sent in 997-byte chunks, to Bolt byte for byte, and refuses one byte more', async () => {
    const atCap = verificationOfSize(MAX_ADAPTER_BODY_BYTES, 'challenge-at-the-cap');
    const accepted = await post(port, '/slack/events', signedHeaders(atCap, 'application/json'), pieces(Buffer.from(atCap), 997), 'chunked');
    // Bolt answers the challenge only after its HMAC over the raw bytes matched.
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.body)).toEqual({ challenge: 'challenge-at-the-cap' });

    const overCap = verificationOfSize(MAX_ADAPTER_BODY_BYTES + 1, 'challenge-over-the-cap');
    expectRefused(await post(port, '/slack/events', signedHeaders(overCap, 'application/json'), pieces(Buffer.from(overCap), 997), 'chunked'));
  });

  it('answers 413 to a declared 50 MB Content-Length without reading the body that follows, and closes the connection', async () => {
    const response = await post(port, '/slack/events', { 'content-type': 'application/json', 'content-length': String(FIFTY_MB) }, filler(FIFTY_MB), 'raw');
    expectRefused(response);
    // Had the server read (even to discard) the body, the sender would have got all of it through.
    expect(response.bodyBytesSent).toBeLessThan(FIFTY_MB);
  });

  it("answers 413 to a streamed 50 MB chunked body, stops reading it, and keeps the server's memory flat", async () => {
    const pid = server.child.pid;
    if (pid === undefined) throw new Error('the server process has no pid');
    const measurable = existsSync(`/proc/${pid}/clear_refs`);
    // Writing 5 resets the peak RSS (VmHWM) to the current RSS, so the peak read afterwards belongs to this upload.
    if (measurable) writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const before = measurable ? memoryKb(pid) : null;

    const response = await post(port, '/slack/events', { 'content-type': 'application/json' }, filler(FIFTY_MB), 'chunked');
    expectRefused(response);
    // The server closed the connection long before the sender could push 50 MB through the socket buffers.
    expect(response.bodyBytesSent).toBeLessThan(FIFTY_MB);
    if (before) {
      const after = memoryKb(pid);
      expect(after.peak - before.rss, `peak RSS grew from ${before.rss} kB to ${after.peak} kB`).toBeLessThan(MAX_PEAK_GROWTH_KB);
    }
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});

describe('the body cap on /api/messages (the real app in-process, with the Teams stand-ins)', () => {
  let h: TeamsHarness;
  let port: number;
  beforeAll(async () => {
    h = await startTeamsHarness();
    port = h.server.port;
  });
  afterAll(async () => h.close());

  it('still hands an authenticated activity sent in 7-byte chunks to botbuilder: 200 and the reply in the thread', async () => {
    const activity = channelMessage({ appId: APP_ID, serviceUrl: h.teams.connector.serviceUrl, tenantId: h.teams.tenantId, from: h.admin, ...PLACE, command: 'help' });
    const body = Buffer.from(JSON.stringify(activity));
    const headers = { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${await h.teams.channelToken()}`, connection: 'close' };
    const response = await post(port, '/api/messages', headers, pieces(body, 7), 'chunked');
    expect(response.status).toBe(200);
    expect(JSON.stringify(h.teams.connector.activities(CHANNEL_ID).filter((stored) => stored.threadRootId === activity.id))).toContain('role add');
  });

  it('answers 413 to a declared Content-Length over the cap and to a streamed 50 MB body, and closes the connection', async () => {
    const headers = { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${await h.teams.channelToken()}` };
    // Only the head: the answer must not wait for any of the body.
    const declared = await post(port, '/api/messages', { ...headers, 'content-length': String(FIFTY_MB) }, [], 'raw');
    expectRefused(declared);
    const streamed = await post(port, '/api/messages', headers, filler(FIFTY_MB), 'chunked');
    expectRefused(streamed);
    expect(streamed.bodyBytesSent).toBeLessThan(FIFTY_MB);
  });
});
