/**
 * A loopback proxy in front of the Slack Web API stand-in that makes posting slow, so a process killed at
 * a random moment is often killed in the middle of a send. The stand-in itself answers at once and has no
 * latency hook, and it lives in the test process, so it survives the kills.
 *
 * A slow method waits twice: once before the request reaches Slack (a kill then means nothing was posted)
 * and once before the answer goes back (a kill then means Slack posted but the bot never learnt the ts).
 * Both leave the delivery in 'sending' with an unknown outcome, which is what the crash test is about.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The calls that post or edit something a person sees. */
const SLOW_METHODS = new Set(['chat.postMessage', 'chat.update', 'files.completeUploadExternal']);

export interface SlowSlackProxyOptions {
  /** The stand-in's `apiUrl` (`http://127.0.0.1:PORT/api/`). */
  readonly targetApiUrl: string;
  /** Milliseconds to hold a slow call before forwarding it, and again before answering; called per call. */
  readonly delayMs: () => { readonly before: number; readonly after: number };
}

export interface SlowSlackProxyStats {
  /** Slow calls whose request reached the stand-in. */
  forwarded: number;
  /** Slow calls whose caller was gone before the request was forwarded: nothing was posted. */
  droppedBeforeSlack: number;
  /** Slow calls the stand-in answered after their caller was gone: posted, but the bot never heard. */
  answersLost: number;
}

/** A slow call the bot has made and not yet heard back from. */
export interface InFlightCall {
  readonly method: string;
  /** The form fields of the call (WebClient sends form bodies), e.g. `channel` and `text`. */
  readonly fields: Readonly<Record<string, string>>;
  /** Slack has answered this call and the proxy is holding the answer back (see `holdAnswers`). */
  readonly answerHeld: boolean;
}

interface TrackedCall {
  readonly method: string;
  readonly fields: Readonly<Record<string, string>>;
  answerHeld: boolean;
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    // A caller killed half-way through sending its body never sent the request at all.
    req.on('aborted', () => resolve(null));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SlowSlackProxy {
  readonly stats: SlowSlackProxyStats = { forwarded: 0, droppedBeforeSlack: 0, answersLost: 0 };
  private readonly calls = new Set<TrackedCall>();
  /** While set, answers wait here until `releaseAnswers` or until their caller is gone. */
  private hold: { readonly released: Promise<void>; readonly release: () => void } | undefined;
  private server: Server | undefined;
  private port = 0;
  private readonly target: URL;

  constructor(private readonly options: SlowSlackProxyOptions) {
    this.target = new URL(options.targetApiUrl);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`slow proxy error: ${error instanceof Error ? error.message : String(error)}`);
        }
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
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** What the bot's SLACK_API_URL should be. */
  get apiUrl(): string {
    if (!this.server) throw new Error('SlowSlackProxy is not started');
    return `http://127.0.0.1:${this.port}/api/`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === null) return;
    const method = decodeURIComponent((req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '');
    const slow = SLOW_METHODS.has(method);
    if (!slow) return this.pass(req, res, body);
    const call: TrackedCall = { method, fields: Object.fromEntries(new URLSearchParams(body.toString('utf8'))), answerHeld: false };
    this.calls.add(call);
    try {
      await this.slowly(req, res, body, call);
    } finally {
      this.calls.delete(call);
    }
  }

  /** The slow calls received and not yet answered or dropped, at this moment. */
  inFlight(): InFlightCall[] {
    return [...this.calls].map((call) => ({ ...call }));
  }

  /**
   * From now on, hold back every slow call's answer once Slack has given it, until `releaseAnswers`. A
   * test that kills the bot while answers are held knows exactly which posts the bot never heard of: the
   * calls `inFlight` reports with `answerHeld`.
   */
  holdAnswers(): void {
    if (this.hold) return;
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.hold = { released, release };
  }

  /** Lets held answers go to their callers (those still there). */
  releaseAnswers(): void {
    const hold = this.hold;
    this.hold = undefined;
    hold?.release();
  }

  private async pass(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const answer = await this.forward(req, body);
    if (res.destroyed) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private async slowly(req: IncomingMessage, res: ServerResponse, body: Buffer, call: TrackedCall): Promise<void> {
    const delay = this.options.delayMs();
    // Whether the caller is still there: a SIGKILLed bot closes its sockets, which the response sees.
    let callerGone = false;
    let onCallerGone = (): void => undefined;
    const gone = new Promise<void>((resolve) => {
      onCallerGone = resolve;
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        callerGone = true;
        onCallerGone();
      }
    });
    await sleep(delay.before);
    if (callerGone) {
      this.stats.droppedBeforeSlack += 1;
      return;
    }
    const answer = await this.forward(req, body);
    this.stats.forwarded += 1;
    await sleep(delay.after);
    const hold = this.hold;
    if (hold && !callerGone) {
      call.answerHeld = true;
      await Promise.race([hold.released, gone]);
      call.answerHeld = false;
    }
    if (callerGone || res.destroyed) {
      this.stats.answersLost += 1;
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers[name] = value;
    }
    headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: this.target.hostname, port: this.target.port, method: req.method ?? 'POST', path: req.url ?? '/', headers },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () => {
            const answerHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (typeof value === 'string' && name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') answerHeaders[name] = value;
            }
            resolve({ status: incoming.statusCode ?? 502, headers: answerHeaders, body: Buffer.concat(chunks) });
          });
          incoming.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}
