import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { createLogger, errorFields, serializeError } from '../src/logger.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib3QtZnJhbWV3b3JrIn0.c2lnbmF0dXJlLXNlY3JldA';
const CONFIGURED_SECRET = 'configured-signing-secret-value';

/** A real pino logger writing to a stream whose lines the test reads back as JSON. */
function capture(): { log: ReturnType<typeof createLogger>; text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const log = createLogger({ level: 'debug', format: 'json', secrets: [CONFIGURED_SECRET], destination });
  const text = () => chunks.join('');
  return {
    log,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Shaped like botbuilder's RestError: the whole outgoing request, bearer token included, hangs off the error. */
function connectorError() {
  return Object.assign(new Error('401'), {
    code: 'Unauthorized',
    statusCode: 401,
    request: { url: 'https://smba.trafficmanager.net/v3/conversations', headers: { Authorization: `Bearer ${JWT}` }, body: '{"text":"private comment"}' },
    response: { status: 401, headers: { 'set-cookie': 'session=cookie-secret-value' }, bodyAsText: 'token-in-response-body' },
    details: { response: { request: { method: 'POST', headers: { authorization: `Bearer ${JWT}` } } } },
  });
}

describe('logger redaction', () => {
  it('censors credentials nested three levels down in a logged plain object', () => {
    const { log, text, lines } = capture();
    const err = { message: 'request failed', code: 'E401', details: { response: { request: { headers: { authorization: `Bearer ${JWT}`, 'X-Slack-Signature': 'v0=deadbeefsignature', accept: 'application/json' } } } } };
    const before = JSON.stringify(err);
    log.error({ err }, 'connector call failed');
    expect(text()).not.toContain(JWT);
    expect(text()).not.toContain('deadbeefsignature');
    const [line] = lines();
    expect(line).toMatchObject({
      msg: 'connector call failed',
      err: { message: 'request failed', code: 'E401', details: { response: { request: { headers: { authorization: '[REDACTED]', 'X-Slack-Signature': '[REDACTED]', accept: 'application/json' } } } } },
    });
    expect(JSON.stringify(err)).toBe(before);
  });

  it('serialises a thrown error with its cause chain, keeping message, code and stack but not requests or tokens', () => {
    const { log, text, lines } = capture();
    const inner = connectorError();
    const outer = new Error('could not send the round message', { cause: new Error('retry exhausted', { cause: inner }) });
    Object.assign(outer, { code: 'send-failed', context: { teamId: 7, botToken: 'xoxb-123456-abcdef-secret' } });
    try {
      throw outer;
    } catch (error) {
      log.warn({ err: error }, 'send failed');
      log.error(error);
    }
    const output = text();
    for (const leaked of [JWT, 'private comment', 'cookie-secret-value', 'token-in-response-body', 'xoxb-123456-abcdef-secret']) expect(output).not.toContain(leaked);
    const [first, second] = lines();
    expect(first).toMatchObject({
      msg: 'send failed',
      err: {
        type: 'Error',
        message: 'could not send the round message',
        code: 'send-failed',
        context: { teamId: 7, botToken: '[REDACTED]' },
        cause: {
          message: 'retry exhausted',
          cause: { message: '401', code: 'Unauthorized', statusCode: 401, details: { response: { request: { method: 'POST', headers: { authorization: '[REDACTED]' } } } } },
        },
      },
    });
    const err = first?.err as { stack?: string; cause: { cause: Record<string, unknown> } };
    expect(err.stack).toMatch(/^Error: could not send the round message\n\s+at /);
    expect(err.cause.cause).not.toHaveProperty('request');
    expect(err.cause.cause).not.toHaveProperty('response');
    // Logged bare, the error lands under `err` and its message becomes the line's message.
    expect(second).toMatchObject({ msg: 'could not send the round message', err: { code: 'send-failed' } });
    // The caller's error is untouched: its request still carries the header it had.
    expect(inner.request.headers.Authorization).toBe(`Bearer ${JWT}`);
    expect((outer as unknown as { context: { botToken: string } }).context.botToken).toBe('xoxb-123456-abcdef-secret');
  });

  it('logs a failed query with its statement but never its parameters or the key values PostgreSQL names', () => {
    const { log, text } = capture();
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "access_tokens_hash_unique"'), { code: '23505', detail: 'Key (token_hash)=(9f2c0ffee) already exists.' });
    log.error({ err: new DrizzleQueryError('select * from roles where user_id = $1 and workspace_id = $2', ['U0SECRETUSER', 'T0WORKSPACE'], cause) }, 'a dashboard request failed');
    const logged = text();
    expect(logged).toContain('select * from roles where user_id = $1');
    expect(logged).toContain('23505');
    for (const value of ['U0SECRETUSER', 'T0WORKSPACE', '9f2c0ffee']) expect(logged).not.toContain(value);
  });

  it('censors sensitive keys in any case and spelling, inside arrays, and in child bindings', () => {
    const { log, text, lines } = capture();
    const payload = {
      token: 'plain-token-value',
      botToken: 'bot-token-value',
      SLACK_APP_TOKEN: 'app-token-value',
      'x-slack-signature': 'v0=signature-value',
      password: 'password-value',
      respondentKey: 'respondent-key-value',
      channel: 'C0123',
      installs: [
        { team: 'T1', bot_token: 'array-token-1' },
        { team: 'T2', auth: { Authorization: 'Basic array-basic-credential' } },
        [{ userId: 'U-nested-in-array' }],
      ],
    };
    const before = structuredClone(payload);
    log.child({ area: 'slack', userId: 'U-in-binding' }).info(payload, 'install');
    for (const leaked of ['plain-token-value', 'bot-token-value', 'app-token-value', 'signature-value', 'password-value', 'respondent-key-value', 'array-token-1', 'array-basic-credential', 'U-nested-in-array', 'U-in-binding']) {
      expect(text()).not.toContain(leaked);
    }
    expect(lines()[0]).toMatchObject({ area: 'slack', userId: '[REDACTED]', channel: 'C0123', installs: [{ team: 'T1', bot_token: '[REDACTED]' }, { team: 'T2', auth: { Authorization: '[REDACTED]' } }, [{ userId: '[REDACTED]' }]] });
    expect(payload).toEqual(before);
  });

  it('logs a cyclic object once, marking the cycle, without touching it', () => {
    const { log, text, lines } = capture();
    const node: Record<string, unknown> = { name: 'round', secret: 'cyclic-secret-value' };
    node.self = node;
    node.children = [{ parent: node, accessToken: 'cyclic-access-token' }];
    log.info({ node }, 'cycle');
    expect(text()).not.toContain('cyclic-secret-value');
    expect(text()).not.toContain('cyclic-access-token');
    expect(lines()[0]).toMatchObject({ node: { name: 'round', secret: '[REDACTED]', self: '[Circular]', children: [{ parent: '[Circular]', accessToken: '[REDACTED]' }] } });
    expect(node.secret).toBe('cyclic-secret-value');
    expect(node.self).toBe(node);
  });

  it('ends a cause chain that loops back on itself', () => {
    const { log, lines } = capture();
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    Object.defineProperty(first, 'cause', { value: second });
    log.error({ err: first }, 'loop');
    expect(lines()[0]).toMatchObject({ err: { message: 'first', cause: { message: 'second', cause: '[Circular]' } } });
  });

  it('masks bearer tokens, Slack tokens, JWTs and configured secrets inside strings and messages', () => {
    const { log, text } = capture();
    log.warn({ detail: `upstream said: Authorization: Bearer ${JWT}` }, 'request to https://slack.com with xoxb-1111-2222-abcdefsecret failed');
    log.info(`socket mode with xapp-1-A0-777-appsecret and a raw ${JWT}`);
    log.error(new Error(`signature check failed for ${CONFIGURED_SECRET}`));
    const output = text();
    for (const leaked of [JWT, 'abcdefsecret', 'appsecret', CONFIGURED_SECRET]) expect(output).not.toContain(leaked);
    expect(output).toContain('Authorization: Bearer [REDACTED]');
    expect(output).toContain('request to https://slack.com with [REDACTED] failed');
    expect(output).toContain('signature check failed for [REDACTED]');
  });

  it('cuts off values nested deeper than ten levels instead of walking them', () => {
    const { log, lines } = capture();
    let deep: Record<string, unknown> = { token: 'deepest-token' };
    for (let level = 0; level < 15; level += 1) deep = { next: deep };
    log.info({ deep }, 'deep');
    expect(JSON.stringify(lines()[0])).toContain('[Truncated]');
    expect(JSON.stringify(lines()[0])).not.toContain('deepest-token');
  });
});

describe('serializeError', () => {
  it('gives a JSON-ready object for any caught value', () => {
    const error = Object.assign(new TypeError('bad input'), { statusCode: 400, headers: { authorization: 'Bearer abcdefghijkl' } });
    expect(JSON.parse(JSON.stringify(errorFields(error)))).toMatchObject({ err: { type: 'TypeError', message: 'bad input', statusCode: 400 } });
    expect(JSON.stringify(serializeError(error))).not.toContain('abcdefghijkl');
    expect(serializeError('a plain string')).toBe('a plain string');
    expect(serializeError({ reason: 'x', password: 'p4ssw0rd' })).toEqual({ reason: 'x', password: '[REDACTED]' });
  });
});
