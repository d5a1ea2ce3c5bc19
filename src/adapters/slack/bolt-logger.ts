import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';

/**
 * Lines that quote payloads: Bolt's parse errors echo request bodies, and at debug level the Socket Mode
 * client and the Web API client print whole envelopes and request bodies (who clicked what, comments).
 * Those lines are logged without their detail.
 */
const BODY_ECHOING = /^(Malformed request body|Failed to parse|Received a message on the WebSocket|Sending a WebSocket message|Calling ack\(\)|Unable to parse an incoming WebSocket message|http request body)/;

function line(parts: unknown[]): string {
  const text = parts.map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
  const echo = BODY_ECHOING.exec(text);
  return echo ? `${echo[1] ?? 'Request'} (details not logged: they may quote the request body)` : text;
}

/** Routes Bolt's and the Web API client's own logging into the app's pino logger. */
export function boltLogger(log: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  return {
    debug: (...parts: unknown[]) => log.debug(line(parts)),
    info: (...parts: unknown[]) => log.info(line(parts)),
    warn: (...parts: unknown[]) => log.warn(line(parts)),
    error: (...parts: unknown[]) => log.error(line(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
