import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseChatCommand, type CommandToken } from '../../src/core/chat-command.js';
import { adoptStepForTeam, checkInFromButton, ownerAnswerFromButton, runChatCommand, type CommandReply, type Invocation } from '../../src/services/chat-commands.js';
import { prepareMessage } from '../../src/services/outbound-messages.js';
import { chooseAspectFor } from '../../src/services/question-service.js';
import { queueDueCheckIns } from '../../src/services/step-service.js';
import { openStore } from '../../src/storage/open-store.js';
import { closeOpenRound, openRound } from '../../src/services/round-service.js';
import { buildSurvey, DAY } from '../support/factories.js';
import { answerAs, setUpTeam } from '../support/seed.js';
import { createTestContext, type TestContext } from '../support/test-context.js';
import type { Team } from '../../src/core/team.js';

const survey = buildSurvey({ aspects: ['investment', 'adoption', 'interfaces'] });
let ctx: TestContext;
let team: Team;

const person = (userId: string, channelId = 'C-team'): Invocation => ({ actor: { platform: 'slack', workspaceId: 'T1', userId }, channel: { platform: 'slack', workspaceId: 'T1', channelId }, configuredAdmins: [] });
const LEAD = person('ULEAD');
const MEMBER = person('UMEMBER');
const OWNER = person('UOWNER');
const PM = person('UPM', 'C-elsewhere');

function words(text: string): CommandToken[] {
  return text.split(' ').map((part) => (part.startsWith('@') ? { kind: 'mention', userId: part.slice(1), label: part } : { kind: 'word', text: part }));
}
const run = (invocation: Invocation, text: string): Promise<CommandReply> => runChatCommand(ctx, invocation, parseChatCommand(words(text)));

beforeEach(async () => {
  ctx = await createTestContext({ surveys: [survey], now: '2026-03-02T09:30:00Z' });
  team = await setUpTeam(ctx, 'Payments', { channel: { platform: 'slack', workspaceId: 'T1', channelId: 'C-team' } });
  const at = ctx.clock.now();
  await ctx.store.grantRole(LEAD.actor, { role: 'lead', teamId: team.id }, 'UADMIN', at);
  await ctx.store.grantRole(PM.actor, { role: 'pm', teamId: null }, 'UADMIN', at);
});
afterEach(async () => {
  await ctx.close();
});

async function reportOf(invocation: Invocation) {
  const reply = await run(invocation, 'report');
  if (reply.kind !== 'report') throw new Error(`no report: ${JSON.stringify(reply)}`);
  return reply;
}

describe('target levels', () => {
  it('lets leads set their team’s target and PMs the organisation’s; the report measures against it', async () => {
    // Investment at 2.0 from one qualifying round, written as the closed round would be.
    await seedClosedRound('investment', [2, 2, 2]);
    expect((await reportOf(LEAD)).report.aspects[0]?.standing).toMatchObject({ toGo: 1, target: { source: 'next', level: 3 } });

    const refused = await run(MEMBER, 'target investment 4');
    expect(refused).toMatchObject({ kind: 'refused', refusal: { kind: 'not-allowed', who: "the team's leads and admins" } });

    const set = await run(LEAD, 'target investment leading we sell to banks');
    expect(set).toMatchObject({ kind: 'target-set', teamName: 'Payments', cleared: false, target: { level: 4, source: 'team', reason: 'we sell to banks' }, standing: { value: 2, standing: { toGo: 2 } } });
    expect((await reportOf(MEMBER)).report.aspects[0]?.standing).toMatchObject({ toGo: 2, target: { source: 'team' } });

    expect(await run(LEAD, 'target org investment 2')).toMatchObject({ kind: 'refused', refusal: { kind: 'not-allowed', who: 'PMs and admins' } });
    expect(await run(PM, 'target org investment 2')).toMatchObject({ kind: 'target-set', teamName: null, target: { level: 2, source: 'organisation' } });
    // The team's own target still wins; removing it lets the organisation's apply, which this team meets.
    expect((await reportOf(LEAD)).report.aspects[0]?.standing).toMatchObject({ toGo: 2 });
    expect(await run(LEAD, 'target investment none')).toMatchObject({ kind: 'target-set', cleared: true, target: { source: 'organisation', level: 2 } });
    const after = (await reportOf(LEAD)).report.aspects[0];
    expect(after?.standing).toMatchObject({ onTarget: true });
    expect(after?.suggestions).toEqual([]);

    expect(await run(LEAD, 'target investment 9')).toMatchObject({ kind: 'refused', refusal: { kind: 'invalid' } });
    expect(await run(LEAD, 'target nope 2')).toMatchObject({ kind: 'refused' });
    const listed = await run(MEMBER, 'target');
    expect(listed).toMatchObject({ kind: 'targets', scope: 'team', surveys: [{ rows: [{ aspectId: 'investment', target: { source: 'organisation', level: 2 } }, { target: { source: 'next' } }, { target: { source: 'next' } }] }] });
    const audit = await ctx.store.recentAudit(10);
    expect(audit.map((entry) => entry.action).filter((action) => action.startsWith('target.'))).toEqual(['target.clear', 'target.set', 'target.set']);
  });
});

/** A round on the aspect, answered with these levels and closed, through the real round service. */
async function seedClosedRound(aspectId: string, levels: number[]): Promise<void> {
  const opened = await openRound(ctx, team, { origin: 'ad-hoc', aspectId });
  if (opened.kind !== 'opened') throw new Error(`round did not open: ${opened.kind}`);
  await answerAs(ctx, opened.round.id, levels.map(String));
  ctx.clock.advance(4 * DAY);
  await closeOpenRound(ctx, team);
}

describe('adopted next steps', () => {
  it('adopts a suggestion once, tells the channel once, and asks the owner privately without storing their id in the outbox', async () => {
    const suggestionId = survey.aspects[2]?.levels[0]?.suggestions[1]?.id ?? '';
    expect(await adoptStepForTeam(ctx, MEMBER, team.id, { aspectId: 'interfaces', suggestionId, text: null, ownerUserId: null, dueOn: null })).toMatchObject({ kind: 'refused', refusal: { kind: 'not-allowed' } });
    const adopted = await adoptStepForTeam(ctx, { ...LEAD, actorName: 'Lee Lead' }, team.id, { aspectId: 'interfaces', suggestionId, text: null, ownerUserId: 'UOWNER', ownerName: 'Olu from the roster', dueOn: null });
    if (adopted.kind !== 'step-adopted') throw new Error(JSON.stringify(adopted));
    expect(adopted.step).toMatchObject({ suggestionId, text: 'interfaces step 1b', ownerStatus: 'asked', dueAt: new Date(ctx.clock.now().getTime() + 42 * DAY) });
    expect(await adoptStepForTeam(ctx, LEAD, team.id, { aspectId: 'interfaces', suggestionId, text: null, ownerUserId: null, dueOn: null })).toMatchObject({ kind: 'step-adopted', already: true });

    const deliveries = await ctx.store.listDeliveries();
    expect(deliveries.map((delivery) => delivery.kind).sort()).toEqual(['step-adopted', 'step-owner']);
    expect(JSON.stringify(deliveries)).not.toContain('UOWNER');
    const ownerDelivery = deliveries.find((delivery) => delivery.kind === 'step-owner');
    if (!ownerDelivery) throw new Error('no owner request');
    const request = await prepareMessage(ctx, ownerDelivery);
    // The lead is named by the name their platform gave; the person asked is not named in the step yet.
    expect(request).toMatchObject({ kind: 'message', message: { kind: 'step-owner-request', ownerUserId: 'UOWNER', by: { userId: 'ULEAD', name: 'Lee Lead' }, step: { owner: null, aspectName: 'Interfaces' } } });

    // Only the person asked can answer; the channel never names them before they accept.
    expect(await ownerAnswerFromButton(ctx, MEMBER, adopted.step.id, true)).toContain('no longer yours');
    expect((await reportOf(LEAD)).report.aspects[2]?.openSteps).toMatchObject([{ id: adopted.step.id, ownerUserId: null }]);
    expect((await reportOf(LEAD)).report.aspects[2]?.openSteps).toMatchObject([{ id: adopted.step.id, ownerUserId: null, ownerName: null }]);
    // Accepting keeps the name the click carries (Teams ids are unreadable): reports and messages use it.
    expect(await ownerAnswerFromButton(ctx, { ...OWNER, actorName: 'Olu Owner' }, adopted.step.id, true)).toContain('you own this step');
    expect(await ownerAnswerFromButton(ctx, OWNER, adopted.step.id, false)).toContain('already accepted');
    expect((await reportOf(LEAD)).report.aspects[2]?.openSteps).toMatchObject([{ id: adopted.step.id, ownerUserId: 'UOWNER', ownerName: 'Olu Owner' }]);
    const announcement = (await ctx.store.listDeliveries({ kind: 'step-adopted' }))[0];
    if (!announcement) throw new Error('no announcement');
    expect(await prepareMessage(ctx, announcement)).toMatchObject({ message: { step: { owner: { userId: 'UOWNER', name: 'Olu Owner' } } } });
    // The request is obsolete once answered: a retry of its delivery posts nothing.
    expect(await prepareMessage(ctx, ownerDelivery)).toMatchObject({ kind: 'obsolete' });
  });

  it('a declined owner is not named, and the leads get the check-in', async () => {
    const adopted = await run(LEAD, 'step add interfaces @UOWNER publish a golden-path template');
    if (adopted.kind !== 'step-adopted') throw new Error(JSON.stringify(adopted));
    expect(await ownerAnswerFromButton(ctx, OWNER, adopted.step.id, false)).toContain('Declined');
    expect((await reportOf(LEAD)).report.aspects[2]?.openSteps).toMatchObject([{ ownerUserId: null, text: 'publish a golden-path template' }]);
    ctx.clock.advance(42 * DAY);
    expect(await queueDueCheckIns(ctx)).toBe(1);
    const checkIn = (await ctx.store.listDeliveries({ kind: 'step-check-in' }))[0];
    if (!checkIn) throw new Error('no check-in');
    expect(await prepareMessage(ctx, checkIn)).toMatchObject({ kind: 'message', message: { kind: 'step-check-in', recipientUserIds: ['ULEAD'] } });
  });

  it('checks in once per due date across ticks and a restart, "still on it" moves the date two weeks, and "done" asks the aspect next', async () => {
    const adopted = await run(LEAD, 'step add adoption @UOWNER by 2026-03-20 pair with two teams on the paved road');
    if (adopted.kind !== 'step-adopted') throw new Error(JSON.stringify(adopted));
    expect(adopted.step.dueAt.toISOString()).toBe('2026-03-20T22:59:59.999Z');
    await ownerAnswerFromButton(ctx, OWNER, adopted.step.id, true);
    expect(await queueDueCheckIns(ctx)).toBe(0);
    ctx.clock.set(new Date('2026-03-21T08:00:00Z'));
    expect(await queueDueCheckIns(ctx)).toBe(1);
    expect(await queueDueCheckIns(ctx)).toBe(0);
    // Another process on the same database (a restart, a replica) finds nothing more to ask.
    const second = await openStore(ctx.storage.target);
    try {
      expect(await queueDueCheckIns({ ...ctx, store: second })).toBe(0);
    } finally {
      await second.close();
    }
    ctx.clock.advance(8 * DAY);
    expect(await queueDueCheckIns(ctx)).toBe(0);
    const checkIns = await ctx.store.listDeliveries({ kind: 'step-check-in' });
    expect(checkIns).toHaveLength(1);
    const first = checkIns[0];
    if (!first) throw new Error('no check-in');
    expect(await prepareMessage(ctx, first)).toMatchObject({ message: { recipientUserIds: ['UOWNER'] } });

    expect(await checkInFromButton(ctx, MEMBER, adopted.step.id, 'done')).toMatchObject({ kind: 'refused', refusal: { kind: 'not-allowed' } });
    const still = await checkInFromButton(ctx, OWNER, adopted.step.id, 'still-on-it');
    expect(still).toMatchObject({ kind: 'step-closed', answer: 'still-on-it', step: { status: 'open', dueAt: new Date(ctx.clock.now().getTime() + 14 * DAY) } });
    ctx.clock.advance(14 * DAY);
    expect(await queueDueCheckIns(ctx)).toBe(1);
    expect(await ctx.store.listDeliveries({ kind: 'step-check-in' })).toHaveLength(2);

    expect(await chooseAspectFor(ctx, team, ctx.clock.now())).toBeUndefined();
    expect(await checkInFromButton(ctx, OWNER, adopted.step.id, 'done')).toMatchObject({ kind: 'step-closed', answer: 'done', already: false, step: { status: 'done' } });
    expect(await checkInFromButton(ctx, LEAD, adopted.step.id, 'dropped')).toMatchObject({ kind: 'step-closed', already: true, step: { status: 'done' } });
    // Rotation would ask investment (never asked) first; the done step's aspect goes first instead.
    expect(await chooseAspectFor(ctx, team, ctx.clock.now())).toBe('adoption');
    const later = await prepareMessage(ctx, first);
    expect(later).toMatchObject({ kind: 'obsolete' });
    const steps = await run(MEMBER, 'steps');
    expect(steps).toMatchObject({ kind: 'steps', aspects: [{ aspectName: 'Adoption', steps: [{ status: 'done', ownerUserId: 'UOWNER' }] }] });
  });

  it("asks the leads about one step a week when several fall due together", async () => {
    for (const what of ['one', 'two', 'three']) {
      const adopted = await run(LEAD, `step add interfaces by 2026-03-20 step ${what}`);
      expect(adopted).toMatchObject({ kind: 'step-adopted', already: false });
    }
    ctx.clock.set(new Date('2026-03-21T08:00:00Z'));
    expect(await queueDueCheckIns(ctx)).toBe(1);
    ctx.clock.advance(6 * DAY);
    expect(await queueDueCheckIns(ctx)).toBe(0);
    ctx.clock.advance(DAY);
    expect(await queueDueCheckIns(ctx)).toBe(1);
    ctx.clock.advance(7 * DAY);
    expect(await queueDueCheckIns(ctx)).toBe(1);
    ctx.clock.advance(7 * DAY);
    expect(await queueDueCheckIns(ctx)).toBe(0);
    const asked = await ctx.store.listDeliveries({ kind: 'step-check-in' });
    expect(new Set(asked.map((delivery) => JSON.stringify(delivery.payload))).size).toBe(3);
  });

  it('asks a lead of two teams about one step a week in all', async () => {
    const second = await setUpTeam(ctx, 'Ledger', { channel: { platform: 'slack', workspaceId: 'T1', channelId: 'C-ledger' } });
    await ctx.store.grantRole(LEAD.actor, { role: 'lead', teamId: second.id }, 'UADMIN', ctx.clock.now());
    const LEDGER_LEAD = person('ULEAD', 'C-ledger');
    expect(await run(LEAD, 'step add interfaces by 2026-03-20 payments step')).toMatchObject({ kind: 'step-adopted' });
    expect(await runChatCommand(ctx, LEDGER_LEAD, parseChatCommand(words('step add interfaces by 2026-03-21 ledger step')))).toMatchObject({ kind: 'step-adopted' });
    ctx.clock.set(new Date('2026-03-22T08:00:00Z'));
    // Both are due, both go to the same lead: one this week, the other the week after.
    expect(await queueDueCheckIns(ctx)).toBe(1);
    ctx.clock.advance(6 * DAY);
    expect(await queueDueCheckIns(ctx)).toBe(0);
    ctx.clock.advance(DAY);
    expect(await queueDueCheckIns(ctx)).toBe(1);
    const asked = await ctx.store.listDeliveries({ kind: 'step-check-in' });
    expect(asked.map((delivery) => delivery.target.channelId).sort()).toEqual(['C-ledger', 'C-team']);
  });

  it('refuses bad input with a clear sentence', async () => {
    expect(await run(LEAD, 'step add interfaces by 2026-03-01 too late')).toMatchObject({ kind: 'refused', refusal: { kind: 'invalid', problem: 'The target date must be in the future.' } });
    expect(await run(LEAD, `step add interfaces ${'x'.repeat(201)}`)).toMatchObject({ kind: 'refused', refusal: { kind: 'invalid' } });
    expect(await run(LEAD, 'step adopt no-such-suggestion')).toMatchObject({ kind: 'refused', refusal: { kind: 'invalid' } });
    expect(await run(LEAD, 'step done 999')).toMatchObject({ kind: 'refused', refusal: { kind: 'invalid', problem: 'There is no step with that number; "steps" lists them.' } });
    expect(await run(PM, 'steps')).toMatchObject({ kind: 'refused', refusal: { kind: 'not-a-team-channel' } });
  });
});
