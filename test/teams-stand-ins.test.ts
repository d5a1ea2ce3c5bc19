/**
 * Proves the Teams stand-ins behave like Microsoft's services towards the real botbuilder 4.23 stack: a minimal
 * CloudAdapter + ConfigurationBotFrameworkAuthentication + ActivityHandler served over node:http, fed activities
 * with tokens from the local issuer, replying through the Bot Connector stand-in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type Response as BotbuilderResponse,
} from 'botbuilder';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  adaptiveCardAction,
  botAccount,
  cardSubmit,
  channelMessage,
  conversationUpdate,
  installationUpdate,
  makeTeamsMembers,
  personalMessage,
  postActivity,
  startTeamsStandIns,
  type TeamsStandIns,
  type TeamsUser,
} from './support/teams-stand-ins.js';

const APP_ID = '00000000-0000-4000-8000-0000000a11ce';
const TEAM_ID = '19:team-general@thread.tacv2';
const CHANNEL_ID = '19:pulse-channel@thread.tacv2';
const ALICE: TeamsUser = { id: '29:1alice', aadObjectId: '00000000-0000-4000-8000-00000000a11c', name: 'Alice' };

/** A bot that records what reached it and answers through the connector. */
class ProbeBot extends TeamsActivityHandler {
  readonly seen: string[] = [];
  readonly events: string[] = [];

  constructor() {
    super();
    this.onInstallationUpdateAdd(async (context, next) => {
      this.events.push(`installed in ${context.activity.conversation.id}`);
      await next();
    });
    this.onTeamsMembersAddedEvent(async (membersAdded, _teamInfo, context, next) => {
      this.events.push(`added ${membersAdded.map((member) => (member.id === context.activity.recipient.id ? 'the bot' : `${member.id}:${member.name ?? ''}`)).join(', ')}`);
      await next();
    });
    this.onMessage(async (context, next) => {
      this.seen.push(context.activity.id ?? '?');
      // A legacy Action.Submit message has a value and no text at all.
      const text = context.activity.text === undefined ? '' : TurnContext.removeRecipientMention(context.activity).trim();
      if (context.activity.value !== undefined) {
        this.events.push(`submitted ${JSON.stringify(context.activity.value)} on ${context.activity.replyToId ?? ''}`);
      } else if (text === 'members') {
        // What the app's messenger does: walk pagedmembers with botbuilder's own client.
        const ids: string[] = [];
        let continuationToken: string | undefined;
        let pages = 0;
        do {
          const page = await TeamsInfo.getPagedMembers(context, 100, continuationToken);
          ids.push(...page.members.map((member) => `${member.id}/${member.aadObjectId ?? ''}`));
          continuationToken = page.continuationToken;
          pages += 1;
        } while (continuationToken);
        await context.sendActivity(`members: ${ids.length} in ${pages} pages; last ${ids.at(-1) ?? ''}`);
      } else {
        await context.sendActivity(`pong: ${text}`);
      }
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    this.seen.push(context.activity.id ?? '?');
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: `did ${invokeValue.action.verb}` }] } };
  }
}

/** botbuilder's Response interface over node's ServerResponse (CloudAdapter calls status, send, end). */
function toBotbuilderResponse(res: ServerResponse): BotbuilderResponse {
  let body: string | null = null;
  return {
    socket: res.socket,
    status(code: number) {
      res.statusCode = code;
      return this;
    },
    header(name: string, value: unknown) {
      res.setHeader(name, String(value));
      return this;
    },
    send(payload?: unknown) {
      if (payload === undefined || payload === null) return this;
      if (typeof payload === 'string') body = payload;
      else {
        body = JSON.stringify(payload);
        res.setHeader('content-type', 'application/json; charset=utf-8');
      }
      return this;
    },
    end() {
      res.end(body ?? undefined);
      return this;
    },
  };
}

async function serveBot(adapter: CloudAdapter, bot: TeamsActivityHandler): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const request = { method: req.method ?? 'POST', headers: req.headers, body: parsed as Record<string, unknown> };
      void adapter.process(request, toBotbuilderResponse(res), (context) => bot.run(context));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`, server };
}

describe('Teams stand-ins against botbuilder 4.23', () => {
  let teams: TeamsStandIns;
  let bot: ProbeBot;
  let botUrl: string;
  let botServer: Server;

  const message = (command: string, threadRootId?: string) =>
    channelMessage({ appId: APP_ID, serviceUrl: teams.connector.serviceUrl, tenantId: teams.tenantId, from: ALICE, teamId: TEAM_ID, channelId: CHANNEL_ID, command, ...(threadRootId ? { threadRootId } : {}) });

  beforeAll(async () => {
    teams = await startTeamsStandIns({ appId: APP_ID, servicePath: '/amer/' });
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(teams.settings, teams.credentials));
    adapter.onTurnError = async (_context, error) => {
      throw error;
    };
    bot = new ProbeBot();
    ({ url: botUrl, server: botServer } = await serveBot(adapter, bot));
    // botbuilder logs every refused token with console.error; the assertions below say what matters.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    botServer.closeAllConnections();
    await new Promise<void>((resolve) => botServer.close(() => resolve()));
    await teams.close();
  });

  afterEach(() => {
    teams.connector.resetLimits();
  });

  it('a valid channel token reaches the handler and the reply reaches the connector with a valid bearer token', async () => {
    const activity = message('report');
    const response = await postActivity(botUrl, activity, await teams.channelToken());

    expect(response.status).toBe(200);
    expect(bot.seen).toContain(activity.id);
    const [reply] = teams.connector.callsTo('reply');
    expect(reply).toMatchObject({ method: 'POST', status: 201, appId: APP_ID, conversationId: activity.conversation.id, activityId: activity.id });
    expect(reply!.path).toBe(`v3/conversations/${activity.conversation.id}/activities/${activity.id}`);
    expect(reply!.headers.authorization).toMatch(/^Bearer ey/);
    const replies = teams.connector.replies(CHANNEL_ID, activity.id);
    expect(replies.map((stored) => stored.activity['text'])).toEqual(['pong: report']);
    // botbuilder asked for outbound credentials with the configured scope and login URL.
    expect(teams.credentials.requests[0]).toMatchObject({ appId: APP_ID, audience: 'https://api.botframework.com', loginEndpoint: teams.settings.ToChannelFromBotLoginUrl });
    expect(teams.issuer.fetches.metadata).toBe(1);
  });

  it.each([
    ['signed by a foreign key under an unpublished kid', { key: 'foreign' as const, kid: 'not-published' }],
    ['expired beyond the 300 s clock tolerance', { expiresInSeconds: -600 }],
    ['for another bot (wrong audience)', { audience: '00000000-0000-4000-8000-00000000beef' }],
    ['with a serviceurl claim that differs from the activity', { serviceUrl: 'https://smba.trafficmanager.net/amer/' }],
    ['from another issuer', { issuer: 'https://sts.windows.net/evil/' }],
  ])('a token %s gets 401 and never reaches the handler', async (_label, overrides) => {
    const activity = message('report');
    const token = await teams.issuer.signChannelToken({ appId: APP_ID, serviceUrl: activity.serviceUrl, ...overrides });
    const callsBefore = teams.connector.calls.length;

    const response = await postActivity(botUrl, activity, token);

    expect(response.status).toBe(401);
    expect(bot.seen).not.toContain(activity.id);
    expect(teams.connector.calls.length).toBe(callsBefore);
  });

  it('a missing token gets 401', async () => {
    const activity = message('report');
    const response = await postActivity(botUrl, activity, null);
    expect(response.status).toBe(401);
    expect(bot.seen).not.toContain(activity.id);
  });

  it('a forgery that copies the published kid never reaches the handler (botbuilder answers 500, not 401)', async () => {
    // jsonwebtoken's "invalid signature" is not an AuthenticationError, so CloudAdapter.process maps it to 500.
    // This pins that botbuilder behaviour: an adapter that wants 401 here must map it itself.
    const activity = message('report');
    const token = await teams.issuer.signChannelToken({ appId: APP_ID, serviceUrl: activity.serviceUrl, key: 'foreign' });
    const response = await postActivity(botUrl, activity, token);
    expect(response.status).toBe(500);
    expect(String(response.body)).toMatch(/invalid signature/);
    expect(bot.seen).not.toContain(activity.id);
  });

  it('an Action.Execute invoke gets the card back in the HTTP response', async () => {
    const activity = adaptiveCardAction({ appId: APP_ID, serviceUrl: teams.connector.serviceUrl, tenantId: teams.tenantId, from: ALICE, place: { teamId: TEAM_ID, channelId: CHANNEL_ID, threadRootId: '1700000000001' }, verb: 'answer', data: { level: 3 }, cardActivityId: '1700000000001' });
    const response = await postActivity(botUrl, activity, await teams.channelToken());
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: { body: [{ text: 'did answer' }] } });
  });

  it('installation, bot-added, legacy submit and personal activities reach the handlers botbuilder routes them to', async () => {
    const common = { appId: APP_ID, serviceUrl: teams.connector.serviceUrl, tenantId: teams.tenantId, from: ALICE };
    const place = { teamId: TEAM_ID, channelId: CHANNEL_ID, teamName: 'Platform' };
    const bob = { id: '29:1bob', aadObjectId: '00000000-0000-4000-8000-000000000b0b', name: 'Bob Example' };
    teams.connector.setMembers(TEAM_ID, [{ ...ALICE, name: 'Alice Example' }, bob], { tenantId: teams.tenantId });
    const activities = [
      installationUpdate({ ...common, place, action: 'add' }),
      // TeamsActivityHandler looks up each added user (not the bot) with GET …/members/{id}.
      conversationUpdate({ ...common, place, membersAdded: [botAccount(APP_ID), { id: ALICE.id }, { id: bob.id }] }),
      cardSubmit({ ...common, place: { ...place, threadRootId: '1700000000300' }, data: { answer: 4 }, cardActivityId: '1700000000300' }),
      personalMessage({ ...common, conversationId: teams.connector.personalConversationId(ALICE.id), text: 'help' }),
    ];
    const statuses: number[] = [];
    for (const activity of activities) statuses.push((await postActivity(botUrl, activity, await teams.channelToken())).status);

    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(bot.events).toEqual(expect.arrayContaining([`installed in ${TEAM_ID}`, `added the bot, ${ALICE.id}:Alice Example, ${bob.id}:Bob Example`, 'submitted {"answer":4} on 1700000000300']));
    expect(teams.connector.activities(teams.connector.personalConversationId(ALICE.id)).map((stored) => stored.activity['text'])).toContain('pong: help');
  });

  it('pagedmembers pages through botbuilder and clamps the page size as Teams documents', async () => {
    const members = makeTeamsMembers(230, { tenantId: teams.tenantId });
    teams.connector.setTeam(TEAM_ID, { name: 'Platform', channels: [{ id: CHANNEL_ID, name: 'Pulse' }] });
    teams.connector.setMembers(TEAM_ID, members, { tenantId: teams.tenantId });
    const activity = message('members');

    const response = await postActivity(botUrl, activity, await teams.channelToken());

    expect(response.status).toBe(200);
    const [reply] = teams.connector.replies(CHANNEL_ID, activity.id);
    expect(reply?.activity['text']).toBe(`members: 230 in 3 pages; last ${members[229]!.id}/${members[229]!.aadObjectId}`);
    // In an inbound channel turn TeamsInfo asks for the team's roster (channelData.team.id), not the channel's.
    expect(teams.connector.callsTo('pagedmembers').map((call) => [call.conversationId, call.query['pageSize']])).toEqual([
      [TEAM_ID, '100'],
      [TEAM_ID, '100'],
      [TEAM_ID, '100'],
    ]);

    // A standard channel's own roster is its team's; below 50 is treated as 50.
    const token = await teams.issuer.signBotToken({ appId: APP_ID, audience: 'https://api.botframework.com' });
    const page = await fetch(`${teams.connector.serviceUrl}v3/conversations/${encodeURIComponent(CHANNEL_ID)}/pagedmembers?pageSize=10`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await page.json()) as { members: unknown[]; continuationToken?: string };
    expect(body.members).toHaveLength(50);
    expect(body.continuationToken).toEqual(expect.any(String));
  });

  it('the connector refuses calls without the bot token, for another app, or with the wrong audience', async () => {
    const url = `${teams.connector.serviceUrl}v3/conversations/${encodeURIComponent(CHANNEL_ID)}/activities`;
    const post = (token: string | null) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ type: 'message', text: 'x' }) });
    expect((await post(null)).status).toBe(401);
    expect((await post(await teams.issuer.signBotToken({ appId: 'someone-else', audience: 'https://api.botframework.com' }))).status).toBe(401);
    expect((await post(await teams.issuer.signBotToken({ appId: APP_ID, audience: 'https://graph.microsoft.com' }))).status).toBe(401);
    expect((await post(await teams.channelToken())).status).toBe(401);
    expect(teams.connector.activities(CHANNEL_ID).some((stored) => stored.activity['text'] === 'x')).toBe(false);
  });
});

describe('Bot Connector stand-in limits', () => {
  let teams: TeamsStandIns;
  let clock = 1_700_000_000_000;
  let token: string;

  const send = (conversationId: string, activity: Record<string, unknown>) =>
    fetch(`${teams.connector.serviceUrl}v3/conversations/${encodeURIComponent(conversationId)}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
      body: JSON.stringify(activity),
    });

  beforeAll(async () => {
    teams = await startTeamsStandIns({ appId: APP_ID, now: () => clock });
    token = await teams.issuer.signBotToken({ appId: APP_ID, audience: 'https://api.botframework.com' });
  });

  afterAll(async () => {
    await teams.close();
  });

  it('answers 429 with Retry-After once a conversation gets an 8th send within a second, then 8 per 2 s', async () => {
    const conversation = `${CHANNEL_ID};messageid=1700000000100`;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await send(conversation, { type: 'message', text: `n${i}` })).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 429]);
    const refused = teams.connector.calls.at(-1)!;
    expect(refused.retryAfter).toBe('1');
    expect(refused.response).toEqual({ error: { code: 'Throttled', message: 'Too many requests.' } });

    // Another conversation has its own window.
    expect((await send('a:1someone-else', { type: 'message', text: 'other', conversation: { tenantId: 'tenant-b' } })).status).toBe(201);

    clock += 1000;
    expect((await send(conversation, { type: 'message', text: 'n8' })).status).toBe(201);
    const ninth = await send(conversation, { type: 'message', text: 'n9' });
    expect(ninth.status).toBe(429);
    expect(ninth.headers.get('retry-after')).toBe('1');
    expect(teams.connector.activities(CHANNEL_ID).map((stored) => stored.activity['text'])).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n8']);
  });

  it('answers 413 MessageSizeTooBig above 80 KB and accepts a message just below', async () => {
    clock += 60_000;
    const conversation = 'a:1size-check';
    const big = await send(conversation, { type: 'message', text: 'x'.repeat(81 * 1024) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: { code: 'MessageSizeTooBig', message: 'Message size too large.' } });
    expect((await send(conversation, { type: 'message', text: 'x'.repeat(79 * 1024) })).status).toBe(201);
    expect(teams.connector.activities(conversation)).toHaveLength(1);
  });

  it('failNext forces one failure, and removed conversations answer like Teams', async () => {
    clock += 60_000;
    teams.connector.failNext(412);
    const failed = await send('a:1flaky', { type: 'message', text: 'first' });
    expect(failed.status).toBe(412);
    expect(await failed.json()).toEqual({ error: { code: 'PreconditionFailed', message: 'Precondition failed, please try again.' } });
    expect((await send('a:1flaky', { type: 'message', text: 'second' })).status).toBe(201);

    teams.connector.removeBot(CHANNEL_ID, 'uninstalled');
    const gone = await send(`${CHANNEL_ID};messageid=1700000000200`, { type: 'message', text: 'after uninstall' });
    expect(gone.status).toBe(403);
    expect(await gone.json()).toMatchObject({ error: { code: 'BotNotInConversationRoster' } });
    teams.connector.restoreBot(CHANNEL_ID);
  });
});

describe('Outbound flows through botbuilder', () => {
  let teams: TeamsStandIns;
  let adapter: CloudAdapter;

  beforeAll(async () => {
    teams = await startTeamsStandIns({ appId: APP_ID });
    adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(teams.settings, teams.credentials));
  });

  afterAll(async () => {
    await teams.close();
  });

  const conversationParameters = (userId: string) => ({ isGroup: false, bot: botAccount(APP_ID), members: [{ id: userId, name: '' }], tenantId: teams.tenantId, channelData: { tenant: { id: teams.tenantId } } });

  it('creates a stable 1:1 conversation and posts into it; a user who blocked the bot gets 403', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      await adapter.createConversationAsync(APP_ID, 'msteams', teams.connector.serviceUrl, 'https://api.botframework.com', conversationParameters(ALICE.id), async (context) => {
        ids.push(context.activity.conversation.id);
        await context.sendActivity(`hello ${i}`);
      });
    }
    const expected = teams.connector.personalConversationId(ALICE.id);
    expect(ids).toEqual([expected, expected]);
    expect(teams.connector.activities(expected).map((stored) => stored.activity['text'])).toEqual(['hello 0', 'hello 1']);

    const bob = '29:1bob';
    teams.connector.removeBot(teams.connector.personalConversationId(bob), 'blocked');
    await expect(adapter.createConversationAsync(APP_ID, 'msteams', teams.connector.serviceUrl, 'https://api.botframework.com', conversationParameters(bob), async () => undefined)).rejects.toMatchObject({ statusCode: 403 });
  });

  it("ConnectorClient's own pipeline retries a 429 after Retry-After, so the send still succeeds", async () => {
    const conversationId = teams.connector.personalConversationId(ALICE.id);
    const reference = personalMessage({ appId: APP_ID, serviceUrl: teams.connector.serviceUrl, tenantId: teams.tenantId, from: ALICE, conversationId, text: 'hi' });
    // continueConversationAsync replies to its continuation activity's random id, hence the 'reply' route.
    teams.connector.failNext(429, 1, 'reply');
    let sentId: string | undefined;
    await adapter.continueConversationAsync(APP_ID, { channelId: 'msteams', serviceUrl: reference.serviceUrl, conversation: { ...reference.conversation, isGroup: false, name: '' }, bot: reference.recipient }, async (context) => {
      sentId = (await context.sendActivity('after a throttle'))?.id;
    });
    expect(teams.connector.callsTo('reply').slice(-2).map((call) => call.status)).toEqual([429, 201]);
    expect(teams.connector.activity(conversationId, sentId!)?.activity['text']).toBe('after a throttle');
  });

  it('a proactive reply lands in a channel thread only when the reference addresses the thread', async () => {
    const channel = { channelId: 'msteams', serviceUrl: teams.connector.serviceUrl, bot: botAccount(APP_ID) };
    const conversation = { isGroup: true, conversationType: 'channel', tenantId: teams.tenantId, name: '' };
    let rootId = '';
    await adapter.continueConversationAsync(APP_ID, { ...channel, conversation: { ...conversation, id: CHANNEL_ID } }, async (context) => {
      rootId = (await context.sendActivity('round opened'))!.id;
      // botbuilder overwrites replyToId with the continuation activity's random id: this is not a thread reply.
      await context.sendActivity({ type: 'message', text: 'via replyToId', replyToId: rootId });
    });
    await adapter.continueConversationAsync(APP_ID, { ...channel, conversation: { ...conversation, id: `${CHANNEL_ID};messageid=${rootId}` } }, async (context) => {
      await context.sendActivity('via thread id');
    });
    const topLevel = teams.connector.topLevel(CHANNEL_ID);
    expect(topLevel.map((stored) => stored.activity['text'])).toEqual(['round opened', 'via replyToId']);
    expect(topLevel[1]!.replyToId).not.toBe(rootId);
    expect(teams.connector.replies(CHANNEL_ID, rootId).map((stored) => stored.activity['text'])).toEqual(['via thread id']);
  });

  it('updates and deletes keep the latest content per activity', async () => {
    const conversationId = teams.connector.personalConversationId(ALICE.id);
    const reference = { channelId: 'msteams', serviceUrl: teams.connector.serviceUrl, conversation: { id: conversationId, isGroup: false, conversationType: 'personal', tenantId: teams.tenantId, name: '' }, bot: botAccount(APP_ID) };
    await adapter.continueConversationAsync(APP_ID, reference, async (context) => {
      const sent = await context.sendActivity('v1');
      await context.updateActivity({ id: sent!.id, type: 'message', text: 'v2' });
      const doomed = await context.sendActivity('to delete');
      await context.deleteActivity(doomed!.id);
      const stored = teams.connector.activity(conversationId, sent!.id)!;
      expect(stored.activity['text']).toBe('v2');
      expect(stored.versions.map((version) => version['text'])).toEqual(['v1', 'v2']);
      expect(teams.connector.activity(conversationId, doomed!.id)?.deleted).toBe(true);
    });
    await expect(
      adapter.continueConversationAsync(APP_ID, reference, async (context) => {
        await context.updateActivity({ id: 'no-such-activity', type: 'message', text: 'x' });
      }),
    ).rejects.toMatchObject({ statusCode: 404 });
  });
});
