import type { App, RespondFn } from '@slack/bolt';
import type { CheckInAnswer } from '../../../core/next-steps.js';
import { adoptStepForTeam, checkInFromButton, ownerAnswerFromButton, stepFormFor, type CommandReply, type Invocation } from '../../../services/chat-commands.js';
import { replySentence } from '../../text/reply-text.js';
import { BlockActionSchema, originOf, parseMetadata, parseRoundId, personOf, slackChannel, StepMetadataSchema, stepFormValues, ViewSubmissionSchema, type BlockAction } from '../inbound.js';
import { SLACK_TEXT_STYLE } from '../mrkdwn.js';
import { answeredMessage, parseAdoptValue, STEP_ACTION, STEP_FIELDS, STEP_VIEW, stepDoneModal, stepModal, type StepModalOrigin } from '../render/step-blocks.js';
import { FAILURE_SENTENCE, type SlackHandlerDeps } from './deps.js';

/** A button of a report that no longer says what it did (the report is old, the survey changed). */
const STALE_BUTTON = 'That button belongs to an older report. Run `/maturity report` again to see the current suggestions.';

const CHECK_IN_BY_ACTION: Readonly<Record<string, CheckInAnswer>> = { [STEP_ACTION.done]: 'done', [STEP_ACTION.still]: 'still-on-it', [STEP_ACTION.drop]: 'dropped' };

/** The channel a click came from: the message's (a DM for check-ins), or none on the App Home tab. */
function clickedChannel(payload: BlockAction): string {
  return payload.channel?.id ?? payload.container?.channel_id ?? '';
}

function invocationOf(deps: SlackHandlerDeps, payload: BlockAction): Invocation {
  const origin = originOf(payload, clickedChannel(payload));
  return { actor: personOf(payload), channel: origin.channel, organisationId: origin.organisationId, configuredAdmins: deps.configuredAdmins };
}

/**
 * Where a click's answer can go. Slack sends a response_url only with a click on a message: a click on the
 * App Home tab has none (Bolt then passes no `respond`), nor a channel to post an ephemeral message in.
 */
interface ClickReply {
  readonly respond: RespondFn | undefined;
  readonly client: App['client'];
  readonly userId: string;
}

type ClickArgs = { body: unknown; ack: () => Promise<void>; respond?: RespondFn; client: App['client'] };

function clickReply(args: ClickArgs, payload: BlockAction): ClickReply {
  return { respond: args.respond, client: args.client, userId: payload.user.id };
}

/**
 * A private answer next to the clicked message, which stays as it is; for a click on the App Home tab, a
 * direct message from the app (its Messages tab), the one place only the clicker sees that needs no trigger.
 */
async function tell(deps: SlackHandlerDeps, reply: ClickReply, text: string): Promise<void> {
  try {
    if (reply.respond) await reply.respond({ response_type: 'ephemeral', replace_original: false, text });
    else await reply.client.chat.postMessage({ channel: reply.userId, text });
  } catch (error) {
    deps.log.warn({ err: error }, 'could not answer a next-step click');
  }
}

/** The private question's buttons give way to the answer (the question is always a message: a DM). */
async function replaceWith(deps: SlackHandlerDeps, reply: ClickReply, text: string): Promise<void> {
  if (!reply.respond) return await tell(deps, reply, text);
  await reply.respond({ response_type: 'ephemeral', replace_original: true, ...answeredMessage(text) }).catch((error: unknown) => deps.log.warn({ err: error }, 'could not replace a next-step question with its answer'));
}

/** The form field a refused adoption is shown on; null when it concerns no field (it replaces the form instead). */
function refusedField(reply: Extract<CommandReply, { kind: 'refused' }>, ownStep: boolean): string | null {
  if (reply.refusal.kind !== 'invalid') return null;
  if (/date/i.test(reply.refusal.problem)) return STEP_FIELDS.due;
  return ownStep ? STEP_FIELDS.text : null;
}

/** "We'll do this" and "Add our own step" (the form), the owner's Accept / Decline, and the check-in answers. */
export function registerStepActions(app: App, deps: SlackHandlerDeps): void {
  const openForm = async (args: ClickArgs): Promise<void> => {
    const { body, ack, client } = args;
    // Acknowledged at once; the trigger stays valid for three seconds after the click, long enough for the few reads the form needs.
    await ack();
    const parsed = BlockActionSchema.safeParse(body);
    const target = parsed.success ? parseAdoptValue(parsed.data.actions[0]?.value) : null;
    const triggerId = parsed.success ? parsed.data.trigger_id : undefined;
    if (!parsed.success || !target || !triggerId) {
      deps.log.warn('malformed next-step click');
      if (parsed.success) await tell(deps, clickReply(args, parsed.data), STALE_BUTTON);
      return;
    }
    const payload = parsed.data;
    const reply = clickReply(args, payload);
    const invocation = invocationOf(deps, payload);
    // Whether they may adopt, what the suggestion says today, and six weeks ahead in the team's time zone:
    // a few indexed reads, as the trigger expires three seconds after the click.
    const form = await stepFormFor(deps.ctx, invocation, target.teamId, target.aspectId, target.suggestionId);
    if (form.kind === 'refused') {
      // Next to a message, privately; on the App Home tab in a small dialog where the person is looking.
      if (reply.respond) return await tell(deps, reply, form.sentence);
      return await client.views.open({ trigger_id: triggerId, view: stepDoneModal(form.sentence) }).then(
        () => undefined,
        async (error: unknown) => {
          deps.log.warn({ err: error }, 'could not show why a next-step click was refused');
          await tell(deps, reply, form.sentence);
        },
      );
    }
    // On the App Home tab the channel is empty: the submission is judged by the person's roles alone, as the click was.
    const origin = originOf(payload, clickedChannel(payload));
    const modalOrigin: StepModalOrigin = { ...target, workspaceId: origin.channel.workspaceId, channelId: origin.channel.channelId, organisationId: origin.organisationId };
    await client.views
      .open({ trigger_id: triggerId, view: stepModal(modalOrigin, { aspectName: form.aspectName, suggestionText: form.suggestionText, initialDate: form.initialDueOn }) })
      .catch(async (error: unknown) => {
        deps.log.warn({ err: error }, 'could not open the next-step form');
        await tell(deps, reply, 'The form did not open in time. Please click again.');
      });
  };
  app.action(STEP_ACTION.adopt, openForm);
  app.action(STEP_ACTION.own, openForm);

  app.view(STEP_VIEW, async ({ body, ack }) => {
    const parsed = ViewSubmissionSchema.safeParse(body);
    const origin = parsed.success ? parseMetadata(StepMetadataSchema, parsed.data.view.private_metadata) : null;
    if (!parsed.success || !origin) {
      deps.log.warn('malformed next-step submission');
      await ack({ response_action: 'errors', errors: { [STEP_FIELDS.due]: FAILURE_SENTENCE } });
      return;
    }
    const values = stepFormValues(parsed.data);
    const invocation: Invocation = { actor: personOf(parsed.data), channel: slackChannel(origin.workspaceId, origin.channelId), organisationId: origin.organisationId, configuredAdmins: deps.configuredAdmins };
    const reply = await adoptStepForTeam(deps.ctx, invocation, origin.teamId, {
      aspectId: origin.aspectId,
      suggestionId: origin.suggestionId,
      text: origin.suggestionId === null ? values.text : null,
      ownerUserId: values.ownerUserId,
      dueOn: values.dueOn,
    });
    const sentence = replySentence(reply, SLACK_TEXT_STYLE) ?? FAILURE_SENTENCE;
    if (reply.kind === 'refused') {
      const field = refusedField(reply, origin.suggestionId === null);
      if (field) {
        await ack({ response_action: 'errors', errors: { [field]: sentence } });
        return;
      }
    }
    // Adopted, already adopted, or refused outright: the form gives way to the sentence, for the lead alone.
    await ack({ response_action: 'update', view: stepDoneModal(sentence) });
  });

  const ownerAnswer = (accept: boolean) =>
    async (args: ClickArgs): Promise<void> => {
      const { body, ack } = args;
      const parsed = BlockActionSchema.safeParse(body);
      const stepId = parsed.success ? parseRoundId(parsed.data.actions[0]?.value) : null;
      if (!parsed.success || stepId === null) {
        deps.log.warn('malformed owner answer');
        await ack();
        return;
      }
      // Stored before the acknowledgement: a click Slack saw acknowledged is an answer kept.
      const sentence = await ownerAnswerFromButton(deps.ctx, invocationOf(deps, parsed.data), stepId, accept);
      await ack();
      await replaceWith(deps, clickReply(args, parsed.data), sentence);
    };
  app.action(STEP_ACTION.accept, ownerAnswer(true));
  app.action(STEP_ACTION.decline, ownerAnswer(false));

  const checkIn = async (args: ClickArgs): Promise<void> => {
    const { body, ack } = args;
    const parsed = BlockActionSchema.safeParse(body);
    const action = parsed.success ? parsed.data.actions[0] : undefined;
    const stepId = parseRoundId(action?.value);
    const answer = action ? CHECK_IN_BY_ACTION[action.action_id] : undefined;
    if (!parsed.success || stepId === null || !answer) {
      deps.log.warn('malformed check-in answer');
      await ack();
      return;
    }
    const reply = await checkInFromButton(deps.ctx, invocationOf(deps, parsed.data), stepId, answer);
    await ack();
    const sentence = replySentence(reply, SLACK_TEXT_STYLE) ?? FAILURE_SENTENCE;
    // A refusal leaves the buttons for someone allowed (or for later); an answer, even a repeated one, replaces them.
    const clicked = clickReply(args, parsed.data);
    if (reply.kind === 'step-closed') await replaceWith(deps, clicked, sentence);
    else await tell(deps, clicked, sentence);
  };
  app.action(STEP_ACTION.done, checkIn);
  app.action(STEP_ACTION.still, checkIn);
  app.action(STEP_ACTION.drop, checkIn);
}
