import type { App } from '@slack/bolt';
import { COMMAND_HELP } from '../../../core/chat-command.js';
import { confirmForgetMe, reportByTeamId, type Invocation } from '../../../services/chat-commands.js';
import { personalHome } from '../../../services/home-service.js';
import { ChannelMembership } from '../channel-membership.js';
import { firstDelivery } from '../../../services/platform-events.js';
import { forgottenSentence, replySentence } from '../../text/reply-text.js';
import { AppHomeOpenedSchema, BlockActionSchema, originOf, parseRoundId, personOf, slackUser } from '../inbound.js';
import { SLACK_TEXT_STYLE } from '../mrkdwn.js';
import { homeView } from '../render/home.js';
import { ACTION } from '../render/round-message.js';
import { replyBlocks } from './command.js';
import type { SlackHandlerDeps } from './deps.js';

/** The App Home tab, the team picker's "show report" buttons, and the forget-me confirmation. */
export function registerHome(app: App, deps: SlackHandlerDeps): void {
  // Slack redelivers events it thinks were missed; each event id is handled once.
  app.use(async ({ body, next }) => {
    const eventId = typeof body === 'object' && body !== null && 'event_id' in body && typeof body.event_id === 'string' ? body.event_id : null;
    if (eventId && !await firstDelivery(deps.ctx, 'slack', eventId)) {
      deps.log.info({ eventId }, 'ignored a redelivered Slack event');
      return;
    }
    await next();
  });

  const membership = new ChannelMembership(deps.log, () => deps.ctx.clock.now().getTime());
  app.event('app_home_opened', async ({ event, body, client }) => {
    const parsed = AppHomeOpenedSchema.safeParse(event);
    const workspaceId = typeof body.team_id === 'string' ? body.team_id : '';
    if (!parsed.success || (parsed.data.tab !== undefined && parsed.data.tab !== 'home')) return;
    // Keyed like clicks and commands: on Enterprise Grid on the organisation.
    const organisationId = 'enterprise_id' in body && typeof body.enterprise_id === 'string' && body.enterprise_id.length > 0 ? body.enterprise_id : null;
    const user = slackUser(organisationId ?? workspaceId, parsed.data.user);
    // Reports follow where the person is now, not where they once answered.
    const channels = await membership.channelsOf(client, workspaceId, parsed.data.user);
    const home = await personalHome(deps.ctx, user, deps.configuredAdmins, channels ? (team) => channels.has(team.channel.channelId) : null);
    await client.views.publish({
      user_id: parsed.data.user,
      view: homeView({
        answers: home.answers.map((answer) => ({ teamName: answer.teamName, aspectName: answer.aspectName, answer: answer.optionText, at: answer.at, comment: answer.comment, open: answer.roundOpen })),
        reports: home.reports,
        manageableTeamIds: home.manageableTeamIds,
        membershipKnown: home.membershipKnown,
        help: COMMAND_HELP,
      }),
    });
  });

  app.action(new RegExp(`^${ACTION.showReport}_`), async ({ body, ack, respond }) => {
    await ack();
    const parsed = BlockActionSchema.safeParse(body);
    const teamId = parsed.success ? parseRoundId(parsed.data.actions[0]?.value) : null;
    if (!parsed.success || teamId === null) return;
    const origin = originOf(parsed.data, parsed.data.channel?.id ?? '');
    const invocation: Invocation = { actor: personOf(parsed.data), channel: origin.channel, organisationId: origin.organisationId, configuredAdmins: deps.configuredAdmins };
    const reply = await reportByTeamId(deps.ctx, invocation, teamId);
    const blocks = replyBlocks(reply);
    await respond({ response_type: 'ephemeral', replace_original: true, text: replySentence(reply, SLACK_TEXT_STYLE) ?? 'Team report', ...(blocks ? { blocks } : {}) });
  });

  app.action(ACTION.forgetConfirm, async ({ body, ack, respond }) => {
    const parsed = BlockActionSchema.safeParse(body);
    if (!parsed.success) {
      await ack();
      return;
    }
    const origin = originOf(parsed.data, parsed.data.channel?.id ?? '');
    const removed = await confirmForgetMe(deps.ctx, { actor: personOf(parsed.data), channel: origin.channel, organisationId: origin.organisationId, configuredAdmins: deps.configuredAdmins });
    await ack();
    await respond({ response_type: 'ephemeral', replace_original: true, text: forgottenSentence(removed) });
  });
}
