import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { answerAs } from '../support/seed.js';
import { ADMIN, CHANNEL, command, eventually, LEAD, MEMBERS, moveRoundOpeningBack, startSlackHarness, TEAM, type SlackHarness } from './slack-harness.js';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => h.close());

const NUDGE = 'is waiting for your answer';

function nudgesTo(user: string): number {
  return h.slack.messages(user).filter((message) => message.text.includes(NUDGE)).length;
}

describe('private nudges in Slack', () => {
  it('a rate limit halfway through the nudges delays one member, and nobody is nudged twice', async () => {
    const created = await setupTeam(h.server.ctx, { platform: 'slack', workspaceId: TEAM, userId: ADMIN }, { name: 'Payments', channel: { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
    if (created.kind !== 'created') throw new Error(created.kind);
    const toggled = await h.requests.slashCommand(command(ADMIN, 'nudges on'));
    expect((toggled.json as { text: string }).text).toMatch(/^Nudges are on/);

    const opened = await openRound(h.server.ctx, created.team, { origin: 'ad-hoc', aspectId: 'adoption' });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    await answerAs(h.server.ctx, opened.round.id, ['3'], TEAM); // U1 answered
    await eventually('the round message', () => h.slack.messages(CHANNEL).find((message) => message.text.startsWith('Platform pulse · Adoption')));

    // Members are listed (and nudged) in channel order: ADMIN, LEAD, U1 … U6; U4 comes after four DMs went out.
    const waiting = [ADMIN, LEAD, ...MEMBERS.filter((user) => user !== 'U1')];
    h.slack.rateLimitNext('chat.postMessage', 1, { channel: 'U4' });
    // Past halfway: the round opened five days ago and runs four.
    await moveRoundOpeningBack(h.server.ctx.store, opened.round.id, 5 * 24 * 60 * 60 * 1000);

    await eventually('every waiting member nudged', () => waiting.every((user) => nudgesTo(user) > 0));
    // Positive barrier: the nudge delivery is recorded as sent after every member's DM (the retried one too)
    // was answered, and a sent delivery is never claimed again; the outbox's one-per-round key rules out a
    // second nudge delivery for the round. So the counts below are final.
    const delivery = await eventually('the nudge delivery recorded as sent', async () => {
      const row = (await h.server.ctx.store.listDeliveries({ roundId: opened.round.id })).find((candidate) => candidate.kind === 'nudge');
      return row?.status === 'sent' ? row : null;
    });
    // One pass over the members: the 429 was waited out in place, not handed back to the outbox to redo them all.
    expect(delivery.attempts).toBe(1);

    const posts = h.slack.callsTo('chat.postMessage');
    const limited = posts.filter((call) => call.status === 429);
    expect(limited.map((call) => call.body['channel'])).toEqual(['U4']);
    // U4 was tried again, and only then did the members after U4 get theirs: delayed in place, nobody skipped.
    const order = posts.filter((call) => waiting.includes(String(call.body['channel']))).map((call) => `${String(call.body['channel'])}:${call.status}`);
    expect(order).toEqual(waiting.flatMap((user) => (user === 'U4' ? ['U4:429', 'U4:200'] : [`${user}:200`])));
    expect(h.lines.filter((line) => line.includes('skipped a nudge'))).toEqual([]);
    expect(Object.fromEntries(waiting.map((user) => [user, nudgesTo(user)]))).toEqual(Object.fromEntries(waiting.map((user) => [user, 1])));
    expect(nudgesTo('U1')).toBe(0);
  });
});
