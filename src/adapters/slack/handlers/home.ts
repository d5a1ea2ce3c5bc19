import type { App } from '@slack/bolt';
import { COMMAND_HELP } from '../../../core/chat-command.js';
import { respondentKey } from '../../../core/respondent-key.js';
import { isAllowed } from '../../../core/roles.js';
import type { TeamReport } from '../../../core/report.js';
import { confirmForgetMe, reportByTeamId, viewerFor, type Invocation } from '../../../services/chat-commands.js';
import { teamReport } from '../../../services/report-service.js';
import { answersOfRespondent } from '../../../storage/answer-repository.js';
import { rememberEvent } from '../../../storage/event-repository.js';
import { listTeams } from '../../../storage/team-repository.js';
import { forgottenSentence, replySentence } from '../../text/reply-text.js';
import { AppHomeOpenedSchema, BlockActionSchema, originOf, parseRoundId, personOf, slackChannel, slackUser } from '../inbound.js';
import { SLACK_TEXT_STYLE } from '../mrkdwn.js';
import { homeView } from '../render/home.js';
import { ACTION } from '../render/round-message.js';
import { replyBlocks } from './command.js';
import type { SlackHandlerDeps } from './deps.js';

const HOME_REPORTS = 5;

/** The App Home tab, the team picker's "show report" buttons, and the forget-me confirmation. */
export function registerHome(app: App, deps: SlackHandlerDeps): void {
  // Slack redelivers events it thinks were missed; each event id is handled once.
  app.use(async ({ body, next }) => {
    const eventId = typeof body === 'object' && body !== null && 'event_id' in body && typeof body.event_id === 'string' ? body.event_id : null;
    if (eventId && !rememberEvent(deps.ctx.db, 'slack', eventId, deps.ctx.clock.now())) {
      deps.log.info({ eventId }, 'ignored a redelivered Slack event');
      return;
    }
    await next();
  });

  app.event('app_home_opened', async ({ event, body, client }) => {
    const parsed = AppHomeOpenedSchema.safeParse(event);
    const workspaceId = typeof body.team_id === 'string' ? body.team_id : '';
    // Keyed like clicks and commands: on Enterprise Grid on the organisation.
    const organisationId = 'enterprise_id' in body && typeof body.enterprise_id === 'string' && body.enterprise_id.length > 0 ? body.enterprise_id : null;
    if (!parsed.success || (parsed.data.tab !== undefined && parsed.data.tab !== 'home')) return;
    const user = slackUser(organisationId ?? workspaceId, parsed.data.user);
    const own = answersOfRespondent(deps.ctx.db, respondentKey(deps.ctx.respondentSecret, user), 30);
    const teams = listTeams(deps.ctx.db);
    const teamName = new Map(teams.map((team) => [team.id, team.name]));
    // Reports of the teams the person answers in, or leads; PMs and admins also see the rest.
    const viewer = viewerFor(deps.ctx, { actor: user, channel: slackChannel(workspaceId, 'app-home'), configuredAdmins: deps.configuredAdmins }, null);
    const answered = new Set(own.map((answer) => answer.teamId));
    const candidates = teams.filter((team) => answered.has(team.id) || isAllowed(viewer, { kind: 'run-round', teamId: team.id }) || isAllowed(viewer, { kind: 'view-report', teamId: team.id }));
    const reports: TeamReport[] = [];
    for (const team of candidates.slice(0, HOME_REPORTS)) {
      const result = teamReport(deps.ctx, team, { withComments: isAllowed(viewer, { kind: 'view-comments', teamId: team.id }) });
      if (result.kind === 'report') reports.push(result.report);
    }
    await client.views.publish({
      user_id: parsed.data.user,
      view: homeView({
        answers: own.map((answer) => ({ teamName: teamName.get(answer.teamId) ?? 'A deleted team', aspectName: answer.aspectName, answer: answer.optionText, at: answer.at, comment: answer.comment, open: answer.roundOpen })),
        reports,
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
    const reply = reportByTeamId(deps.ctx, invocation, teamId);
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
    const removed = confirmForgetMe(deps.ctx, { actor: personOf(parsed.data), channel: origin.channel, organisationId: origin.organisationId, configuredAdmins: deps.configuredAdmins });
    await ack();
    await respond({ response_type: 'ephemeral', replace_original: true, text: forgottenSentence(removed) });
  });
}
