import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ActivityEventNames, ActivityTypes, CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { TeamsConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ServiceContext } from '../../services/context.js';
import type { ChartRenderer } from '../charts/chart-renderer.js';
import type { ChannelRef, UserRef } from '../../core/platform.js';
import type { ChannelPeople } from '../../services/step-board-service.js';
import { MaturityTeamsBot } from './bot.js';
import { TeamsChannelMembership } from './channel-membership.js';
import { TeamsChannelPeople } from './channel-people.js';
import { isLoopbackServiceUrl } from './endpoint.js';
import { tenantOf } from './inbound.js';
import { TeamsMessenger } from './messenger.js';
import { TeamsSendPacer } from './send-pacer.js';

/** How the bot obtains tokens for its own calls (botframework-connector's ServiceClientCredentialsFactory). */
export type CredentialsFactory = NonNullable<ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1]>;

export interface TeamsAdapterOptions {
  readonly ctx: ServiceContext;
  readonly config: TeamsConfig;
  readonly log: Logger;
  readonly onAnswerRecorded: (roundId: number) => void;
  readonly charts?: ChartRenderer;
  /** For tests: how the bot signs its calls to the Bot Connector (production uses MSAL with the app password). */
  readonly credentialsFactory?: CredentialsFactory;
}

export interface TeamsAdapter {
  readonly messenger: TeamsMessenger;
  readonly requestListener: RequestListener;
  /** The team channels a Teams person is in now (for the dashboard), or null when Teams could not say. */
  channelsOf(person: UserRef): Promise<ReadonlySet<string> | null>;
  /** The people of a team channel by name (for the dashboard's owner picker), or null when Teams could not say. */
  channelPeople(channel: ChannelRef): Promise<ChannelPeople | null>;
}

/** The body as JSON. Its size is capped before it gets here, for every adapter route (`http-server.ts#limitBody`). */
function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('not JSON'));
      }
    });
    request.on('error', reject);
  });
}

/**
 * CloudAdapter.process answers some token failures (a bad signature under a known key id) with 500 and
 * prints them to the console; running the activity ourselves lets every authentication failure be a 401.
 */
class BotAdapter extends CloudAdapter {
  run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

/** An authenticated activity this deployment does not serve: from a tenant not on the list, or (without authentication) from off this machine. */
class RefusedActivity extends Error {
  override readonly name = 'RefusedActivity';
}

/**
 * Why an activity is refused before the bot sees it, or null to serve it. Authentication proves an
 * activity came from the Bot Connector for this app, not that the organisation is one this deployment
 * serves; and without authentication (local testing) a reply to a foreign service URL would hand reports
 * to whoever runs it.
 */
function refusal(config: TeamsConfig, activity: Activity): string | null {
  if (config.devNoAuth && !isLoopbackServiceUrl(activity.serviceUrl)) return 'TEAMS_DEV_NO_AUTH=1 serves only activities whose serviceUrl is on this machine';
  if (config.allowedTenantIds !== null && !config.allowedTenantIds.includes(tenantOf(activity))) return 'the tenant is not in TEAMS_ALLOWED_TENANT_IDS';
  return null;
}

const AUTH_ERRORS = new Set(['AuthenticationError', 'JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

function isAuthFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = 'statusCode' in error ? error.statusCode : undefined;
  return status === 401 || status === 403 || AUTH_ERRORS.has(error.name) || AUTH_ERRORS.has(error.constructor.name);
}

/** botbuilder's stand-in activity for a turn the bot started itself (continueConversationAsync, createConversationAsync). */
function isProactiveTurn(activity: Activity): boolean {
  return activity.type === ActivityTypes.Event && (activity.name === ActivityEventNames.ContinueConversation || activity.name === ActivityEventNames.CreateConversation);
}

function answer(response: ServerResponse, status: number, body?: unknown): void {
  if (response.headersSent) return;
  if (body === undefined || body === null) {
    response.writeHead(status).end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/**
 * The Teams adapter: botbuilder's CloudAdapter with Microsoft's own authentication settings (an empty app
 * id disables auth, which config only allows on a loopback host with TEAMS_DEV_NO_AUTH=1), the bot, and
 * the messenger. Every botbuilder import stays inside this folder.
 */
export function createTeamsAdapter(options: TeamsAdapterOptions): TeamsAdapter {
  const log = options.log.child({ area: 'teams' });
  const auth = new ConfigurationBotFrameworkAuthentication({ ...options.config.settings }, options.credentialsFactory);
  const adapter = new BotAdapter(auth);
  if (options.config.devNoAuth) log.warn('TEAMS_DEV_NO_AUTH=1: Teams requests are NOT authenticated. Use this only for local testing on a loopback address.');
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    // The bot's own turns (posting a card, opening a 1:1 chat) belong to the code that started them: it needs
    // the connector's failure to retry, honour Retry-After or pause the team, and nobody there asked anything.
    if (isProactiveTurn(context.activity) || error instanceof RefusedActivity) throw error;
    log.error({ err: error, activityType: context.activity.type }, 'a Teams handler failed');
    // A failed card click (Action.Submit arrives as a message with a value) gets no reply in the channel:
    // a public line per failed click would say who was answering.
    if (context.activity.value !== undefined) return;
    await context
      .sendActivity("That did not go through because of a problem on the bot's side, and nothing was changed. Please try again in a minute.")
      .catch(() => undefined);
  };
  const bot = new MaturityTeamsBot({ ctx: options.ctx, adapter, appId: options.config.appId, log, configuredAdmins: options.config.adminObjectIds, onAnswerRecorded: options.onAnswerRecorded });
  // One pacer for posting and for membership lookups: both count against the tenant's request rate.
  const pacer = new TeamsSendPacer();
  const messenger = new TeamsMessenger(adapter, options.config.appId, options.ctx, log.child({ area: 'teams-messenger' }), options.charts ?? null, pacer);
  const membership = new TeamsChannelMembership(adapter, options.config.appId, options.ctx, pacer, log, () => options.ctx.clock.now().getTime());
  const people = new TeamsChannelPeople(adapter, options.config.appId, options.ctx, pacer, log);
  const requestListener: RequestListener = (request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405).end();
      return;
    }
    readJson(request).then(
      async (body) => {
        if (typeof body !== 'object' || body === null || Array.isArray(body) || !('type' in body) || typeof body.type !== 'string') {
          answer(response, 400);
          return;
        }
        const authHeader = typeof request.headers.authorization === 'string' ? request.headers.authorization : '';
        try {
          const result = await adapter.run(authHeader, body as Activity, async (context) => {
            const refused = refusal(options.config, context.activity);
            if (refused) throw new RefusedActivity(refused);
            const type = context.activity.type;
            options.ctx.metrics?.inboundEvent('teams', type === ActivityTypes.Message ? 'message' : type === ActivityTypes.Invoke ? 'invoke' : 'event');
            await bot.run(context);
          });
          answer(response, result?.status ?? 200, result?.body);
        } catch (error) {
          if (error instanceof RefusedActivity) {
            log.warn({ reason: error.message, activityType: (body as Activity).type }, 'refused a Teams activity');
            answer(response, 403);
            return;
          }
          if (isAuthFailure(error)) {
            log.warn({ reason: error instanceof Error ? error.name : 'unknown' }, 'rejected a Teams request that failed authentication');
            answer(response, 401);
            return;
          }
          throw error;
        }
      },
      (error: unknown) => {
        log.warn({ err: error }, 'malformed Teams request (body not logged)');
        answer(response, 400);
      },
    ).catch((error: unknown) => {
      log.error({ err: error }, 'Teams request failed');
      answer(response, 500);
    });
  };
  return { messenger, requestListener, channelsOf: (person) => membership.channelsOf(person), channelPeople: (channel) => people.channelPeople(channel) };
}
