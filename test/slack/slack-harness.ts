import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer, type ServerOverrides } from '../../src/main.js';
import { SURVEYS } from '../support/processes.js';
import { SlackApiStandIn } from '../support/slack-stand-in.js';
import { SlackRequester } from '../support/slack-requests.js';
import { memoryLogger, tempDir } from '../support/test-context.js';
import { HANG_GUARD_MS, waitUntil } from '../support/wait.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEAM = 'T0001';
export const CHANNEL = 'C0PAYMENTS';
export const ADMIN = 'UADMIN';
export const LEAD = 'ULEAD';
export const MEMBERS = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'];

export interface SlackHarness {
  readonly slack: SlackApiStandIn;
  readonly server: RunningServer;
  readonly requests: SlackRequester;
  readonly lines: string[];
  readonly output: string[];
  close(): Promise<void>;
}

/** The real app on port 0 in HTTP mode, pointed at a Slack Web API stand-in on loopback. */
export async function startSlackHarness(extraEnv: Record<string, string> = {}, overrides: ServerOverrides = {}): Promise<SlackHarness> {
  // Triggers do not age here: how fast this machine runs a handler must not decide a test. Their 3-second
  // expiry is tested on an injected clock in test/slack-stand-in.test.ts.
  const slack = new SlackApiStandIn({ teamId: TEAM, triggerNow: () => 0 });
  await slack.start();
  slack.addChannel({ id: CHANNEL, name: 'payments', members: [ADMIN, LEAD, ...MEMBERS] });
  slack.addChannel({ id: 'C0RANDOM', name: 'random', members: [ADMIN, LEAD, ...MEMBERS] });
  for (const id of [ADMIN, LEAD, ...MEMBERS]) slack.addUser({ id, name: id.toLowerCase(), timeZone: 'Europe/Berlin' });
  const temp = tempDir('mp-slack-');
  const config = loadConfig({
    DATA_DIR: temp.dir,
    SURVEYS_DIR: SURVEYS,
    PORT: '0',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    ADMIN_SLACK_USER_IDS: ADMIN,
    RESPONDENT_KEY_SECRET: 'respondent-secret-for-the-slack-tests-0123',
    TICK_CRON: '* * * * * *',
    ...extraEnv,
  });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const { log, lines } = memoryLogger();
  const output: string[] = [];
  const server = await startServer(config.config, log, (text) => output.push(text), overrides);
  const requests = new SlackRequester(`http://127.0.0.1:${server.port}/slack/events`, SIGNING_SECRET);
  return {
    slack,
    server,
    requests,
    lines,
    output,
    close: async () => {
      await server.stop();
      await slack.stop();
      temp.cleanup();
    },
  };
}

/**
 * Waits until `check` holds and returns its value; see test/support/wait.ts. `hangGuardMs` only raises the
 * guard for a wait that legitimately spans a long chain of events; it is never a timing expectation.
 */
export function eventually<T>(what: string, check: () => T | null | undefined | false, hangGuardMs = HANG_GUARD_MS): Promise<T> {
  return waitUntil(what, check, Math.max(hangGuardMs, HANG_GUARD_MS));
}

export function command(user: string, text: string, extra: Record<string, string> = {}): Record<string, string> {
  return { text, user_id: user, user_name: user.toLowerCase(), team_id: TEAM, channel_id: CHANNEL, channel_name: 'payments', ...extra };
}

export function blockAction(slack: SlackApiStandIn, user: string, actionId: string, value: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: TEAM },
    team: { id: TEAM, domain: 'example' },
    channel: { id: CHANNEL, name: 'payments' },
    container: { type: 'message', channel_id: CHANNEL, message_ts: '1.0' },
    trigger_id: slack.issueTriggerId(user),
    response_url: slack.createResponseUrl({ channelId: CHANNEL, userId: user }),
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1.1' }],
    ...extra,
  };
}

export function viewSubmission(user: string, callbackId: string, privateMetadata: string, values: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return {
    type: 'view_submission',
    user: { id: user, username: user.toLowerCase(), team_id: TEAM },
    team: { id: TEAM, domain: 'example' },
    view: { id: 'V1', type: 'modal', callback_id: callbackId, private_metadata: privateMetadata, state: { values } },
  };
}
