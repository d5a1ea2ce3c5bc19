import type { App } from '@slack/bolt';
import { parseChatCommand } from '../../../core/chat-command.js';
import { runChatCommandAsync, type CommandReply, type Invocation } from '../../../services/chat-commands.js';
import { replySentence } from '../../text/reply-text.js';
import { commandIdentity, SlashCommandSchema, tokenizeCommandText } from '../inbound.js';
import { SLACK_TEXT_STYLE } from '../mrkdwn.js';
import type { Block } from '../render/blocks.js';
import { forgetConfirmBlocks, helpBlocks, rolesBlocks, statusBlocks, teamChoiceBlocks } from '../render/command-blocks.js';
import { setupModal } from '../render/modals.js';
import { digestMessage } from '../render/digest-blocks.js';
import { reportBlocks } from '../render/report-blocks.js';
import { FAILURE_SENTENCE, type SlackHandlerDeps } from './deps.js';

const TIME_ZONE_LOOKUP_MS = 800;
/**
 * How long a command may take before its acknowledgement must go out anyway: Slack wants one within 3 s,
 * and Bolt answers for a handler that has not acknowledged after 2.5 s (see app.ts). A slower reply (a
 * large organisation's digest preview) follows through the response_url.
 */
const ACK_WITHIN_MS = 2_000;

/** The reply, or null when it is not ready within `ms` (it keeps coming; the caller awaits it later). */
function within<T>(reply: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([reply, late]).finally(() => clearTimeout(timer));
}

/** The person's time zone from their Slack profile, within a short wait so the 3-second deadline holds. */
export async function userTimeZone(client: App['client'], userId: string): Promise<string> {
  return Promise.race([
    client.users.info({ user: userId }).then(
      (result) => result.user?.tz ?? 'UTC',
      () => 'UTC',
    ),
    new Promise<string>((resolve) => setTimeout(() => resolve('UTC'), TIME_ZONE_LOOKUP_MS).unref()),
  ]);
}

/** Blocks for a reply that is not a sentence; null when `replySentence` covers it. */
export function replyBlocks(reply: CommandReply): Block[] | null {
  switch (reply.kind) {
    case 'help':
      return helpBlocks(reply.entries, reply.problem);
    case 'report':
      return reportBlocks(reply.report, { canManageSteps: reply.canManageSteps });
    case 'status':
      return statusBlocks(reply.status);
    case 'roles':
      return rolesBlocks(reply.roles, reply.teamName);
    case 'team-choice':
      return reply.teams.length > 0 ? teamChoiceBlocks(reply.teams) : null;
    case 'confirm-forget':
      return forgetConfirmBlocks();
    case 'digest':
      return digestMessage(reply.digest).blocks;
    default:
      return null;
  }
}

/** `/maturity …`: parse the text, run the command, answer privately within Slack's 3 seconds. */
export function registerCommand(app: App, deps: SlackHandlerDeps): void {
  app.command('/maturity', async ({ command, ack, client, respond }) => {
    const parsed = SlashCommandSchema.safeParse(command);
    if (!parsed.success) {
      deps.log.warn({ issues: parsed.error.issues.length }, 'malformed slash command payload');
      await ack({ response_type: 'ephemeral', text: FAILURE_SENTENCE });
      return;
    }
    const input = parsed.data;
    const chatCommand = parseChatCommand(tokenizeCommandText(input.text));
    const timeZone = chatCommand.kind === 'digest-here' && chatCommand.timeZone === null ? await userTimeZone(client, input.user_id) : undefined;
    const { actor, origin } = commandIdentity(input);
    const invocation: Invocation = { actor, channel: origin.channel, organisationId: origin.organisationId, configuredAdmins: deps.configuredAdmins, ...(input.user_name ? { actorName: input.user_name } : {}), ...(timeZone ? { timeZone } : {}) };
    const pending = runChatCommandAsync(deps.ctx, invocation, chatCommand);
    const ready = await within(pending, ACK_WITHIN_MS);
    if (ready === null) {
      await ack({ response_type: 'ephemeral', text: 'Working on it: the answer follows here in a moment.' });
      const reply = await pending;
      const blocks = replyBlocks(reply);
      await respond({ response_type: 'ephemeral', replace_original: false, text: replySentence(reply, SLACK_TEXT_STYLE) ?? 'Maturity pulse', ...(blocks ? { blocks } : {}) });
      return;
    }
    const reply = ready;
    if (reply.kind === 'open-setup') {
      if (reply.existingTeam) {
        await ack({ response_type: 'ephemeral', text: `This channel already is the team *${reply.existingTeam}*. Run \`/maturity status\` to see its settings.` });
        return;
      }
      if (!input.trigger_id) {
        await ack({ response_type: 'ephemeral', text: FAILURE_SENTENCE });
        return;
      }
      const zone = await userTimeZone(client, input.user_id);
      const surveys = [...deps.ctx.surveys.values()].map((loaded) => ({ id: loaded.survey.id, title: loaded.survey.title }));
      await client.views.open({ trigger_id: input.trigger_id, view: setupModal({ workspaceId: input.team_id, channelId: input.channel_id }, { channelName: input.channel_name ?? null, timeZone: zone, surveys }) });
      await ack();
      return;
    }
    const blocks = replyBlocks(reply);
    const text = replySentence(reply, SLACK_TEXT_STYLE) ?? 'Maturity pulse';
    await ack({ response_type: 'ephemeral', text, ...(blocks ? { blocks } : {}) });
  });
}
