import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { TeamsConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ServiceContext } from '../../services/context.js';
import type { ChartRenderer } from '../charts/chart-renderer.js';
import { MaturityTeamsBot } from './bot.js';
import { TeamsMessenger } from './messenger.js';

export const TEAMS_MESSAGES_PATH = '/api/messages';
/** Teams allows about one edit a second per conversation; the shared count refreshes at most once a minute. */
export const TEAMS_PROGRESS_INTERVAL_MS = 60_000;
const MAX_BODY_BYTES = 512 * 1024;

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
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
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

/** The express-style response CloudAdapter.process expects, over a plain node:http response. */
function responseShim(response: ServerResponse) {
  return {
    socket: response.socket,
    status(code: number) {
      response.statusCode = code;
    },
    header(name: string, value: unknown) {
      response.setHeader(name, String(value));
    },
    send(body: unknown) {
      if (body === undefined || body === null) return;
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        response.write(body);
        return;
      }
      response.setHeader('content-type', 'application/json; charset=utf-8');
      response.write(JSON.stringify(body));
    },
    end() {
      response.end();
    },
  };
}

/**
 * The Teams adapter: botbuilder's CloudAdapter with Microsoft's own authentication settings (an empty app
 * id disables auth, which config only allows on a loopback host with TEAMS_DEV_NO_AUTH=1), the bot, and
 * the messenger. Every botbuilder import stays inside this folder.
 */
export function createTeamsAdapter(options: TeamsAdapterOptions): TeamsAdapter {
  const log = options.log.child({ area: 'teams' });
  const auth = new ConfigurationBotFrameworkAuthentication({ ...options.config.settings }, options.credentialsFactory);
  const adapter = new CloudAdapter(auth);
  if (options.config.devNoAuth) log.warn('TEAMS_DEV_NO_AUTH=1: Teams requests are NOT authenticated. Use this only for local testing on a loopback address.');
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ err: { message: error.message }, activityType: context.activity.type }, 'a Teams handler failed');
    await context
      .sendActivity("That did not go through because of a problem on the bot's side, and nothing was changed. Please try again in a minute.")
      .catch(() => undefined);
  };
  const bot = new MaturityTeamsBot({ ctx: options.ctx, adapter, appId: options.config.appId, log, configuredAdmins: options.config.adminObjectIds, onAnswerRecorded: options.onAnswerRecorded });
  const messenger = new TeamsMessenger(adapter, options.config.appId, options.ctx.db, log.child({ area: 'teams-messenger' }), options.charts ?? null);
  const requestListener: RequestListener = (request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405).end();
      return;
    }
    readJson(request).then(
      async (body) => {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          response.writeHead(400).end();
          return;
        }
        await adapter.process({ body: body as Record<string, unknown>, headers: request.headers, method: request.method }, responseShim(response), (context) => bot.run(context));
      },
      (error: unknown) => {
        log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'malformed Teams request (body not logged)');
        if (!response.headersSent) response.writeHead(400).end();
      },
    ).catch((error: unknown) => {
      log.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'Teams request failed');
      if (!response.headersSent) response.writeHead(500).end();
    });
  };
  return { messenger, requestListener };
}
