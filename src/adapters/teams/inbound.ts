import { TurnContext, type Activity } from 'botbuilder';
import { z } from 'zod';
import type { CommandToken } from '../../core/chat-command.js';
import type { ChannelRef, Origin, UserRef } from '../../core/platform.js';

/** A channel thread's conversation id carries ";messageid=…"; the channel itself is the part before it. */
export function channelConversationId(conversationId: string): string {
  return conversationId.split(';')[0] ?? conversationId;
}

export function tenantOf(activity: Activity): string {
  const channelData: unknown = activity.channelData;
  const fromChannelData = z.object({ tenant: z.object({ id: z.string() }) }).safeParse(channelData);
  return activity.conversation.tenantId ?? (fromChannelData.success ? fromChannelData.data.tenant.id : '');
}

export function msTeamIdOf(activity: Activity): string | null {
  const parsed = z.object({ team: z.object({ id: z.string() }) }).safeParse(activity.channelData);
  return parsed.success ? parsed.data.team.id : null;
}

/** The person, by tenant and AAD object id (what respondent keys and admin ids use). */
export function teamsUser(activity: Activity): UserRef | null {
  const aadObjectId = activity.from.aadObjectId;
  if (!aadObjectId) return null;
  return { platform: 'teams', workspaceId: tenantOf(activity), userId: aadObjectId };
}

export function teamsChannel(activity: Activity): ChannelRef {
  return { platform: 'teams', workspaceId: tenantOf(activity), channelId: channelConversationId(activity.conversation.id) };
}

/** Where an activity was sent from: its conversation (a thread's channel) in its tenant. */
export function originOf(activity: Activity): Origin {
  return { channel: teamsChannel(activity), organisationId: null };
}

/** The command words after the bot's own mention, with other people's mentions as mention tokens. */
export function commandTokens(activity: Activity): CommandToken[] {
  let text = TurnContext.removeRecipientMention(activity) ?? activity.text ?? '';
  const people = TurnContext.getMentions(activity).filter((mention) => mention.mentioned.id !== activity.recipient.id);
  people.forEach((mention, index) => {
    if (mention.text) text = text.replace(mention.text, ` \uE000${index}\uE000 `);
  });
  return text
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .trim()
    .split(/\s+/)
    .filter((part) => part.length > 0)
    .map((part): CommandToken => {
      const placeholder = /^\uE000(\d+)\uE000$/.exec(part);
      const mention = placeholder ? people[Number(placeholder[1])] : undefined;
      return mention ? { kind: 'mention', userId: mention.mentioned.id, label: mention.mentioned.name } : { kind: 'word', text: part };
    });
}

/** What a card action carries, whether it came as a Universal Action invoke or an Action.Submit message. */
export const CardActionSchema = z
  .object({
    verb: z.string(),
    roundId: z.coerce.number().int().positive().optional(),
    optionId: z.string().max(40).optional(),
    teamId: z.coerce.number().int().positive().optional(),
    comment: z.string().optional(),
    view: z.enum(['report', 'digest', 'forget']).optional(),
    aspectId: z.string().nullable().optional(),
    forUser: z.string().optional(),
  })
  .loose();
export type CardAction = z.infer<typeof CardActionSchema>;

export const SetupInputSchema = z.object({
  name: z.string().default(''),
  surveyId: z.string().default(''),
  everyWeeks: z.string().default('1'),
  weekday: z.string().default('1'),
  localTime: z.string().default('10:00'),
  timeZone: z.string().default('UTC'),
  roundLengthHours: z.string().default('96'),
});

/** What "We'll do this" / "Add our own step" sends: the form's data and every input of the card, keyed by id. */
export const StepFormSchema = z
  .object({
    teamId: z.coerce.number().int().positive(),
    aspectId: z.string().min(1).max(100),
    suggestionId: z.string().max(100).default(''),
    key: z.string().min(1).max(120),
  })
  .loose();

export const OwnerAnswerSchema = z.object({ stepId: z.coerce.number().int().positive(), accept: z.enum(['yes', 'no']) });
export const CheckInSchema = z.object({ stepId: z.coerce.number().int().positive(), answer: z.enum(['done', 'still-on-it', 'dropped']) });
export const TargetFormSchema = z.object({ scope: z.enum(['team', 'organisation']), form: z.coerce.number().int().min(0) }).loose();

/** A text input's value from a card submit (absent or not text: empty). */
export function inputValue(data: Record<string, unknown>, id: string): string {
  const value = data[id];
  return typeof value === 'string' ? value.trim() : '';
}
