import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_ACCEPTED, OWNER_DECLINED } from '../../src/core/next-steps.js';
import type { Team } from '../../src/core/team.js';
import { closeOpenRound, openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { blockKitProblems, viewProblems } from '../support/block-kit-limits.js';
import { answerAs } from '../support/seed.js';
import type { ManualClock } from '../support/test-context.js';
import type { SlackMessage } from '../support/slack-stand-in.js';
import { ADMIN, blockAction, CHANNEL, command, eventually, LEAD, rawSql, startSlackHarness, TEAM, ticksPassed, useManualClock, viewSubmission, type SlackHarness } from './slack-harness.js';

const DAY = 24 * 60 * 60 * 1000;
const ASK_TEAMS = 'adoption-ask-teams-avoid';
const DAY_TWO = 'interfaces-add-day-actions';

let h: SlackHarness;
let clock: ManualClock;
let team: Team;

interface Block {
  type: string;
  text?: { text?: string };
  accessory?: { action_id?: string; value?: string };
  elements?: { action_id?: string; value?: string }[];
}

beforeAll(async () => {
  h = await startSlackHarness();
  // A Tuesday in 2030: the dates below are fixed, whatever day the tests run.
  clock = useManualClock(h, '2030-03-05T09:00:00Z');
  const created = await setupTeam(h.server.ctx, { platform: 'slack', workspaceId: TEAM, userId: ADMIN }, { name: 'Payments', channel: { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
  if (created.kind !== 'created') throw new Error(created.kind);
  team = created.team;
  expect(((await h.requests.slashCommand(command(ADMIN, `role add <@${LEAD}|lead> lead`))).json as { text: string }).text).toBe(`<@${LEAD}> is now a lead.`);
  // Interfaces at 3.0 (Scalable), Adoption at 2.0 (Operational): both a level below the next.
  for (const [aspectId, option] of [['interfaces', '3'], ['adoption', '2']] as const) {
    const opened = await openRound(h.server.ctx, team, { origin: 'ad-hoc', aspectId });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    await answerAs(h.server.ctx, opened.round.id, [option, option, option], TEAM);
    await closeOpenRound(h.server.ctx, team);
    await rawSql(h.server.ctx.store, 'update rounds set period_key = ? where id = ?', [`earlier-${aspectId}`, opened.round.id]);
  }
});
afterAll(async () => h.close());

async function slash(user: string, text: string): Promise<{ text: string; blocks?: Block[] }> {
  const response = await h.requests.slashCommand(command(user, text));
  expect(response.status).toBe(200);
  return response.json as { text: string; blocks?: Block[] };
}

async function report(user: string): Promise<Block[]> {
  const reply = await slash(user, 'report');
  expect(blockKitProblems(reply.blocks, 'message')).toEqual([]);
  return reply.blocks ?? [];
}

function buttons(blocks: readonly Block[], actionId: string): string[] {
  return blocks.flatMap((block) => [block.accessory, ...(block.elements ?? [])]).filter((element) => element?.action_id === actionId).map((element) => element?.value ?? '');
}

function texts(blocks: readonly Block[]): string {
  return blocks.map((block) => block.text?.text ?? '').join('\n');
}

/**
 * Waits for `check`, letting the hand clock run a second per look: the outbox waits out Slack's rate limits
 * (Retry-After) on the app's clock, which otherwise stands still.
 */
function eventuallyAsTimePasses<T>(what: string, check: () => T | null | undefined | false | Promise<T | null | undefined | false>): Promise<T> {
  return eventually(what, async () => {
    const value = await check();
    if (!value) clock.advance(1000);
    return value;
  });
}

/** Every post written so far has reached Slack (or was given up), the ones waiting out a rate limit too. */
function allDelivered(): Promise<boolean> {
  return eventuallyAsTimePasses('every post delivered', async () => (await h.server.ctx.store.listDeliveries()).every((delivery) => !['pending', 'claimed', 'sending'].includes(delivery.status)));
}

/** The latest modal of a user with the given callback id. */
function modal(user: string, callbackId: string): Record<string, unknown> | undefined {
  return h.slack.views(user).filter((view) => view.view.callback_id === callbackId).at(-1)?.view;
}

/** Clicks a button of a bot message in the user's DM, as Slack sends it (with a response_url for that message). */
async function clickInDm(user: string, message: SlackMessage, actionId: string): Promise<void> {
  const value = buttons((message.blocks ?? []) as Block[], actionId)[0];
  if (value === undefined) throw new Error(`no ${actionId} button in ${message.text}`);
  const dm = h.slack.dmChannelId(user);
  const clicked = await h.requests.interaction(
    blockAction(h.slack, user, actionId, value, {
      channel: { id: dm, name: 'directmessage' },
      container: { type: 'message', channel_id: dm, message_ts: message.ts },
      response_url: h.slack.createResponseUrl({ channelId: dm, userId: user, originalTs: message.ts }),
    }),
  );
  expect(clicked.status).toBe(200);
}

/** The DM message with `ts`, once its text is no longer `before`. */
function changed(user: string, ts: string, before: string): Promise<SlackMessage> {
  return eventually(`${user}'s message ${ts} to change`, () => h.slack.messages(user).find((message) => message.ts === ts && message.text !== before));
}

let homeEvents = 0;

/** The user opens the app's Home tab: the blocks Slack then shows them (views.publish, as the stand-in keeps it). */
async function openHome(user: string): Promise<Block[]> {
  homeEvents += 1;
  const before = h.slack.callsTo('views.publish').length;
  const envelope = { type: 'event_callback', team_id: TEAM, api_app_id: 'A0001', event_id: `Ev0STEPHOME${homeEvents}`, event_time: 1, event: { type: 'app_home_opened', user, channel: h.slack.dmChannelId(user), tab: 'home' } };
  expect((await h.requests.event(envelope)).status).toBe(200);
  await eventually(`${user}'s Home tab`, () => h.slack.callsTo('views.publish').length > before);
  const home = h.slack.homeTab(user)?.view;
  expect(viewProblems(home, 'home')).toEqual([]);
  return (home?.blocks ?? []) as Block[];
}

/** A click on a button of the user's Home tab, as Slack sends it: the view as container, no channel and no response_url. */
function homeClick(user: string, actionId: string, value: string): Record<string, unknown> {
  const home = h.slack.homeTab(user)?.view;
  const payload = blockAction(h.slack, user, actionId, value, { container: { type: 'view', view_id: home?.id }, view: home });
  delete payload.channel;
  delete payload.response_url;
  return payload;
}

async function stepNumbered(text: string): Promise<number> {
  const steps = await h.server.ctx.store.listSteps({ teamId: team.id });
  const step = steps.find((candidate) => candidate.text.startsWith(text));
  if (!step) throw new Error(`no step "${text}"`);
  return step.id;
}

/**
 * Adopts through the report's button and its form; returns the form's answer. `click` builds the button's
 * payload: by default a click on the ephemeral report in the team's channel.
 */
async function adoptThroughForm(
  actionId: 'mp_step_adopt' | 'mp_step_own',
  value: string,
  fields: { owner?: string; text?: string; date?: string },
  click: (actionId: string, value: string) => Record<string, unknown> = (id, clicked) => blockAction(h.slack, LEAD, id, clicked),
): Promise<{ response_action?: string; view?: { blocks?: Block[] }; errors?: Record<string, string> }> {
  const before = h.slack.callsTo('views.open').length;
  expect((await h.requests.interaction(click(actionId, value))).status).toBe(200);
  await eventually('the step form', () => h.slack.callsTo('views.open').length > before);
  const form = modal(LEAD, 'mp_step_modal');
  if (!form) throw new Error('no step form');
  const due = (form.blocks as { block_id?: string; element?: { initial_date?: string } }[]).find((block) => block.block_id === 'step_due')?.element?.initial_date;
  const values: Record<string, Record<string, unknown>> = {
    step_owner: { step_owner: { type: 'users_select', selected_user: fields.owner ?? null } },
    step_due: { step_due: { type: 'datepicker', selected_date: fields.date ?? due ?? null } },
    ...(fields.text === undefined ? {} : { step_text: { step_text: { type: 'plain_text_input', value: fields.text } } }),
  };
  const submitted = await h.requests.interaction(viewSubmission(LEAD, 'mp_step_modal', String(form.private_metadata), values));
  expect(submitted.status).toBe(200);
  return submitted.json as { response_action?: string; view?: { blocks?: Block[] } };
}

describe('targets and next steps in Slack', () => {
  it('a lead sets a target: the aspect on target loses its suggestions; a member may not, and sees no buttons', async () => {
    const before = await report(LEAD);
    expect(texts(before)).toContain('next level Optimizing (4): 1.0 to go');
    expect(buttons(before, 'mp_step_adopt')).toContain(`${team.id}:interfaces:${DAY_TWO}`);

    const refused = await slash('U1', 'target interfaces 3 we are fine');
    expect(refused.text).toMatch(/^Only the team's leads and admins can set this team's target levels\./);
    expect(texts(await report(LEAD))).toContain('next level Optimizing (4): 1.0 to go');

    const set = await slash(LEAD, 'target interfaces 3 self-service is enough for now');
    expect(set.text).toBe('Interfaces target for *Payments*: Scalable (3). Now 3.0: on target, so the report suggests nothing more for it.');

    const after = await report(LEAD);
    expect(texts(after)).toMatch(/\*Interfaces\* {2}\*3\.0\*.*on target: Scalable \(3\)/);
    expect(texts(after)).toMatch(/\*Adoption\* {2}\*2\.0\*.*next level Scalable \(3\): 1\.0 to go/);
    expect(JSON.stringify(after)).not.toContain(DAY_TWO);
    expect(buttons(after, 'mp_step_adopt')).toContain(`${team.id}:adoption:${ASK_TEAMS}`);
    expect(buttons(after, 'mp_step_own')).toEqual([`${team.id}:adoption`]);

    const member = await report('U1');
    expect(texts(member)).toContain('Ask teams that avoid the required tool why');
    expect(buttons(member, 'mp_step_adopt')).toEqual([]);
    expect(buttons(member, 'mp_step_own')).toEqual([]);
  });

  it("adopts a suggestion through the report's button and form (six weeks by default): one announcement; the owner accepts and is named", async () => {
    const adoptButton = buttons(await report(LEAD), 'mp_step_adopt').find((value) => value.endsWith(ASK_TEAMS));
    const answer = await adoptThroughForm('mp_step_adopt', adoptButton ?? '', { owner: 'U4' });
    const form = modal(LEAD, 'mp_step_modal');
    expect(viewProblems(form, 'modal')).toEqual([]);
    // Six weeks from the hand clock's Tuesday, in Berlin.
    expect(JSON.stringify(form)).toContain('"initial_date":"2030-04-16"');
    expect(answer.response_action).toBe('update');
    expect(texts(answer.view?.blocks ?? [])).toMatch(/^Adopted for \*Adoption\*: “Ask teams that avoid the required tool why, and fix the top reason before tightening any rule\.” \(#\d+\), due <!date\^\d+\^.*<@U4> is asked privately to own it\.$/);

    const stepId = await stepNumbered('Ask teams that avoid');
    const step = await h.server.ctx.store.findStep(stepId);
    // Due by the end of that day in the team's zone (CEST, UTC+2).
    expect(step?.dueAt.toISOString()).toBe('2030-04-16T21:59:59.999Z');

    const announcement = await eventuallyAsTimePasses('the announcement', () => h.slack.messages(CHANNEL).find((message) => message.text.includes('adopted a next step')));
    expect(announcement.text).toContain('*Payments* adopted a next step for *Adoption*: “Ask teams that avoid');
    expect(announcement.text).not.toContain('U4');
    const request = await eventuallyAsTimePasses("U4's owner request", () => h.slack.messages('U4').find((message) => message.text.includes('would like you to own')));
    expect(buttons((request.blocks ?? []) as Block[], 'mp_step_owner_accept')).toEqual([String(stepId)]);
    await allDelivered();
    expect(h.slack.messages(CHANNEL).filter((message) => message.text.includes('adopted a next step'))).toHaveLength(1);

    // Clicking again in the report finds the step already adopted, and says so; no second announcement.
    const again = await adoptThroughForm('mp_step_adopt', adoptButton ?? '', {});
    expect(texts(again.view?.blocks ?? [])).toMatch(/is already one of the team's open steps for Adoption/);

    expect(texts(await report(LEAD))).not.toContain('<@U4>');
    await clickInDm('U4', request, 'mp_step_owner_accept');
    const accepted = await changed('U4', request.ts, request.text);
    expect(accepted.text).toBe(OWNER_ACCEPTED);
    expect(buttons((accepted.blocks ?? []) as Block[], 'mp_step_owner_accept')).toEqual([]);
    expect(texts(await report(LEAD))).toMatch(/“Ask teams that avoid[^\n]*” \(#\d+\) · due <!date\^\d+\^[^\n]* · owner <@U4>/);

    // A second click on the same question (Slack redelivered it, or an old copy) gets a sentence, not an error.
    await clickInDm('U4', request, 'mp_step_owner_decline');
    await changed('U4', request.ts, OWNER_ACCEPTED);
    expect(h.slack.messages('U4').find((message) => message.ts === request.ts)?.text).toBe('You already accepted this.');
    expect((await h.server.ctx.store.findStep(stepId))?.ownerStatus).toBe('accepted');
    expect(h.slack.messages(CHANNEL).filter((message) => message.text.includes('adopted a next step'))).toHaveLength(1);
  });

  it('a step of our own with an owner who declines: the form checks the text, and the owner is named nowhere', async () => {
    const own = buttons(await report(LEAD), 'mp_step_own')[0] ?? '';
    const tooLong = await adoptThroughForm('mp_step_own', own, { text: 'x'.repeat(201) });
    expect(tooLong).toEqual({ response_action: 'errors', errors: { step_text: 'Keep the step to one line of at most 200 characters (this one has 201).' } });
    const past = await adoptThroughForm('mp_step_own', own, { text: 'Run a tooling survey', date: '2030-03-01' });
    expect(past).toEqual({ response_action: 'errors', errors: { step_due: 'The target date must be in the future.' } });

    const adopted = await adoptThroughForm('mp_step_own', own, { text: 'Run a tooling survey', owner: 'U5' });
    expect(texts(adopted.view?.blocks ?? [])).toMatch(/^Adopted for \*Adoption\*: “Run a tooling survey” \(#\d+\)/);
    const request = await eventuallyAsTimePasses("U5's owner request", () => h.slack.messages('U5').find((message) => message.text.includes('Run a tooling survey')));
    await clickInDm('U5', request, 'mp_step_owner_decline');
    const declined = await changed('U5', request.ts, request.text);
    expect(declined.text).toBe(OWNER_DECLINED);
    const line = texts(await report(LEAD)).split('\n').find((candidate) => candidate.includes('Run a tooling survey'));
    expect(line).toMatch(/^• “Run a tooling survey” \(#\d+\) · due <!date\^\d+\^[^ ]+ at \{time\}\|[^>]+>$/);
    expect(JSON.stringify(await report(LEAD))).not.toContain('U5');
    await allDelivered();
    expect(h.slack.messages(CHANNEL).filter((message) => message.text.includes('adopted a next step'))).toHaveLength(2);
  });

  it('/maturity steps lists them, and step add adopts for leads only', async () => {
    const refused = await slash('U1', 'step add interfaces write the runbook');
    expect(refused.text).toMatch(/^Only the team's leads and admins can adopt or close this team's next steps\./);
    // Due a day before the survey step the lead adopted earlier: the lead's first check-in is about this one.
    const added = await slash(LEAD, 'step add interfaces by 2030-04-15 write the runbook');
    expect(added.text).toMatch(/^Adopted for \*Interfaces\*: “write the runbook” \(#\d+\), due <!date\^\d+\^/);
    const listed = await slash('U1', 'steps');
    expect(listed.text.split('\n')).toEqual([
      'Next steps of *Payments*:',
      '*Adoption*',
      expect.stringMatching(/^• “Ask teams that avoid the required tool why[^”]*” \(#\d+\) · due <!date[^>]+> · owner <@U4>$/) as unknown,
      expect.stringMatching(/^• “Run a tooling survey” \(#\d+\) · due <!date[^>]+>$/) as unknown,
      '*Interfaces*',
      expect.stringMatching(/^• “write the runbook” \(#\d+\) · due <!date[^>]+>$/) as unknown,
      'Close one with step done|still|drop <number>.',
    ]);
  });

  it('at the date: one check-in with buttons per person a week, however many ticks; "Still on it" moves it two weeks; "Done" makes the next round ask about its aspect', async () => {
    await allDelivered();
    const checkIns = (user: string, step: string) => h.slack.messages(user).filter((message) => message.text.startsWith('Check-in for') && message.text.includes(step));
    expect(checkIns('U4', 'Ask teams')).toEqual([]);

    clock.advance(43 * DAY);
    const checkIn = await eventuallyAsTimePasses("U4's check-in", () => checkIns('U4', 'Ask teams')[0]);
    expect(buttons((checkIn.blocks ?? []) as Block[], 'mp_step_done')).toHaveLength(1);
    expect(buttons((checkIn.blocks ?? []) as Block[], 'mp_step_still')).toHaveLength(1);
    expect(buttons((checkIn.blocks ?? []) as Block[], 'mp_step_drop')).toHaveLength(1);
    // Steps without an owner who accepted ask the leads: the earliest due now, the other a week later.
    const runbook = await eventuallyAsTimePasses("the lead's check-in on the runbook", () => checkIns(LEAD, 'write the runbook')[0]);

    // More ticks, a day and then two days later (within the week): nobody is asked again.
    for (const _ of [1, 2]) {
      clock.advance(DAY);
      await ticksPassed(h, clock, 2);
    }
    await allDelivered();
    expect(checkIns('U4', 'Ask teams')).toHaveLength(1);
    expect(checkIns(LEAD, 'write the runbook')).toHaveLength(1);
    expect(checkIns(LEAD, 'Run a tooling survey')).toHaveLength(0);
    expect(checkIns('U5', '')).toHaveLength(0);

    await clickInDm('U4', checkIn, 'mp_step_still');
    const still = await changed('U4', checkIn.ts, checkIn.text);
    expect(still.text).toMatch(/^“Ask teams that avoid[^”]*” \(#\d+\) is now due <!date\^\d+\^/);
    const stepId = await stepNumbered('Ask teams that avoid');
    expect((await h.server.ctx.store.findStep(stepId))?.dueAt.getTime()).toBe(clock.now().getTime() + 14 * DAY);
    expect((await h.server.ctx.store.findStep(stepId))?.status).toBe('open');

    // Whatever round the scheduler opened for this week is closed, so the next one is the one to watch.
    await closeOpenRound(h.server.ctx, team);
    await clickInDm(LEAD, runbook, 'mp_step_done');
    const done = await changed(LEAD, runbook.ts, runbook.text);
    expect(done.text).toMatch(/^Marked done: “write the runbook” \(#\d+\)\. The next round asks about its aspect/);
    // A second click on the answered check-in says what happened, and changes nothing.
    await clickInDm(LEAD, runbook, 'mp_step_drop');
    const repeated = await changed(LEAD, runbook.ts, done.text);
    expect(repeated.text).toMatch(/^“write the runbook” \(#\d+\) is already done\.$/);

    const roundsBefore = h.slack.messages(CHANNEL).filter((message) => message.text.startsWith('Platform pulse · ')).length;
    // Monday 22 April 2030, 10:05 in Berlin: the team's next scheduled round.
    clock.set('2030-04-22T08:05:00Z');
    const next = await eventuallyAsTimePasses('the next scheduled round', () => h.slack.messages(CHANNEL).filter((message) => message.text.startsWith('Platform pulse · '))[roundsBefore]);
    expect(next.text).toMatch(/^Platform pulse · Interfaces:/);
  });

  it("the App Home tab offers a lead the report's \"We'll do this\" buttons; a click there opens the form, and its submission adopts for the team", async () => {
    const home = await openHome(LEAD);
    const reportButtons = await report(LEAD);
    expect(buttons(home, 'mp_step_adopt')).toEqual(buttons(reportButtons, 'mp_step_adopt'));
    expect(buttons(home, 'mp_step_own')).toEqual(buttons(reportButtons, 'mp_step_own'));
    const offered = buttons(home, 'mp_step_adopt').find((value) => value.startsWith(`${team.id}:adoption:`) && !value.endsWith(ASK_TEAMS));
    if (!offered) throw new Error('no suggestion left to adopt on the Home tab');
    // A member sees the same suggestions, without buttons.
    const member = await openHome('U1');
    expect(texts(member)).toContain('Ask teams that avoid the required tool why');
    expect(buttons(member, 'mp_step_adopt')).toEqual([]);
    expect(buttons(member, 'mp_step_own')).toEqual([]);

    const adopted = await adoptThroughForm('mp_step_adopt', offered, {}, (actionId, value) => homeClick(LEAD, actionId, value));
    expect(adopted.response_action).toBe('update');
    expect(texts(adopted.view?.blocks ?? [])).toMatch(/^Adopted for \*Adoption\*: “[^”]+” \(#\d+\), due <!date\^\d+\^/);
    const suggestionId = offered.split(':')[2];
    const step = (await h.server.ctx.store.listSteps({ teamId: team.id })).find((candidate) => candidate.suggestionId === suggestionId);
    expect(step).toMatchObject({ teamId: team.id, aspectId: 'adoption', status: 'open' });
    await eventuallyAsTimePasses("the Home tab's step announced in the channel", () => h.slack.messages(CHANNEL).find((message) => message.text.includes('adopted a next step') && message.text.includes(`#${step?.id ?? 0}`)));

    // Someone who may not adopt (an old tab, a forged click) is told so in a dialog where they are looking.
    const shown = h.slack.callsTo('views.open').length;
    expect((await h.requests.interaction(homeClick('U1', 'mp_step_adopt', offered))).status).toBe(200);
    await eventually("U1's answer", () => h.slack.callsTo('views.open').length > shown);
    expect(texts((modal('U1', 'mp_step_modal_done')?.blocks ?? []) as Block[])).toBe("Only the team's leads and admins can adopt this team's next steps.");
    expect(h.lines.filter((line) => line.includes('could not answer a next-step click') || line.includes('could not show why'))).toEqual([]);
  });

  it('the weekly digest: organisation targets reorder "furthest below target", and a section on steps names the done step that paid off', async () => {
    // The round the done step's aspect got (Interfaces, opened on 22 April) is answered higher and closed.
    const open = await h.server.ctx.store.findOpenRound(team.id);
    expect(open?.question.aspectId).toBe('interfaces');
    if (!open) throw new Error('no open round');
    await answerAs(h.server.ctx, open.id, ['4', '4', '4'], TEAM);
    await closeOpenRound(h.server.ctx, team);
    // Adoption is the weakest aspect, so without targets it would come first; with these it is on target.
    expect((await slash(ADMIN, 'target org adoption 2')).text).toMatch(/^Adoption target for the organisation \(CNCF platform engineering maturity\): Operational \(2\)/);
    expect((await slash(ADMIN, 'target org interfaces 4')).text).toMatch(/^Interfaces target for the organisation \(CNCF platform engineering maturity\): Optimizing \(4\)/);

    const DIGEST_CHANNEL = 'C0PLATFORM';
    h.slack.addChannel({ id: DIGEST_CHANNEL, name: 'platform', members: [ADMIN] });
    const subscribed = await h.requests.slashCommand(command(ADMIN, 'digest here friday 16:00', { channel_id: DIGEST_CHANNEL, channel_name: 'platform' }));
    expect((subscribed.json as { text: string }).text).toMatch(/^This channel gets the weekly digest/);
    for (const subscription of await h.server.ctx.store.listDigestSubscriptions()) await h.server.ctx.store.setNextDigest(subscription.id, new Date(0));
    const digest = await eventuallyAsTimePasses('the digest', () => h.slack.messages(DIGEST_CHANNEL).find((message) => message.text.startsWith('Platform maturity · week')));
    const text = JSON.stringify(digest.blocks);
    expect(text).toMatch(/Furthest below target: Interfaces 3\.5\*? — target Optimizing \(4\): 0\.5 to go/);
    expect(text).not.toMatch(/Furthest below target: Adoption/);
    // This week: the App Home's step adopted, the runbook done; it paid off (Interfaces 3.0 → 3.5).
    expect(text).toContain('Next steps this week: 1 adopted · 1 done · 0 dropped');
    expect(text).toMatch(/Paid off: \*Payments\* · Interfaces: “write the runbook” done <!date\^\d+\^[^>]+>; 3\.0 at adoption → 3\.5 now/);
  });

  it('never sent Slack anything it would reject (rate limits are waited out, not errors)', () => {
    const rejected = h.slack.calls.filter((call) => call.response.ok === false && call.response.error !== 'ratelimited');
    expect(rejected.map((call) => `${call.method}: ${String(call.response.error)}`)).toEqual([]);
  });
});

/** The warning the Slack messenger logs when a private step message reached fewer people than it names. */
const SKIPPED = 'some people could not be messaged privately about a next step; they are not tried again';
const skippedWarnings = () => h.lines.filter((line) => line.includes(SKIPPED) && line.includes('"level":40'));

describe('a person Slack will not let the bot message privately', () => {
  // U6 becomes a lead, then leaves the company: Slack refuses direct messages to a deactivated account.
  beforeAll(async () => {
    expect((await slash(ADMIN, 'role add <@U6|u6> lead')).text).toBe('<@U6> is now a lead.');
    h.slack.refuseDirectMessages('U6', 'user_disabled');
  });

  async function deliveryOf(kind: 'step-owner' | 'step-check-in', stepId: number) {
    return await eventuallyAsTimePasses(`the ${kind} delivery of step ${stepId}`, async () => {
      const delivery = (await h.server.ctx.store.listDeliveries()).find((candidate) => candidate.kind === kind && 'stepId' in candidate.payload && candidate.payload.stepId === stepId);
      return delivery && !['pending', 'claimed', 'sending'].includes(delivery.status) ? delivery : null;
    });
  }

  const postsToU6 = () => h.slack.callsTo('chat.postMessage').filter((call) => call.body.channel === 'U6');

  it('an owner request to them is skipped and logged, and its delivery counts as sent', async () => {
    const warnings = skippedWarnings().length;
    const tried = postsToU6().length;
    expect((await slash(LEAD, 'step add adoption <@U6|u6> by 2030-06-28 publish the adoption dashboard')).text).toMatch(/^Adopted for \*Adoption\*: “publish the adoption dashboard”/);
    const stepId = await stepNumbered('publish the adoption dashboard');
    expect(await deliveryOf('step-owner', stepId)).toMatchObject({ status: 'sent', attempts: 1, lastError: null, messageRef: 'owner-asked-0-of-1' });
    expect(postsToU6().slice(tried).map((call) => call.response.error)).toEqual(['user_disabled']);
    expect(h.slack.messages('U6').filter((message) => message.text.includes('publish the adoption dashboard'))).toEqual([]);
    expect(skippedWarnings()).toHaveLength(warnings + 1);
  });

  it("a check-in for the leads reaches the lead Slack lets through, once; the other is skipped and logged, and the delivery counts as sent", async () => {
    const warnings = skippedWarnings().length;
    const tried = postsToU6().length;
    const checkIns = () => h.slack.messages(LEAD).filter((message) => message.text.startsWith('Check-in for') && message.text.includes('Run a tooling survey'));
    expect(checkIns()).toEqual([]);
    // A week after the leads' last check-in (the runbook's), the next step without an owner is theirs to answer.
    clock.advance(7 * DAY);
    await eventuallyAsTimePasses("the leads' check-in on the tooling survey", () => checkIns()[0]);
    const stepId = await stepNumbered('Run a tooling survey');
    expect(await deliveryOf('step-check-in', stepId)).toMatchObject({ status: 'sent', attempts: 1, lastError: null, messageRef: 'checked-in-1-of-2' });
    expect(skippedWarnings()).toHaveLength(warnings + 1);
    // Sent once, not retried: nobody is asked again, not the lead who got it, not the lead who could not.
    await allDelivered();
    expect(checkIns()).toHaveLength(1);
    expect(postsToU6().slice(tried).map((call) => call.response.error)).toEqual(['user_disabled']);
    expect(h.slack.messages('U6').filter((message) => message.text.startsWith('Check-in for'))).toEqual([]);
  });
});
