import type { TextStyle } from '../text/reply-text.js';

/** Slack's mrkdwn treats &, < and > as control characters; user and survey text must not trigger them. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to `max` characters with an ellipsis, so Slack never rejects it for length. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * A time every reader sees in their own time zone (Slack's date formatting), with a UTC fallback for
 * clients that cannot format it.
 */
const UTC_FALLBACK = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false });

export function slackDate(at: Date, format = '{date_short_pretty} at {time}'): string {
  const seconds = Math.floor(at.getTime() / 1000);
  return `<!date^${seconds}^${format}|${UTC_FALLBACK.format(at)} UTC>`;
}

export function mention(userId: string): string {
  return `<@${userId}>`;
}

export const SLACK_TEXT_STYLE: TextStyle = {
  date: (at) => slackDate(at),
  mention,
  bold: (text) => `*${escapeMrkdwn(text)}*`,
  text: escapeMrkdwn,
};
