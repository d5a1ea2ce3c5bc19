import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeOpenRound, openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { digestPeriodKey } from '../../src/core/outbox.js';
import { isoWeekKeyAt } from '../../src/core/schedule.js';
import type { Team } from '../../src/core/team.js';
import { answerAs } from '../support/seed.js';
import { ADMIN, CHANNEL, command, eventually, MEMBERS, moveRoundOpeningBack, rawSql, startSlackHarness, TEAM, type SlackHarness } from './slack-harness.js';

let h: SlackHarness;
let team: Team;
const PM_CHANNEL = 'C0PLATFORM';
const PM = 'UPM';

beforeAll(async () => {
  h = await startSlackHarness();
  h.slack.addChannel({ id: PM_CHANNEL, name: 'platform', members: [ADMIN, PM] });
  h.slack.addUser({ id: PM, name: 'pm', timeZone: 'Europe/Berlin' });
  const created = await setupTeam(h.server.ctx, { platform: 'slack', workspaceId: TEAM, userId: ADMIN }, { name: 'Payments', channel: { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
  if (created.kind !== 'created') throw new Error(created.kind);
  team = created.team;
  await h.requests.slashCommand(command(ADMIN, `role add <@${PM}|pm> pm`));
});
afterAll(async () => h.close());

describe('the weekly digest in Slack', () => {
  it('a PM subscribes a channel; the digest arrives with the CSV and chart in its thread', async () => {
    // One closed round with a result, so the digest has figures and a chart.
    const opened = await openRound(h.server.ctx, team, { origin: 'ad-hoc', aspectId: 'measurement' });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    await answerAs(h.server.ctx, opened.round.id, ['1', '2', '2', '3'], TEAM);
    await closeOpenRound(h.server.ctx, team);

    const reply = await h.requests.slashCommand(command(PM, 'digest here friday 16:00', { channel_id: PM_CHANNEL, channel_name: 'platform' }));
    expect((reply.json as { text: string }).text).toMatch(/^This channel gets the weekly digest every friday at 16:00 \(Europe\/Berlin\); the next one arrives <!date\^\d+/);
    // Every subscription due now.
    for (const subscription of await h.server.ctx.store.listDigestSubscriptions()) await h.server.ctx.store.setNextDigest(subscription.id, new Date(0));

    const digest = await eventually('the digest message', () => h.slack.messages(PM_CHANNEL).find((message) => message.text.startsWith('Platform maturity · week')), 15_000);
    const text = JSON.stringify(digest.blocks);
    expect(text).toContain('CNCF platform engineering maturity');
    expect(text).toMatch(/Furthest below target: Measurement 2\.0\* — next level Scalable \(3\): 1\.0 to go/);
    const files = await eventually('the files in the thread', () => (h.slack.files(PM_CHANNEL).length >= 2 ? h.slack.files(PM_CHANNEL) : null), 30_000);
    const csv = files.find((file) => file.name.endsWith('.csv'));
    const png = files.find((file) => file.name.endsWith('.png'));
    expect(files.every((file) => file.threadTs === digest.ts)).toBe(true);
    expect(csv?.bytes.toString('utf8')).toContain('CNCF platform engineering maturity,Payments,Measurement,2,');
    expect(png?.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png?.bytes.length).toBeGreaterThan(10_000);
  }, 60_000);

  it('names the ISO week of the subscription’s time zone, not of UTC', async () => {
    const AUCKLAND_CHANNEL = 'C0AUCKLAND';
    h.slack.addChannel({ id: AUCKLAND_CHANNEL, name: 'platform-nz', members: [ADMIN, PM] });
    const reply = await h.requests.slashCommand(command(PM, 'digest here monday 00:30 Pacific/Auckland', { channel_id: AUCKLAND_CHANNEL, channel_name: 'platform-nz' }));
    expect((reply.json as { text: string }).text).toMatch(/every monday at 00:30 \(Pacific\/Auckland\)/);
    // Monday 2 March 2026, 00:30 in Auckland (UTC+13) is still Sunday 1 March in UTC: ISO week 10 there, 9 in UTC.
    const at = new Date('2026-03-01T11:30:00Z');
    expect([isoWeekKeyAt(at, 'Pacific/Auckland'), isoWeekKeyAt(at, 'UTC')]).toEqual(['2026-W10', '2026-W09']);
    // The intent exactly as the tick writes it when the subscription is due at that moment.
    const target = { platform: 'slack' as const, workspaceId: TEAM, channelId: AUCKLAND_CHANNEL };
    await h.server.ctx.store.enqueueDelivery({ target, periodKey: digestPeriodKey(isoWeekKeyAt(at, 'Pacific/Auckland')), payload: { kind: 'digest', at: at.toISOString() }, teamId: null, roundId: null, at });
    const digest = await eventually('the Auckland digest', () => h.slack.messages(AUCKLAND_CHANNEL).find((message) => message.text.startsWith('Platform maturity · week')), 15_000);
    expect(digest.text).toMatch(/^Platform maturity · week 10 · /);
    expect(JSON.stringify(digest.blocks)).toContain('Platform maturity · week 10 · ');
  }, 30_000);

  it('a PM previews the digest privately; members may not', async () => {
    const preview = await h.requests.slashCommand(command(PM, 'digest preview', { channel_id: PM_CHANNEL }));
    expect(JSON.stringify(preview.json)).toContain('Platform maturity · week');
    const member = await h.requests.slashCommand(command('U1', 'digest preview'));
    expect((member.json as { text: string }).text).toMatch(/^Only PMs and admins can see the digest\./);
  });
});

describe('halfway reminders in Slack', () => {
  it('reminds in the thread and, when the team opted in, nudges only members who have not answered', async () => {
    const toggled = await h.requests.slashCommand(command(ADMIN, 'nudges on'));
    expect((toggled.json as { text: string }).text).toMatch(/^Nudges are on/);
    await rawSql(h.server.ctx.store, "update rounds set period_key = 'earlier' where team_id = ?", [team.id]);
    const opened = await openRound(h.server.ctx, team, { origin: 'ad-hoc', aspectId: 'adoption' });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    await answerAs(h.server.ctx, opened.round.id, ['3'], TEAM); // U1 answered
    const roundMessage = await eventually('the round message', () => h.slack.messages(CHANNEL).find((message) => message.text.startsWith('Platform pulse · Adoption')));
    // Move the round's opening five days back (it closes in four): it is now past halfway.
    await moveRoundOpeningBack(h.server.ctx.store, opened.round.id, 5 * 24 * 60 * 60 * 1000);
    const reminder = await eventually('the reminder in the thread', () => h.slack.messages(CHANNEL).find((message) => message.thread_ts === roundMessage.ts && message.text.startsWith('Halfway through')), 15_000);
    expect(reminder.text).toContain('1 answered so far; results need 3 answers with a level ("I don\'t know" does not count toward them)');
    const nudged = await eventually('the nudges', () => {
      const list = MEMBERS.filter((user) => h.slack.messages(user).some((message) => message.text.includes('is waiting for your answer')));
      return list.length >= MEMBERS.length - 1 ? list : null;
    }, 15_000);
    expect(nudged).toEqual(MEMBERS.filter((user) => user !== 'U1'));
    expect(h.slack.messages('U1').some((message) => message.text.includes('is waiting for your answer'))).toBe(false);
    await h.server.ctx.store.setTeamOptions(team.id, { nudgeNonRespondents: false });
  }, 40_000);
});
