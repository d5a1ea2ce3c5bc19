import type { App } from '@slack/bolt';
import { nextScheduledRound, submitSetup } from '../../../services/chat-commands.js';
import { refusalSentence } from '../../text/reply-text.js';
import { organisationOf, parseMetadata, personOf, SetupMetadataSchema, setupValues, slackChannel, ViewSubmissionSchema } from '../inbound.js';
import { escapeMrkdwn, SLACK_TEXT_STYLE, slackDate } from '../mrkdwn.js';
import { VIEW, type SetupField } from '../render/modals.js';
import { FAILURE_SENTENCE, type SlackHandlerDeps } from './deps.js';

/** Maps a setup problem ("timeZone: expected …") to the form field that shows it. */
function fieldOf(problem: string): SetupField {
  if (problem.startsWith('timeZone')) return 'zone';
  if (problem.startsWith('roundLengthHours')) return 'length';
  if (problem.startsWith('localTime')) return 'time';
  if (problem.startsWith('weekday')) return 'weekday';
  if (problem.startsWith('everyWeeks')) return 'cadence';
  return 'name';
}

/** The setup dialog's submission: validate, check the bot can post here, register the team. */
export function registerSetup(app: App, deps: SlackHandlerDeps): void {
  app.view(VIEW.setup, async ({ body, ack, client }) => {
    const parsed = ViewSubmissionSchema.safeParse(body);
    const channel = parsed.success ? parseMetadata(SetupMetadataSchema, parsed.data.view.private_metadata) : null;
    if (!parsed.success || !channel) {
      deps.log.warn('malformed setup submission');
      await ack({ response_action: 'errors', errors: { name: FAILURE_SENTENCE } });
      return;
    }
    const values = setupValues(parsed.data);
    const membership = await client.conversations.info({ channel: channel.channelId }).then(
      (result) => (result.channel?.is_member === false ? 'not-member' : 'ok'),
      () => 'unknown',
    );
    if (membership === 'not-member') {
      await ack({ response_action: 'errors', errors: { name: 'Invite the bot to this channel first (/invite @maturity-pulse), then run setup again.' } });
      return;
    }
    const organisationId = organisationOf(parsed.data);
    const result = await submitSetup(deps.ctx, { actor: personOf(parsed.data), channel: slackChannel(channel.workspaceId, channel.channelId), organisationId, configuredAdmins: deps.configuredAdmins }, {
      name: values.name,
      organisationId,
      surveyId: values.survey,
      cadence: { everyWeeks: values.cadence === '2' ? 2 : 1, weekday: Number(values.weekday), localTime: values.time, timeZone: values.zone, roundLengthHours: Number(values.length) },
    });
    switch (result.kind) {
      case 'invalid': {
        const errors: Partial<Record<SetupField, string>> = {};
        for (const problem of result.problems) errors[fieldOf(problem)] ??= problem.replace(/^[a-zA-Z]+: /, '').replace(/^./, (first) => first.toUpperCase()) + '.';
        await ack({ response_action: 'errors', errors });
        return;
      }
      case 'name-taken':
        await ack({ response_action: 'errors', errors: { name: `Another team is already called "${values.name}"; names are unique ignoring case.` } });
        return;
      case 'channel-taken':
        await ack({ response_action: 'errors', errors: { name: 'This channel is already registered as a team.' } });
        return;
      case 'unknown-survey':
        await ack({ response_action: 'errors', errors: { survey: `That survey is no longer available. Pick one of: ${result.known.join(', ')}.` } });
        return;
      case 'refused':
        await ack({ response_action: 'errors', errors: { name: refusalSentence(result.refusal, SLACK_TEXT_STYLE) } });
        return;
      case 'created': {
        await ack();
        const next = await nextScheduledRound(deps.ctx, result.team, deps.ctx.clock.now());
        await client.chat
          .postEphemeral({
            channel: channel.channelId,
            user: parsed.data.user.id,
            text: `*${escapeMrkdwn(result.team.name)}* is set up. ${next ? `The first round opens ${slackDate(next)}.` : ''} Add leads with \`/maturity role add @person lead\`; see everything with \`/maturity help\`.`,
          })
          .catch((error: unknown) => deps.log.warn({ err: error }, 'could not confirm the setup in the channel'));
        return;
      }
    }
  });
}
