import { z } from 'zod';
import type { CommandToken } from '../../core/chat-command.js';
import type { ChannelRef, Origin, UserRef } from '../../core/platform.js';
import { SETUP_FIELDS, type SetupField } from './render/modals.js';
import { STEP_FIELDS } from './render/step-blocks.js';

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
  user_name: z.string().optional(),
  team_id: z.string().min(1),
  enterprise_id: z.string().min(1).nullable().optional(),
  channel_id: z.string().min(1),
  channel_name: z.string().optional(),
  trigger_id: z.string().optional(),
});
export type SlashCommand = z.infer<typeof SlashCommandSchema>;

const Identity = z.object({
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  team: z.object({ id: z.string().min(1), enterprise_id: z.string().optional() }).nullable().optional(),
  enterprise: z.object({ id: z.string().min(1) }).nullable().optional(),
  user_team: z.string().optional(),
});

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
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ type: z.string(), value: z.string().nullable().optional(), selected_option: z.object({ value: z.string() }).nullable().optional(), selected_time: z.string().nullable().optional(), selected_date: z.string().nullable().optional(), selected_user: z.string().nullable().optional() }))) }),
  }),
});
export type ViewSubmission = z.infer<typeof ViewSubmissionSchema>;

export const AppHomeOpenedSchema = z.object({ type: z.literal('app_home_opened'), user: z.string().min(1), tab: z.string().optional() });

type Identity = z.infer<typeof Identity>;

/** The workspace an interaction happened in (where its channel lives). */
export function workspaceOf(payload: Identity): string {
  return payload.team?.id ?? payload.user_team ?? '';
}

/** The Enterprise Grid organisation of an interaction, or null outside Enterprise Grid. */
export function organisationOf(payload: Identity): string | null {
  return payload.enterprise?.id ?? payload.team?.enterprise_id ?? null;
}

/**
 * The person behind an interaction. On Enterprise Grid user ids are unique across the organisation and a
 * shared channel is reached from several workspaces, so the person is keyed on the organisation (Slack
 * also reports it as the user's team id there); elsewhere on their home workspace.
 */
export function personOf(payload: Identity): UserRef {
  return slackUser(organisationOf(payload) ?? payload.user.team_id ?? workspaceOf(payload), payload.user.id);
}

/** Where an interaction was made: its channel (by the workspace it was reached from) and organisation. */
export function originOf(payload: Identity, channelId: string): Origin {
  return { channel: slackChannel(workspaceOf(payload), channelId), organisationId: organisationOf(payload) };
}

/** A slash command's person and origin, keyed the same way as interactions. */
export function commandIdentity(command: SlashCommand): { readonly actor: UserRef; readonly origin: Origin } {
  const organisationId = command.enterprise_id ?? null;
  return { actor: slackUser(organisationId ?? command.team_id, command.user_id), origin: { channel: slackChannel(command.team_id, command.channel_id), organisationId } };
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

/** The comment dialog remembers where its button was clicked: Slack returns our metadata untouched, and a view submission names no channel. */
export const CommentMetadataSchema = z.object({ roundId: z.number().int().positive(), workspaceId: z.string().min(1), channelId: z.string().min(1), organisationId: z.string().min(1).nullable() });
export type CommentMetadata = z.infer<typeof CommentMetadataSchema>;
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

/** The next-step form's values: its own line (if any), the picked owner and the target date. */
export function stepFormValues(submission: ViewSubmission): { readonly text: string | null; readonly ownerUserId: string | null; readonly dueOn: string | null } {
  const field = (blockId: string) => Object.values(submission.view.state.values[blockId] ?? {})[0];
  return { text: field(STEP_FIELDS.text)?.value ?? null, ownerUserId: field(STEP_FIELDS.owner)?.selected_user || null, dueOn: field(STEP_FIELDS.due)?.selected_date || null };
}

/** Where the next-step form was opened, and for what; written by stepModal. */
export const StepMetadataSchema = z.object({
  teamId: z.number().int().positive(),
  aspectId: z.string().min(1),
  suggestionId: z.string().min(1).nullable(),
  workspaceId: z.string(),
  channelId: z.string(),
  organisationId: z.string().min(1).nullable(),
});

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
