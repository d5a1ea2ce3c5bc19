import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../src/adapters/teams/cards/elements.js';
import { eventually, rawSql } from '../slack/slack-harness.js';
import { CHANNEL_ID, cardText, startTeamsHarness, type TeamsHarness } from './teams-harness.js';

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness();
});
afterAll(async () => h.close());

const channel = () => ({ platform: 'teams' as const, workspaceId: h.teams.tenantId, channelId: CHANNEL_ID });
const invokeCard = (response: { body: unknown }) => (response.body as { value?: unknown }).value;
const findTeam = () => h.server.ctx.store.findTeamByChannel(channel());

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

describe('a whole round in Teams', () => {
  let roundId = 0;
  let roundMessageId = '';

  it('setup: an admin registers the channel with the setup card', async () => {
    expect((await h.say(h.admin, 'setup')).status).toBe(200);
    const form = await eventually('the setup card', () => h.teams.connector.activities(CHANNEL_ID).find((activity) => cardText(activity).includes('Set up this channel as a team')));
    const submitted = await h.click(h.admin, 'setup', { name: 'Payments', surveyId: 'cncf-platform-maturity', everyWeeks: '1', weekday: '1', localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: '96' }, String(form.id));
    expect(submitted.status).toBe(200);
    expect(cardText(invokeCard(submitted))).toContain('Payments is set up');
    expect(await findTeam()).toMatchObject({ name: 'Payments', cadence: { timeZone: 'Europe/Berlin' } });
  });

  it('roles: the admin makes someone lead by mentioning them; members may not open rounds', async () => {
    const mention = `<at>${h.lead.name}</at>`;
    const granted = await h.say(h.admin, `role add ${mention} lead`, {
      text: `<at>maturity</at> role add ${mention} lead`,
      entities: [
        { type: 'mention', mentioned: { id: `28:${h.teams.appId}`, name: 'maturity' }, text: '<at>maturity</at>' },
        { type: 'mention', mentioned: { id: h.lead.id, name: h.lead.name }, text: mention },
      ],
    });
    expect(granted.status).toBe(200);
    await eventually('the role confirmation', () => h.teams.connector.activities(CHANNEL_ID).find((activity) => cardText(activity).includes(`${h.lead.aadObjectId} is now a lead`)));
    await h.say(h.members[3]!, 'ask');
    await eventually('the refusal', () => h.teams.connector.activities(CHANNEL_ID).find((activity) => cardText(activity).includes("Only the team's leads and admins can open or close a round")));
  });

  it('ask: the lead opens a round and its card reaches the channel with a view for every member', async () => {
    await h.say(h.lead, 'ask interfaces');
    const posted = await eventually('the round card', () => h.teams.connector.topLevel(CHANNEL_ID).find((activity) => cardText(activity).includes('Platform pulse · Interfaces')));
    roundMessageId = String(posted.id);
    const content = cardText(posted);
    expect(content).toContain('"type":"Action.Execute"');
    expect(content).toContain('"fallback":{"type":"Action.Submit"');
    for (const member of h.members) expect(content).toContain(member.id);
    roundId = (await h.server.ctx.store.findOpenRound((await findTeam())!.id))!.id;
    // Counted while posting, for the digest's response rate.
    await eventually('the channel to be counted', async () => (await findTeam())?.memberCount === h.members.length);
  });

  it('answers: five people click, one changes their mind, each sees only their own pick', async () => {
    // Kept so that it can be delivered again below, exactly as Teams would (same activity id).
    const firstClick = h.clickActivity(h.members[2]!, 'answer', { roundId, optionId: '2' }, roundMessageId);
    const picks: [number, string][] = [[3, '3'], [4, '3'], [5, '4'], [6, 'unknown'], [2, '3']];
    const responses = [await h.send(firstClick)];
    for (const [index, option] of picks) responses.push(await h.click(h.members[index]!, 'answer', { roundId, optionId: option }, roundMessageId));
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
      expect(cardText(invokeCard(response))).toMatch(/(Recorded|Changed your answer)\. You can change it until \{\{DATE\(/);
    }
    const rows = await answerRows(roundId);
    expect(rows).toHaveLength(5);
    expect(rows.reduce((sum, row) => sum + row.changes, 0)).toBe(1);
    expect(JSON.stringify(rows)).not.toContain(h.members[2]!.aadObjectId);
    const changed = rows.find((row) => row.changes === 1)!;
    expect(changed.option_id).toBe('3');

    // Teams delivers the first click (option 2) again after the change: it records nothing, so the change
    // stands, and the clicker gets their current view of the round.
    const again = await h.send(firstClick);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    const picked = (await h.server.ctx.store.findRound(roundId))!.question.options.find((option) => option.id === '3')!;
    const ticked = JSON.stringify(invokeCard(again)).match(/"text":"✅ ([^"]*)"/g) ?? [];
    expect(ticked).toEqual([JSON.stringify({ text: `✅ ${escapeMarkdown(picked.text)}` }).slice(1, -1)]);
    expect(cardText(invokeCard(again))).not.toMatch(/Recorded|Changed your answer/);
    const after = await answerRows(roundId);
    expect(after).toEqual(rows);
  });

  it('comments: saved from the card input, with limits explained on the card', async () => {
    const tooLong = await h.click(h.members[3]!, 'comment', { roundId, comment: 'x'.repeat(1001) }, roundMessageId);
    expect(cardText(invokeCard(tooLong))).toContain('Comments are at most 1000 characters; this one has 1001.');
    const saved = await h.click(h.members[3]!, 'comment', { roundId, comment: 'Self-service databases would help us most.' }, roundMessageId);
    expect(cardText(invokeCard(saved))).toContain('Your comment is saved');
  });

  it('close: the card shows the round closed and the result goes into its thread', async () => {
    await h.say(h.lead, 'close');
    await eventually('the closed card', () => cardText(h.teams.connector.activity(CHANNEL_ID, roundMessageId)?.activity).includes('— closed'));
    const result = await eventually('the result in the thread', () => h.teams.connector.replies(CHANNEL_ID, roundMessageId).find((activity) => cardText(activity).includes('Interfaces this round: 3.3 of 4')));
    expect(cardText(result)).toContain('Next step toward');
    expect(cardText(h.teams.connector.activity(CHANNEL_ID, roundMessageId)?.activity)).not.toContain('"verb":"answer"');
  });

  it('report: reaches only the lead, in their 1:1 chat, with the comment; never the channel', async () => {
    const before = h.teams.connector.activities(CHANNEL_ID).length;
    await h.say(h.lead, 'report');
    const personal = h.teams.connector.personalConversationId(h.lead.id);
    const report = await eventually('the private report', () => h.teams.connector.activities(personal).find((activity) => cardText(activity).includes('Payments · CNCF platform engineering maturity')));
    expect(cardText(report)).toContain('Self-service databases would help us most.');
    expect(cardText(report)).toMatch(/\*\*Interfaces\*\* \*\*3\.3\*\* Scalable/);
    const channelSince = h.teams.connector.activities(CHANNEL_ID).slice(before);
    expect(channelSince.some((activity) => cardText(activity).includes('Self-service databases'))).toBe(false);
    // The 1:1 chat is found again by a contact key, and the second report goes the same way.
    await h.say(h.lead, 'report');
    await eventually('the second private report', () => h.teams.connector.activities(personal).filter((activity) => cardText(activity).includes('Payments · CNCF platform engineering maturity')).length === 2);
  });

  it('keeps raw user ids only in roles and the audit log', async () => {
    const store = h.server.ctx.store;
    // Every table of the app (not the engine's own, nor the migration journal).
    const tables = (
      await rawSql<{ name: string }>(store, {
        sqlite: "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'",
        postgres: "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like '__drizzle%'",
      })
    ).map((row) => row.name);
    const ids = h.members.flatMap((member) => [member.id, member.aadObjectId]);
    const leaks: string[] = [];
    // Raw ids live only with roles: the roles themselves, the audit log, and the API tokens of role holders.
    for (const table of tables.filter((name) => name !== 'roles' && name !== 'audit_log' && name !== 'access_tokens')) {
      const rows = JSON.stringify(await rawSql(store, `select * from "${table}"`));
      for (const id of ids) if (rows.includes(id)) leaks.push(`${table}: ${id}`);
    }
    expect(tables).toContain('teams_conversations');
    expect(leaks).toEqual([]);
  });
});
