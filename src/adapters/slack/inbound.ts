import { z } from 'zod';
import type { CommandToken } from '../../core/chat-command.js';
import type { ChannelRef, UserRef } from '../../core/platform.js';
import { SETUP_FIELDS, type SetupField } from './render/modals.js';

/**
 * Parsers for the parts of Slack payloads the bot uses. Payloads are parsed here, at the edge; the rest
 * of the adapter works with these types only.
 */

const MENTION = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/;

/** Splits slash command text (sent with should_escape, so mentions arrive as <@U123|name>) into tokens. */
export function tokenizeCommandText(text: string): CommandToken[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((part) => part.length > 0)
    .map((part): CommandToken => {
      const mention = MENTION.exec(part);
      return mention ? { kind: 'mention', userId: mention[1] ?? '', label: mention[2] ?? mention[1] ?? '' } : { kind: 'word', text: part };
    });
}

export const SlashCommandSchema = z.object({
  text: z.string().default(''),
  user_id: z.string().min(1),
  team_id: z.string().min(1),
  channel_id: z.string().min(1),
  channel_name: z.string().optional(),
  trigger_id: z.string().optional(),
});
export type SlashCommand = z.infer<typeof SlashCommandSchema>;

const Identity = z.object({ user: z.object({ id: z.string().min(1) }), team: z.object({ id: z.string().min(1) }).nullable().optional(), user_team: z.string().optional() });

export const BlockActionSchema = Identity.extend({
  type: z.literal('block_actions'),
  trigger_id: z.string().optional(),
  response_url: z.url().optional(),
  channel: z.object({ id: z.string().min(1) }).optional(),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});
export type BlockAction = z.infer<typeof BlockActionSchema>;

export const ViewSubmissionSchema = Identity.extend({
  type: z.literal('view_submission'),
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ type: z.string(), value: z.string().nullable().optional(), selected_option: z.object({ value: z.string() }).nullable().optional(), selected_time: z.string().nullable().optional() }))) }),
  }),
});
export type ViewSubmission = z.infer<typeof ViewSubmissionSchema>;

export const AppHomeOpenedSchema = z.object({ type: z.literal('app_home_opened'), user: z.string().min(1), tab: z.string().optional() });

/** The workspace of an interaction: the acting user's team (Enterprise Grid puts it in user_team). */
export function workspaceOf(payload: z.infer<typeof Identity>): string {
  return payload.team?.id ?? payload.user_team ?? '';
}

export function slackUser(workspaceId: string, userId: string): UserRef {
  return { platform: 'slack', workspaceId, userId };
}

export function slackChannel(workspaceId: string, channelId: string): ChannelRef {
  return { platform: 'slack', workspaceId, channelId };
}

/** "12:3" → round 12, option "3"; null for anything else. */
export function parseAnswerValue(value: string | undefined): { roundId: number; optionId: string } | null {
  const match = /^(\d{1,12}):([a-z0-9-]{1,40})$/.exec(value ?? '');
  if (!match) return null;
  return { roundId: Number(match[1]), optionId: match[2] ?? '' };
}

export function parseRoundId(value: string | undefined): number | null {
  return /^\d{1,12}$/.test(value ?? '') ? Number(value) : null;
}

export const CommentMetadataSchema = z.object({ roundId: z.number().int().positive() });
export const SetupMetadataSchema = z.object({ workspaceId: z.string().min(1), channelId: z.string().min(1) });

/** The setup form's values by field: text, selected option value or time, whichever the field holds. */
export function setupValues(submission: ViewSubmission): Record<SetupField, string> {
  const values = {} as Record<SetupField, string>;
  for (const field of SETUP_FIELDS) {
    const entry = Object.values(submission.view.state.values[field] ?? {})[0];
    values[field] = (entry?.value ?? entry?.selected_option?.value ?? entry?.selected_time ?? '').trim();
  }
  return values;
}

export function commentValue(submission: ViewSubmission): string {
  const entry = Object.values(submission.view.state.values.comment ?? {})[0];
  return entry?.value ?? '';
}

/** Parses a view's private_metadata (JSON we wrote ourselves) against its schema; null when it does not fit. */
export function parseMetadata<T>(schema: z.ZodType<T>, text: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
