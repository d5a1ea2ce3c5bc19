import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEFINITE_PAUSE } from '../../src/core/team.js';
import { setupTeam } from '../../src/services/team-service.js';
import { slackSignature } from '../support/slack-requests.js';
import { ADMIN, blockAction, CHANNEL, command, eventually, LEAD, MEMBERS, outboxIdle as outboxIdleIn, rawSql, startSlackHarness, TEAM, type SlackHarness } from './slack-harness.js';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
  await setupTeam(h.server.ctx, { platform: 'slack', workspaceId: TEAM, userId: ADMIN }, { name: 'Payments', channel: { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
  await h.requests.slashCommand(command(ADMIN, `role add <@${LEAD}|lead> lead`));
  await eventually('whatever the set-up posts to go out', outboxIdle);
});
afterAll(async () => h.close());

/** The app's log lines with this message, parsed. */
function logged(message: string): Record<string, unknown>[] {
  return h.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === message);
}

/** Nothing is being sent or due to be sent: every post written so far has reached the stand-in. */
function outboxIdle(): Promise<boolean> {
  return outboxIdleIn(h.server.ctx.store, h.server.ctx.clock.now());
}

async function answersStored(): Promise<number> {
  const [row] = await rawSql<{ n: number }>(h.server.ctx.store, 'select cast(count(*) as integer) as n from answers');
  return row!.n;
}

describe('request authenticity', () => {
  it('rejects forged, stale and unsigned requests with 401 and changes nothing', async () => {
    const before = await answersStored();
    const postsBefore = h.slack.callsTo('chat.postMessage').length;
    const payload = command(LEAD, 'ask');
    const forged = await h.requests.slashCommand(payload, { signature: slackSignature('not-the-secret-0123456789abcdef', Math.floor(Date.now() / 1000), 'x') });
    const stale = await h.requests.slashCommand(payload, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    const unsigned = await h.requests.slashCommand(payload, { signature: null });
    expect([forged.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(postsBefore);
    expect(await answersStored()).toBe(before);
    const team = (await h.server.ctx.store.findTeamByChannel({ platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }))!;
    expect(await rawSql(h.server.ctx.store, 'select cast(count(*) as integer) as n from rounds where team_id = ?', [team.id])).toEqual([{ n: 0 }]);
  });

  it('answers 400 to a malformed payload and logs it without the body', async () => {
    const body = 'payload=%7Bnot-json-but-SECRETLOOKINGTEXT';
    const response = await h.requests.post(body, 'application/x-www-form-urlencoded');
    expect(response.status).toBe(400);
    expect(h.lines.some((line) => line.includes('Malformed request body'))).toBe(true);
    expect(h.lines.join('\n')).not.toContain('SECRETLOOKINGTEXT');
  });

  it("echoes Slack's url_verification challenge", async () => {
    const response = await h.requests.event({ type: 'url_verification', challenge: 'challenge-value-123', token: 'x' });
    expect(response.status).toBe(200);
    expect(response.text).toContain('challenge-value-123');
  });
});

describe('commands', () => {
  it('help lists every subcommand with an example and who may use it', async () => {
    const help = await h.requests.slashCommand(command('U1', 'help'));
    const text = JSON.stringify(help.json);
    for (const sub of ['report [aspect]', 'status', 'ask [aspect]', 'close', 'setup', 'pause [until YYYY-MM-DD]', 'resume', 'role add|remove @person lead|pm|admin', 'role list', 'forget-me', 'help']) {
      expect(text).toContain(`/maturity ${sub}`);
    }
    expect(text).toContain("the team's leads and admins");
  });

  it('answers an unknown subcommand with help and says what was wrong', async () => {
    const reply = await h.requests.slashCommand(command('U1', 'dance'));
    const text = JSON.stringify(reply.json);
    expect(text).toContain('There is no \\"dance\\" command.');
    expect(text).toContain('/maturity report [aspect]');
  });

  it('shows the status: survey, cadence, next round, pause and leads', async () => {
    const reply = await h.requests.slashCommand(command('U1', 'status'));
    const text = JSON.stringify(reply.json);
    expect(text).toContain('CNCF platform engineering maturity');
    expect(text).toContain('Weekly on monday at 10:00 (Europe/Berlin)');
    expect(text).toMatch(/Next round:\*\s*<!date\^\d+/);
    expect(text).toContain(`<@${LEAD}>`);
  });

  it('pauses until a date (inclusive) and resumes, for leads only, with an audit trail', async () => {
    expect(JSON.stringify((await h.requests.slashCommand(command('U1', 'pause until 2027-01-05'))).json)).toContain("Only the team's leads and admins can pause or resume a team.");
    expect((await h.requests.slashCommand(command(LEAD, 'pause until 2027-02-30'))).json).toMatchObject({ text: expect.stringContaining('pause until 2027-01-05') as unknown });
    expect((await h.requests.slashCommand(command(LEAD, 'pause until 2027-01-05'))).json).toMatchObject({ text: 'Paused: no rounds until 2027-01-05 (inclusive). Resume any time with resume.' });
    expect((await h.server.ctx.store.findTeamByChannel({ platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }))?.pausedUntil).toBe('2027-01-05');
    expect((await h.requests.slashCommand(command(LEAD, 'resume'))).json).toMatchObject({ text: 'Resumed: rounds run on the usual schedule again.' });
    const audit = (await h.server.ctx.store.recentAudit(10_000)).filter((entry) => entry.action.startsWith('team.')).map((entry) => ({ action: entry.action, actor: entry.actorUserId }));
    expect(audit).toEqual(expect.arrayContaining([{ action: 'team.pause', actor: LEAD }, { action: 'team.resume', actor: LEAD }]));
  });

  it('outside a team channel, report offers the teams the person may see', async () => {
    const reply = await h.requests.slashCommand(command(ADMIN, 'report', { channel_id: 'C0RANDOM', channel_name: 'random' }));
    const text = JSON.stringify(reply.json);
    expect(text).toContain('This channel is not a team. Pick a team to see its report');
    expect(text).toContain('mp_show_report_');
    const member = await h.requests.slashCommand(command('U3', 'report', { channel_id: 'C0RANDOM', channel_name: 'random' }));
    expect((member.json as { text: string }).text).toBe('This channel is not a team, and there is no team whose report you may see.');
  });

  it('forget-me asks for confirmation, then erases', async () => {
    const asked = await h.requests.slashCommand(command('U4', 'forget-me'));
    expect(JSON.stringify(asked.json)).toContain('mp_forget_confirm');
    const confirmed = await h.requests.interaction(blockAction(h.slack, 'U4', 'mp_forget_confirm', 'confirm'));
    expect(confirmed.status).toBe(200);
    await eventually('the erasure confirmation', () => h.slack.responses.find((response) => JSON.stringify(response.body).includes('Done: erased')));
  });
});

describe('events', () => {
  it('publishes App Home once per event, even when Slack retries the delivery', async () => {
    const envelope = { type: 'event_callback', team_id: TEAM, api_app_id: 'A0001', event_id: 'Ev0HOME1', event_time: 1, event: { type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home' } };
    expect((await h.requests.event(envelope)).status).toBe(200);
    await eventually('the home tab', () => h.slack.homeTab('U1'));
    expect((await h.requests.event(envelope, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    // The redelivery was turned away before any handler ran: from here nothing can publish for it.
    await eventually('the redelivery to be recognised', () => logged('ignored a redelivered Slack event').find((line) => line['eventId'] === 'Ev0HOME1'));
    expect(h.slack.callsTo('views.publish')).toHaveLength(1);
    expect(JSON.stringify(h.slack.homeTab('U1')?.view)).toContain('Your answers');
  });
});

describe('Web API failures', () => {
  it('waits for Retry-After on a rate limit, then posts', async () => {
    // The 429 must meet the round's post, not something earlier still on its way.
    await eventually('the outbox to be idle', outboxIdle);
    h.slack.rateLimitNext('chat.postMessage', 1);
    const asked = await h.requests.slashCommand(command(LEAD, 'ask'));
    expect((asked.json as { text: string }).text).toMatch(/^Opened a round/);
    const first = await eventually('the rate-limited attempt', () => h.slack.callsTo('chat.postMessage').find((call) => call.status === 429));
    const posted = await eventually('the retried post', () => h.slack.callsTo('chat.postMessage').find((call) => call.status === 200 && call.response.ok === true && String(call.body['text']).startsWith('Platform pulse')));
    // The outbox was told to wait exactly Slack's Retry-After (1 s); that it holds sends for as long as it is
    // told is shown with an injected clock in test/services/round-lifecycle.test.ts.
    const retry = logged('delivery will be retried');
    expect(retry).toEqual([expect.objectContaining({ kind: 'round-opened', reason: 'ratelimited', retryInMs: 1000, attempts: 1 })]);
    const calls = h.slack.callsTo('chat.postMessage');
    expect(calls.indexOf(first)).toBeLessThan(calls.indexOf(posted));
    expect(calls.filter((call) => call.status === 429)).toHaveLength(1);
    // Slack has answered the retry; the outbox records it once that answer is back.
    const delivery = await eventually('the retried delivery recorded as sent', async () => {
      const row = await h.server.ctx.store.findDeliveryById(Number(retry[0]?.['deliveryId']));
      return row?.status === 'sent' ? row : null;
    });
    expect(delivery.attempts).toBe(2);
  });

  it('pauses the team with one clear log line when the channel is archived, without retrying', async () => {
    // A team of its own, so what earlier tests left open in #payments does not matter here.
    const archived = { platform: 'slack' as const, workspaceId: TEAM, channelId: 'C0CHECKOUT' };
    h.slack.addChannel({ id: archived.channelId, name: 'checkout', members: [ADMIN, LEAD, ...MEMBERS] });
    const created = await setupTeam(h.server.ctx, { platform: 'slack', workspaceId: TEAM, userId: ADMIN }, { name: 'Checkout', channel: archived, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
    expect(created.kind).toBe('created');
    await eventually('whatever the set-up posts to go out', outboxIdle);
    h.slack.updateChannel(archived.channelId, { archived: true });
    const asked = await h.requests.slashCommand(command(ADMIN, 'ask', { channel_id: archived.channelId, channel_name: 'checkout' }));
    expect((asked.json as { text: string }).text).toMatch(/^Opened a round/);
    await eventually('the team to be paused', async () => (await h.server.ctx.store.findTeamByChannel(archived))?.pausedUntil === INDEFINITE_PAUSE);
    // Positive barrier: every delivery to the channel has settled (sent, failed or cancelled). None is waiting
    // for a retry or in flight, so no later attempt can still add a call or a log line.
    const toChannel = async () => (await h.server.ctx.store.listDeliveries()).filter((delivery) => delivery.target.channelId === archived.channelId);
    const unsettled = async () => (await toChannel()).filter((delivery) => !['sent', 'failed', 'cancelled'].includes(delivery.status));
    await eventually('every delivery to the archived channel to settle', async () => (await unsettled()).length === 0);
    const refused = (await toChannel()).filter((delivery) => delivery.lastError === 'is_archived').map((delivery) => ({ kind: delivery.kind, status: delivery.status, attempts: delivery.attempts, error: delivery.lastError }));
    expect(refused).toEqual([{ kind: 'round-opened', status: 'failed', attempts: 1, error: 'is_archived' }]);
    expect(h.lines.filter((line) => line.includes('cannot post to this channel'))).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage').filter((call) => call.response.error === 'is_archived')).toHaveLength(1);
    const note = await eventually('a note to the admin', () => h.slack.messages(ADMIN).find((message) => message.text.includes('so the team is paused')));
    expect(note.text).toContain('Checkout (is_archived)');
  });
});
