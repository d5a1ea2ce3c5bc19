import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelRef } from '../../src/core/platform.js';
import { snapshotQuestion, type QuestionSnapshot } from '../../src/core/round.js';
import { UNKNOWN_OPTION_ID, type Survey } from '../../src/core/survey.js';
import type { Team } from '../../src/core/team.js';
import type { DeliveryIntent } from '../../src/storage/records.js';
import { buildSurvey, DAY } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const survey = buildSurvey();
/** The same survey after its file was edited: the first aspect renamed, its first question reworded. */
const reworded: Survey = {
  ...survey,
  aspects: survey.aspects.map((aspect, index) =>
    index === 0 ? { ...aspect, name: 'Platform investment', questions: aspect.questions.map((question, q) => (q === 0 ? { ...question, prompt: 'How much do we invest in the platform now?' } : question)) } : aspect,
  ),
};
const otherSurvey = buildSurvey({ id: 'other-survey' });
const START = new Date('2026-03-02T10:00:00Z');
const cadence = { everyWeeks: 1 as const, weekday: 1, localTime: '10:00', timeZone: 'UTC', roundLengthHours: 96, anchorWeek: '2026-W10' };

let ctx: TestContext;
let channelCounter = 0;
beforeEach(async () => {
  ctx = await createTestContext({ surveys: [survey] });
});
afterEach(async () => {
  await ctx.close();
});

async function newTeam(name: string): Promise<Team> {
  channelCounter += 1;
  const result = await ctx.store.insertTeam({ name, channel: { platform: 'slack', workspaceId: 'T1', channelId: `C${channelCounter}` }, surveyId: survey.id, cadence, createdAt: START });
  if (result.kind !== 'created') throw new Error(result.kind);
  return result.team;
}

/** The snapshot of an aspect's first question under a survey (as the file said when the round opened). */
function questionOf(from: Survey, aspectIndex: number): QuestionSnapshot {
  const aspect = from.aspects[aspectIndex];
  const question = aspect?.questions[0];
  if (!aspect || !question) throw new Error('no such aspect');
  return snapshotQuestion(from, aspect, question);
}

interface RoundSpec {
  readonly team: Team;
  readonly periodKey: string;
  readonly question: QuestionSnapshot;
  readonly openedAt: Date;
  /** The option ids picked, one respondent each. */
  readonly answers: readonly string[];
  /** Null leaves the round open. */
  readonly closedAt: Date | null;
  readonly surveyId?: string;
}

/** Opens a round, answers it and (unless `closedAt` is null) closes it through the store. */
async function roundOf(spec: RoundSpec): Promise<number> {
  const opened = await ctx.store.insertRound({
    teamId: spec.team.id,
    surveyId: spec.surveyId ?? survey.id,
    surveyHash: 'hash',
    question: spec.question,
    periodKey: spec.periodKey,
    origin: 'scheduled',
    openedAt: spec.openedAt,
    closesAt: new Date(spec.openedAt.getTime() + 4 * DAY),
  });
  if (opened.kind !== 'opened') throw new Error(opened.kind);
  for (const [index, optionId] of spec.answers.entries()) {
    const option = spec.question.options.find((candidate) => candidate.id === optionId);
    if (!option) throw new Error(`no option ${optionId}`);
    await ctx.store.upsertAnswer({ roundId: opened.round.id, respondentKey: `k${index}`, optionId: option.id, level: option.level, at: spec.openedAt });
  }
  if (spec.closedAt) {
    const closed = await ctx.store.closeRound(opened.round.id, spec.closedAt);
    if (!closed) throw new Error('round did not close');
  }
  return opened.round.id;
}

describe('closedRoundHistory', () => {
  it('lists a team’s closed rounds newest first (by close time, then id), each with its question as asked and its frozen tally', async () => {
    const team = await newTeam('Payments');
    const investment = questionOf(survey, 0);
    const adoption = questionOf(survey, 1);
    // Opened in this order, closed out of it: the first and the third close at the same instant.
    const first = await roundOf({ team, periodKey: 'p1', question: investment, openedAt: START, answers: ['1', '2', '2', UNKNOWN_OPTION_ID], closedAt: new Date(START.getTime() + 10 * DAY) });
    const second = await roundOf({ team, periodKey: 'p2', question: adoption, openedAt: new Date(START.getTime() + 1 * DAY), answers: ['4'], closedAt: new Date(START.getTime() + 5 * DAY) });
    const third = await roundOf({ team, periodKey: 'p3', question: adoption, openedAt: new Date(START.getTime() + 2 * DAY), answers: [], closedAt: new Date(START.getTime() + 10 * DAY) });

    const history = await ctx.store.closedRoundHistory(team.id, survey.id, 10);
    expect(history).toEqual([
      { roundId: third, aspectId: 'adoption', aspectName: 'Adoption', prompt: adoption.prompt, openedAt: new Date(START.getTime() + 2 * DAY), closedAt: new Date(START.getTime() + 10 * DAY), tally: { respondents: 0, unknown: 0, levelCounts: [0, 0, 0, 0] } },
      { roundId: first, aspectId: 'investment', aspectName: 'Investment', prompt: investment.prompt, openedAt: START, closedAt: new Date(START.getTime() + 10 * DAY), tally: { respondents: 4, unknown: 1, levelCounts: [1, 2, 0, 0] } },
      { roundId: second, aspectId: 'adoption', aspectName: 'Adoption', prompt: adoption.prompt, openedAt: new Date(START.getTime() + 1 * DAY), closedAt: new Date(START.getTime() + 5 * DAY), tally: { respondents: 1, unknown: 0, levelCounts: [0, 0, 0, 1] } },
    ]);
    // The same rounds and tallies as the report's input, in the opposite order.
    const tallies = await ctx.store.closedTallies(team.id, survey.id);
    expect(history.map((round) => [round.roundId, round.aspectId, round.closedAt, round.tally]).reverse()).toEqual(tallies.map((round) => [round.roundId, round.aspectId, round.closedAt, round.tally]));
  });

  it('keeps the prompt and aspect name a round was asked with after the survey file changes', async () => {
    const team = await newTeam('Payments');
    const before = await roundOf({ team, periodKey: 'p1', question: questionOf(survey, 0), openedAt: START, answers: ['3', '3', '3'], closedAt: new Date(START.getTime() + 4 * DAY) });
    const after = await roundOf({ team, periodKey: 'p2', question: questionOf(reworded, 0), openedAt: new Date(START.getTime() + 7 * DAY), answers: ['2', '2', '2'], closedAt: new Date(START.getTime() + 11 * DAY) });

    const history = await ctx.store.closedRoundHistory(team.id, survey.id, 10);
    expect(history.map((round) => [round.roundId, round.aspectId, round.aspectName, round.prompt])).toEqual([
      [after, 'investment', 'Platform investment', 'How much do we invest in the platform now?'],
      [before, 'investment', 'Investment', 'Question 1 about investment?'],
    ]);
  });

  it('returns at most `limit` rounds, the newest ones, and nothing for a limit of 0', async () => {
    const team = await newTeam('Payments');
    const ids: number[] = [];
    for (let index = 0; index < 5; index += 1) {
      const openedAt = new Date(START.getTime() + index * 7 * DAY);
      ids.push(await roundOf({ team, periodKey: `p${index}`, question: questionOf(survey, index % 3), openedAt, answers: ['1'], closedAt: new Date(openedAt.getTime() + 4 * DAY) }));
    }
    expect((await ctx.store.closedRoundHistory(team.id, survey.id, 2)).map((round) => round.roundId)).toEqual([ids[4], ids[3]]);
    expect((await ctx.store.closedRoundHistory(team.id, survey.id, 5)).map((round) => round.roundId)).toEqual([...ids].reverse());
    expect(await ctx.store.closedRoundHistory(team.id, survey.id, 0)).toEqual([]);
  });

  it('leaves out open rounds, other teams’ rounds and rounds under another survey', async () => {
    const team = await newTeam('Payments');
    const other = await newTeam('Platform');
    const own = await roundOf({ team, periodKey: 'p1', question: questionOf(survey, 0), openedAt: START, answers: ['2'], closedAt: new Date(START.getTime() + 4 * DAY) });
    await roundOf({ team, periodKey: 'p2', question: questionOf(otherSurvey, 0), surveyId: otherSurvey.id, openedAt: new Date(START.getTime() + 5 * DAY), answers: ['1'], closedAt: new Date(START.getTime() + 6 * DAY) });
    await roundOf({ team: other, periodKey: 'p1', question: questionOf(survey, 0), openedAt: START, answers: ['4', '4', '4'], closedAt: new Date(START.getTime() + 8 * DAY) });
    await roundOf({ team, periodKey: 'p3', question: questionOf(survey, 1), openedAt: new Date(START.getTime() + 7 * DAY), answers: ['3'], closedAt: null });

    expect((await ctx.store.closedRoundHistory(team.id, survey.id, 10)).map((round) => round.roundId)).toEqual([own]);
    expect(await ctx.store.findOpenRound(team.id)).not.toBeNull();
    expect(await ctx.store.closedRoundHistory(999_999, survey.id, 10)).toEqual([]);
  });

  it('as of an instant, leaves out rounds closed after it (closed exactly then counts)', async () => {
    const team = await newTeam('Payments');
    const early = await roundOf({ team, periodKey: 'p1', question: questionOf(survey, 0), openedAt: START, answers: ['2'], closedAt: new Date(START.getTime() + 4 * DAY) });
    const late = await roundOf({ team, periodKey: 'p2', question: questionOf(survey, 1), openedAt: new Date(START.getTime() + 7 * DAY), answers: ['3'], closedAt: new Date(START.getTime() + 11 * DAY) });
    const ids = async (asOf: Date) => (await ctx.store.closedRoundHistory(team.id, survey.id, 1, { asOf })).map((round) => round.roundId);
    // With a limit of 1, the round closed later must not take the only place.
    expect(await ids(new Date(START.getTime() + 11 * DAY - 1))).toEqual([early]);
    expect(await ids(new Date(START.getTime() + 11 * DAY))).toEqual([late]);
    expect(await ids(new Date(START.getTime() + 4 * DAY - 1))).toEqual([]);
  });
});

describe('listDeliveries', () => {
  it('filters by kind in the query, alone or with status and round', async () => {
    const team = await newTeam('Payments');
    const round = await roundOf({ team, periodKey: 'p1', question: questionOf(survey, 0), openedAt: START, answers: [], closedAt: null });
    const channel: ChannelRef = { platform: 'slack', workspaceId: 'T1', channelId: 'CDIGEST' };
    const at = START;
    const enqueue = async (intent: Omit<DeliveryIntent, 'at' | 'target'> & { target?: ChannelRef }) => (await ctx.store.enqueueDelivery({ target: channel, at, ...intent })).delivery.id;
    const sentDigest = await enqueue({ periodKey: 'digest-2026-W10', payload: { kind: 'digest', at: at.toISOString() }, teamId: null, roundId: null });
    const pendingDigest = await enqueue({ periodKey: 'digest-2026-W11', payload: { kind: 'digest', at: new Date(at.getTime() + 7 * DAY).toISOString() }, teamId: null, roundId: null });
    const files = await enqueue({ periodKey: 'digest-2026-W10', payload: { kind: 'digest-files', at: at.toISOString() }, teamId: null, roundId: null });
    const opened = await enqueue({ target: team.channel, periodKey: 'p1', payload: { kind: 'round-opened', roundId: round }, teamId: team.id, roundId: round });
    const reminder = await enqueue({ target: team.channel, periodKey: 'p1', payload: { kind: 'reminder', roundId: round }, teamId: team.id, roundId: round });
    for (const id of [sentDigest, files, opened]) await ctx.store.markDeliverySent(id, `ref-${id}`, at);

    const ids = async (filter: Parameters<typeof ctx.store.listDeliveries>[0]) => (await ctx.store.listDeliveries(filter)).map((delivery) => delivery.id);
    expect(await ids({ kind: 'digest' })).toEqual([sentDigest, pendingDigest]);
    expect(await ids({ status: 'sent', kind: 'digest' })).toEqual([sentDigest]);
    expect(await ids({ status: 'pending', kind: 'digest' })).toEqual([pendingDigest]);
    expect(await ids({ kind: 'digest-files' })).toEqual([files]);
    expect(await ids({ kind: 'reminder', roundId: round })).toEqual([reminder]);
    expect(await ids({ status: 'sent', kind: 'round-opened', roundId: round })).toEqual([opened]);
    expect(await ids({ status: 'sent', kind: 'reminder', roundId: round })).toEqual([]);
    expect(await ids({ kind: 'nudge' })).toEqual([]);
    // Without a kind, as before.
    expect(await ids({ status: 'sent' })).toEqual([sentDigest, files, opened]);
    expect(await ids({ roundId: round })).toEqual([opened, reminder]);
    expect(await ids(undefined)).toEqual([sentDigest, pendingDigest, files, opened, reminder]);
    expect((await ctx.store.listDeliveries({ status: 'sent', kind: 'digest' }))[0]).toMatchObject({ kind: 'digest', status: 'sent', payload: { kind: 'digest', at: at.toISOString() } });
  });
});
