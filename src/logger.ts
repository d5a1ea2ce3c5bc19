import pino from 'pino';

export type Logger = pino.Logger;

/** Field names that may carry credentials or identify a person; redacted wherever they appear. */
const SENSITIVE_FIELDS = [
  'token',
  'botToken',
  'appToken',
  'accessToken',
  'signingSecret',
  'secret',
  'password',
  'appPassword',
  'authorization',
  'signature',
  'userId',
  'user',
  'rawBody',
  'body',
  'respondentKey',
  'respondentKeySecret',
];

export const REDACT_PATHS = [
  ...SENSITIVE_FIELDS,
  ...SENSITIVE_FIELDS.map((field) => `*.${field}`),
  'headers.authorization',
  'headers["x-slack-signature"]',
  '*.headers.authorization',
  '*.headers["x-slack-signature"]',
];

export interface LoggerOptions {
  readonly level: string;
  readonly format: 'auto' | 'json' | 'pretty';
  /** Configured secret values; any that slips into a line anyway is masked before it is written. */
  readonly secrets: readonly string[];
  readonly destination?: pino.DestinationStream;
}

function scrubber(secrets: readonly string[]): (line: string) => string {
  const values = secrets.filter((secret) => secret.length >= 8);
  if (values.length === 0) return (line) => line;
  return (line) => values.reduce((text, secret) => (text.includes(secret) ? text.split(secret).join('[REDACTED]') : text), line);
}

/** The one logger; areas take children (`logger.child({ area: 'outbox' })`). */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true && !options.destination);
  const base: pino.LoggerOptions = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    hooks: { streamWrite: scrubber(options.secrets) },
    base: { service: 'maturity-pulse' },
  };
  if (options.destination) return pino(base, options.destination);
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' } } });
  }
  // Written synchronously: pino's default buffers lines, and a crash would take the last ones with it,
  // which are exactly the lines (an interrupted send, a duplicate) that explain what the crash did.
  return pino(base, pino.destination({ dest: 1, sync: true }));
}
