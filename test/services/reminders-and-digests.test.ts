import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseChatCommand, type CommandToken } from '../../src/core/chat-command.js';
import { runChatCommand, type Invocation } from '../../src/services/chat-commands.js';
import { queueDueDigests } from '../../src/services/digest-service.js';
import { queueHalfwayReminders } from '../../src/services/reminder-service.js';
import { closeOpenRound, openRound } from '../../src/services/round-service.js';
import { prepareMessage } from '../../src/services/outbound-messages.js';
import { buildSurvey, DAY } from '../support/factories.js';
import { answerAs, setUpTeam } from '../support/seed.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const survey = buildSurvey();
let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext({ surveys: [survey], now: '2026-03-02T09:30:00Z' });
});
afterEach(async () => {
  await ctx.close();
});

function words(text: string): CommandToken[] {
  return text.split(' ').map((part) => ({ kind: 'word', text: part }));
}

const PM: Invocation = { actor: { platform: 'slack', workspaceId: 'T1', userId: 'UPM' }, channel: { platform: 'slack', workspaceId: 'T1', channelId: 'CPM' }, configuredAdmins: ['UPM'] };

describe('halfway reminders', () => {
  it('remind once, at halfway, only rounds that fewer than the minimum have answered ("I don\'t know" included, so a reminder says nothing about who picked a level)', async () => {
    const quiet = await setUpTeam(ctx, 'Quiet');
    const busy = await setUpTeam(ctx, 'Busy');
    const quietRound = await openRound(ctx, quiet, { origin: 'ad-hoc' });
    const busyRound = await openRound(ctx, busy, { origin: 'ad-hoc' });
    if (quietRound.kind !== 'opened' || busyRound.kind !== 'opened') throw new Error('rounds did not open');
    await answerAs(ctx, quietRound.round.id, ['2', 'unknown']);
    // Three answered, one of them "I don't know": below the minimum of answers with a level, yet no reminder,
    // since its arrival would tell the channel that someone chose "I don't know".
    await answerAs(ctx, busyRound.round.id, ['1', '2', 'unknown']);
    ctx.clock.advance(DAY);
    expect(await queueHalfwayReminders(ctx)).toBe(0);
    ctx.clock.advance(DAY);
    expect(await queueHalfwayReminders(ctx)).toBe(1);
    expect(await queueHalfwayReminders(ctx)).toBe(0);
    const deliveries = await ctx.store.listDeliveries();
    const reminders = deliveries.filter((delivery) => delivery.kind === 'reminder');
    expect(reminders.map((delivery) => delivery.payload)).toEqual([{ kind: 'reminder', roundId: quietRound.round.id }]);
    expect(deliveries.some((delivery) => delivery.kind === 'nudge')).toBe(false);
  });

  it('nudge members who have not answered, for teams that opted in, comparing respondent keys', async () => {
    const team = await setUpTeam(ctx, 'Nudged');
    await ctx.store.setTeamOptions(team.id, { nudgeNonRespondents: true });
    const opened = await openRound(ctx, team, { origin: 'ad-hoc' });
    if (opened.kind !== 'opened') throw new Error('round did not open');
    await answerAs(ctx, opened.round.id, ['2']);
    ctx.clock.advance(2 * DAY + 60_000);
    await queueHalfwayReminders(ctx);
    const nudge = (await ctx.store.listDeliveries()).find((delivery) => delivery.kind === 'nudge');
    if (!nudge) throw new Error('no nudge queued');
    const prepared = await prepareMessage(ctx, nudge);
    if (prepared.kind !== 'message' || prepared.message.kind !== 'nudge') throw new Error('not a nudge');
    expect(prepared.message.hasAnswered('U1')).toBe(true);
    expect(prepared.message.hasAnswered('U2')).toBe(false);
    await closeOpenRound(ctx, team);
    expect(await prepareMessage(ctx, nudge)).toEqual({ kind: 'obsolete', reason: 'the round has closed' });
  });
});

describe('weekly digest', () => {
  it('subscribes a channel (PMs and admins only) and queues one digest per channel per week', async () => {
    const member: Invocation = { ...PM, actor: { ...PM.actor, userId: 'U9' }, configuredAdmins: [] };
    expect(await runChatCommand(ctx, member, parseChatCommand(words('digest here')))).toMatchObject({ kind: 'refused', refusal: { kind: 'not-allowed', who: 'PMs and admins' } });
    expect(await ctx.store.listDigestSubscriptions()).toEqual([]);
    const subscribed = await runChatCommand(ctx, PM, parseChatCommand(words('digest here friday 16:30 Europe/Berlin')));
    expect(subscribed).toMatchObject({ kind: 'digest-subscribed', weekday: 5, localTime: '16:30', timeZone: 'Europe/Berlin' });
    if (subscribed.kind === 'digest-subscribed') expect(subscribed.nextAt.toISOString()).toBe('2026-03-06T15:30:00.000Z');
    ctx.clock.set('2026-03-06T15:29:00Z');
    expect(await queueDueDigests(ctx)).toBe(0);
    ctx.clock.set('2026-03-06T15:31:00Z');
    expect(await queueDueDigests(ctx)).toBe(1);
    expect(await queueDueDigests(ctx)).toBe(0);
    expect((await ctx.store.listDeliveries()).map((delivery) => [delivery.kind, delivery.periodKey])).toEqual([
      ['digest', 'digest-2026-W10'],
      ['digest-files', 'digest-2026-W10'],
    ]);
  });

  it('after weeks of downtime sends only this week’s digest, then carries on weekly', async () => {
    expect(await runChatCommand(ctx, PM, parseChatCommand(words('digest here monday 09:00 UTC')))).toMatchObject({ kind: 'digest-subscribed' });
    ctx.clock.set('2026-04-01T12:00:00Z');
    expect(await queueDueDigests(ctx)).toBe(1);
    ctx.clock.set('2026-04-06T09:01:00Z');
    expect(await queueDueDigests(ctx)).toBe(1);
    expect((await ctx.store.listDeliveries()).filter((delivery) => delivery.kind === 'digest').map((delivery) => delivery.periodKey)).toEqual(['digest-2026-W14', 'digest-2026-W15']);
  });

  it('rejects an unknown time zone and a malformed digest command with a clear sentence', async () => {
    expect(await runChatCommand(ctx, PM, parseChatCommand(words('digest here monday 09:00 Mars/Olympus')))).toMatchObject({ kind: 'refused', refusal: { problem: expect.stringContaining('"Mars/Olympus" is not a time zone') as unknown } });
    expect(await runChatCommand(ctx, PM, parseChatCommand(words('digest here someday')))).toMatchObject({ kind: 'help', problem: '"someday" is not a weekday, a time (HH:MM) or a time zone such as Europe/Berlin.' });
    expect(await runChatCommand(ctx, PM, parseChatCommand(words('digest stop')))).toEqual({ kind: 'digest-stopped', existed: false });
    expect(await runChatCommand(ctx, PM, parseChatCommand(words('digest preview')))).toMatchObject({ kind: 'digest', digest: { sections: [] } });
  });
});
