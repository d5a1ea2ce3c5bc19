import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserRef } from '../../src/core/platform.js';
import type { Round } from '../../src/core/round.js';
import type { Team } from '../../src/core/team.js';
import {
  aspectAcrossTeams,
  canSeeOrganisation,
  digestArchive,
  digestArchiveEntry,
  myData,
  orgOverview,
  personViewer,
  teamDashboard,
  viewerForTeam,
  visibleTeams,
  type PersonViewer,
} from '../../src/services/dashboard-service.js';
import { orgDigest } from '../../src/services/report-service.js';
import { closeOpenRound, openRound, recordComment } from '../../src/services/round-service.js';
import { buildSurvey, DAY } from '../support/factories.js';
import { answerAs, roundOrigin, setUpTeam } from '../support/seed.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const survey = buildSurvey();
const COMMENT = 'Our paved road stops at the staging gate';
/** Written on a round of 2 answers: too few for anyone to read it, leads included. */
const SMALL_COMMENT = 'Only two of us answered this one';
const user = (userId: string): UserRef => ({ platform: 'slack', workspaceId: 'T1', userId });

let ctx: TestContext;
let platform: Team;
let payments: Team;
const rounds: Round[] = [];

async function closedRoundOf(team: Team, aspectId: string, optionIds: readonly string[], comment?: string): Promise<Round> {
  const opened = await openRound(ctx, team, { origin: 'ad-hoc', aspectId });
  if (opened.kind !== 'opened') throw new Error(`round did not open: ${opened.kind}`);
  await answerAs(ctx, opened.round.id, optionIds);
  if (comment) {
    const saved = await recordComment(ctx, user('U1'), opened.round.id, comment, await roundOrigin(ctx, opened.round.id));
    if (saved.kind !== 'saved') throw new Error(`comment not saved: ${saved.kind}`);
  }
  const closed = await closeOpenRound(ctx, team);
  if (closed.kind !== 'closed') throw new Error('round did not close');
  ctx.clock.advance(DAY);
  return closed.round;
}

beforeEach(async () => {
  ctx = await createTestContext({ surveys: [survey], now: '2026-03-02T09:30:00Z' });
  platform = await setUpTeam(ctx, 'Platform');
  payments = await setUpTeam(ctx, 'Payments');
  rounds.length = 0;
  // Platform: investment counts (5 answers: comments and agreement may show), adoption does not (2 answers).
  rounds.push(await closedRoundOf(platform, 'investment', ['2', '3', '3', '2', '3'], COMMENT));
  ctx.clock.advance(13 * DAY);
  rounds.push(await closedRoundOf(platform, 'adoption', ['2', '3'], SMALL_COMMENT));
  await closedRoundOf(payments, 'investment', ['1', '1', '2']);
  const open = await openRound(ctx, platform, { origin: 'ad-hoc', aspectId: 'interfaces' });
  if (open.kind !== 'opened') throw new Error('round did not open');
  await answerAs(ctx, open.round.id, ['4']);
  await ctx.store.grantRole(user('ULEAD'), { role: 'lead', teamId: platform.id }, 'tester', ctx.clock.now());
  await ctx.store.grantRole(user('UPM'), { role: 'pm', teamId: null }, 'tester', ctx.clock.now());
});
afterEach(async () => {
  await ctx.close();
});

const ADMINS = ['UADMIN'];
const engineerOf = (team: Team) => personViewer(ctx, user('UENG'), ADMINS, new Set([team.id]));
const lead = () => personViewer(ctx, user('ULEAD'), ADMINS, new Set());
const pm = () => personViewer(ctx, user('UPM'), ADMINS, new Set());
const admin = () => personViewer(ctx, user('UADMIN'), ADMINS, new Set());

async function commentsSeenBy(pv: PersonViewer): Promise<readonly string[] | null> {
  const page = await teamDashboard(ctx, pv, platform.id);
  if (page.kind !== 'team') throw new Error(`no page: ${page.kind}`);
  return page.report.comments?.flatMap((group) => group.texts) ?? null;
}

describe('who sees what', () => {
  it('an engineer sees their own team only, without comments; another team and organisation pages are refused', async () => {
    const engineer = await engineerOf(platform);
    expect(canSeeOrganisation(engineer)).toBe(false);
    expect(viewerForTeam(engineer, platform.id)).toEqual({ grants: [], memberOfTeamId: platform.id });
    expect(viewerForTeam(engineer, payments.id).memberOfTeamId).toBeNull();
    expect((await visibleTeams(ctx, engineer)).map((team) => team.name)).toEqual(['Platform']);
    expect(await commentsSeenBy(engineer)).toBeNull();
    expect(await teamDashboard(ctx, engineer, payments.id)).toEqual({ kind: 'refused' });
    expect(await orgOverview(ctx, engineer)).toEqual({ kind: 'refused' });
    expect(await aspectAcrossTeams(ctx, engineer, survey.id, 'investment')).toEqual({ kind: 'refused' });
    expect(await digestArchive(ctx, engineer)).toEqual({ kind: 'refused' });
    expect(await teamDashboard(ctx, engineer, 999_999)).toEqual({ kind: 'not-found' });
  });

  it('an engineer of another team is refused this team’s page; someone in no team has no access at all', async () => {
    const other = await engineerOf(payments);
    expect(await teamDashboard(ctx, other, platform.id)).toEqual({ kind: 'refused' });
    const nobody = await personViewer(ctx, user('UNOBODY'), ADMINS, new Set());
    expect(canSeeOrganisation(nobody)).toBe(false);
    expect((await visibleTeams(ctx, other)).map((team) => team.name)).toEqual(['Payments']);
    expect(await visibleTeams(ctx, nobody)).toEqual([]);
  });

  it('the team’s lead reads its comments, from large enough rounds only', async () => {
    const pv = await lead();
    expect(pv.grants).toEqual([{ role: 'lead', teamId: platform.id }]);
    expect(await commentsSeenBy(pv)).toEqual([COMMENT]);
    expect((await visibleTeams(ctx, pv)).map((team) => team.name)).toEqual(['Platform']);
    expect(canSeeOrganisation(pv)).toBe(false);
  });

  it('a PM sees the overview and every team, but no comments anywhere', async () => {
    const pv = await pm();
    expect((await visibleTeams(ctx, pv)).map((team) => team.name)).toEqual(['Payments', 'Platform']);
    expect(await commentsSeenBy(pv)).toBeNull();
    const overview = await orgOverview(ctx, pv);
    if (overview.kind !== 'overview') throw new Error('refused');
    expect(overview.surveys.map((entry) => [entry.surveyId, entry.table.rows.map((row) => row.teamName)])).toEqual([[survey.id, ['Payments', 'Platform']]]);
    for (const text of [COMMENT, SMALL_COMMENT]) {
      expect(JSON.stringify(overview)).not.toContain(text);
      expect(JSON.stringify(await teamDashboard(ctx, pv, platform.id))).not.toContain(text);
    }
  });

  it('an admin sees everything but comments', async () => {
    const pv = await admin();
    expect(pv.grants).toEqual([{ role: 'admin', teamId: null }]);
    expect(canSeeOrganisation(pv)).toBe(true);
    expect(await commentsSeenBy(pv)).toBeNull();
    expect((await orgOverview(ctx, pv)).kind).toBe('overview');
  });
});

describe('the figures', () => {
  it('shows a round with 2 answers as hidden: 2 answered, 3 needed, no level', async () => {
    const overview = await orgOverview(ctx, await pm(), { surveyId: survey.id });
    if (overview.kind !== 'overview') throw new Error('refused');
    const row = overview.surveys[0]?.table.rows.find((candidate) => candidate.teamId === platform.id);
    expect(row?.cells).toEqual([
      expect.objectContaining({ kind: 'level', aspectId: 'investment', value: 2.6, label: 'Growing, on the way to Steady' }),
      { kind: 'hidden', aspectId: 'adoption', respondents: 2, needed: 3 },
      { kind: 'not-asked', aspectId: 'interfaces' },
    ]);
    expect(overview.surveys[0]?.aspects).toEqual(survey.aspects.map((aspect) => ({ id: aspect.id, name: aspect.name })));
    expect(overview.surveys[0]?.table.allTeams[0]).toMatchObject({ aspectId: 'investment', value: 2, teams: 2 });
    expect(await orgOverview(ctx, await pm(), { surveyId: 'no-such-survey' })).toEqual({ kind: 'overview', surveys: [], generatedAt: ctx.clock.now() });
  });

  it('gives a team page its report, series, agreement, participation, open round and history with the prompts asked', async () => {
    await ctx.store.setTeamMemberCount(platform.channel, 10);
    const page = await teamDashboard(ctx, await engineerOf(platform), platform.id);
    if (page.kind !== 'team') throw new Error(page.kind);
    expect(page.report.aspects.map((aspect) => aspect.status.kind)).toEqual(['level', 'hidden', 'not-asked']);
    const investment = page.series.find((series) => series.aspectId === 'investment');
    // Closed 15 days ago: this week's and the two previous weekly points have the level.
    expect(investment?.points.map((point) => point.value)).toEqual([2.6, 2.6, 2.6]);
    expect(investment?.points.at(-1)?.at).toEqual(ctx.clock.now());
    expect(page.series.find((series) => series.aspectId === 'adoption')?.points).toEqual([]);
    expect(page.agreement).toEqual([{ aspectId: 'investment', agreement: 'high' }]);
    expect(page.participation).toEqual({ rounds: 2, meanRespondents: 3.5, rate: 0.35 });
    expect(page.openRound).toMatchObject({ aspectName: 'Interfaces', respondents: 1 });
    expect(page.history).toEqual([
      { roundId: rounds[1]?.id, aspectName: 'Adoption', prompt: rounds[1]?.question.prompt, openedAt: rounds[1]?.openedAt, closedAt: rounds[1]?.closedAt, respondents: 2, counted: false, needed: 3, mean: null, distribution: null },
      { roundId: rounds[0]?.id, aspectName: 'Investment', prompt: rounds[0]?.question.prompt, openedAt: rounds[0]?.openedAt, closedAt: rounds[0]?.closedAt, respondents: 5, counted: true, needed: 3, mean: 2.6, distribution: [0, 2, 3, 0] },
    ]);
    expect(page.history.map((entry) => entry.prompt)).toEqual(['Question 1 about adoption?', 'Question 1 about investment?']);
  });

  it('as of an earlier instant, knows nothing of rounds closed later', async () => {
    const before = new Date((rounds[1]?.closedAt?.getTime() ?? 0) - 1);
    const page = await teamDashboard(ctx, await lead(), platform.id, { at: before });
    if (page.kind !== 'team') throw new Error(page.kind);
    expect(page.history.map((entry) => entry.roundId)).toEqual([rounds[0]?.id]);
    expect(page.report.aspects[1]?.status).toEqual({ kind: 'not-asked' });
    expect(page.participation).toMatchObject({ rounds: 1, meanRespondents: 5 });
    expect(page.openRound).toBeNull();
  });

  it('shows one aspect across teams to PMs, and says so for an unknown aspect or survey', async () => {
    const pv = await pm();
    const result = await aspectAcrossTeams(ctx, pv, survey.id, 'investment');
    if (result.kind !== 'aspect') throw new Error(result.kind);
    expect(result.aspect.levels.map((level) => level.teams)).toEqual([1, 1, 0, 0]);
    expect(result.aspect.weakest.map((team) => [team.teamName, team.value])).toEqual([
      ['Payments', 1.3],
      ['Platform', 2.6],
    ]);
    expect(await aspectAcrossTeams(ctx, pv, survey.id, 'nope')).toEqual({ kind: 'unknown-aspect', surveyId: survey.id, aspectId: 'nope' });
    expect(await aspectAcrossTeams(ctx, pv, 'nope', 'investment')).toEqual({ kind: 'unknown-aspect', surveyId: 'nope', aspectId: 'investment' });
  });
});

describe('digest archive', () => {
  it('lists sent digests only, newest first, and rebuilds one as it was sent', async () => {
    const channel = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'CDIGEST' };
    const at = ctx.clock.now();
    const sent = await ctx.store.enqueueDelivery({ target: channel, periodKey: 'digest-2026-W12', payload: { kind: 'digest', at: at.toISOString() }, teamId: null, roundId: null, at });
    await ctx.store.markDeliverySent(sent.delivery.id, '1700000000.000100', new Date(at.getTime() + 60_000));
    const earlier = await ctx.store.enqueueDelivery({ target: channel, periodKey: 'digest-2026-W11', payload: { kind: 'digest', at: new Date(at.getTime() - 7 * DAY).toISOString(), surveyIds: [survey.id] }, teamId: null, roundId: null, at });
    await ctx.store.markDeliverySent(earlier.delivery.id, '1700000000.000099', new Date(at.getTime() - 7 * DAY));
    await ctx.store.enqueueDelivery({ target: channel, periodKey: 'digest-2026-W13', payload: { kind: 'digest', at: new Date(at.getTime() + 7 * DAY).toISOString() }, teamId: null, roundId: null, at });
    const files = await ctx.store.enqueueDelivery({ target: channel, periodKey: 'digest-2026-W12', payload: { kind: 'digest-files', at: at.toISOString() }, teamId: null, roundId: null, at });
    await ctx.store.markDeliverySent(files.delivery.id, 'F1', at);

    const pv = await pm();
    const archive = await digestArchive(ctx, pv);
    expect(archive).toEqual({
      kind: 'archive',
      entries: [
        { deliveryId: sent.delivery.id, platform: 'slack', channel: 'CDIGEST', at, sentAt: new Date(at.getTime() + 60_000), surveyIds: null },
        { deliveryId: earlier.delivery.id, platform: 'slack', channel: 'CDIGEST', at: new Date(at.getTime() - 7 * DAY), sentAt: new Date(at.getTime() - 7 * DAY), surveyIds: [survey.id] },
      ],
    });
    ctx.clock.advance(30 * DAY);
    const entry = await digestArchiveEntry(ctx, pv, sent.delivery.id);
    if (entry.kind !== 'digest') throw new Error(entry.kind);
    expect(entry.digest).toEqual(await orgDigest(ctx, { at }));
    expect(entry.digest.generatedAt).toEqual(at);
    expect(entry.digest.sections[0]?.teams.map((row) => [row.teamName, row.cells[0]?.value])).toEqual([
      ['Payments', 1.3],
      ['Platform', 2.6],
    ]);
    expect(await digestArchiveEntry(ctx, pv, files.delivery.id)).toEqual({ kind: 'not-found' });
    expect(await digestArchiveEntry(ctx, await engineerOf(platform), sent.delivery.id)).toEqual({ kind: 'refused' });
  });
});

describe('my data', () => {
  it('gives a person their own answers with team names, and nobody else’s', async () => {
    const open = await ctx.store.findOpenRound(platform.id);
    if (!open) throw new Error('no open round');
    expect((await recordComment(ctx, user('U1'), open.id, 'Still mine to change', await roundOrigin(ctx, open.id))).kind).toBe('saved');
    const mine = await myData(ctx, user('U1'));
    expect(mine.map((answer) => [answer.teamName, answer.aspectId, answer.optionId, answer.comment])).toEqual([
      ['Platform', 'interfaces', '4', 'Still mine to change'],
      ['Payments', 'investment', '1', null],
      ['Platform', 'adoption', '2', null],
      // A comment is made anonymous when its round closes: from then on it is nobody's, not even its author's.
      ['Platform', 'investment', '2', null],
    ]);
    expect((await myData(ctx, user('U5'))).map((answer) => answer.optionId)).toEqual(['3']);
    expect(await myData(ctx, user('UENG'))).toEqual([]);
  });
});
