import type { types } from '@slack/bolt';
import { COMMENT_MAX_LENGTH } from '../../../core/round.js';
import { TEAM_NAME_MAX, WEEKDAYS } from '../../../core/team.js';
import { truncate } from '../mrkdwn.js';
import { context, LIMITS, plain, section, type Block } from './blocks.js';

export const VIEW = { comment: 'mp_comment_modal', setup: 'mp_setup_modal' } as const;
export const SETUP_FIELDS = ['name', 'survey', 'cadence', 'weekday', 'time', 'zone', 'length'] as const;
export type SetupField = (typeof SETUP_FIELDS)[number];
export const INPUT_ACTION = 'value';

function option(text: string, value: string): Record<string, unknown> {
  return { text: plain(text, LIMITS.optionText), value };
}

function input(blockId: string, label: string, element: Record<string, unknown>, hint?: string): Block {
  return { type: 'input', block_id: blockId, label: plain(label, LIMITS.viewTitle * 4), element: { ...element, action_id: INPUT_ACTION }, ...(hint ? { hint: plain(hint, 2000) } : {}) };
}

/** The comment dialog: one text box, its limit stated up front, and who will read the comment. */
/** Where the comment button was clicked; the submission is checked against it (a view submission names no channel). */
export interface CommentOrigin {
  readonly roundId: number;
  readonly workspaceId: string;
  readonly channelId: string;
  readonly organisationId: string | null;
}

export function commentModal(origin: CommentOrigin, aspectName: string, existing: string | null): types.ModalView {
  return {
    type: 'modal',
    callback_id: VIEW.comment,
    private_metadata: JSON.stringify(origin),
    title: plain('Your comment', LIMITS.viewTitle),
    submit: plain('Save', LIMITS.viewTitle),
    close: plain('Cancel', LIMITS.viewTitle),
    blocks: [
      section(`About *${truncate(aspectName, 200)}* this round.`),
      input(
        'comment',
        'Comment',
        { type: 'plain_text_input', multiline: true, max_length: COMMENT_MAX_LENGTH, ...(existing ? { initial_value: existing } : {}), placeholder: plain('What would help your team most?', 150) },
        `Up to ${COMMENT_MAX_LENGTH} characters. Leave it empty to remove your comment. You can change it until the round closes.`,
      ),
      context(`Leads see comments without names, in random order, after the round closes and only if it had enough answers. At the close your comment stops being tied to you: from then on nobody, you included, can change, find or erase it.`),
    ],
  };
}

export interface SetupDefaults {
  readonly channelName: string | null;
  readonly timeZone: string;
  readonly surveys: readonly { id: string; title: string }[];
}

/** Setup: name, survey, cadence, weekday, time, time zone and round length, with sensible defaults. */
export function setupModal(channel: { workspaceId: string; channelId: string }, defaults: SetupDefaults): types.ModalView {
  const surveys = defaults.surveys.slice(0, 100).map((survey) => option(survey.title, survey.id));
  const first = surveys[0];
  return {
    type: 'modal',
    callback_id: VIEW.setup,
    private_metadata: JSON.stringify(channel),
    title: plain('Set up this team', LIMITS.viewTitle),
    submit: plain('Set up', LIMITS.viewTitle),
    close: plain('Cancel', LIMITS.viewTitle),
    blocks: [
      input('name', 'Team name', { type: 'plain_text_input', max_length: TEAM_NAME_MAX, ...(defaults.channelName ? { initial_value: truncate(defaults.channelName, TEAM_NAME_MAX) } : {}) }, 'Unique in your organisation, ignoring case.'),
      input('survey', 'Survey', { type: 'static_select', options: surveys, ...(first ? { initial_option: first } : {}) }),
      input('cadence', 'How often', { type: 'static_select', options: [option('Every week', '1'), option('Every two weeks', '2')], initial_option: option('Every week', '1') }),
      input('weekday', 'Day', { type: 'static_select', options: WEEKDAYS.map((day, index) => option(day.charAt(0).toUpperCase() + day.slice(1), String(index + 1))), initial_option: option('Monday', '1') }),
      input('time', 'Time', { type: 'timepicker', initial_time: '10:00' }),
      input('zone', 'Time zone', { type: 'plain_text_input', initial_value: defaults.timeZone, max_length: 64 }, 'An IANA time zone such as Europe/Berlin or America/New_York.'),
      input(
        'length',
        'Round stays open',
        { type: 'static_select', options: [1, 2, 3, 4, 5, 6].map((days) => option(`${days} day${days === 1 ? '' : 's'}`, String(days * 24))), initial_option: option('4 days', '96') },
        'Shorter than the cadence; answers can change until the round closes.',
      ),
    ],
  };
}
