import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Round } from '../../src/core/round.js';
import { openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { afterZeroDelayTimersSetSoFar } from '../support/wait.js';
import { ADMIN, blockAction, eventually, MEMBERS, startSlackHarness, TEAM, type SlackHarness } from './slack-harness.js';

/** More busy rounds in one workspace than chat.update's ~50 a minute could take one edit each. */
const ROUNDS = 60;

let h: SlackHarness;
let rounds: Round[];
beforeAll(async () => {
  h = await startSlackHarness();
  const cadence = { everyWeeks: 1 as const, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 };
  rounds = [];
  for (let index = 0; index < ROUNDS; index += 1) {
    const channelId = `C0BUSY${String(index).padStart(3, '0')}`;
    h.slack.addChannel({ id: channelId, name: `busy-${index}`, members: [ADMIN, ...MEMBERS] });
    const created = await setupTeam(h.server.ctx, { platform: 'slack', workspaceId: TEAM, userId: ADMIN }, { name: `Busy ${index}`, channel: { platform: 'slack', workspaceId: TEAM, channelId }, surveyId: 'cncf-platform-maturity', cadence });
    if (created.kind !== 'created') throw new Error(created.kind);
    const opened = await openRound(h.server.ctx, created.team, { origin: 'ad-hoc' });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    rounds.push(opened.round);
  }
  await eventually(`${ROUNDS} round messages`, () => h.slack.callsTo('chat.postMessage').filter((call) => call.status === 200 && call.response.ok === true).length >= ROUNDS);
});
afterAll(async () => h.close());

describe('answer counts across a busy workspace', () => {
  it(`take turns within the workspace's edit budget instead of earning 429s when ${ROUNDS} rounds are answered at once`, async () => {
    for (const round of rounds) {
      const payload = blockAction(h.slack, MEMBERS[0]!, 'mp_answer_2', `${round.id}:2`, { channel: { id: `C0BUSY${String(rounds.indexOf(round)).padStart(3, '0')}`, name: 'busy' } });
      expect((await h.requests.interaction(payload)).status).toBe(200);
    }
    const countEdits = () => h.slack.callsTo('chat.update').filter((call) => JSON.stringify(call.body).includes('1 person answered'));
    // Each click's count edit was scheduled on a zero-delay timer before the click was acknowledged, and asks
    // for the workspace's turn as soon as that timer runs. Past this barrier every one of the 60 has asked: 30
    // got a turn, the rest wait for the budget's minute (the first edit plus 60 s, far beyond this test).
    await afterZeroDelayTimersSetSoFar();
    await eventually('the edits within the budget', () => countEdits().length >= 30);
    expect(countEdits().length).toBe(30);
    expect(new Set(countEdits().map((call) => call.body['channel'])).size).toBe(30);
    expect(h.slack.callsTo('chat.update').filter((call) => call.status === 429)).toEqual([]);
  });
});
