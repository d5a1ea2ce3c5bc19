import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ChannelRef } from '../../src/core/platform.js';
import { INDEFINITE_PAUSE } from '../../src/core/team.js';
import { setupTeam } from '../../src/services/team-service.js';
import { eventually, rawSql } from '../slack/slack-harness.js';
import { botAccount, channelMessage, conversationUpdate, installationUpdate, type ChannelPlace } from '../support/teams-activities.js';
import { APP_ID, CHANNEL_ID, PLACE, startTeamsHarness, type TeamsHarness } from './teams-harness.js';

/** The sentence a failed turn started by a person gets; never posted for the bot's own sends. */
const APOLOGY = 'That did not go through';
const RETRY_AFTER_SECONDS = 6;

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness();
  const created = await setupTeam(h.server.ctx, { platform: 'teams', workspaceId: h.teams.tenantId, userId: h.admin.aadObjectId }, { name: 'Payments', channel: { platform: 'teams', workspaceId: h.teams.tenantId, channelId: CHANNEL_ID }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
  if (created.kind !== 'created') throw new Error(created.kind);
  // The bot learns where the channel is from any activity in it.
  await h.say(h.admin, 'help');
});
afterAll(async () => h.close());

async function roundsStored(status?: 'closed'): Promise<number> {
  const [row] = await rawSql<{ n: number }>(h.server.ctx.store, `select cast(count(*) as integer) as n from rounds${status ? ' where status = ?' : ''}`, status ? [status] : []);
  return row!.n;
}

const findTeam = (channel: ChannelRef) => h.server.ctx.store.findTeamByChannel(channel);
const findConversation = (tenantId: string, conversationId: string) => h.server.ctx.store.findConversation(tenantId, conversationId);

describe('authentication', () => {
  it('answers 401 to forged, expired, wrong-audience and wrong-serviceUrl tokens, and changes nothing', async () => {
    const serviceUrl = h.teams.connector.serviceUrl;
    const tokens = {
      forged: await h.teams.issuer.signChannelToken({ appId: APP_ID, serviceUrl, key: 'foreign' }),
      expired: await h.teams.issuer.signChannelToken({ appId: APP_ID, serviceUrl, expiresInSeconds: -600 }),
      audience: await h.teams.issuer.signChannelToken({ appId: APP_ID, serviceUrl, audience: 'some-other-bot' }),
      serviceUrl: await h.teams.issuer.signChannelToken({ appId: APP_ID, serviceUrl: 'https://elsewhere.example.com/' }),
    };
    const before = await roundsStored();
    for (const [name, token] of Object.entries(tokens)) {
      const response = await h.say(h.admin, 'ask', {});
      expect(response.status, 'the valid request works').toBe(200);
      const rejected = await h.send({ ...channelMessage({ appId: APP_ID, serviceUrl, tenantId: h.teams.tenantId, from: h.admin, ...PLACE, command: 'close' }) }, token);
      expect(rejected.status, `${name} token`).toBe(401);
    }
    const unsigned = await h.send(channelMessage({ appId: APP_ID, serviceUrl, tenantId: h.teams.tenantId, from: h.admin, ...PLACE, command: 'close' }), null);
    expect(unsigned.status).toBe(401);
    // The one ask went through; none of the rejected closes did.
    expect(await roundsStored()).toBe(before + 1);
    expect(await roundsStored('closed')).toBe(0);
  });

  it('answers 400 to a malformed body without logging it', async () => {
    const response = await fetch(h.botUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await h.teams.channelToken()}` }, body: '{"type": SECRETLOOKING' });
    expect(response.status).toBe(400);
    expect(h.lines.join('\n')).not.toContain('SECRETLOOKING');
  });
});

describe('delivery', () => {
  it('retries sends the connector throttles, honouring Retry-After', async () => {
    const team = (await findTeam({ platform: 'teams', workspaceId: h.teams.tenantId, channelId: CHANNEL_ID }))!;
    await rawSql(
      h.server.ctx.store,
      {
        sqlite: "update rounds set status = 'closed', closed_at = 1, respondents = 0, unknown_count = 0, level_counts = '[0,0,0,0]', period_key = 'earlier' where team_id = ?",
        postgres: "update rounds set status = 'closed', closed_at = to_timestamp(0.001), respondents = 0, unknown_count = 0, level_counts = '[0,0,0,0]', period_key = 'earlier' where team_id = ?",
      },
      [team.id],
    );
    // Only the bot's own posts to the channel (a command's answer goes to its thread, "<channel>;messageid=…").
    const cardPosts = { route: 'reply', conversationId: CHANNEL_ID } as const;
    // botbuilder's client retries a 429 three times itself; the fourth answer, with a Retry-After longer than the
    // outbox's own first backoff (at most 5 s), is what reaches the bot.
    for (let i = 0; i < 3; i += 1) h.teams.connector.failNext(429, 1, cardPosts);
    h.teams.connector.failNext(429, RETRY_AFTER_SECONDS, cardPosts);
    const before = h.teams.connector.calls.length;
    await h.say(h.admin, 'ask adoption');
    const posted = await eventually('the round card after throttling', () => h.teams.connector.topLevel(CHANNEL_ID).find((activity) => JSON.stringify(activity).includes('Platform pulse · Adoption')), 30_000);
    expect(posted).toBeTruthy();
    const attempts = h.teams.connector.calls.slice(before).filter((call) => call.route === 'reply' && call.conversationId === CHANNEL_ID);
    expect(attempts.map((call) => call.status)).toEqual([429, 429, 429, 429, 201]);
    expect(attempts[4]!.at - attempts[3]!.at).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000 - 10);
    expect(h.teams.connector.activities(CHANNEL_ID).filter((activity) => JSON.stringify(activity).includes(APOLOGY))).toEqual([]);
  }, 60_000);

  it('posts the weekly digest and its chart to a subscribed Teams channel', async () => {
    await h.say(h.admin, 'digest here monday 09:00 UTC');
    // Every subscription due now.
    for (const subscription of await h.server.ctx.store.listDigestSubscriptions()) await h.server.ctx.store.setNextDigest(subscription.id, new Date(0));
    const digest = await eventually('the digest card', () => h.teams.connector.topLevel(CHANNEL_ID).find((activity) => JSON.stringify(activity).includes('Platform maturity · week')), 20_000);
    const chart = await eventually('the chart in its thread', () => h.teams.connector.replies(CHANNEL_ID, String(digest.id)).find((activity) => JSON.stringify(activity).includes('data:image/png;base64,')), 30_000);
    // The posted activity (not the stand-in's record of every version) stays under Teams' size limit.
    expect(JSON.stringify(chart.activity).length).toBeLessThan(81_920);
  }, 60_000);
});

describe('re-delivery', () => {
  it('runs a command Teams sends again (same activity id) once, and answers it once', async () => {
    const activity = channelMessage({ appId: APP_ID, serviceUrl: h.teams.connector.serviceUrl, tenantId: h.teams.tenantId, from: h.admin, ...PLACE, command: 'status' });
    const replies = () => h.teams.connector.calls.filter((call) => (call.route === 'reply' || call.route === 'send') && call.status < 300).length;
    const before = replies();
    expect((await h.send(activity)).status).toBe(200);
    expect(replies()).toBe(before + 1);
    expect((await h.send(activity)).status).toBe(200);
    expect(replies()).toBe(before + 1);
    expect(h.lines.some((line) => line.includes('a Teams activity arrived again: ignored'))).toBe(true);
  });
});

describe('installation', () => {
  it('pauses the team when the app is removed, and says so in the log and the audit trail', async () => {
    const response = await h.send(installationUpdate({ appId: APP_ID, serviceUrl: h.teams.connector.serviceUrl, tenantId: h.teams.tenantId, from: h.admin, place: PLACE, action: 'remove' }));
    expect(response.status).toBe(200);
    await eventually('the team to be paused', async () => (await findTeam({ platform: 'teams', workspaceId: h.teams.tenantId, channelId: CHANNEL_ID }))?.pausedUntil === INDEFINITE_PAUSE);
    expect(h.lines.some((line) => line.includes('the app was removed from this team'))).toBe(true);
    const audit = (await h.server.ctx.store.recentAudit(10_000)).filter((entry) => entry.action.startsWith('teams.'));
    expect(audit.map((row) => row.action)).toContain('teams.uninstall');
  });
});

describe('installation events', () => {
  const OTHER: ChannelPlace = { teamId: '19:team-platform@thread.tacv2', channelId: '19:platform-channel@thread.tacv2', teamName: 'Platform' };
  const common = () => ({ appId: APP_ID, serviceUrl: h.teams.connector.serviceUrl, tenantId: h.teams.tenantId, from: h.admin });
  // The details as stored: JSON text on SQLite, jsonb (parsed by the driver) on PostgreSQL.
  const auditFor = async (action: string, msTeamId: string) =>
    (await rawSql<{ action: string; details: unknown }>(h.server.ctx.store, 'select action, details from audit_log where action = ?', [action])).filter(
      (row) => ((typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as { msTeamId?: string }).msTeamId === msTeamId,
    );
  const otherTeam = () => findTeam({ platform: 'teams', workspaceId: h.teams.tenantId, channelId: OTHER.channelId });

  it('records the install when the app is added to a team', async () => {
    const added: ChannelPlace = { teamId: '19:team-added@thread.tacv2', channelId: '19:team-added@thread.tacv2', teamName: 'Added' };
    expect((await h.send(installationUpdate({ ...common(), place: added, action: 'add' }))).status).toBe(200);
    expect(await auditFor('teams.install', added.teamId)).toHaveLength(1);
    // Where the bot can post later is kept from the event itself (the team's General channel).
    expect(await findConversation(h.teams.tenantId, added.teamId)).toMatchObject({ msTeamId: added.teamId, installed: true });
  });

  it('pauses the team when a conversationUpdate says the bot itself was removed, not when a person leaves', async () => {
    h.teams.connector.setTeam(OTHER.teamId, { name: 'Platform', channels: [{ id: OTHER.channelId, name: 'platform' }] });
    h.teams.connector.setMembers(OTHER.channelId, h.members, { tenantId: h.teams.tenantId });
    expect((await h.sayIn(OTHER, h.admin, 'help')).status).toBe(200);
    const created = await setupTeam(h.server.ctx, { platform: 'teams', workspaceId: h.teams.tenantId, userId: h.admin.aadObjectId }, { name: 'Platform', channel: { platform: 'teams', workspaceId: h.teams.tenantId, channelId: OTHER.channelId }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
    expect(created.kind).toBe('created');

    const personLeft = await h.send(conversationUpdate({ ...common(), place: OTHER, membersRemoved: [{ id: h.members[5]!.id, aadObjectId: h.members[5]!.aadObjectId }] }));
    expect(personLeft.status).toBe(200);
    expect((await otherTeam())?.pausedUntil).toBeNull();
    expect((await findConversation(h.teams.tenantId, OTHER.channelId))?.installed).toBe(true);
    expect(await auditFor('teams.uninstall', OTHER.teamId)).toEqual([]);

    const botRemoved = await h.send(conversationUpdate({ ...common(), place: OTHER, membersRemoved: [botAccount(APP_ID)] }));
    expect(botRemoved.status).toBe(200);
    expect((await otherTeam())?.pausedUntil).toBe(INDEFINITE_PAUSE);
    expect((await findConversation(h.teams.tenantId, OTHER.channelId))?.installed).toBe(false);
    expect(await auditFor('teams.uninstall', OTHER.teamId)).toHaveLength(1);
  });
});

describe('configuration', () => {
  it('allows unauthenticated local testing only on a loopback host', () => {
    expect(loadConfig({ TEAMS_DEV_NO_AUTH: '1', HOST: '0.0.0.0' })).toMatchObject({ ok: false, problems: [expect.stringContaining('TEAMS_DEV_NO_AUTH: only allowed with a loopback HOST') as unknown] });
    const local = loadConfig({ TEAMS_DEV_NO_AUTH: '1' });
    expect(local.ok && local.config.teams).toMatchObject({ devNoAuth: true, appId: '' });
    expect(loadConfig({}).ok && loadConfig({})).toMatchObject({ config: { teams: null } });
  });
});
