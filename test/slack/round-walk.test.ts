import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, blockAction, CHANNEL, command, eventually, LEAD, MEMBERS, startSlackHarness, TEAM, viewSubmission, type SlackHarness } from './slack-harness.js';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => h.close());

function blocksText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

/** A round's answers as stored: the respondent's key (never their id), the option, how often it changed. */
async function answerRows(roundId: number): Promise<{ respondent_key: string; option_id: string; changes: number }[]> {
  const store = h.server.ctx.store;
  const rows: { respondent_key: string; option_id: string; changes: number }[] = [];
  for (const key of await store.answerKeys(roundId)) {
    const answer = await store.findAnswer(roundId, key);
    if (answer) rows.push({ respondent_key: key, option_id: answer.optionId, changes: answer.changes });
  }
  return rows;
}

describe('a whole round in Slack', () => {
  let roundId = 0;

  it('setup: an admin registers the channel through the modal', async () => {
    const opened = await h.requests.slashCommand(command(ADMIN, 'setup', { trigger_id: h.slack.issueTriggerId(ADMIN) }));
    expect(opened.status).toBe(200);
    const modal = await eventually('the setup modal', () => h.slack.views(ADMIN).find((view) => view.view.callback_id === 'mp_setup_modal'));
    const metadata = String(modal.view.private_metadata);
    const submitted = await h.requests.interaction(
      viewSubmission(ADMIN, 'mp_setup_modal', metadata, {
        name: { value: { type: 'plain_text_input', value: 'Payments' } },
        survey: { value: { type: 'static_select', selected_option: { value: 'cncf-platform-maturity' } } },
        cadence: { value: { type: 'static_select', selected_option: { value: '1' } } },
        weekday: { value: { type: 'static_select', selected_option: { value: '1' } } },
        time: { value: { type: 'timepicker', selected_time: '10:00' } },
        zone: { value: { type: 'plain_text_input', value: 'Europe/Berlin' } },
        length: { value: { type: 'static_select', selected_option: { value: '96' } } },
      }),
    );
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe('');
    const team = await h.server.ctx.store.findTeamByChannel({ platform: 'slack', workspaceId: TEAM, channelId: CHANNEL });
    expect(team).toMatchObject({ name: 'Payments', surveyId: 'cncf-platform-maturity', cadence: { timeZone: 'Europe/Berlin', roundLengthHours: 96 } });
    await eventually('the setup confirmation', () => h.slack.ephemerals(ADMIN).find((message) => message.text.includes('*Payments* is set up')));
  });

  it('roles: the admin makes someone lead; a member may not open rounds', async () => {
    const granted = await h.requests.slashCommand(command(ADMIN, `role add <@${LEAD}|lead> lead`));
    expect(granted.json).toMatchObject({ response_type: 'ephemeral', text: `<@${LEAD}> is now a lead.` });
    const refused = await h.requests.slashCommand(command('U1', 'ask'));
    expect(refused.json).toMatchObject({ text: expect.stringMatching(/^Only the team's leads and admins can open or close a round\./) as unknown });
  });

  it('ask: the lead opens a round and it appears in the channel with one button per statement', async () => {
    const asked = await h.requests.slashCommand(command(LEAD, 'ask interfaces'));
    expect(asked.json).toMatchObject({ text: expect.stringMatching(/^Opened a round on \*Interfaces\*; it closes <!date\^\d+\^/) as unknown });
    const message = await eventually('the round message', () => h.slack.messages(CHANNEL).find((candidate) => candidate.text.startsWith('Platform pulse · Interfaces')));
    const blocks = blocksText(message.blocks);
    for (const id of ['mp_answer_1', 'mp_answer_2', 'mp_answer_3', 'mp_answer_4', 'mp_answer_unknown', 'mp_comment']) expect(blocks).toContain(`"action_id":"${id}"`);
    expect(blocks).toContain('accessibility_label');
    expect(blocks).toMatch(/Closes <!date\^\d+\^\{date_short_pretty\} at \{time\}\|/);
    const store = h.server.ctx.store;
    roundId = (await store.findOpenRound((await store.findTeamByChannel({ platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }))!.id))!.id;
    // The channel's people, counted as the round was posted (the bot left out), for the digest's response rate.
    await eventually('the channel to be counted', async () => (await store.findTeamByChannel({ platform: 'slack', workspaceId: TEAM, channelId: CHANNEL }))?.memberCount === 2 + MEMBERS.length);
  });

  it('answers: five people click, one changes their mind, each sees only their own receipt', async () => {
    const picks: [string, string][] = [['U1', '2'], ['U2', '3'], ['U3', '3'], ['U4', '4'], ['U5', 'unknown'], ['U1', '3']];
    for (const [user, option] of picks) {
      const clicked = await h.requests.interaction(blockAction(h.slack, user, `mp_answer_${option}`, `${roundId}:${option}`));
      expect(clicked.status).toBe(200);
    }
    const receipts = await eventually('six receipts', () => (h.slack.responses.length >= 6 ? h.slack.responses : null));
    const texts = receipts.map((response) => JSON.stringify(response.body));
    expect(texts.filter((text) => text.includes('Recorded for *Interfaces*'))).toHaveLength(5);
    expect(texts.filter((text) => text.includes('Changed your answer'))).toHaveLength(1);
    expect(receipts.every((response) => (response.body as { response_type?: string }).response_type === 'ephemeral')).toBe(true);
    const rows = await answerRows(roundId);
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row.respondent_key).join(',')).not.toMatch(/U\d/);
    expect(rows.reduce((sum, row) => sum + row.changes, 0)).toBe(1);
  });

  it('the count on the round message catches up, coalesced, never who or what', async () => {
    const updated = await eventually(
      'the message to show 5 answered',
      () => h.slack.callsTo('chat.update').find((call) => blocksText(call.body.blocks).includes('5 people answered')),
      10_000,
    );
    expect(blocksText(updated.body.blocks)).not.toMatch(/U[1-5]/);
    expect(h.slack.callsTo('chat.update').length).toBeLessThanOrEqual(3);
  });

  it('comments: the modal opens, limits are explained in the modal, the comment is saved', async () => {
    const opened = await h.requests.interaction(blockAction(h.slack, 'U2', 'mp_comment', String(roundId)));
    expect(opened.status).toBe(200);
    const modal = await eventually('the comment modal', () => h.slack.views('U2').find((view) => view.view.callback_id === 'mp_comment_modal'));
    const metadata = String(modal.view.private_metadata);
    const tooLong = await h.requests.interaction(viewSubmission('U2', 'mp_comment_modal', metadata, { comment: { value: { type: 'plain_text_input', value: 'x'.repeat(1001) } } }));
    expect(tooLong.json).toEqual({ response_action: 'errors', errors: { comment: 'Comments are at most 1000 characters; this one has 1001. Please shorten it.' } });
    const saved = await h.requests.interaction(viewSubmission('U2', 'mp_comment_modal', metadata, { comment: { value: { type: 'plain_text_input', value: 'Self-service databases would help us most.' } } }));
    expect(saved.status).toBe(200);
    expect(saved.text).toBe('');
  });

  it('close: the message shows the round closed and the result goes into its thread', async () => {
    const closed = await h.requests.slashCommand(command(LEAD, 'close'));
    expect(closed.json).toMatchObject({ text: expect.stringMatching(/^Closed the round on \*Interfaces\* with 5 answered/) as unknown });
    const roundMessage = h.slack.messages(CHANNEL).find((candidate) => candidate.text.startsWith('Platform pulse · Interfaces'))!;
    await eventually('the closed message', () => h.slack.messages(CHANNEL).find((candidate) => candidate.ts === roundMessage.ts && candidate.text.includes('— closed')));
    const result = await eventually('the result in the thread', () => h.slack.messages(CHANNEL).find((candidate) => candidate.thread_ts === roundMessage.ts && candidate.ts !== roundMessage.ts));
    // 3, 3, 3, 4 (and one "I don't know") → 3.3 of 4.
    expect(result.text).toBe('Interfaces this round: 3.3 of 4');
    expect(blocksText(result.blocks)).toContain('Next step toward');
    const closedMessage = h.slack.messages(CHANNEL).find((candidate) => candidate.ts === roundMessage.ts)!;
    expect(blocksText(closedMessage.blocks)).not.toContain('mp_answer_');
  });

  it('a click after close gets a polite private answer with the close time and the next round', async () => {
    await h.requests.interaction(blockAction(h.slack, 'U6', 'mp_answer_1', `${roundId}:1`));
    const reply = await eventually('the late-click reply', () => h.slack.responses.find((response) => JSON.stringify(response.body).includes('This round closed')));
    expect(JSON.stringify(reply.body)).toMatch(/This round closed <!date\^\d+.*The next round opens <!date\^\d+/);
  });

  it('report: the lead sees the level, the trend, next steps and the comment, privately', async () => {
    const report = await h.requests.slashCommand(command(LEAD, 'report'));
    expect(report.status).toBe(200);
    const body = report.json as { response_type: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    const text = blocksText(body.blocks);
    expect(text).toContain('Payments · CNCF platform engineering maturity');
    expect(text).toMatch(/\*Interfaces\* {2}\*3\.3\* {2}Scalable/);
    expect(text).toContain('Self-service databases would help us most.');
    expect(text).toMatch(/\*Investment\* {2}— {2}not asked yet/);
    const member = await h.requests.slashCommand(command('U3', 'report'));
    expect(blocksText((member.json as { blocks: unknown[] }).blocks)).not.toContain('Self-service databases');
  });

  it('never sent Slack anything it would reject', () => {
    const rejected = h.slack.calls.filter((call) => call.response.ok === false);
    expect(rejected.map((call) => `${call.method}: ${String(call.response.error)}`)).toEqual([]);
  });
});
