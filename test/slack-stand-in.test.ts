import { webApi } from '@slack/bolt';

const { ErrorCode, LogLevel, WebClient } = webApi;
type Logger = webApi.Logger;
type WebAPICallResult = webApi.WebAPICallResult;
type WebClient = webApi.WebClient;
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blockKitProblems, isRecord, viewProblems } from './support/block-kit-limits.js';
import { SlackApiStandIn } from './support/slack-stand-in.js';

const TOKEN = 'xoxb-test-token';

// WebClient logs Slack's [ERROR] response messages; the tests assert them instead.
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

function clientFor(standIn: SlackApiStandIn, token = TOKEN): WebClient {
  return new WebClient(token, {
    slackApiUrl: standIn.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: silentLogger,
  });
}

function seed(standIn: SlackApiStandIn): void {
  for (const id of ['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'UOUT']) standIn.addUser({ id, name: `user-${id.toLowerCase()}` });
  standIn.addUser({ id: 'UBERLIN', name: 'berlin', timeZone: 'Europe/Berlin' });
  standIn.addChannel({ id: 'C1', name: 'platform', members: ['U1', 'U2', 'U3'] });
  standIn.addChannel({ id: 'C2', name: 'second', members: ['U1'] });
  standIn.addChannel({ id: 'CBIG', name: 'big', members: ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'] });
  standIn.addChannel({ id: 'CNOBOT', name: 'no-bot', members: ['U1'], botIsMember: false });
  standIn.addChannel({ id: 'CARCH', name: 'archived', members: ['U1'], archived: true });
  standIn.addChannel({ id: 'CPRIV', name: 'secret', members: ['U1'], isPrivate: true, botIsMember: false });
}

/** A block as JSON: Slack's `Block` shape without the SDK's narrower unions, so tests can send invalid ones. */
interface BlockJson {
  type: string;
  [key: string]: unknown;
}

const section = (text: string): BlockJson => ({ type: 'section', text: { type: 'mrkdwn', text } });
const buttonBlock = (label: string): BlockJson => ({
  type: 'actions',
  elements: [{ type: 'button', action_id: 'answer', text: { type: 'plain_text', text: label }, value: '3' }],
});
const modal = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'modal',
  callback_id: 'pulse_answer',
  title: { type: 'plain_text', text: 'Pulse check' },
  submit: { type: 'plain_text', text: 'Send' },
  blocks: [
    {
      type: 'input',
      block_id: 'q1',
      label: { type: 'plain_text', text: 'How often do you deploy?' },
      element: { type: 'plain_text_input', action_id: 'value', max_length: 500 },
    },
  ],
  ...overrides,
});

/** The view in a views.* result: apiCall results are untyped, and these tests send views Slack's types would refuse. */
function viewOf(result: WebAPICallResult): { id: string; hash: string; view: Record<string, unknown> } {
  const view = 'view' in result ? result.view : undefined;
  if (!isRecord(view) || typeof view['id'] !== 'string' || typeof view['hash'] !== 'string') throw new Error('result has no view');
  return { id: view['id'], hash: view['hash'], view };
}

/** Slack's wording for a Block Kit problem, as in `response_metadata.messages`. */
function slackError(message: string, pointer: string): string {
  return `[ERROR] ${message} [json-pointer:${pointer}]`;
}

/** Slack's problem for a string over `limit` characters. */
function tooLong(limit: number, pointer: string): string {
  return slackError(`must be less than ${limit + 1} characters`, pointer);
}

async function rawPost(standIn: SlackApiStandIn, method: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${standIn.apiUrl}${method}`, { method: 'POST', body, headers });
}

/** A valid 2×2 RGB PNG; its bytes include 0x00 and 0xff, so any text decoding on the way would show. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFElEQVR4nGP4z8DAwAAi/v///x8AHu8F+5BApdwAAAAASUVORK5CYII=', 'base64');
/** Non-ASCII on purpose: its byte length (what `length` announces) differs from its character count. */
const CSV = 'team,aspect,level\nplatform,deploys,3\nZürich,Überwachung,2\n';

/** A form-encoded Web API call outside WebClient, answering its JSON. */
async function formCall(standIn: SlackApiStandIn, method: string, fields: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await rawPost(standIn, method, new URLSearchParams(fields).toString(), {
    authorization: `Bearer ${TOKEN}`,
    'content-type': 'application/x-www-form-urlencoded',
  });
  const body: unknown = await response.json();
  if (!isRecord(body)) throw new Error('answer is not a JSON object');
  return body;
}

/** files.getUploadURLExternal by hand: the upload URL and file id. */
async function announce(standIn: SlackApiStandIn, filename: string, length: number): Promise<{ url: string; fileId: string }> {
  const answer = await formCall(standIn, 'files.getUploadURLExternal', { filename, length: String(length) });
  if (typeof answer['upload_url'] !== 'string' || typeof answer['file_id'] !== 'string') throw new Error(`no upload URL: ${JSON.stringify(answer)}`);
  return { url: answer['upload_url'], fileId: answer['file_id'] };
}

describe('SlackApiStandIn with the real WebClient', () => {
  let standIn: SlackApiStandIn;
  let client: WebClient;

  beforeEach(async () => {
    standIn = new SlackApiStandIn();
    seed(standIn);
    await standIn.start();
    client = clientFor(standIn);
  });

  afterEach(async () => {
    await standIn.stop();
  });

  it('answers auth.test with the bot identity Bolt reads at start-up', async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({ ok: true, team_id: 'T0001', user_id: 'UBOT', bot_id: 'BBOT' });
    expect(standIn.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('posts a message with blocks sent as a form field holding JSON, with a Bearer token', async () => {
    const blocks = [section('*Pulse* is open'), buttonBlock('Answer')];
    const result = await client.chat.postMessage({ channel: 'C1', text: 'Pulse is open', blocks });

    expect(result.ok).toBe(true);
    expect(result.channel).toBe('C1');
    expect(result.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(result.message).toMatchObject({ text: 'Pulse is open', user: 'UBOT', bot_id: 'BBOT' });

    const [call] = standIn.callsTo('chat.postMessage');
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call?.body['blocks']).toEqual(blocks);

    const shown = standIn.messages('C1');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ ts: result.ts, text: 'Pulse is open', blocks: [{ type: 'section' }, { type: 'actions' }] });
    // Slack fills in block ids the sender left out.
    expect(shown[0]?.blocks?.every((block) => typeof (block as { block_id?: unknown }).block_id === 'string')).toBe(true);
  });

  it('threads replies under the parent and refuses a message with neither text nor blocks', async () => {
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'Weekly digest' });
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'Details', thread_ts: parent.ts! });
    expect(reply.message?.thread_ts).toBe(parent.ts);
    expect(standIn.messages('C1')[0]).toMatchObject({ ts: parent.ts, thread_ts: parent.ts, reply_count: 1 });

    await expect(client.chat.postMessage({ channel: 'C1', text: '' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'no_text' },
    });
  });

  it('truncates text longer than 40,000 characters instead of refusing it', async () => {
    const result = await client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) });
    expect(result.message?.text).toHaveLength(40_000);
    expect(standIn.messages('C1')[0]?.text).toHaveLength(40_000);
  });

  it('posts to a user id as a DM', async () => {
    const result = await client.chat.postMessage({ channel: 'U2', text: 'Your pulse question' });
    expect(result.channel).toBe(standIn.dmChannelId('U2'));
    expect(standIn.messages('U2').map((message) => message.text)).toEqual(['Your pulse question']);
    const opened = await client.conversations.open({ users: 'U2' });
    expect(opened.channel?.id).toBe(result.channel);
  });

  it('updates its own message, keeps blocks that the update omits, and refuses other messages', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'Round open', blocks: [section('Round open')] });
    const updated = await client.chat.update({ channel: 'C1', ts: posted.ts!, text: 'Round closed' });

    expect(updated).toMatchObject({ ok: true, channel: 'C1', ts: posted.ts, text: 'Round closed' });
    const [shown] = standIn.messages('C1');
    expect(shown).toMatchObject({ ts: posted.ts, text: 'Round closed', blocks: [{ type: 'section', text: { text: 'Round open' } }] });
    expect(shown?.edited?.user).toBe('UBOT');

    await expect(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'nope' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    const humanTs = standIn.addUserMessage('C1', { user: 'U1', text: 'hello' });
    await expect(client.chat.update({ channel: 'C1', ts: humanTs, text: 'edited' })).rejects.toMatchObject({
      data: { error: 'cant_update_message' },
    });
    expect(standIn.messages('C1')[1]?.text).toBe('hello');
  });

  it('posts an ephemeral only to members of the channel', async () => {
    const result = await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'Only you can see this' });
    expect(result.ok).toBe(true);
    expect(result.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(standIn.ephemerals('U1')).toEqual([
      expect.objectContaining({ channel: 'C1', text: 'Only you can see this', message_ts: result.message_ts }),
    ]);
    expect(standIn.messages('C1')).toEqual([]);

    await expect(client.chat.postEphemeral({ channel: 'C1', user: 'UOUT', text: 'hi' })).rejects.toMatchObject({
      data: { error: 'user_not_in_channel' },
    });
    expect(standIn.ephemerals('UOUT')).toEqual([]);
  });

  it('refuses a button label of 76 characters with invalid_blocks and accepts 75', async () => {
    const attempt = client.chat.postMessage({ channel: 'C1', text: 'fallback', blocks: [buttonBlock('b'.repeat(76))] });
    await expect(attempt).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: {
        error: 'invalid_blocks',
        errors: ['must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]'],
        response_metadata: { messages: ['[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]'] },
      },
    });
    expect(standIn.messages('C1')).toEqual([]);

    await client.chat.postMessage({ channel: 'C1', text: 'fallback', blocks: [buttonBlock('b'.repeat(75))] });
    expect(standIn.messages('C1')).toHaveLength(1);
  });

  it('refuses 51 blocks in a message and accepts 50', async () => {
    const blocks = (count: number): BlockJson[] => Array.from({ length: count }, (_, index) => section(`line ${index}`));
    await expect(client.chat.postMessage({ channel: 'C1', text: 'long', blocks: blocks(51) })).rejects.toMatchObject({
      data: { error: 'invalid_blocks', response_metadata: { messages: [slackError('no more than 50 items allowed', '/blocks')] } },
    });
    await client.chat.postMessage({ channel: 'C1', text: 'long', blocks: blocks(50) });
    expect(standIn.messages('C1')[0]?.blocks).toHaveLength(50);
  });

  it('answers not_in_channel, channel_not_found, is_archived and then token_revoked', async () => {
    await expect(client.chat.postMessage({ channel: 'CNOBOT', text: 'hi' })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
    await expect(client.chat.postMessage({ channel: 'CNOPE', text: 'hi' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    // A private channel the bot is not in is invisible to it.
    await expect(client.chat.postMessage({ channel: 'CPRIV', text: 'hi' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.conversations.info({ channel: 'CPRIV' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.chat.postMessage({ channel: 'CARCH', text: 'hi' })).rejects.toMatchObject({ data: { error: 'is_archived' } });

    standIn.revokeToken();
    await expect(client.auth.test()).rejects.toMatchObject({ data: { error: 'token_revoked' } });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toMatchObject({ data: { error: 'token_revoked' } });
    expect(standIn.messages('C1')).toEqual([]);
  });

  it('rejects a wrong token with invalid_auth', async () => {
    await expect(clientFor(standIn, 'xoxb-wrong').auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });

  it('rate-limits a burst of five posts to one channel with 429 and Retry-After', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, index) => client.chat.postMessage({ channel: 'C1', text: `message ${index}` })),
    );
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    expect(fulfilled).toHaveLength(3);
    expect(rejected).toHaveLength(2);
    for (const reason of rejected) {
      expect(reason).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 1 });
    }
    // Rate-limited calls are recorded but change nothing.
    expect(standIn.callsTo('chat.postMessage').map((call) => call.status).sort()).toEqual([200, 200, 200, 429, 429]);
    expect(standIn.messages('C1')).toHaveLength(3);
    // The limit is per channel.
    await client.chat.postMessage({ channel: 'C2', text: 'elsewhere' });

    const raw = await rawPost(standIn, 'chat.postMessage', 'channel=C1&text=again', {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('forces one 429 or one error on request', async () => {
    standIn.rateLimitNext('chat.postMessage', 7);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    standIn.failNext('chat.postMessage', 'internal_error');
    await expect(client.chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toMatchObject({ data: { error: 'internal_error' } });
    await client.chat.postMessage({ channel: 'C1', text: 'third time' });
    expect(standIn.messages('C1').map((message) => message.text)).toEqual(['third time']);
  });

  it('opens a modal with a fresh trigger once; a used trigger is exchanged, an unknown one invalid', async () => {
    const trigger = standIn.issueTriggerId('U1');
    const opened = await client.apiCall('views.open', { trigger_id: trigger, view: modal() });
    expect(viewOf(opened).view).toMatchObject({ type: 'modal', callback_id: 'pulse_answer', title: { text: 'Pulse check' } });
    expect(standIn.views('U1')).toEqual([expect.objectContaining({ id: viewOf(opened).id, type: 'modal' })]);
    const [call] = standIn.callsTo('views.open');
    expect(call?.body['view']).toEqual(modal());

    await expect(client.apiCall('views.open', { trigger_id: trigger, view: modal() })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
    await expect(client.apiCall('views.open', { trigger_id: '1.2.deadbeef', view: modal() })).rejects.toMatchObject({
      data: { error: 'invalid_trigger_id' },
    });

    expect(standIn.views('U1')).toHaveLength(1);
  });

  it('expires a trigger after 3 seconds by its trigger clock, and only by that clock', async () => {
    let triggerMs = 0;
    let now = 1_700_000_000_000;
    const clocked = new SlackApiStandIn({ triggerNow: () => triggerMs, now: () => now });
    seed(clocked);
    await clocked.start();
    try {
      const clockedClient = clientFor(clocked);
      const onTime = clocked.issueTriggerId('U1');
      const late = clocked.issueTriggerId('U1');
      // Moving the other clock (timestamps, rate limits) by half an hour does not age a trigger.
      now += 30 * 60_000;
      triggerMs = 3_000;
      await clockedClient.apiCall('views.open', { trigger_id: onTime, view: modal() });
      triggerMs = 3_001;
      await expect(clockedClient.apiCall('views.open', { trigger_id: late, view: modal() })).rejects.toMatchObject({
        data: { error: 'expired_trigger_id' },
      });
      expect(clocked.views('U1')).toHaveLength(1);
    } finally {
      await clocked.stop();
    }
  });

  it('validates modals: title length, block count, private_metadata; a refused view does not use the trigger', async () => {
    const trigger = standIn.issueTriggerId('U1');
    await expect(
      client.apiCall('views.open', { trigger_id: trigger, view: modal({ title: { type: 'plain_text', text: 't'.repeat(25) } }) }),
    ).rejects.toMatchObject({
      data: { error: 'invalid_arguments', response_metadata: { messages: [tooLong(24, '/view/title/text')] } },
    });
    const manyBlocks = Array.from({ length: 101 }, (_, index) => section(`q${index}`));
    await expect(client.apiCall('views.open', { trigger_id: trigger, view: modal({ blocks: manyBlocks }) })).rejects.toMatchObject({
      data: { error: 'invalid_arguments', response_metadata: { messages: [slackError('no more than 100 items allowed', '/view/blocks')] } },
    });
    const heavy = modal({ private_metadata: 'm'.repeat(3001) });
    await expect(client.apiCall('views.open', { trigger_id: trigger, view: heavy })).rejects.toMatchObject({
      data: { error: 'invalid_arguments', response_metadata: { messages: [tooLong(3000, '/view/private_metadata')] } },
    });
    await client.apiCall('views.open', { trigger_id: trigger, view: modal({ private_metadata: 'm'.repeat(3000) }) });
    expect(standIn.views('U1')).toHaveLength(1);
  });

  it('updates a modal by view_id or external_id and checks the hash', async () => {
    const trigger = standIn.issueTriggerId('U1');
    const opened = await client.apiCall('views.open', { trigger_id: trigger, view: modal({ external_id: 'pulse-U1' }) });
    const { id: viewId, hash } = viewOf(opened);
    const thanks = modal({ external_id: 'pulse-U1', title: { type: 'plain_text', text: 'Thanks' } });
    const byId = await client.apiCall('views.update', { view_id: viewId, hash, view: thanks });
    expect(viewOf(byId).view).toMatchObject({ id: viewId, title: { text: 'Thanks' } });

    await expect(client.apiCall('views.update', { view_id: viewId, hash, view: modal() })).rejects.toMatchObject({
      data: { error: 'hash_conflict' },
    });
    const done = modal({ external_id: 'pulse-U1', callback_id: 'done' });
    const byExternal = await client.apiCall('views.update', { external_id: 'pulse-U1', view: done });
    expect(viewOf(byExternal).id).toBe(viewId);
    expect(standIn.views('U1')[0]?.view).toMatchObject({ callback_id: 'done' });
    await expect(client.apiCall('views.update', { view_id: 'VNOPE', view: modal() })).rejects.toMatchObject({
      data: { error: 'not_found' },
    });
  });

  it('publishes a Home tab per user with at most 100 blocks', async () => {
    const home = (count: number): Record<string, unknown> => ({
      type: 'home',
      blocks: Array.from({ length: count }, (_, i) => section(`row ${i}`)),
    });
    const first = await client.apiCall('views.publish', { user_id: 'U1', view: home(100) });
    const second = await client.apiCall('views.publish', { user_id: 'U1', view: home(2) });
    expect(viewOf(second).id).toBe(viewOf(first).id);
    expect(standIn.homeTab('U1')?.view['blocks']).toHaveLength(2);

    await expect(client.apiCall('views.publish', { user_id: 'U1', view: home(101) })).rejects.toMatchObject({
      data: { error: 'invalid_arguments', response_metadata: { messages: [slackError('no more than 100 items allowed', '/view/blocks')] } },
    });
    await expect(client.apiCall('views.publish', { user_id: 'UNOPE', view: home(1) })).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
  });

  it('pages conversations.members with limit and next_cursor, listing the bot like Slack does', async () => {
    const first = await client.conversations.members({ channel: 'CBIG', limit: 3 });
    expect(first.members).toEqual(['U1', 'U2', 'U3']);
    expect(first.response_metadata?.next_cursor).not.toBe('');
    const second = await client.conversations.members({ channel: 'CBIG', limit: 3, cursor: first.response_metadata!.next_cursor! });
    expect(second.members).toEqual(['U4', 'U5', 'U6']);
    const third = await client.conversations.members({ channel: 'CBIG', limit: 3, cursor: second.response_metadata!.next_cursor! });
    expect(third.members).toEqual(['UBOT']);
    expect(third.response_metadata?.next_cursor).toBe('');

    const all: string[] = [];
    for await (const page of client.paginate('conversations.members', { channel: 'CBIG', limit: 2 })) {
      all.push(...((page as { members?: string[] }).members ?? []));
    }
    expect(all).toEqual(['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'UBOT']);
    await expect(client.conversations.members({ channel: 'CBIG', cursor: 'bm9wZQ==' })).rejects.toMatchObject({
      data: { error: 'invalid_cursor' },
    });
  });

  it('pages a channel of 250 people through WebClient.paginate: default 100, at most 1000 a page', async () => {
    const people = Array.from({ length: 250 }, (_, index) => `UM${String(index).padStart(4, '0')}`);
    standIn.addChannel({ id: 'CHUGE', name: 'everyone', members: people });

    // paginate asks for 200 a page unless told otherwise.
    const pages: string[][] = [];
    for await (const page of client.paginate('conversations.members', { channel: 'CHUGE' })) {
      pages.push((page as { members?: string[] }).members ?? []);
    }
    expect(pages.map((page) => page.length)).toEqual([200, 51]);
    expect(pages.flat()).toEqual([...people, 'UBOT']);
    expect(standIn.callsTo('conversations.members').map((call) => call.body['limit'])).toEqual(['200', '200']);

    const byDefault = await client.conversations.members({ channel: 'CHUGE' });
    expect(byDefault.members).toHaveLength(100);
    expect(byDefault.response_metadata?.next_cursor).not.toBe('');
    const oneGo = await client.conversations.members({ channel: 'CHUGE', limit: 1000 });
    expect(oneGo.members).toHaveLength(251);
    expect(oneGo.response_metadata?.next_cursor).toBe('');

    standIn.addChannel({ id: 'CHUGER', name: 'everyone-else', members: Array.from({ length: 1200 }, (_, index) => `UX${index}`) });
    const capped = await client.conversations.members({ channel: 'CHUGER', limit: 5000 });
    expect(capped.members).toHaveLength(1000);
    expect(capped.response_metadata?.next_cursor).not.toBe('');
  });

  it('describes channels and users as Slack does', async () => {
    const info = await client.conversations.info({ channel: 'C1', include_num_members: true });
    expect(info.channel).toMatchObject({
      id: 'C1',
      name: 'platform',
      is_channel: true,
      is_private: false,
      is_archived: false,
      is_member: true,
      num_members: 4, // three people and the bot
    });
    const user = await client.users.info({ user: 'UBERLIN' });
    expect(user.user).toMatchObject({ id: 'UBERLIN', name: 'berlin', tz: 'Europe/Berlin', is_bot: false });
    expect([3600, 7200]).toContain(user.user?.tz_offset);
    await expect(client.users.info({ user: 'UNOPE' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
  });
});

describe('SlackApiStandIn file uploads', () => {
  let standIn: SlackApiStandIn;
  let client: WebClient;

  beforeEach(async () => {
    standIn = new SlackApiStandIn();
    seed(standIn);
    await standIn.start();
    client = clientFor(standIn);
  });

  afterEach(async () => {
    await standIn.stop();
  });

  it('takes a PNG buffer and a CSV string from filesUploadV2 into a thread, byte for byte', async () => {
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'Weekly digest' });
    const result = await client.filesUploadV2({
      channel_id: 'C1',
      thread_ts: parent.ts!,
      initial_comment: 'Digest files',
      file_uploads: [
        { file: PNG, filename: 'maturity-levels.png', title: 'Levels and trend' },
        { content: CSV, filename: 'maturity-digest.csv', title: 'All teams (CSV)' },
      ],
    });

    // One completion for both files, since they share channel, thread and comment.
    expect(result.files).toHaveLength(1);
    const answered = result.files[0]?.files ?? [];
    expect(answered.map((file) => [file.name, file.title, file.size])).toEqual([
      ['maturity-levels.png', 'Levels and trend', PNG.length],
      ['maturity-digest.csv', 'All teams (CSV)', Buffer.byteLength(CSV)],
    ]);

    const shared = standIn.files('C1');
    expect(shared.map(({ name, title, channelId, threadTs, initialComment }) => ({ name, title, channelId, threadTs, initialComment }))).toEqual([
      { name: 'maturity-levels.png', title: 'Levels and trend', channelId: 'C1', threadTs: parent.ts, initialComment: 'Digest files' },
      { name: 'maturity-digest.csv', title: 'All teams (CSV)', channelId: 'C1', threadTs: parent.ts, initialComment: 'Digest files' },
    ]);
    expect(shared[0]?.bytes.equals(PNG)).toBe(true);
    expect(shared[1]?.bytes.toString('utf8')).toBe(CSV);
    expect(shared.map((file) => file.id)).toEqual(answered.map((file) => file.id));

    // The wire: lengths announced in bytes, bytes sent as multipart/form-data, a JSON `files` form field.
    const announced = standIn.callsTo('files.getUploadURLExternal').map((call) => call.body['length']);
    expect(announced.sort()).toEqual([String(PNG.length), String(Buffer.byteLength(CSV))].sort());
    expect(standIn.uploads().map((upload) => [upload.state, upload.format])).toEqual([
      ['completed', 'multipart'],
      ['completed', 'multipart'],
    ]);
    const [completion] = standIn.callsTo('files.completeUploadExternal');
    expect(completion?.body).toMatchObject({ channel_id: 'C1', thread_ts: parent.ts, initial_comment: 'Digest files' });
    expect(completion?.body['files']).toEqual(answered.map((file) => expect.objectContaining({ id: file.id, title: file.title })));

    // The channel shows one reply from the bot carrying both files.
    const messages = standIn.messages('C1');
    expect(messages[0]).toMatchObject({ ts: parent.ts, reply_count: 1 });
    expect(messages[1]).toMatchObject({
      thread_ts: parent.ts,
      user: 'UBOT',
      text: 'Digest files',
      upload: true,
      files: [{ name: 'maturity-levels.png' }, { name: 'maturity-digest.csv' }],
    });
    expect(shared.every((file) => file.messageTs === messages[1]?.ts)).toBe(true);
  });

  it('refuses to share where the bot cannot post: not_in_channel, invalid_channel, is_archived, a user id', async () => {
    const upload = (channel_id: string): Promise<unknown> => client.filesUploadV2({ channel_id, content: CSV, filename: 'digest.csv' });
    await expect(upload('CNOBOT')).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'not_in_channel' } });
    await expect(upload('CNOPE')).rejects.toMatchObject({ data: { error: 'invalid_channel' } });
    await expect(upload('CPRIV')).rejects.toMatchObject({ data: { error: 'invalid_channel' } });
    await expect(upload('CARCH')).rejects.toMatchObject({ data: { error: 'is_archived' } });
    // Slack wants the DM's D… id, not the user's.
    await expect(upload('U2')).rejects.toMatchObject({
      data: {
        error: 'invalid_arguments',
        response_metadata: { messages: ['[ERROR] input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]'] },
      },
    });
    expect(standIn.files()).toEqual([]);
    expect(standIn.messages('CNOBOT')).toEqual([]);
    // The bytes arrived; only the share was refused.
    expect(standIn.uploads().map((upload) => upload.state)).toEqual(['uploaded', 'uploaded', 'uploaded', 'uploaded', 'uploaded']);

    const dm = await client.conversations.open({ users: 'U2' });
    await client.filesUploadV2({ channel_id: dm.channel!.id!, content: CSV, filename: 'yours.csv' });
    expect(standIn.files('U2').map((file) => file.name)).toEqual(['yours.csv']);
  });

  it('answers method_deprecated for the retired files.upload, however it is sent', async () => {
    await expect(client.apiCall('files.upload', { channels: 'C1', content: CSV, filename: 'digest.csv' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'method_deprecated' },
    });
    const form = new FormData();
    form.append('channels', 'C1');
    form.append('file', new Blob([PNG]), 'chart.png');
    const multipart = await fetch(`${standIn.apiUrl}files.upload`, { method: 'POST', body: form, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(multipart.status).toBe(200);
    expect(await multipart.json()).toEqual({ ok: false, error: 'method_deprecated' });
    expect(standIn.files()).toEqual([]);
  });

  it('checks the announced length: required and positive, and equal to the bytes sent', async () => {
    expect(await formCall(standIn, 'files.getUploadURLExternal', { filename: 'a.csv', length: '0' })).toEqual({ ok: false, error: 'missing_argument' });
    expect(await formCall(standIn, 'files.getUploadURLExternal', { filename: 'a.csv' })).toEqual({ ok: false, error: 'missing_argument' });
    for (const length of ['-3', '1.5', 'ten']) {
      expect(await formCall(standIn, 'files.getUploadURLExternal', { filename: 'a.csv', length })).toMatchObject({ error: 'invalid_arguments' });
    }
    expect(await formCall(standIn, 'files.getUploadURLExternal', { length: '3' })).toMatchObject({ error: 'invalid_arguments' });

    // Raw bytes are fine too; one byte short leaves the file broken, and it cannot be completed.
    const short = await announce(standIn, 'short.csv', 10);
    expect(short.url).toBe(`${standIn.apiUrl.replace(/\/api\/$/, '')}/upload/v1/${short.fileId}`);
    const posted = await fetch(short.url, { method: 'POST', body: new Uint8Array(9), headers: { 'content-type': 'application/octet-stream' } });
    expect([posted.status, await posted.text()]).toEqual([200, 'OK - 9']);
    const files = JSON.stringify([{ id: short.fileId, title: 'Short' }]);
    expect(await formCall(standIn, 'files.completeUploadExternal', { files, channel_id: 'C1' })).toEqual({ ok: false, error: 'file_not_found' });
    expect(standIn.uploads()).toEqual([expect.objectContaining({ fileId: short.fileId, length: 10, state: 'broken', format: 'raw' })]);

    // Announced but never sent: also not found.
    const never = await announce(standIn, 'never.csv', 4);
    const neverFiles = JSON.stringify([{ id: never.fileId }]);
    expect(await formCall(standIn, 'files.completeUploadExternal', { files: neverFiles, channel_id: 'C1' })).toMatchObject({ error: 'file_not_found' });
    expect(standIn.files()).toEqual([]);
    expect(standIn.messages('C1')).toEqual([]);
  });

  it('completes an upload once; without channel_id the file stays private; the spent URL is gone', async () => {
    const { url, fileId } = await announce(standIn, 'private.png', PNG.length);
    expect((await fetch(url, { method: 'POST', body: PNG })).status).toBe(200);
    const files = JSON.stringify([{ id: fileId }]);
    const first = await formCall(standIn, 'files.completeUploadExternal', { files });
    expect(first).toMatchObject({ ok: true, files: [{ id: fileId, name: 'private.png', title: 'private.png', size: PNG.length, channels: [] }] });
    expect(standIn.files()).toEqual([expect.objectContaining({ id: fileId, name: 'private.png', bytes: PNG })]);
    expect(standIn.files()[0]?.channelId).toBeUndefined();

    expect(await formCall(standIn, 'files.completeUploadExternal', { files, channel_id: 'C1' })).toEqual({ ok: false, error: 'file_not_found' });
    expect((await fetch(url, { method: 'POST', body: PNG })).status).toBe(404);
    expect(await formCall(standIn, 'files.completeUploadExternal', { files: '[{"id":', channel_id: 'C1' })).toMatchObject({ error: 'invalid_arguments' });
    expect(standIn.files('C1')).toEqual([]);
  });
});

describe('SlackApiStandIn wire format', () => {
  let standIn: SlackApiStandIn;

  beforeEach(async () => {
    standIn = new SlackApiStandIn();
    seed(standIn);
    await standIn.start();
  });

  afterEach(async () => {
    await standIn.stop();
  });

  it('checks the token: none → not_authed, wrong → invalid_auth, form field yes, JSON field or query no, always HTTP 200', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const missing = await rawPost(standIn, 'auth.test', 'x=1', form);
    expect(missing.status).toBe(200);
    expect(await missing.json()).toEqual({ ok: false, error: 'not_authed' });
    const wrong = await rawPost(standIn, 'auth.test', 'x=1', { ...form, authorization: 'Bearer xoxb-wrong' });
    expect(await wrong.json()).toEqual({ ok: false, error: 'invalid_auth' });
    const basic = await rawPost(standIn, 'auth.test', 'x=1', { ...form, authorization: `Basic ${TOKEN}` });
    expect(await basic.json()).toMatchObject({ error: 'not_authed' });
    // Form bodies may carry the token as a field; JSON bodies must use the header.
    const inForm = await rawPost(standIn, 'auth.test', `token=${TOKEN}`, form);
    expect(await inForm.json()).toMatchObject({ ok: true });
    const inQuery = await fetch(`${standIn.apiUrl}auth.test?token=${TOKEN}`, { method: 'POST', body: 'x=1', headers: form });
    expect(await inQuery.json()).toMatchObject({ ok: false, error: 'not_authed' });
    const json = { 'content-type': 'application/json; charset=utf-8' };
    const inJson = await rawPost(standIn, 'auth.test', JSON.stringify({ token: TOKEN }), json);
    expect(await inJson.json()).toMatchObject({ ok: false, error: 'not_authed' });
  });

  it('accepts JSON bodies with objects inline and warns when the charset is missing', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const payload = JSON.stringify({ channel: 'C1', text: 'json', blocks: [section('json')] });
    const withCharset = await rawPost(standIn, 'chat.postMessage', payload, { ...auth, 'content-type': 'application/json; charset=utf-8' });
    const body = (await withCharset.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, channel: 'C1', message: { text: 'json' } });
    expect(body['warning']).toBeUndefined();

    const noCharset = await rawPost(standIn, 'chat.postMessage', JSON.stringify({ channel: 'C1', text: 'json 2' }), {
      ...auth,
      'content-type': 'application/json',
    });
    expect(await noCharset.json()).toMatchObject({
      ok: true,
      warning: 'missing_charset',
      response_metadata: { warnings: ['missing_charset'] },
    });
    expect(standIn.messages('C1').map((message) => message.text)).toEqual(['json', 'json 2']);
  });

  it('refuses malformed bodies and unknown methods with Slack error codes', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const form = 'application/x-www-form-urlencoded';
    const cases: [method: string, body: string, contentType: string, error: string][] = [
      ['chat.postMessage', '{not json', 'application/json; charset=utf-8', 'invalid_json'],
      ['chat.postMessage', 'channel=C1&text=hi', 'text/csv', 'invalid_post_type'],
      ['chat.postMessage', 'channel=C1&text=hi', `${form}; charset=koi8-r`, 'invalid_charset'],
      ['chat.postMessage', `channel=C1&text=hi&blocks=${encodeURIComponent('[{"type":')}`, form, 'invalid_blocks_format'],
      ['chat.postMessage', `channel=C1&text=hi&blocks=${encodeURIComponent('{"type":"divider"}')}`, form, 'invalid_blocks_format'],
      ['chat.postMesage', 'channel=C1', form, 'unknown_method'],
    ];
    for (const [method, body, contentType, error] of cases) {
      const response = await rawPost(standIn, method, body, { ...auth, 'content-type': contentType });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ ok: false, error });
    }
    expect(standIn.messages('C1')).toEqual([]);
    expect(standIn.calls).toHaveLength(cases.length);
  });

  it('ignores JSON bodies on read methods that take only form fields', async () => {
    const response = await rawPost(standIn, 'users.info', JSON.stringify({ user: 'U1' }), {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json; charset=utf-8',
    });
    expect(await response.json()).toMatchObject({ ok: false, error: 'user_not_found' });
  });
});

describe('SlackApiStandIn clocked limits', () => {
  let now = 1_700_000_000_000;
  let standIn: SlackApiStandIn;
  let client: WebClient;

  beforeEach(async () => {
    now = 1_700_000_000_000;
    standIn = new SlackApiStandIn({ now: () => now, postBurst: 2 });
    seed(standIn);
    await standIn.start();
    client = clientFor(standIn);
  });

  afterEach(async () => {
    await standIn.stop();
  });

  it('issues strictly increasing timestamps from the clock', async () => {
    const first = await client.chat.postMessage({ channel: 'C1', text: 'a' });
    const second = await client.chat.postMessage({ channel: 'C1', text: 'b' });
    expect([first.ts, second.ts]).toEqual(['1700000000.000000', '1700000000.000100']);
  });

  it('refills one chat.postMessage per second per channel', async () => {
    await client.chat.postMessage({ channel: 'C1', text: '1' });
    await client.chat.postMessage({ channel: 'C1', text: '2' });
    await expect(client.chat.postMessage({ channel: 'C1', text: '3' })).rejects.toMatchObject({ retryAfter: 1 });
    now += 1_000;
    await client.chat.postMessage({ channel: 'C1', text: '3' });
    expect(standIn.messages('C1').map((message) => message.text)).toEqual(['1', '2', '3']);
  });

  it('limits chat.postMessage per workspace across channels, and a refused post uses up no channel', async () => {
    const limited = new SlackApiStandIn({ now: () => now, workspacePostsPerMinute: 4 });
    seed(limited);
    await limited.start();
    try {
      const limitedClient = clientFor(limited);
      // Four channels (two of them DMs), one post each: every channel is within its own limit.
      for (const channel of ['C1', 'C2', 'CBIG', 'U1']) await limitedClient.chat.postMessage({ channel, text: `to ${channel}` });
      // A fresh channel, but the workspace is spent: 4 a minute refill one every 15 s.
      await expect(limitedClient.chat.postMessage({ channel: 'U2', text: 'fifth' })).rejects.toMatchObject({
        code: ErrorCode.RateLimitedError,
        retryAfter: 15,
      });
      await expect(limitedClient.chat.postMessage({ channel: 'C1', text: 'again' })).rejects.toMatchObject({ retryAfter: 15 });
      expect(limited.callsTo('chat.postMessage').map((call) => call.status)).toEqual([200, 200, 200, 200, 429, 429]);
      expect(limited.messages('U2')).toEqual([]);

      now += 15_000;
      await limitedClient.chat.postMessage({ channel: 'U2', text: 'fifth' });
      expect(limited.messages('U2').map((message) => message.text)).toEqual(['fifth']);
      await expect(limitedClient.chat.postMessage({ channel: 'C2', text: 'sixth' })).rejects.toMatchObject({ retryAfter: 15 });
    } finally {
      await limited.stop();
    }
  });

  it('keeps the per-channel limit under a roomy workspace limit: 300 a minute by default', async () => {
    // postBurst 2 in this block: the third post to C1 is refused by the channel, not the workspace.
    await client.chat.postMessage({ channel: 'C1', text: '1' });
    await client.chat.postMessage({ channel: 'C1', text: '2' });
    await expect(client.chat.postMessage({ channel: 'C1', text: '3' })).rejects.toMatchObject({ retryAfter: 1 });
    // The refused post took nothing, so 298 more across other channels fill the default allowance of 300
    // exactly; the next post, to a fresh channel, is the workspace's 301st in the minute.
    const channels = Array.from({ length: 149 }, (_, index) => `CW${index}`);
    for (const id of channels) standIn.addChannel({ id, name: id.toLowerCase(), members: ['U1'] });
    for (const id of channels) {
      await client.chat.postMessage({ channel: id, text: 'a' });
      await client.chat.postMessage({ channel: id, text: 'b' });
    }
    standIn.addChannel({ id: 'CW-LAST', name: 'last', members: ['U1'] });
    await expect(client.chat.postMessage({ channel: 'CW-LAST', text: 'over' })).rejects.toMatchObject({ retryAfter: 1 });
    expect(standIn.callsTo('chat.postMessage').filter((call) => call.status === 200)).toHaveLength(300);
  });

  it('limits chat.update to 50 per minute per workspace (Tier 3)', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'v0' });
    for (let version = 1; version <= 50; version += 1) {
      await client.chat.update({ channel: 'C1', ts: posted.ts!, text: `v${version}` });
    }
    await expect(client.chat.update({ channel: 'C1', ts: posted.ts!, text: 'v51' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 2,
    });
    expect(standIn.messages('C1')[0]?.text).toBe('v50');
    now += 1_200;
    await client.chat.update({ channel: 'C1', ts: posted.ts!, text: 'v51' });
    expect(standIn.messages('C1')[0]?.text).toBe('v51');
  });

  it('lets a response_url be used five times within 30 minutes', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'Question 1', blocks: [buttonBlock('Answer')] });
    const url = standIn.createResponseUrl({ channelId: 'C1', userId: 'U1', originalTs: posted.ts! });
    const post = (body: unknown): Promise<Response> =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await post({ text: 'Thanks, noted' })).status).toBe(200);
    expect(standIn.ephemerals('U1')).toEqual([expect.objectContaining({ text: 'Thanks, noted', via: 'response_url' })]);
    expect((await post({ replace_original: true, text: 'Answered', blocks: [section('Answered')] })).status).toBe(200);
    expect(standIn.messages('C1')[0]).toMatchObject({ ts: posted.ts, text: 'Answered', blocks: [{ type: 'section' }] });
    expect((await post({ response_type: 'in_channel', text: 'Round closed' })).status).toBe(200);
    expect(standIn.messages('C1').map((message) => message.text)).toEqual(['Answered', 'Round closed']);

    const refused = await post({ text: 'b', blocks: [buttonBlock('x'.repeat(76))] });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });

    expect((await post({ text: 'fourth' })).status).toBe(200);
    expect((await post({ delete_original: true })).status).toBe(200);
    expect(standIn.messages('C1').map((message) => message.text)).toEqual(['Round closed']);

    const sixth = await post({ text: 'sixth' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: 'used_url' });
    expect(standIn.responses.map((response) => response.status)).toEqual([200, 200, 200, 400, 200, 200, 404]);

    const late = standIn.createResponseUrl({ channelId: 'C1', userId: 'U1' });
    now += 30 * 60_000 + 1;
    const expired = await fetch(late, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"late"}' });
    expect(expired.status).toBe(404);
    expect(await expired.json()).toEqual({ ok: false, error: 'expired_url' });
  });
});

describe('blockKitProblems', () => {
  const problems = (blocks: unknown, surface: 'message' | 'modal' | 'home' = 'message'): string[] => blockKitProblems(blocks, surface);

  it('accepts a typical survey message', () => {
    expect(
      problems([
        { type: 'header', text: { type: 'plain_text', text: 'Platform pulse' } },
        section('How often do you deploy?'),
        { type: 'divider' },
        {
          type: 'actions',
          block_id: 'answer',
          elements: [
            { type: 'button', action_id: 'a1', text: { type: 'plain_text', text: 'Daily' }, value: '4', style: 'primary' },
            {
              type: 'static_select',
              action_id: 'a2',
              placeholder: { type: 'plain_text', text: 'Pick' },
              options: [{ text: { type: 'plain_text', text: 'Weekly' }, value: '3' }],
            },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Anonymous below 5 answers' }] },
      ]),
    ).toEqual([]);
  });

  it('names each limit with its json-pointer', () => {
    const longSection = { type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } };
    expect(problems([section('ok'), section('ok'), longSection])).toEqual([tooLong(3000, '/blocks/2/text/text')]);
    const fields = Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' }));
    expect(problems([{ type: 'section', fields }])).toEqual([slackError('no more than 10 items allowed', '/blocks/0/fields')]);
    expect(problems([{ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] }])).toEqual([
      tooLong(2000, '/blocks/0/fields/0/text'),
    ]);
    expect(problems([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }])).toEqual([
      tooLong(150, '/blocks/0/text/text'),
    ]);
    expect(problems([{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }])).toEqual([
      slackError('must be plain_text', '/blocks/0/text/type'),
    ]);
    expect(problems([{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'plain_text', text: 'c' })) }])).toEqual([
      slackError('no more than 10 items allowed', '/blocks/0/elements'),
    ]);
    const buttons = Array.from({ length: 26 }, (_, i) => ({ type: 'button', action_id: `b${i}`, text: { type: 'plain_text', text: 'b' } }));
    expect(problems([{ type: 'actions', elements: buttons }])).toEqual([slackError('no more than 25 items allowed', '/blocks/0/elements')]);
  });

  it('checks button value, url, accessibility_label and action_id lengths', () => {
    const button = (extra: Record<string, unknown>): unknown[] => [
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b' }, ...extra }] },
    ];
    expect(problems(button({ value: 'v'.repeat(2001) }))).toEqual([tooLong(2000, '/blocks/0/elements/0/value')]);
    expect(problems(button({ url: `https://x/${'u'.repeat(2991)}` }))).toEqual([tooLong(3000, '/blocks/0/elements/0/url')]);
    expect(problems(button({ accessibility_label: 'a'.repeat(76) }))).toEqual([
      tooLong(75, '/blocks/0/elements/0/accessibility_label'),
    ]);
    expect(problems(button({ action_id: 'a'.repeat(256) }))).toEqual([tooLong(255, '/blocks/0/elements/0/action_id')]);
  });

  it('checks select options and text inputs', () => {
    const option = (text: string, value: string): Record<string, unknown> => ({ text: { type: 'plain_text', text }, value });
    const select = (options: unknown[]): unknown[] => [{ type: 'actions', elements: [{ type: 'static_select', action_id: 's', options }] }];
    expect(problems(select(Array.from({ length: 101 }, (_, i) => option(`o${i}`, `${i}`))))).toEqual([
      slackError('no more than 100 items allowed', '/blocks/0/elements/0/options'),
    ]);
    expect(problems(select([option('t'.repeat(76), 'v')]))).toEqual([tooLong(75, '/blocks/0/elements/0/options/0/text/text')]);
    expect(problems(select([option('t', 'v'.repeat(151))]))).toEqual([tooLong(150, '/blocks/0/elements/0/options/0/value')]);
    const input = (maxLength: number): unknown[] => [
      {
        type: 'input',
        label: { type: 'plain_text', text: 'Why?' },
        element: { type: 'plain_text_input', action_id: 'why', max_length: maxLength },
      },
    ];
    expect(problems(input(3000), 'modal')).toEqual([]);
    expect(problems(input(3001), 'modal')).toEqual([slackError('must be less than or equal to 3000', '/view/blocks/0/element/max_length')]);
  });

  it('requires unique block_ids, unique action_ids per block, known types and non-empty text objects', () => {
    expect(problems([{ type: 'divider', block_id: 'x' }, { type: 'divider', block_id: 'x' }])).toEqual([
      slackError('duplicate block_id: x', '/blocks/1/block_id'),
    ]);
    expect(problems([{ type: 'divider', block_id: 'i'.repeat(256) }])).toEqual([tooLong(255, '/blocks/0/block_id')]);
    const twice = { type: 'button', action_id: 'same', text: { type: 'plain_text', text: 'b' } };
    expect(problems([{ type: 'actions', elements: [twice, twice] }])).toEqual([
      slackError('duplicate action_id: same', '/blocks/0/elements/1/action_id'),
    ]);
    expect(problems([{ type: 'actions', elements: [twice] }, { type: 'actions', elements: [twice] }])).toEqual([]);
    expect(problems([{ type: 'table' }])).toEqual([slackError('unsupported block type: table', '/blocks/0/type')]);
    expect(problems([{ type: 'section', text: { type: 'markdown', text: '' } }])).toEqual([
      slackError('must be either plain_text or mrkdwn', '/blocks/0/text/type'),
      slackError('must be more than 0 characters', '/blocks/0/text/text'),
    ]);
  });

  it('validates whole views: modal labels, metadata, ids and the home block limit', () => {
    const labels = viewProblems(
      {
        type: 'modal',
        title: { type: 'plain_text', text: 'ok' },
        submit: { type: 'plain_text', text: 's'.repeat(25) },
        close: { type: 'plain_text', text: 'c'.repeat(25) },
        callback_id: 'c'.repeat(256),
        blocks: [],
      },
      'modal',
    );
    expect(labels).toEqual([
      tooLong(24, '/view/submit/text'),
      tooLong(24, '/view/close/text'),
      tooLong(255, '/view/callback_id'),
    ]);
    expect(viewProblems(modal({ submit: undefined }), 'modal')).toEqual([
      slackError('is required when the view has input blocks', '/view/submit'),
    ]);
    expect(viewProblems({ type: 'home', blocks: Array.from({ length: 100 }, () => ({ type: 'divider' })) }, 'home')).toEqual([]);
    expect(viewProblems({ type: 'modal', blocks: [] }, 'home')).toEqual([slackError('must be home', '/view/type')]);
  });
});
