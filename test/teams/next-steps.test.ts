import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import type { NextStep } from '../../src/core/next-steps.js';
import type { Team } from '../../src/core/team.js';
import type { StoredActivity } from '../support/teams-connector-state.js';
import { cardSubmit, type TeamsUser } from '../support/teams-activities.js';
import { answerAs } from '../support/seed.js';
import { closeOpenRound } from '../../src/services/round-service.js';
import { adaptiveCardProblems, cardBytes, executeActionProblems, objectsIn } from '../support/adaptive-card-validator.js';
import { startClockedTeamsHarness, type ClockedTeamsHarness } from './clocked-teams-harness.js';
import { APP_ID, CHANNEL_ID, cardText } from './teams-harness.js';

/**
 * Targets and adopted next steps through the real Teams adapter: typed commands, card forms, the cards the
 * outbox posts (in the channel and privately) and the scheduler's check-ins, on a clock the test moves.
 * Timeline (Europe/Berlin team, weekly on Monday 10:00, rounds of 96 h): set up on Monday 2 March 2026 after
 * that week's opening, a round asked by hand, closed on Friday; steps adopted that Friday, due six weeks on.
 */
const START = '2026-03-02T09:30:00Z';
const DAY = 86_400_000;

let h: ClockedTeamsHarness;
let team: Team;

beforeAll(async () => {
  h = await startClockedTeamsHarness(START);
});
afterAll(async () => h.close());

const invokeCard = (response: { body: unknown }): unknown => (response.body as { value?: unknown }).value;
const contentOf = (activity: StoredActivity | undefined): unknown => (activity?.activity as { attachments?: { content?: unknown }[] } | undefined)?.attachments?.[0]?.content;
const channelPosts = () => h.teams.connector.activities(CHANNEL_ID);
const privateCards = (user: TeamsUser) => h.teams.connector.activities(h.personalChat(user));
const steps = (): Promise<NextStep[]> => h.ctx.store.listSteps({ teamId: team.id });

/** The mention entity Teams adds when a message @mentions someone besides the bot. */
function mentioning(user: TeamsUser, command: (mention: string) => string) {
  const mention = `<at>${user.name}</at>`;
  return {
    text: `<at>maturity</at> ${command(mention)}`,
    entities: [
      { type: 'mention', mentioned: { id: `28:${h.teams.appId}`, name: 'maturity' }, text: '<at>maturity</at>' },
      { type: 'mention', mentioned: { id: user.id, name: user.name }, text: mention },
    ],
  };
}

/** What `user` typed gets as its answer in the channel thread: the card of the bot's newest post there. */
async function sayAndRead(user: TeamsUser, command: string, extra: Record<string, unknown> = {}): Promise<unknown> {
  const before = channelPosts().length;
  const response = await h.say(user, command, extra);
  expect(response.status).toBe(200);
  const posted = channelPosts().slice(before);
  expect(posted).toHaveLength(1);
  return contentOf(posted[0]);
}

function expectValidCard(content: unknown): void {
  const json: unknown = JSON.parse(JSON.stringify(content));
  expect(adaptiveCardProblems(json)).toEqual([]);
  expect(executeActionProblems(json)).toEqual([]);
  expect(cardBytes(json)).toBeLessThan(80_000);
}

function inputsOf(content: unknown, type: string): Record<string, unknown>[] {
  return objectsIn(content).flatMap(({ object }) => (object.type === type ? [object] : []));
}

/** The Action.Execute buttons of a card (fallbacks left out), with their data. */
function buttonsOf(content: unknown): { title: string; verb: string; data: Record<string, unknown> }[] {
  return objectsIn(content).flatMap(({ pointer, object }) => (object.type === 'Action.Execute' && !pointer.includes('/fallback') ? [{ title: String(object.title), verb: String(object.verb), data: object.data as Record<string, unknown> }] : []));
}

/** The channel's private report for `user`, as sent to their 1:1 chat. */
async function reportFor(user: TeamsUser): Promise<{ content: unknown; id: string }> {
  const before = privateCards(user).length;
  await h.say(user, 'report');
  const sent = privateCards(user).slice(before);
  expect(sent).toHaveLength(1);
  return { content: contentOf(sent[0]), id: sent[0]!.id };
}

describe('targets and next steps in Teams', () => {
  it('setup: a team with a lead and one closed round on Interfaces (2.0, Operational)', async () => {
    await h.say(h.admin, 'setup');
    const form = channelPosts().find((activity) => cardText(activity).includes('Set up this channel as a team'))!;
    const done = await h.click(h.admin, 'setup', { name: 'Payments', surveyId: 'cncf-platform-maturity', everyWeeks: '1', weekday: '1', localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: '96' }, form.id);
    expect(cardText(invokeCard(done))).toContain('Payments is set up');
    team = (await h.ctx.store.findTeamByChannel({ platform: 'teams', workspaceId: h.teams.tenantId, channelId: CHANNEL_ID }))!;
    expect(cardText(await sayAndRead(h.admin, 'role add lead', mentioning(h.lead, (mention) => `role add ${mention} lead`)))).toContain('is now a lead');

    await h.say(h.lead, 'ask interfaces');
    await h.tick();
    const round = (await h.ctx.store.findOpenRound(team.id))!;
    const roundCard = h.teams.connector.topLevel(CHANNEL_ID).find((activity) => cardText(activity).includes('Platform pulse · Interfaces'))!;
    const operational = round.question.options.find((option) => option.level === 2)!;
    for (const member of h.members.slice(2, 7)) expect(cardText(invokeCard(await h.click(member, 'answer', { roundId: round.id, optionId: operational.id }, roundCard.id)))).toContain('Recorded');
    h.clock.advance(4 * DAY + 3_600_000);
    await h.tick();
    expect((await h.ctx.store.findRound(round.id))?.status).toBe('closed');
  });

  describe('target', () => {
    it('answers with a card listing every target and, for a lead, a form with the levels and "none"', async () => {
      const content = await sayAndRead(h.lead, 'target');
      expectValidCard(content);
      expect(cardText(content)).toContain('**Interfaces**: none set: the next level');
      const [aspect, level] = inputsOf(content, 'Input.ChoiceSet');
      expect((aspect?.choices as { value: string }[]).map((choice) => choice.value)).toEqual(['investment', 'adoption', 'interfaces', 'operations', 'measurement']);
      expect((level?.choices as { title: string; value: string }[]).map((choice) => choice.value)).toEqual(['1', '2', '3', '4', 'none']);
      expect(inputsOf(content, 'Input.Text').map((input) => input.id)).toEqual(['target-reason-0']);
      expect(buttonsOf(content).map((button) => button.verb)).toEqual(['target-set']);
    });

    it('shows a member the targets without the form, and refuses a member who submits one', async () => {
      const member = h.members[3]!;
      const content = await sayAndRead(member, 'target');
      expect(cardText(content)).toContain('**Interfaces**');
      expect(inputsOf(content, 'Input.ChoiceSet')).toEqual([]);
      const leadCard = channelPosts().find((activity) => cardText(activity).includes('target-set'))!;
      const refused = await h.click(member, 'target-set', { scope: 'team', form: 0, 'target-aspect-0': 'interfaces', 'target-level-0': '2', 'target-reason-0': 'x' }, leadCard.id);
      expect(cardText(invokeCard(refused))).toMatch(/Only .*leads.* can set this team's target levels/);
      expect(await h.ctx.store.listTargets({ surveyId: team.surveyId })).toEqual([]);
    });

    it("a lead's submitted target shows in the report: on target, Interfaces loses its suggestions", async () => {
      const before = await reportFor(h.lead);
      expect(cardText(before.content)).toContain('To move **Interfaces** toward **Scalable**');

      const leadCard = channelPosts().find((activity) => cardText(activity).includes('target-set'))!;
      const set = await h.click(h.lead, 'target-set', { scope: 'team', form: 0, 'target-aspect-0': 'interfaces', 'target-level-0': '2', 'target-reason-0': 'Templates first, self-service next year' }, leadCard.id);
      const answer = invokeCard(set);
      expectValidCard(answer);
      expect(cardText(answer)).toContain('Interfaces target for **Payments**: Operational (2). Now 2.0: on target');
      expect(cardText(answer)).toContain('Operational (2), the team\'s own: “Templates first, self-service next year”');

      const after = await reportFor(h.lead);
      expect(cardText(after.content)).toContain('on target: Operational (2)');
      expect(cardText(after.content)).not.toContain('To move **Interfaces**');
      expect(buttonsOf(after.content).filter((button) => button.data.suggestionId)).toEqual([]);

      // Back to the default (the next level), by the typed command, which keeps working.
      expect(cardText(await sayAndRead(h.lead, 'target interfaces none'))).toContain('Removed the Interfaces target of **Payments**');
      expect(cardText((await reportFor(h.lead)).content)).toContain('To move **Interfaces** toward **Scalable**');
    });
  });

  describe('adopting a step from the report card', () => {
    it("offers a lead \"We'll do this\" per suggestion, with an owner picker and a date six weeks out; a member gets no forms", async () => {
      const { content } = await reportFor(h.lead);
      expectValidCard(content);
      const adopt = buttonsOf(content).filter((button) => button.verb === 'step-adopt');
      // Four suggestions toward Scalable and one "Add our own step" per aspect.
      expect(adopt.filter((button) => button.data.suggestionId !== '')).toHaveLength(4);
      expect(adopt.filter((button) => button.data.suggestionId === '')).toHaveLength(5);
      const dates = inputsOf(content, 'Input.Date');
      const sixWeeks = new Date(h.clock.now().getTime() + 42 * DAY).toISOString().slice(0, 10);
      expect(new Set(dates.map((input) => input.value))).toEqual(new Set([sixWeeks]));
      const picker = inputsOf(content, 'Input.ChoiceSet').find((input) => input.id === 'owner-interfaces-wrap-requested-template')!;
      expect((picker.choices as { value: string }[]).map((choice) => choice.value)).toEqual(['none', ...h.members.map((member) => member.aadObjectId)]);

      const member = await reportFor(h.members[4]!);
      expect(buttonsOf(member.content).filter((button) => button.verb === 'step-adopt')).toEqual([]);
      expect(cardText(member.content)).toContain('To move **Interfaces** toward **Scalable**');
    });

    it('adopts with the default date and posts one card in the channel at the next tick', async () => {
      const { content, id } = await reportFor(h.lead);
      const button = buttonsOf(content).find((candidate) => candidate.data.suggestionId === 'interfaces-wrap-requested-template')!;
      const due = inputsOf(content, 'Input.Date').find((input) => input.id === 'due-interfaces-wrap-requested-template')!.value as string;
      const response = await h.clickPrivately(h.lead, 'step-adopt', { ...button.data, 'owner-interfaces-wrap-requested-template': 'none', 'due-interfaces-wrap-requested-template': due }, id);
      const answer = invokeCard(response);
      expectValidCard(answer);
      expect(cardText(answer)).toContain('Adopted for **Interfaces**: “Wrap the most-requested template');
      // The report again, with the step under its aspect.
      expect(cardText(answer)).toMatch(/- “Wrap the most-requested template[^”]*” \(#\d+\) · due \{\{DATE/);

      const [step] = await steps();
      expect(step).toMatchObject({ aspectId: 'interfaces', suggestionId: 'interfaces-wrap-requested-template', status: 'open', owner: null });
      expect(step!.dueAt.toISOString()).toBe(DateTime.fromISO(due, { zone: 'Europe/Berlin' }).endOf('day').toUTC().toISO());

      const announced = () => h.teams.connector.topLevel(CHANNEL_ID).filter((activity) => cardText(activity).includes('adopted a next step'));
      expect(announced()).toEqual([]);
      await h.tick();
      await h.tick();
      expect(announced()).toHaveLength(1);
      expect(cardText(announced()[0])).toContain('**Payments** adopted a next step for **Interfaces**: “Wrap the most-requested template');
      expectValidCard(contentOf(announced()[0]));

      // The same suggestion again is not a second step.
      const again = await h.clickPrivately(h.lead, 'step-adopt', { ...button.data, 'due-interfaces-wrap-requested-template': due }, id);
      expect(cardText(invokeCard(again))).toContain('is already one of the team');
      expect(await steps()).toHaveLength(1);
    });

    it('refuses a member who submits the form, and adds nothing', async () => {
      const { content, id } = await reportFor(h.lead);
      const own = buttonsOf(content).find((candidate) => candidate.data.key === 'own-operations')!;
      const refused = await h.clickPrivately(h.members[5]!, 'step-adopt', { ...own.data, 'text-own-operations': 'Write a runbook' }, id);
      expect(cardText(invokeCard(refused))).toMatch(/Only .*leads.* can adopt or close this team's next steps/);
      expect(await steps()).toHaveLength(1);
    });
  });

  describe('owners', () => {
    it('the person named in the form is asked privately, accepts, and is then named in the report', async () => {
      const owner = h.members[3]!;
      const { content, id } = await reportFor(h.lead);
      const own = buttonsOf(content).find((candidate) => candidate.data.key === 'own-interfaces')!;
      const response = await h.clickPrivately(h.lead, 'step-adopt', { ...own.data, 'text-own-interfaces': 'Publish a golden-path template', 'owner-own-interfaces': owner.aadObjectId, 'due-own-interfaces': '2026-04-17' }, id);
      expect(cardText(invokeCard(response))).toContain(`${owner.name} is asked privately to own it`);
      const step = (await steps()).find((candidate) => candidate.text === 'Publish a golden-path template')!;
      expect(step).toMatchObject({ ownerStatus: 'asked', owner: { userId: owner.aadObjectId } });

      const before = privateCards(owner).length;
      await h.tick();
      await h.tick();
      const asked = privateCards(owner).slice(before);
      expect(asked).toHaveLength(1);
      const request = contentOf(asked[0]);
      expectValidCard(request);
      expect(cardText(request)).toContain(`**${h.lead.name}** would like you to own a next step of **Payments** for **Interfaces**: “Publish a golden-path template”`);
      expect(buttonsOf(request).map((button) => button.title)).toEqual(['Accept', 'Decline']);
      // Nobody else was asked, and the channel names nobody.
      for (const other of h.members.filter((member) => member !== owner && member !== h.lead)) expect(privateCards(other).filter((activity) => cardText(activity).includes('would like you to own'))).toEqual([]);
      expect(channelPosts().filter((activity) => cardText(contentOf(activity)).includes(owner.aadObjectId) || cardText(contentOf(activity)).includes(owner.name))).toEqual([]);

      const accept = buttonsOf(request).find((button) => button.title === 'Accept')!;
      expect(cardText(invokeCard(await h.clickPrivately(owner, accept.verb, accept.data, asked[0]!.id)))).toContain('Thanks: you own this step now');
      expect(cardText(invokeCard(await h.clickPrivately(owner, accept.verb, accept.data, asked[0]!.id)))).toContain('You already accepted this');
      const someoneElse = await h.clickPrivately(h.members[4]!, accept.verb, accept.data, asked[0]!.id);
      expect(cardText(invokeCard(someoneElse))).toContain('no longer yours to answer');

      expect(cardText((await reportFor(h.lead)).content)).toContain(`“Publish a golden-path template” (#${step.id}) · due {{DATE(2026-04-17T21:59:59Z, SHORT)}} {{TIME(2026-04-17T21:59:59Z)}} · owner **${owner.name}**`);
    });

    it('a person named by "step add … @person" declines, and the leads keep the step', async () => {
      const owner = h.members[4]!;
      const reply = await sayAndRead(h.lead, 'step add', mentioning(owner, (mention) => `step add operations ${mention} by 2026-04-17 keep one list of the services we run`));
      expect(cardText(reply)).toContain('Adopted for **Operations**');
      const step = (await steps()).find((candidate) => candidate.aspectId === 'operations')!;
      expect(step).toMatchObject({ text: 'keep one list of the services we run', owner: { userId: owner.aadObjectId }, ownerStatus: 'asked' });
      const before = privateCards(owner).length;
      await h.tick();
      const asked = privateCards(owner).slice(before);
      expect(asked).toHaveLength(1);
      const decline = buttonsOf(contentOf(asked[0])).find((button) => button.title === 'Decline')!;
      expect(cardText(invokeCard(await h.clickPrivately(owner, decline.verb, decline.data, asked[0]!.id)))).toContain('Declined: the leads keep the step');
      expect((await h.ctx.store.findStep(step.id))?.ownerStatus).toBe('declined');
    });

    it('"steps" lists the open steps with their owner once accepted', async () => {
      const content = await sayAndRead(h.members[6]!, 'steps');
      const listed = cardText(content);
      expect(listed).toContain('Next steps of **Payments**');
      expect(listed).toContain('“Wrap the most-requested template');
      expect(listed).toContain('“keep one list of the services we run”');
      // Named as Teams named them when they accepted, not by their AAD id.
      expect(listed).toContain(`owner ${h.members[3]!.name}`);
      expect(listed).not.toContain(h.members[3]!.aadObjectId);
      expect(listed).not.toContain(h.members[4]!.aadObjectId);
    });
  });

  describe('check-ins', () => {
    const checkIns = (user: TeamsUser) => privateCards(user).filter((activity) => cardText(activity).includes('Check-in for **Payments**'));

    it('at the due date, one private check-in per person, however often the scheduler ticks', async () => {
      expect(checkIns(h.members[3]!)).toEqual([]);
      await h.tick();
      expect(checkIns(h.members[3]!)).toEqual([]);
      // Sunday 19 April, 14:00 in Berlin: past every step's date, too late in the week for a catch-up round.
      h.clock.set('2026-04-19T12:00:00Z');
      await h.tick();
      await h.tick();
      await h.tick();
      const owner = checkIns(h.members[3]!);
      expect(owner).toHaveLength(1);
      expect(cardText(owner[0])).toContain('is “Publish a golden-path template”');
      expectValidCard(contentOf(owner[0]));
      expect(buttonsOf(contentOf(owner[0])).map((button) => button.title)).toEqual(['Done', 'Still on it', 'Dropped']);
      // Steps without an accepted owner go to the team's leads, one a week: the earliest due (the first
      // adopted of the two due the same evening) now, the other a week later.
      const lead = checkIns(h.lead);
      expect(lead).toHaveLength(1);
      expect(cardText(lead[0])).toContain('Wrap the most-requested template');
      expect(checkIns(h.members[4]!)).toEqual([]);
      // No scheduled round opened this late in the week.
      expect(await h.ctx.store.findOpenRound(team.id)).toBeNull();
    });

    it('"Done" closes the step, a second press says so, and the next scheduled round asks about Interfaces', async () => {
      const owner = h.members[3]!;
      const [card] = checkIns(owner);
      const done = buttonsOf(contentOf(card)).find((button) => button.title === 'Done')!;
      const answer = invokeCard(await h.clickPrivately(owner, done.verb, done.data, card!.id));
      expect(cardText(answer)).toContain('Marked done: “Publish a golden-path template”');
      expect(buttonsOf(answer)).toEqual([]);
      expect(cardText(invokeCard(await h.clickPrivately(owner, done.verb, done.data, card!.id)))).toContain('is already done');
      expect((await steps()).find((step) => step.text === 'Publish a golden-path template')?.status).toBe('done');

      // Without the finished step, rotation would ask about an aspect never asked (Investment first).
      h.clock.set('2026-04-20T08:05:00Z');
      await h.tick();
      const opened = (await h.ctx.store.findOpenRound(team.id))!;
      expect(opened.question.aspectId).toBe('interfaces');
      expect(h.teams.connector.topLevel(CHANNEL_ID).filter((activity) => cardText(activity).includes('Platform pulse · Interfaces'))).toHaveLength(2);
    });

    it('"Still on it" from a lead moves the date two weeks on; "step drop" closes the other', async () => {
      const wrap = checkIns(h.lead)[0]!;
      const still = buttonsOf(contentOf(wrap)).find((button) => button.title === 'Still on it')!;
      expect(cardText(invokeCard(await h.clickPrivately(h.lead, still.verb, still.data, wrap.id)))).toContain('is now due');
      const moved = (await steps()).find((step) => step.suggestionId === 'interfaces-wrap-requested-template')!;
      expect(moved.dueAt.getTime()).toBe(h.clock.now().getTime() + 14 * DAY);
      const operations = (await steps()).find((step) => step.aspectId === 'operations')!;
      expect(cardText(await sayAndRead(h.lead, `step drop ${operations.id}`))).toContain('Dropped: “keep one list of the services we run”');
      expect(cardText(await sayAndRead(h.members[5]!, `step done ${moved.id}`))).toMatch(/Only .*can close this step|owner, the team's leads and admins/);
      expect((await h.ctx.store.findStep(moved.id))?.status).toBe('open');
    });
  });

  it('the weekly digest card: organisation targets reorder "furthest below target", and a section on steps names the done step that paid off', async () => {
    // The Interfaces round the done step brought (opened 20 April) is answered higher and closed.
    const open = (await h.ctx.store.findOpenRound(team.id))!;
    expect(open.question.aspectId).toBe('interfaces');
    await answerAs(h.ctx, open.id, ['4', '4', '4'], h.teams.tenantId);
    await closeOpenRound(h.ctx, team);
    // The organisation aims higher than the next level: the digest measures against that.
    expect(cardText(await sayAndRead(h.admin, 'target org interfaces 4'))).toContain('Optimizing (4)');
    const subscribed = cardText(await sayAndRead(h.admin, 'digest here friday 16:00'));
    expect(subscribed).toContain('gets the weekly digest');
    for (const subscription of await h.ctx.store.listDigestSubscriptions()) await h.ctx.store.setNextDigest(subscription.id, new Date(0));
    await h.tick();
    const digest = h.teams.connector.topLevel(CHANNEL_ID).map((activity) => cardText(activity)).find((text) => text.includes('Platform maturity · week'));
    expect(digest).toContain('**Furthest below target: Interfaces 2.8** — target Optimizing (4): 1.2 to go');
    // This week the golden-path step was done and the operations step dropped; the done one paid off.
    expect(digest).toContain('Next steps this week: 0 adopted · 1 done · 1 dropped');
    expect(digest).toMatch(/Paid off: \*\*Payments\*\* · Interfaces: “Publish a golden-path template” done \{\{DATE\(2026-04-19T12:00:00Z, SHORT\)\}\}[^;]*; 2\.0 at adoption → 2\.8 now/);
  });
});

/** The Action.Submit fallback of a card's button: the data a client without Universal Actions sends. */
function submitData(content: unknown, title: string): Record<string, unknown> {
  const fallback = objectsIn(content).find(({ object }) => object.type === 'Action.Submit' && object.title === title);
  if (!fallback) throw new Error(`no Action.Submit "${title}" in the card`);
  return fallback.object.data as Record<string, unknown>;
}

/** Such a client's click in the user's 1:1 chat (a message with the data as its value); returns the bot's new posts there. */
async function submitPrivately(user: TeamsUser, data: Record<string, unknown>, cardActivityId: string): Promise<StoredActivity[]> {
  const before = privateCards(user).length;
  const response = await h.send(cardSubmit({ appId: APP_ID, serviceUrl: h.teams.connector.serviceUrl, tenantId: h.teams.tenantId, from: user, conversationId: h.personalChat(user), data, cardActivityId }));
  expect(response.status).toBe(200);
  return privateCards(user).slice(before);
}

/** The outbox's deliveries of one kind for a step, oldest first. */
async function deliveriesOf(kind: 'step-owner' | 'step-check-in', stepId: number) {
  return (await h.ctx.store.listDeliveries()).filter((delivery) => delivery.kind === kind && 'stepId' in delivery.payload && delivery.payload.stepId === stepId).sort((a, b) => a.id - b.id);
}

describe('step buttons from clients without Universal Actions (Action.Submit)', () => {
  it('an owner accepts, and at the date answers the check-in "Done": each click is answered in their 1:1 chat', async () => {
    const owner = h.members[5]!;
    expect(cardText(await sayAndRead(h.lead, 'step add', mentioning(owner, (mention) => `step add adoption ${mention} by 2026-04-22 run weekly office hours`)))).toContain('Adopted for **Adoption**');
    const step = (await steps()).find((candidate) => candidate.text === 'run weekly office hours')!;
    const before = privateCards(owner).length;
    await h.tick();
    const [request] = privateCards(owner).slice(before);
    expect(cardText(request)).toContain('would like you to own');

    const accepted = await submitPrivately(owner, submitData(contentOf(request), 'Accept'), request!.id);
    expect(accepted).toHaveLength(1);
    expect(cardText(contentOf(accepted[0]))).toContain('Thanks: you own this step now');
    expect((await h.ctx.store.findStep(step.id))?.ownerStatus).toBe('accepted');

    // Thursday 23 April: past the step's date (the end of Wednesday in Berlin).
    h.clock.set('2026-04-23T09:00:00Z');
    await h.tick();
    await h.tick();
    const checkIns = privateCards(owner).filter((activity) => cardText(activity).includes('Check-in for **Payments**') && cardText(activity).includes('run weekly office hours'));
    expect(checkIns).toHaveLength(1);
    const done = await submitPrivately(owner, submitData(contentOf(checkIns[0]), 'Done'), checkIns[0]!.id);
    expect(done).toHaveLength(1);
    expect(cardText(contentOf(done[0]))).toContain('Marked done: “run weekly office hours”');
    expect((await h.ctx.store.findStep(step.id))?.status).toBe('done');
  });
});

describe('a person Teams will not let the bot reach privately', () => {
  const blocked = (): TeamsUser => h.members[6]!;
  /** The messenger's warning for a person it skipped, with the connector's reason. */
  const skippedWarnings = () => h.lines.filter((line) => line.includes('could not message a person privately about a next step; skipped them') && line.includes('HTTP 403 ConversationBlockedByUser'));
  /** Its summary for the delivery: how many of how many were reached. */
  const summaries = () => h.lines.filter((line) => line.includes('some people could not be messaged privately about a next step'));

  beforeAll(async () => {
    expect(cardText(await sayAndRead(h.admin, 'role add lead', mentioning(blocked(), (mention) => `role add ${mention} lead`)))).toContain('is now a lead');
    // They blocked the bot: creating their 1:1 chat answers 403 ConversationBlockedByUser.
    h.teams.connector.removeBot(h.personalChat(blocked()), 'blocked');
  });

  it('an owner request to them is skipped and logged, and its delivery counts as sent', async () => {
    const warnings = skippedWarnings().length;
    expect(cardText(await sayAndRead(h.lead, 'step add', mentioning(blocked(), (mention) => `step add measurement ${mention} by 2026-06-30 publish the delivery dashboards`)))).toContain('Adopted for **Measurement**');
    const step = (await steps()).find((candidate) => candidate.text === 'publish the delivery dashboards')!;
    await h.tick();
    expect(await deliveriesOf('step-owner', step.id)).toEqual([expect.objectContaining({ status: 'sent', attempts: 1, lastError: null, messageRef: 'private-0-of-1' })]);
    expect(privateCards(blocked())).toEqual([]);
    expect(skippedWarnings()).toHaveLength(warnings + 1);
    expect(summaries().at(-1)).toContain('"reached":0');
  });

  it('a check-in for the leads reaches the lead Teams lets through, once; the other is skipped and logged, and the delivery counts as sent', async () => {
    const wrap = (await steps()).find((step) => step.suggestionId === 'interfaces-wrap-requested-template')!;
    const checkIns = () => privateCards(h.lead).filter((activity) => cardText(activity).includes('Check-in for **Payments**') && cardText(activity).includes('Wrap the most-requested template'));
    const before = checkIns().length;
    const earlier = (await deliveriesOf('step-check-in', wrap.id)).length;
    const warnings = skippedWarnings().length;
    // Tuesday 5 May: the step "Still on it" moved two weeks on is due again.
    h.clock.set('2026-05-05T09:00:00Z');
    await h.tick();
    await h.tick();
    expect(checkIns()).toHaveLength(before + 1);
    const deliveries = await deliveriesOf('step-check-in', wrap.id);
    expect(deliveries.slice(earlier)).toEqual([expect.objectContaining({ status: 'sent', attempts: 1, lastError: null, messageRef: 'private-1-of-2' })]);
    expect(skippedWarnings()).toHaveLength(warnings + 1);
    expect(summaries().at(-1)).toContain('"reached":1');
    expect(privateCards(blocked())).toEqual([]);
    // Not retried: another tick asks nobody again.
    await h.tick();
    expect(checkIns()).toHaveLength(before + 1);
    expect(skippedWarnings()).toHaveLength(warnings + 1);
  });
});
