import type { App } from '@slack/bolt';
import { UNKNOWN_OPTION_ID } from '../../../core/survey.js';
import { nextRoundOfTeam } from '../../../services/chat-commands.js';
import { recordAnswerBatched } from '../../../services/answer-batch.js';
import { personalRound, recordComment, type AnswerOutcome } from '../../../services/round-service.js';
import { BlockActionSchema, CommentMetadataSchema, commentValue, originOf, parseAnswerValue, parseMetadata, parseRoundId, personOf, slackChannel, ViewSubmissionSchema } from '../inbound.js';
import { escapeMrkdwn, slackDate } from '../mrkdwn.js';
import { commentModal, VIEW } from '../render/modals.js';
import { ACTION } from '../render/round-message.js';
import { FAILURE_SENTENCE, type SlackHandlerDeps } from './deps.js';

/** The private answer to a click on a round of another channel: nothing was written. */
export const WRONG_CHANNEL_SENTENCE = "That button belongs to a round of another team's channel, so nothing was recorded. Answer in your team's own channel.";

/** What the person who clicked sees, and only they. */
export async function answerReceipt(deps: SlackHandlerDeps, outcome: AnswerOutcome): Promise<string> {
  switch (outcome.kind) {
    case 'recorded': {
      const { option, round } = outcome;
      const survey = deps.ctx.surveys.get(round.surveyId)?.survey;
      const level = option.level === null || option.id === UNKNOWN_OPTION_ID ? '' : ` (${option.level} of ${round.question.levelCount}${survey?.levels[option.level - 1] ? `: ${survey.levels[option.level - 1]?.name}` : ''})`;
      const verb = outcome.changed ? 'Changed your answer' : 'Recorded';
      return `:white_check_mark: ${verb} for *${escapeMrkdwn(round.question.aspectName)}*: “${escapeMrkdwn(option.text)}”${level}. You can change it until ${slackDate(outcome.changeableUntil)}. Only you can see this.`;
    }
    case 'round-closed': {
      const next = await nextRoundOfTeam(deps.ctx, outcome.round.teamId);
      return `This round closed ${slackDate(outcome.closedAt)}, so your click was not counted. ${next ? `The next round opens ${slackDate(next)}.` : 'The team is paused for now.'} Thanks for answering!`;
    }
    case 'wrong-channel':
      return WRONG_CHANNEL_SENTENCE;
    case 'unknown-option':
    case 'unknown-round':
      return 'That button belongs to a round that no longer exists, so nothing was recorded.';
  }
}

/** The channel a block action was clicked in (the message's container for messages). */
function clickedChannel(payload: { channel?: { id: string } | undefined; container?: { channel_id?: string | undefined } | undefined }): string {
  return payload.channel?.id ?? payload.container?.channel_id ?? '';
}

/** Answer buttons, "Add a comment", and the comment dialog. */
export function registerRoundActions(app: App, deps: SlackHandlerDeps): void {
  app.action(new RegExp(`^${ACTION.answer}_`), async ({ body, ack }) => {
    const parsed = BlockActionSchema.safeParse(body);
    const value = parsed.success ? parseAnswerValue(parsed.data.actions[0]?.value) : null;
    if (!parsed.success || !value) {
      deps.log.warn('malformed answer click');
      await ack();
      return;
    }
    // Committed before the acknowledgement: a click Slack saw acknowledged is a stored answer.
    const outcome = await recordAnswerBatched(deps.ctx, personOf(parsed.data), value.roundId, value.optionId, originOf(parsed.data, clickedChannel(parsed.data)));
    await ack();
    if (outcome.kind === 'recorded') deps.onAnswerRecorded(value.roundId);
    const responseUrl = parsed.data.response_url;
    if (responseUrl) {
      await deps.receipts.post(responseUrl, { response_type: 'ephemeral', replace_original: false, text: await answerReceipt(deps, outcome) }).catch((error: unknown) =>
        deps.log.warn({ err: error }, 'could not show the answer receipt'),
      );
    }
  });

  app.action(ACTION.comment, async ({ body, ack, respond, client }) => {
    const parsed = BlockActionSchema.safeParse(body);
    const roundId = parsed.success ? parseRoundId(parsed.data.actions[0]?.value) : null;
    if (!parsed.success || roundId === null || !parsed.data.trigger_id) {
      await ack();
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That round no longer exists, so there is nothing to comment on.' });
      return;
    }
    const origin = originOf(parsed.data, clickedChannel(parsed.data));
    const mine = await personalRound(deps.ctx, personOf(parsed.data), roundId, origin);
    if (mine.kind !== 'round') {
      await ack();
      await respond({ response_type: 'ephemeral', replace_original: false, text: mine.kind === 'wrong-channel' ? WRONG_CHANNEL_SENTENCE : 'That round no longer exists, so there is nothing to comment on.' });
      return;
    }
    const { round } = mine;
    if (round.status !== 'open' || round.closesAt.getTime() <= deps.ctx.clock.now().getTime()) {
      await ack();
      await respond({ response_type: 'ephemeral', replace_original: false, text: `This round closed ${slackDate(round.closedAt ?? round.closesAt)}; comments can no longer be added or changed.` });
      return;
    }
    const modalOrigin = { roundId: round.id, workspaceId: origin.channel.workspaceId, channelId: origin.channel.channelId, organisationId: origin.organisationId };
    await client.views.open({ trigger_id: parsed.data.trigger_id, view: commentModal(modalOrigin, round.question.aspectName, mine.comment) });
    await ack();
  });

  app.view(VIEW.comment, async ({ body, ack }) => {
    const parsed = ViewSubmissionSchema.safeParse(body);
    const metadata = parsed.success ? parseMetadata(CommentMetadataSchema, parsed.data.view.private_metadata) : null;
    if (!parsed.success || !metadata) {
      deps.log.warn('malformed comment submission');
      await ack({ response_action: 'errors', errors: { comment: FAILURE_SENTENCE } });
      return;
    }
    const origin = { channel: slackChannel(metadata.workspaceId, metadata.channelId), organisationId: metadata.organisationId };
    const outcome = await recordComment(deps.ctx, personOf(parsed.data), metadata.roundId, commentValue(parsed.data), origin);
    switch (outcome.kind) {
      case 'saved':
      case 'removed':
        await ack();
        return;
      case 'too-long':
        await ack({ response_action: 'errors', errors: { comment: `Comments are at most ${outcome.max} characters; this one has ${outcome.length}. Please shorten it.` } });
        return;
      case 'round-closed':
        await ack({ response_action: 'errors', errors: { comment: 'This round has closed, so comments can no longer change.' } });
        return;
      case 'wrong-channel':
        await ack({ response_action: 'errors', errors: { comment: WRONG_CHANNEL_SENTENCE } });
        return;
      case 'unknown-round':
        await ack({ response_action: 'errors', errors: { comment: 'This round no longer exists.' } });
        return;
    }
  });
}
