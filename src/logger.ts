import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Field names that may carry credentials or identify a person. They are redacted at any depth (inside
 * nested objects, arrays and errors), matched ignoring case, `-` and `_`: `Authorization`,
 * `x-slack-signature` and `bot_token` all match.
 */
export const SENSITIVE_FIELDS = [
  'token',
  'botToken',
  'appToken',
  'accessToken',
  'refreshToken',
  'idToken',
  'signingSecret',
  'clientSecret',
  'secret',
  'password',
  'appPassword',
  'authorization',
  'proxyAuthorization',
  'cookie',
  'setCookie',
  'signature',
  'x-slack-signature',
  'apiKey',
  'x-api-key',
  'privateKey',
  'userId',
  'user',
  'rawBody',
  'body',
  'respondentKey',
  'respondentKeySecret',
];

/** Names ending like this are credentials whatever comes before (`slackBotToken`, `SLACK_SIGNING_SECRET`). */
const SENSITIVE_SUFFIXES = ['token', 'secret', 'password', 'signature', 'authorization', 'userid', 'userids', 'respondentkey'];

const CENSOR = '[REDACTED]';
/** Deeper than this, a logged value is cut off: log lines stay small and a walk stays cheap. */
const MAX_DEPTH = 10;

const normalise = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');
const SENSITIVE = new Set(SENSITIVE_FIELDS.map(normalise));

// Log objects reuse the same few dozen keys, so the verdict per key is remembered (bounded).
const verdicts = new Map<string, boolean>();
function isSensitiveKey(key: string): boolean {
  const known = verdicts.get(key);
  if (known !== undefined) return known;
  const name = normalise(key);
  const verdict = SENSITIVE.has(name) || SENSITIVE_SUFFIXES.some((suffix) => name.endsWith(suffix));
  if (verdicts.size < 2000) verdicts.set(key, verdict);
  return verdict;
}

/** Properties of an HTTP client's error that hold whole requests and responses: headers, bodies, options. */
const TRANSPORT_KEYS = new Set(['request', 'response', 'config', 'options', 'headers']);
/** Scalar facts worth keeping from any error, wherever the library put them. */
const ERROR_FACTS = ['name', 'code', 'statusCode', 'status', 'errno', 'syscall'] as const;

/** Marks objects this module built, so a second pass (pino's `err` serializer after the log formatter) is free. */
const SAFE = Symbol('maturity-pulse.log-safe');

type Plain = Record<string, unknown>;

function isError(value: object): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

function markSafe<T extends object>(value: T): T {
  Object.defineProperty(value, SAFE, { value: true, enumerable: false });
  return value;
}

function responseStatus(response: unknown): number | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  const { status, statusCode } = response as { status?: unknown; statusCode?: unknown };
  return typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
}

function serializeErrorObject(error: Error, depth: number, ancestors: Set<object>): Plain {
  ancestors.add(error);
  try {
    // drizzle's query errors append the statement's parameters to the message ("…\nparams: U0123,T1") and
    // keep them in `params`: user ids, respondent keys, token hashes. The statement stays; its values never.
    const withoutParams = (text: string | undefined): string | undefined => (text === undefined ? undefined : text.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, '\nparams: [redacted]'));
    const out: Plain = { type: error.constructor?.name ?? error.name, message: withoutParams(error.message) };
    for (const key of ERROR_FACTS) {
      const value: unknown = (error as unknown as Plain)[key];
      if (value !== undefined && (typeof value === 'string' || typeof value === 'number') && !(key === 'name' && value === out.type)) out[key] = value;
    }
    out.stack = withoutParams(error.stack);
    for (const key of Object.keys(error)) {
      if (Object.hasOwn(out, key) || key === 'cause' || key === 'errors' || key === 'params') continue;
      const value: unknown = (error as unknown as Plain)[key];
      if (TRANSPORT_KEYS.has(key)) {
        // botbuilder and axios errors carry the whole request (headers with the bearer token, the body);
        // only the status is worth a log line.
        const status = key === 'response' ? responseStatus(value) : undefined;
        if (status !== undefined && out.statusCode === undefined) out.statusCode = status;
        continue;
      }
      // PostgreSQL's `detail` names the values of a violated key: "Key (token_hash)=(…) already exists."
      if (key === 'detail' && typeof value === 'string') out[key] = value.replace(/=\([^)]*\)/g, '=(…)');
      else out[key] = isSensitiveKey(key) && value !== undefined ? CENSOR : redactValue(value, depth + 1, ancestors);
    }
    // `cause` and AggregateError's `errors` are own but not enumerable when set by the constructor.
    if (error.cause !== undefined) out.cause = redactValue(error.cause, depth + 1, ancestors);
    const errors: unknown = (error as unknown as Plain).errors;
    if (errors !== undefined) out.errors = redactValue(errors, depth + 1, ancestors);
    return markSafe(out);
  } finally {
    ancestors.delete(error);
  }
}

/**
 * A copy of `value` that is safe to log: sensitive keys censored at any depth, errors reduced to their
 * facts, cycles and depth cut off. Returns `value` itself when nothing needed changing; never mutates it.
 */
function redactValue(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) return '[Circular]';
  if (depth > MAX_DEPTH) return '[Truncated]';
  if (value instanceof Date) return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary, ${value.byteLength} bytes]`;
  try {
    if ((value as { [SAFE]?: boolean })[SAFE] === true) return value;
    if (isError(value)) return serializeErrorObject(value, depth, ancestors);
    // What JSON.stringify would write is what gets walked (a URL's href, a class's chosen shape).
    const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(value);
      if (json !== value) return redactValue(json, depth + 1, ancestors);
    }
    ancestors.add(value);
    try {
      if (Array.isArray(value)) {
        let copy: unknown[] | null = null;
        for (let index = 0; index < value.length; index += 1) {
          const item: unknown = value[index];
          const safe = redactValue(item, depth + 1, ancestors);
          if (safe !== item && copy === null) copy = value.slice(0, index);
          if (copy !== null) copy.push(safe);
        }
        return copy ?? value;
      }
      const source = value as Plain;
      const keys = Object.keys(source);
      let copy: Plain | null = null;
      for (let index = 0; index < keys.length; index += 1) {
        const key = keys[index] as string;
        const item = source[key];
        const safe = isSensitiveKey(key) && item !== undefined ? CENSOR : redactValue(item, depth + 1, ancestors);
        if (safe !== item && copy === null) {
          copy = {};
          for (const earlier of keys.slice(0, index)) copy[earlier] = source[earlier];
        }
        if (copy !== null) copy[key] = safe;
      }
      return copy ?? value;
    } finally {
      ancestors.delete(value);
    }
  } catch {
    // A throwing getter or toJSON: say so rather than lose the whole line.
    return '[Unreadable]';
  }
}

/**
 * The logger's single `err`/`error` serializer, usable on its own: an Error becomes its type, message,
 * code, status, stack and cause chain, without requests, headers, bodies or tokens. Any other value is
 * returned with sensitive keys censored. In log calls prefer passing the error itself: `log.warn({ err }, '…')`.
 */
export function serializeError(error: unknown): unknown {
  return redactValue(error, 0, new Set());
}

/** The fields to spread into a log object for a caught value of unknown type: `{ err: serializedError }`. */
export function errorFields(error: unknown): { readonly err: unknown } {
  return { err: serializeError(error) };
}

/**
 * Credentials recognisable by their shape, wherever they appear in a line (messages, stacks, values):
 * bearer tokens, Slack tokens (`xoxb-`, `xoxp-`, `xoxe.xoxp-`, `xapp-`…) and JWTs.
 */
const CREDENTIAL_PATTERN = /\b(?:([Bb]earer|BEARER)\s+[A-Za-z0-9\-._~+/]{8,}=*|xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)/g;

/** Masks credential-shaped strings and, as a last resort, the configured secret values in a written line. */
function scrubber(secrets: readonly string[]): (line: string) => string {
  // A secret with quotes or backslashes appears JSON-escaped in the line, so both forms are masked.
  const values = [...new Set(secrets.filter((secret) => secret.length >= 8).flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]))];
  return (line) => {
    let text = line.replace(CREDENTIAL_PATTERN, (_match, bearer: string | undefined) => (bearer ? `${bearer} ${CENSOR}` : CENSOR));
    for (const secret of values) if (text.includes(secret)) text = text.split(secret).join(CENSOR);
    return text;
  };
}

export interface LoggerOptions {
  readonly level: string;
  readonly format: 'auto' | 'json' | 'pretty';
  /** Configured secret values; any that slips into a line anyway is masked before it is written. */
  readonly secrets: readonly string[];
  readonly destination?: pino.DestinationStream;
}

/**
 * Child bindings are written once per child, without passing through `formatters.log` (and pino applies
 * its `bindings` formatter only to the root), so `child` is wrapped on the root; children inherit it.
 */
function redactChildBindings(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, options) {
    return child.call(this, redactValue(bindings, 0, new Set()) as pino.Bindings, options);
  } as Logger['child'];
  return logger;
}

/** The one logger; areas take children (`logger.child({ area: 'outbox' })`). */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true && !options.destination);
  const base: pino.LoggerOptions = {
    level: options.level,
    // pino's own `redact` matches fixed paths only; this walks the whole logged object, at any depth.
    formatters: { log: (object) => redactValue(object, 0, new Set()) as Record<string, unknown> },
    serializers: { err: serializeError, error: serializeError },
    hooks: { streamWrite: scrubber(options.secrets) },
    base: { service: 'maturity-pulse' },
  };
  if (options.destination) return redactChildBindings(pino(base, options.destination));
  if (pretty) {
    return redactChildBindings(pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' } } }));
  }
  // Written synchronously: pino's default buffers lines, and a crash would take the last ones with it,
  // which are exactly the lines (an interrupted send, a duplicate) that explain what the crash did.
  return redactChildBindings(pino(base, pino.destination({ dest: 1, sync: true })));
}
