import type { App } from '@slack/bolt';
import { respondentKey } from '../../../core/respondent-key.js';
import { UNKNOWN_OPTION_ID } from '../../../core/survey.js';
import { nextScheduledRound } from '../../../services/chat-commands.js';
import { recordAnswerBatched } from '../../../services/answer-batch.js';
import { recordComment, type AnswerOutcome } from '../../../services/round-service.js';
import { findComment } from '../../../storage/answer-repository.js';
import { findRound } from '../../../storage/round-repository.js';
import { findTeamById } from '../../../storage/team-repository.js';
import { BlockActionSchema, CommentMetadataSchema, commentValue, parseAnswerValue, parseMetadata, parseRoundId, slackUser, ViewSubmissionSchema, workspaceOf } from '../inbound.js';
import { escapeMrkdwn, slackDate } from '../mrkdwn.js';
import { commentModal, VIEW } from '../render/modals.js';
import { ACTION } from '../render/round-message.js';
import { FAILURE_SENTENCE, type SlackHandlerDeps } from './deps.js';

/** What the person who clicked sees, and only they. */
export function answerReceipt(deps: SlackHandlerDeps, outcome: AnswerOutcome): string {
  switch (outcome.kind) {
    case 'recorded': {
      const { option, round } = outcome;
      const survey = deps.ctx.surveys.get(round.surveyId)?.survey;
      const level = option.level === null || option.id === UNKNOWN_OPTION_ID ? '' : ` (${option.level} of ${round.question.levelCount}${survey?.levels[option.level - 1] ? `: ${survey.levels[option.level - 1]?.name}` : ''})`;
      const verb = outcome.changed ? 'Changed your answer' : 'Recorded';
      return `:white_check_mark: ${verb} for *${escapeMrkdwn(round.question.aspectName)}*: “${escapeMrkdwn(option.text)}”${level}. You can change it until ${slackDate(outcome.changeableUntil)}. Only you can see this.`;
    }
    case 'round-closed': {
      const team = findTeamById(deps.ctx.db, outcome.round.teamId);
      const next = team ? nextScheduledRound(deps.ctx, team, deps.ctx.clock.now()) : null;
      return `This round closed ${slackDate(outcome.closedAt)}, so your click was not counted. ${next ? `The next round opens ${slackDate(next)}.` : 'The team is paused for now.'} Thanks for answering!`;
    }
    case 'unknown-option':
    case 'unknown-round':
      return 'That button belongs to a round that no longer exists, so nothing was recorded.';
  }
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
    const outcome = await recordAnswerBatched(deps.ctx, slackUser(workspaceOf(parsed.data), parsed.data.user.id), value.roundId, value.optionId);
    await ack();
    if (outcome.kind === 'recorded') deps.onAnswerRecorded(value.roundId);
    const responseUrl = parsed.data.response_url;
    if (responseUrl) {
      await deps.receipts.post(responseUrl, { response_type: 'ephemeral', replace_original: false, text: answerReceipt(deps, outcome) }).catch((error: unknown) =>
        deps.log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'could not show the answer receipt'),
      );
    }
  });

  app.action(ACTION.comment, async ({ body, ack, respond, client }) => {
    const parsed = BlockActionSchema.safeParse(body);
    const roundId = parsed.success ? parseRoundId(parsed.data.actions[0]?.value) : null;
    const round = roundId === null ? null : findRound(deps.ctx.db, roundId);
    if (!parsed.success || !round || !parsed.data.trigger_id) {
      await ack();
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That round no longer exists, so there is nothing to comment on.' });
      return;
    }
    if (round.status !== 'open' || round.closesAt.getTime() <= deps.ctx.clock.now().getTime()) {
      await ack();
      await respond({ response_type: 'ephemeral', replace_original: false, text: `This round closed ${slackDate(round.closedAt ?? round.closesAt)}; comments can no longer be added or changed.` });
      return;
    }
    const key = respondentKey(deps.ctx.respondentSecret, slackUser(workspaceOf(parsed.data), parsed.data.user.id));
    await client.views.open({ trigger_id: parsed.data.trigger_id, view: commentModal(round.id, round.question.aspectName, findComment(deps.ctx.db, round.id, key)) });
    await ack();
  });

  app.view(VIEW.comment, async ({ body, ack }) => {
    const parsed = ViewSubmissionSchema.safeParse(body);
    const round = parsed.success ? parseMetadata(CommentMetadataSchema, parsed.data.view.private_metadata) : null;
    if (!parsed.success || !round) {
      deps.log.warn('malformed comment submission');
      await ack({ response_action: 'errors', errors: { comment: FAILURE_SENTENCE } });
      return;
    }
    const outcome = recordComment(deps.ctx, slackUser(workspaceOf(parsed.data), parsed.data.user.id), round.roundId, commentValue(parsed.data));
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
      case 'unknown-round':
        await ack({ response_action: 'errors', errors: { comment: 'This round no longer exists.' } });
        return;
    }
  });
}
