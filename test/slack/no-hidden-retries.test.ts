/**
 * A post that Slack answers too late must not be repeated by the Web API client behind the outbox's back:
 * the client gives up once, the outbox records the failure and decides the retry, and every chat.postMessage
 * Slack receives is one the outbox sent. Through real HTTP against the stand-in, with the app's own client
 * settings (its 10-second timeout included: the test waits for what happens, never for a duration).
 */
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackClientOptions } from '../../src/adapters/slack/app.js';
import { setupTeam } from '../../src/services/team-service.js';
import type { RecordedCall } from '../support/slack-stand-in.js';
import { memoryLogger } from '../support/test-context.js';
import { UnreachablePlatform } from '../support/unreachable-platform.js';
import { ADMIN, CHANNEL, command, eventually, LEAD, outboxIdle, startSlackHarness, TEAM, type SlackHarness } from './slack-harness.js';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
  await setupTeam(h.server.ctx, { platform: 'slack', workspaceId: TEAM, userId: ADMIN }, { name: 'Payments', channel: { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
  await h.requests.slashCommand(command(ADMIN, `role add <@${LEAD}|lead> lead`));
  await eventually('whatever the set-up posts to go out', () => outboxIdle(h.server.ctx.store, h.server.ctx.clock.now()));
});
afterAll(async () => h.close());

/** The app's log lines with this message, parsed. */
function logged(message: string): Record<string, unknown>[] {
  return h.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === message);
}

function roundIdOf(call: RecordedCall): unknown {
  const metadata = call.body['metadata'];
  if (typeof metadata !== 'object' || metadata === null || !('event_payload' in metadata)) return undefined;
  const payload = metadata.event_payload;
  return typeof payload === 'object' && payload !== null && 'round_id' in payload ? payload.round_id : undefined;
}

describe('posts Slack answers too late', () => {
  it('reach Slack once per outbox attempt: the outbox, not the client, decides to send again', async () => {
    h.slack.answerTooLateNext('chat.postMessage', { channel: CHANNEL });
    const asked = await h.requests.slashCommand(command(LEAD, 'ask'));
    expect(asked.status).toBe(200);
    const store = h.server.ctx.store;
    const team = (await store.findTeamByChannel({ platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }))!;
    const roundId = (await store.findOpenRound(team.id))!.id;
    const delivery = (await store.listDeliveries({ roundId })).find((candidate) => candidate.kind === 'round-opened')!;
    const roundPosts = () => h.slack.callsTo('chat.postMessage').filter((call) => roundIdOf(call) === roundId);
    const retryDecision = () => logged('delivery will be retried').find((line) => line['deliveryId'] === delivery.id);

    // Whichever comes first: the outbox deciding to retry, or a second post (a client retry would be one).
    await eventually('the outbox to decide a retry, or a second round post', () => retryDecision() ?? roundPosts().length >= 2);
    expect(roundPosts()).toHaveLength(1);
    expect(roundPosts()[0]?.unanswered).toBe(true);
    expect(retryDecision()).toMatchObject({ kind: 'round-opened', attempts: 1, reason: expect.stringMatching(/timeout|timed out|aborted/i) as unknown });

    // The outbox's own retry goes out and is recorded; Slack now shows the late post and the retried one.
    await eventually('the round message to be recorded as sent', async () => (await store.findDeliveryById(delivery.id))?.status === 'sent');
    const row = (await store.findDeliveryById(delivery.id))!;
    expect(roundPosts()).toHaveLength(2);
    expect(row.attempts).toBe(2);
    expect(row.messageRef).toBe(roundPosts()[1]?.response['ts']);
    // The retry is logged as a possible duplicate: the post that timed out did reach Slack.
    expect(logged('sending again after an unknown outcome: the earlier attempt may have posted too').some((line) => line['deliveryId'] === delivery.id)).toBe(true);
  });
});

describe('the client against a Slack that drops every connection', () => {
  it('sends a post once, and repeats a read a couple of times', async () => {
    const sink = new UnreachablePlatform();
    await sink.start();
    try {
      const { log } = memoryLogger();
      const client = new webApi.WebClient('xoxb-test-token', slackClientOptions({ botToken: 'xoxb-test-token', signingSecret: null, appToken: null, apiUrl: sink.url('/api/'), adminUserIds: [] }, log));
      await expect(client.chat.postMessage({ channel: CHANNEL, text: 'hello' })).rejects.toMatchObject({ code: webApi.ErrorCode.RequestError });
      expect(sink.connections).toBe(1);
      await expect(client.conversations.info({ channel: CHANNEL })).rejects.toMatchObject({ code: webApi.ErrorCode.RequestError });
      expect(sink.connections).toBe(1 + 3);
      for (const send of [() => client.chat.postEphemeral({ channel: CHANNEL, user: LEAD, text: 'hi' }), () => client.views.open({ trigger_id: 't', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } }), () => client.chat.update({ channel: CHANNEL, ts: '1.0', text: 'x' })]) {
        const before = sink.connections;
        await expect(send()).rejects.toMatchObject({ code: webApi.ErrorCode.RequestError });
        expect(sink.connections).toBe(before + 1);
      }
    } finally {
      await sink.stop();
    }
  });
});
