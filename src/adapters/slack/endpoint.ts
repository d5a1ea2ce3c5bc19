/**
 * What the server needs of the Slack adapter to wire it in: its route and how often it may edit round
 * messages. Apart from app.ts so that a process without Slack credentials never loads Bolt.
 */
export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack allows about one message edit per second per channel; counts refresh at most this often per round. */
export const SLACK_PROGRESS_INTERVAL_MS = 5_000;
/** chat.update allows about 50 a minute per workspace; count edits keep to 30 so closing edits always fit. */
export const SLACK_PROGRESS_EDITS_PER_MINUTE = 30;
