import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEFINITE_PAUSE } from '../../src/core/team.js';
import { findTeamByChannel } from '../../src/storage/team-repository.js';
import { setupTeam } from '../../src/services/team-service.js';
import { slackSignature } from '../support/slack-requests.js';
import { ADMIN, blockAction, CHANNEL, command, eventually, LEAD, startSlackHarness, TEAM, type SlackHarness } from './slack-harness.js';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
  setupTeam(h.server.ctx, { platform: 'slack', workspaceId: TEAM, userId: ADMIN }, { name: 'Payments', channel: { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
  await h.requests.slashCommand(command(ADMIN, `role add <@${LEAD}|lead> lead`));
});
afterAll(async () => h.close());

function answersStored(): number {
  return (h.server.ctx.db.$client.prepare('select count(*) as n from answers').get() as { n: number }).n;
}

describe('request authenticity', () => {
  it('rejects forged, stale and unsigned requests with 401 and changes nothing', async () => {
    const before = answersStored();
    const payload = command(LEAD, 'ask');
    const forged = await h.requests.slashCommand(payload, { signature: slackSignature('not-the-secret-0123456789abcdef', Math.floor(Date.now() / 1000), 'x') });
    const stale = await h.requests.slashCommand(payload, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    const unsigned = await h.requests.slashCommand(payload, { signature: null });
    expect([forged.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(answersStored()).toBe(before);
    const team = findTeamByChannel(h.server.ctx.db, { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL })!;
    expect(h.server.ctx.db.$client.prepare('select count(*) as n from rounds where team_id = ?').get(team.id)).toEqual({ n: 0 });
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
    expect(findTeamByChannel(h.server.ctx.db, { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL })?.pausedUntil).toBe('2027-01-05');
    expect((await h.requests.slashCommand(command(LEAD, 'resume'))).json).toMatchObject({ text: 'Resumed: rounds run on the usual schedule again.' });
    const audit = h.server.ctx.db.$client.prepare("select action, actor_user_id as actor from audit_log where action like 'team.%' order by id").all();
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
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.slack.callsTo('views.publish')).toHaveLength(1);
    expect(JSON.stringify(h.slack.homeTab('U1')?.view)).toContain('Your answers');
  });
});

describe('Web API failures', () => {
  it('waits for Retry-After on a rate limit, then posts', async () => {
    h.slack.rateLimitNext('chat.postMessage', 1);
    const asked = await h.requests.slashCommand(command(LEAD, 'ask'));
    expect((asked.json as { text: string }).text).toMatch(/^Opened a round/);
    const first = await eventually('the rate-limited attempt', () => h.slack.callsTo('chat.postMessage').find((call) => call.status === 429));
    const posted = await eventually('the retried post', () => h.slack.callsTo('chat.postMessage').find((call) => call.status === 200 && call.response.ok === true), 15_000);
    expect(posted.at - first.at).toBeGreaterThanOrEqual(1000);
  });

  it('pauses the team with one clear log line when the channel is archived, without retrying', async () => {
    await h.requests.slashCommand(command(LEAD, 'close'));
    await eventually('the closed round to be posted', () => h.slack.callsTo('chat.update').length > 0 && h.slack.messages(CHANNEL).some((message) => message.text.includes('this round')));
    const team = findTeamByChannel(h.server.ctx.db, { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL })!;
    h.server.ctx.db.$client.prepare("update rounds set period_key = 'moved' where team_id = ?").run(team.id);
    h.slack.updateChannel(CHANNEL, { archived: true });
    await h.requests.slashCommand(command(LEAD, 'ask'));
    await eventually('the team to be paused', () => findTeamByChannel(h.server.ctx.db, { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL })?.pausedUntil === INDEFINITE_PAUSE);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(h.lines.filter((line) => line.includes('cannot post to this channel'))).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage').filter((call) => call.response.error === 'is_archived')).toHaveLength(1);
    const note = await eventually('a note to the admin', () => h.slack.messages(ADMIN).find((message) => message.text.includes('so the team is paused')));
    expect(note.text).toContain('Payments (is_archived)');
  });
});
