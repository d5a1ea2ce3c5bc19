import type { Logger } from '../../../logger.js';
import type { ServiceContext } from '../../../services/context.js';
import type { ResponseUrlPoster } from '../response-url.js';

/** What every Slack handler needs. */
export interface SlackHandlerDeps {
  readonly ctx: ServiceContext;
  readonly log: Logger;
  /** ADMIN_SLACK_USER_IDS. */
  readonly configuredAdmins: readonly string[];
  /** Called after an answer is recorded, to refresh the round's "N answered" count. */
  readonly onAnswerRecorded: (roundId: number) => void;
  /** Sends answer receipts to response_urls off the event loop. */
  readonly receipts: ResponseUrlPoster;
}

/** The one sentence a person sees when something on the bot's side failed; it leaks no internals. */
export const FAILURE_SENTENCE = "That did not go through because of a problem on the bot's side, and nothing was changed. Please try again in a minute; if it keeps failing, tell whoever runs maturity-pulse.";
