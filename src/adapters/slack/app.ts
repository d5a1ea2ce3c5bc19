import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi, type ReceiverEvent, type SocketModeReceiverOptions } from '@slack/bolt';
import type { SlackConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { secondsSince, type InboundKind } from '../../metrics.js';
import type { ChartRenderer } from '../charts/chart-renderer.js';
import { ChannelMembership } from './channel-membership.js';
import { SlackChannelPeople } from './channel-people.js';
import type { ChannelRef, UserRef } from '../../core/platform.js';
import type { ServiceContext } from '../../services/context.js';
import type { ChannelPeople } from '../../services/step-board-service.js';
import { digestTimeZone, noteChannelSize } from '../../services/platform-events.js';
import { boltLogger } from './bolt-logger.js';
import { registerCommand } from './handlers/command.js';
import { FAILURE_SENTENCE } from './handlers/deps.js';
import { registerHome } from './handlers/home.js';
import { registerRoundActions } from './handlers/round-actions.js';
import { registerSetup } from './handlers/setup.js';
import { registerStepActions } from './handlers/steps.js';
import { ResponseUrlPoster } from './response-url.js';
import { SlackMessenger } from './messenger.js';
import { checkBotToken, slackRetryDelayMs } from './token-check.js';
import { retryingFetch } from './web-api-policy.js';
import { SLACK_EVENTS_PATH } from './endpoint.js';

export interface SlackAdapter {
  readonly messenger: SlackMessenger;
  /** HTTP mode: the handler for POST /slack/events; null in Socket Mode. */
  readonly requestListener: RequestListener | null;
  readonly mode: 'http' | 'socket';
  /** The channels a person is in now (for the dashboard's member access); null when Slack could not say. */
  channelsOf(person: UserRef): Promise<ReadonlySet<string> | null>;
  /** The people of a channel by name (for the dashboard's owner picker); null when Slack could not say. */
  channelPeople(channel: ChannelRef): Promise<ChannelPeople | null>;
  /** The Enterprise Grid organisation a workspace belongs to (team.info), null for a plain workspace or when Slack could not say. */
  organisationOf(workspaceId: string): Promise<string | null>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackAdapterOptions {
  readonly ctx: ServiceContext;
  readonly config: SlackConfig;
  readonly log: Logger;
  readonly onAnswerRecorded: (roundId: number) => void;
  /** Renders digest charts (in a worker thread); without it digests carry the CSV only. */
  readonly charts?: ChartRenderer;
}

/** The Web API base URL the clients call, with the trailing slash WebClient would add. */
function slackApiUrl(config: SlackConfig): string {
  const url = config.apiUrl ?? 'https://slack.com/api/';
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * The Web API client's policy, set explicitly. The client's own retries are off: its retry policy covers
 * every method alike, and it repeats a chat.postMessage that timed out although Slack may have posted it
 * (seen: five copies of one round message behind one delivery). Posts, edits, modals and uploads get one
 * attempt and leave retrying to the outbox (or to the person, for an interaction); only methods that are
 * safe to repeat (reads, conversations.open, apps.connections.open: see web-api-policy.ts) are retried, a
 * couple of times and quickly, by the transport. Rate limits come back at once (with Retry-After) so the
 * outbox, not a half-hour client queue, decides when to try again.
 */
export function slackClientOptions(config: SlackConfig, log: Logger): webApi.WebClientOptions {
  const apiUrl = slackApiUrl(config);
  return {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    fetch: retryingFetch({ apiUrl }),
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger: boltLogger(log.child({ area: 'slack-web-api' })),
  };
}

/**
 * Socket Mode's receiver, timing each envelope from its arrival to its acknowledgement over the socket (over HTTP
 * the server times the request to its response instead, in http-server.ts). The receiver hands every envelope to
 * the app's `processEvent` with one ack(), which a handler calls (actions, commands, options, views), Bolt calls
 * itself (events, a refused authorization) or the receiver calls after a handler failed. That ack is wrapped on
 * the event itself, so the receiver's own error path is timed too, and observed once, when the first call has
 * sent the acknowledgement (an ack the socket could not send is no acknowledgement).
 */
class TimedSocketModeReceiver extends SocketModeReceiver {
  private readonly observeAck: (seconds: number) => void;

  constructor(options: SocketModeReceiverOptions, observeAck: (seconds: number) => void) {
    super(options);
    this.observeAck = observeAck;
  }

  override init(app: App): void {
    const observe = this.observeAck;
    const processEvent = (event: ReceiverEvent): Promise<void> => {
      const arrived = process.hrtime.bigint();
      const ack = event.ack;
      let called = false;
      event.ack = async (response?: unknown) => {
        const first = !called;
        called = true;
        await ack(response);
        if (first) observe(secondsSince(arrived));
      };
      return app.processEvent(event);
    };
    // The receiver calls nothing on its app but processEvent; everything else is the app's own.
    super.init(new Proxy(app, { get: (target, key) => (key === 'processEvent' ? processEvent : Reflect.get(target, key)) }));
  }
}

/** Opens the Socket Mode connection, retrying in the background so a Slack outage never stops the bot. */
function connectSocketMode(app: App, log: Logger, stopped: () => boolean, attempt = 0): void {
  app.start().then(
    () => log.info('Socket Mode connection open'),
    (error: unknown) => {
      if (stopped()) return;
      const delay = slackRetryDelayMs(attempt + 1);
      log.error({ err: error, retryInMs: delay }, 'cannot open the Socket Mode connection; trying again');
      setTimeout(() => connectSocketMode(app, log, stopped, attempt + 1), delay).unref();
    },
  );
}

/**
 * Bolt's authorization, answered from one cached auth.test: without it Bolt would call Slack before every
 * request when start-up verification is off. A failed lookup is retried on a later request; meanwhile the
 * token alone is enough for every handler.
 */
function cachedAuthorize(client: webApi.WebClient, botToken: string, log: Logger): () => Promise<{ botToken: string; botId?: string; botUserId?: string }> {
  let identity: Promise<{ botId?: string; botUserId?: string }> | null = null;
  return async () => {
    identity ??= client.auth
      .test()
      .then((result) => ({ ...(result.bot_id ? { botId: result.bot_id } : {}), ...(result.user_id ? { botUserId: result.user_id } : {}) }));
    try {
      return { botToken, ...(await identity) };
    } catch (error) {
      identity = null;
      log.warn({ err: error }, 'could not look up the bot identity; handling the request with the token alone');
      return { botToken };
    }
  };
}

/** Builds the Bolt app (HTTP on /slack/events, or Socket Mode with an app-level token) and its messenger. */
export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const { config, ctx } = options;
  const log = options.log.child({ area: 'slack' });
  const logger = boltLogger(log.child({ area: 'bolt' }));
  const clientOptions = slackClientOptions(config, log);
  // The bot's own client (for posting and start-up checks); Bolt builds per-request clients from authorize.
  const client = new webApi.WebClient(config.botToken, clientOptions);
  let stopped = false;
  let receiver: HTTPReceiver | null = null;
  let app: App;
  if (config.appToken) {
    // The Socket Mode client opens its connection with its own Web API client; point it at the same API.
    // Reconnecting is ours, not the library's: its own retry gives up for good on some errors (and rejects
    // unhandled), while a bot must keep trying until Slack is back.
    const socketReceiver = new TimedSocketModeReceiver({ appToken: config.appToken, logger, autoReconnectEnabled: false, installerOptions: { clientOptions } }, (seconds) => ctx.metrics?.observeAck('slack', seconds));
    socketReceiver.client.on('disconnected', () => {
      if (stopped) return;
      log.warn('the Socket Mode connection closed; reconnecting');
      connectSocketMode(app, log, () => stopped);
    });
    app = new App({ authorize: cachedAuthorize(client, config.botToken, log), receiver: socketReceiver, logger, clientOptions, extendedErrorHandler: true, convoStore: false });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.signingSecret ?? '',
      endpoints: SLACK_EVENTS_PATH,
      logger,
      // Handlers acknowledge themselves once their write is committed; this only catches a handler that never does.
      unhandledRequestTimeoutMillis: 2_500,
    });
    app = new App({ authorize: cachedAuthorize(client, config.botToken, log), receiver, logger, clientOptions, extendedErrorHandler: true, convoStore: false });
  }
  const receipts = new ResponseUrlPoster();
  // Counted after Bolt checked the request's signature: what Slack sent, by kind, never who or where.
  app.use(async ({ body, next }) => {
    ctx.metrics?.inboundEvent('slack', slackInboundKind(body));
    await next();
  });
  const deps = { ctx, log, configuredAdmins: config.adminUserIds, onAnswerRecorded: options.onAnswerRecorded, receipts };
  registerHome(app, deps);
  registerCommand(app, deps);
  registerRoundActions(app, deps);
  registerSetup(app, deps);
  registerStepActions(app, deps);

  app.error(async ({ error, body }: { error: Error; body: unknown }) => {
    const payload = typeof body === 'object' && body !== null ? body : {};
    const type = 'type' in payload && typeof payload.type === 'string' ? payload.type : 'command';
    log.error({ err: { message: error.message, code: 'code' in error ? error.code : undefined }, payloadType: type }, 'a Slack handler failed');
    const responseUrl = 'response_url' in payload && typeof payload.response_url === 'string' ? payload.response_url : null;
    if (responseUrl) {
      await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: FAILURE_SENTENCE }) }).catch(() => undefined);
    }
  });

  const organisations = new Map<string, string | null>();
  const membership = new ChannelMembership(log.child({ area: 'slack-membership' }), () => ctx.clock.now().getTime());
  const people = new SlackChannelPeople(client, log.child({ area: 'slack-channel-people' }), () => ctx.clock.now().getTime());
  const messenger = new SlackMessenger(client, log.child({ area: 'slack-messenger' }), config.adminUserIds, options.charts ?? null, (channel) => digestTimeZone(ctx, channel), (channel, people) => noteChannelSize(ctx, channel, people));
  return {
    messenger,
    requestListener: receiver ? receiver.requestListener : null,
    mode: receiver ? 'http' : 'socket',
    channelsOf: (person) => membership.channelsOf(client, person.workspaceId, person.userId),
    channelPeople: (channel) => people.channelPeople(channel),
    organisationOf: async (workspaceId) => {
      // A workspace never changes organisation while the bot runs; answers (not failures) are kept.
      const known = organisations.get(workspaceId);
      if (known !== undefined) return known;
      try {
        const result = await client.team.info({ team: workspaceId });
        const organisation = result.team?.enterprise_id || null;
        organisations.set(workspaceId, organisation);
        return organisation;
      } catch (error) {
        log.warn({ err: error }, 'could not ask Slack which organisation a workspace belongs to');
        return null;
      }
    },
    start: async () => {
      // Waits for the first answer only: while Slack cannot be reached the check goes on in the background
      // (posts wait in the outbox meanwhile), and ends when the adapter stops.
      const check = checkBotToken({ authTest: () => client.auth.test(), apiHost: new URL(slackApiUrl(config)).host, log, stopped: () => stopped });
      await check.first;
      if (!receiver) connectSocketMode(app, log, () => stopped);
    },
    stop: async () => {
      stopped = true;
      messenger.stop();
      if (!receiver) await app.stop().catch(() => undefined);
      await receipts.stop();
    },
  };
}

/** The kind of a Slack request, for the inbound-events metric. */
function slackInboundKind(body: unknown): InboundKind {
  if (typeof body !== 'object' || body === null) return 'other';
  if ('command' in body) return 'command';
  const type = 'type' in body && typeof body.type === 'string' ? body.type : '';
  if (type === 'block_actions' || type === 'interactive_message' || type === 'shortcut' || type === 'message_action') return 'action';
  if (type === 'view_submission' || type === 'view_closed') return 'view';
  if (type === 'block_suggestion') return 'options';
  if (type === 'event_callback') return 'event';
  return 'other';
}
