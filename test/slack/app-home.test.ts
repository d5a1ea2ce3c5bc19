import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Team } from '../../src/core/team.js';
import { closeOpenRound, openRound } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { ADMIN, blockAction, CHANNEL, eventually, rawSql, startSlackHarness, TEAM, viewSubmission, type SlackHarness } from './slack-harness.js';

let h: SlackHarness;
let team: Team;
let eventCounter = 0;

beforeAll(async () => {
  h = await startSlackHarness();
  const created = await setupTeam(h.server.ctx, { platform: 'slack', workspaceId: TEAM, userId: ADMIN }, { name: 'Payments', channel: { platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }, surveyId: 'cncf-platform-maturity', cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
  if (created.kind !== 'created') throw new Error(created.kind);
  team = created.team;
});
afterAll(async () => h.close());

async function startRound(aspectId: string): Promise<number> {
  const opened = await openRound(h.server.ctx, team, { origin: 'ad-hoc', aspectId });
  if (opened.kind !== 'opened') throw new Error(opened.kind);
  return opened.round.id;
}

async function statement(roundId: number, optionId: string): Promise<string> {
  const text = (await h.server.ctx.store.findRound(roundId))?.question.options.find((option) => option.id === optionId)?.text;
  if (!text) throw new Error(`no option ${optionId} in round ${roundId}`);
  return text;
}

async function answer(user: string, roundId: number, optionId: string): Promise<void> {
  const before = h.slack.responses.length;
  expect((await h.requests.interaction(blockAction(h.slack, user, `mp_answer_${optionId}`, `${roundId}:${optionId}`))).status).toBe(200);
  await eventually(`${user}'s receipt`, () => h.slack.responses.length > before);
}

/** The real flow: the comment button opens the modal, its submission saves the comment. */
async function comment(user: string, roundId: number, text: string): Promise<void> {
  const modalsBefore = h.slack.callsTo('views.open').length;
  expect((await h.requests.interaction(blockAction(h.slack, user, 'mp_comment', String(roundId)))).status).toBe(200);
  await eventually(`${user}'s comment modal`, () => h.slack.callsTo('views.open').length > modalsBefore);
  const modal = h.slack.views(user).filter((view) => view.view.callback_id === 'mp_comment_modal').at(-1);
  if (!modal) throw new Error(`no comment modal for ${user}`);
  const saved = await h.requests.interaction(viewSubmission(user, 'mp_comment_modal', String(modal.view.private_metadata), { comment: { value: { type: 'plain_text_input', value: text } } }));
  expect(saved.status).toBe(200);
  expect(saved.text).toBe('');
}

/** The "Your answers" part of a user's Home tab, as the text Slack would show. */
async function ownAnswersOnHome(user: string): Promise<string> {
  eventCounter += 1;
  const publishedBefore = h.slack.callsTo('views.publish').length;
  const envelope = { type: 'event_callback', team_id: TEAM, api_app_id: 'A0001', event_id: `Ev0OWNHOME${eventCounter}`, event_time: 1, event: { type: 'app_home_opened', user, channel: h.slack.dmChannelId(user), tab: 'home' } };
  expect((await h.requests.event(envelope)).status).toBe(200);
  await eventually(`${user}'s Home tab`, () => h.slack.callsTo('views.publish').length > publishedBefore);
  const blocks = (h.slack.homeTab(user)?.view.blocks ?? []) as { type: string; text?: { text?: string } }[];
  const heading = blocks.findIndex((block) => block.text?.text === '*Your answers* (only you can see these)');
  expect(heading).toBeGreaterThan(-1);
  const texts: string[] = [];
  for (const block of blocks.slice(heading + 1)) {
    if (block.type === 'divider') break;
    texts.push(block.text?.text ?? '');
  }
  return texts.join('\n');
}

describe('App Home: the person’s own answers and comments', () => {
  it('shows their answer and their comment-only round (comments only while their round is open), and nothing of anyone else', async () => {
    // Round A: U1 answers and comments; U2 answers differently and comments.
    const roundA = await startRound('measurement');
    await answer('U1', roundA, '3');
    await comment('U1', roundA, 'U1 thinks dashboards are fine.');
    await answer('U2', roundA, '1');
    await comment('U2', roundA, 'U2 private remark on measurement.');
    await closeOpenRound(h.server.ctx, team);
    await rawSql(h.server.ctx.store, "update rounds set period_key = 'earlier' where id = ?", [roundA]);

    // Round B: U1 only comments (allowed without an answer); U2 answers and comments.
    const roundB = await startRound('adoption');
    await comment('U1', roundB, 'U1 cannot pick one of these statements.');
    await answer('U2', roundB, '2');
    await comment('U2', roundB, 'U2 private remark on adoption.');

    const own = await ownAnswersOnHome('U1');
    expect(own).toContain(`Payments · Measurement: “${await statement(roundA, '3')}”`);
    // Round A closed, so its comments became anonymous text: not even its author can find theirs again.
    expect(own).not.toContain('U1 thinks dashboards are fine.');
    expect(own).toMatch(/Payments · Adoption: _no answer, comment only_ \(<!date\^\d+\^\{date_short\}\|[^)]*, can still change\)/);
    expect(own).toContain('U1 cannot pick one of these statements.');
    expect(own).not.toContain('U2 private remark');
    expect(own).not.toContain(await statement(roundA, '1'));
    expect(own).not.toContain(await statement(roundB, '2'));
    // Newest first: the comment-only round came after the answered one.
    expect(own.indexOf('Adoption')).toBeLessThan(own.indexOf('Measurement'));

    const others = await ownAnswersOnHome('U2');
    expect(others).toContain(`Payments · Adoption: “${await statement(roundB, '2')}”`);
    expect(others).not.toContain('U1 ');
    expect(others).not.toContain('comment only');
  }, 30_000);
});
