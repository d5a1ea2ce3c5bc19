/**
 * The anonymity rule, checked on what people actually see. For rounds below MIN_COMMENT_RESPONDENTS a
 * reader may learn a round's count and mean, nothing more: so any two sets of answers with the same size
 * and sum must produce the very same output in every view, on both shipped surveys. The views are the
 * real renderers: the round result and closed message (text, Slack blocks, Teams cards), the report
 * (text, Slack blocks, App Home, Teams card), the digest (text, Slack blocks, Teams card, CSV, chart data),
 * and the dashboard (the organisation, team and aspect pages as HTML, and the API's JSON for them).
 *
 * Before the fix, a round's agreement label (from the sum of squares) told most such sets apart: with
 * 1,3,3 and 2,2,3 one read "Views differ somewhat", the other "The team mostly agrees".
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestChartSpec } from '../src/adapters/charts/digest-chart-spec.js';
import { chartInput, digestCsv } from '../src/core/digest-files.js';
import { digestMessage } from '../src/adapters/slack/render/digest-blocks.js';
import { homeView } from '../src/adapters/slack/render/home.js';
import { reportBlocks } from '../src/adapters/slack/render/report-blocks.js';
import { closedRoundMessage, roundResultMessage } from '../src/adapters/slack/render/round-message.js';
import { digestCard } from '../src/adapters/teams/cards/digest-card.js';
import { reportCard } from '../src/adapters/teams/cards/report-card.js';
import { resultCard, roundCard } from '../src/adapters/teams/cards/round-card.js';
import { renderDigestText } from '../src/adapters/text/render-digest.js';
import { renderReportText } from '../src/adapters/text/render-report.js';
import { renderMessageText } from '../src/adapters/text/render-round.js';
import { COMMAND_HELP } from '../src/core/chat-command.js';
import { buildDigest } from '../src/core/digest.js';
import type { RoundView } from '../src/core/messenger.js';
import { buildTeamReport } from '../src/core/report.js';
import { snapshotQuestion } from '../src/core/round.js';
import { roundOutcome } from '../src/core/round-outcome.js';
import type { ClosedRoundTally, ScoringPolicy } from '../src/core/scoring.js';
import type { Survey } from '../src/core/survey.js';
import { loadSurveyDirectory } from '../src/survey-files/load-surveys.js';
import { buildAspectAcross } from '../src/core/aspect-across.js';
import { buildOrgTable, participationOf } from '../src/core/org-table.js';
import { historyRound, reportAgreement, weeklySeries } from '../src/core/team-dashboard.js';
import { organisationWire, teamDetailWire, teamExportWire, teamRoundsWire, teamTrendsWire } from '../src/adapters/web/api/wire.js';
import { AspectPage } from '../src/adapters/web/views/aspect-page.js';
import { OrgPage } from '../src/adapters/web/views/org-page.js';
import { TeamPage } from '../src/adapters/web/views/team-page.js';
import type { TeamDashboard } from '../src/services/dashboard-service.js';
import { DAY, tallyOf } from './support/factories.js';
import { SURVEYS } from './support/processes.js';

let surveys: Survey[] = [];

beforeAll(async () => {
  const catalogue = await loadSurveyDirectory(SURVEYS);
  surveys = [...catalogue.surveys.values()].map((loaded) => loaded.survey).sort((a, b) => a.levels.length - b.levels.length);
  expect(surveys.map((survey) => survey.levels.length)).toEqual([4, 5]);
});

const T0 = Date.parse('2026-06-01T15:00:00Z');

/** Every multiset of `size` levels in 1..levelCount, grouped by sum: the sets a reader must not tell apart. */
function classesOf(size: number, levelCount: number): number[][][] {
  const bySum = new Map<number, number[][]>();
  const walk = (prefix: number[], from: number): void => {
    if (prefix.length === size) {
      const sum = prefix.reduce((total, level) => total + level, 0);
      bySum.set(sum, [...(bySum.get(sum) ?? []), [...prefix]]);
      return;
    }
    for (let level = from; level <= levelCount; level += 1) walk([...prefix, level], level);
  };
  walk([], 1);
  return [...bySum.values()].filter((members) => members.length > 1);
}

const policyArb: fc.Arbitrary<ScoringPolicy> = fc.oneof(
  fc.constant({ minRespondents: 3, minCommentRespondents: 5, windowRounds: 3, trendThreshold: 0.3 }),
  fc.record({ minRespondents: fc.integer({ min: 3, max: 4 }), extra: fc.integer({ min: 1, max: 3 }), windowRounds: fc.integer({ min: 1, max: 4 }) }).map(({ minRespondents, extra, windowRounds }) => ({ minRespondents, minCommentRespondents: minRespondents + extra, windowRounds, trendThreshold: 0.3 })),
);

/** A round around the target: any size (small and large), any aspect, on a day before or after it. */
const otherRoundArb = fc.record({ aspect: fc.nat(), day: fc.integer({ min: -120, max: 40 }), levels: fc.array(fc.nat(), { maxLength: 9 }), unknown: fc.nat({ max: 2 }) });

const scenarioArb = fc.record({
  surveyIndex: fc.integer({ min: 0, max: 1 }),
  policy: policyArb,
  size: fc.nat(),
  classPick: fc.nat(),
  pairPick: fc.tuple(fc.nat(), fc.nat()),
  unknown: fc.nat({ max: 2 }),
  aspect: fc.nat(),
  history: fc.array(otherRoundArb, { maxLength: 8 }),
  otherTeams: fc.array(fc.array(otherRoundArb, { maxLength: 5 }), { maxLength: 2 }),
  memberCount: fc.option(fc.integer({ min: 3, max: 15 })),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

const TARGET_ID = 9_000;

function roundsOf(survey: Survey, gen: Scenario['history'], firstId: number): ClosedRoundTally[] {
  const levelCount = survey.levels.length;
  return gen.map((round, index) => ({
    roundId: firstId + index,
    aspectId: survey.aspects[round.aspect % survey.aspects.length]!.id,
    closedAt: new Date(T0 + round.day * DAY + 60_000 * (index + 1)),
    tally: tallyOf(round.levels.map((level) => (level % levelCount) + 1), round.unknown, levelCount),
  }));
}

/** Everything anyone sees that a closed target round with `answers` could feed, rendered by the real renderers. */
function everyView(survey: Survey, scenario: Scenario, answers: readonly number[]): Record<string, unknown> {
  const { policy } = scenario;
  const levelCount = survey.levels.length;
  const aspect = survey.aspects[scenario.aspect % survey.aspects.length]!;
  const target: ClosedRoundTally = { roundId: TARGET_ID, aspectId: aspect.id, closedAt: new Date(T0), tally: tallyOf(answers, scenario.unknown, levelCount) };
  const rounds = [...roundsOf(survey, scenario.history, 1), target].sort((a, b) => a.closedAt.getTime() - b.closedAt.getTime() || a.roundId - b.roundId);
  const question = snapshotQuestion(survey, aspect, aspect.questions[0]!);
  const view: RoundView = { roundId: TARGET_ID, teamName: 'Payments', aspectName: aspect.name, prompt: question.prompt, options: question.options, closesAt: target.closedAt, timeZone: 'Europe/Berlin', status: 'closed', respondents: target.tally.respondents, minRespondents: policy.minRespondents };
  const outcome = roundOutcome(survey, rounds.filter((round) => round.aspectId === aspect.id), TARGET_ID, policy);
  if (!outcome) throw new Error('the target round has no outcome');
  const views: Record<string, unknown> = {
    'result/text': renderMessageText({ kind: 'round-result', round: view, outcome }),
    'result/slack': roundResultMessage(view, outcome),
    'result/teams': resultCard(view, outcome),
    'closed/text': renderMessageText({ kind: 'round-closed', round: view }),
    'closed/slack': closedRoundMessage(view),
    'closed/teams': roundCard(view),
  };
  const teams = [
    { id: 1, name: 'Payments', surveyId: survey.id, rounds, memberCount: scenario.memberCount },
    ...scenario.otherTeams.map((history, index) => ({ id: index + 2, name: `Team ${index + 2}`, surveyId: survey.id, rounds: roundsOf(survey, history, 1000 * (index + 2)).sort((a, b) => a.closedAt.getTime() - b.closedAt.getTime()), memberCount: null })),
  ];
  // Reports as they stood at the close and at every later close, and long after.
  const instants = [T0, ...rounds.filter((round) => round.closedAt.getTime() > T0).map((round) => round.closedAt.getTime()), T0 + 200 * DAY];
  for (const at of instants) {
    const report = buildTeamReport({ team: { id: 1, name: 'Payments' }, survey, rounds, openRound: null, comments: [], policy, now: new Date(at), belowTargetCount: 3, shuffle: (items) => [...items] });
    views[`report@${at}/core`] = report;
    views[`report@${at}/text`] = renderReportText(report);
    views[`report@${at}/slack`] = reportBlocks(report);
    views[`report@${at}/home`] = homeView({ answers: [], reports: [report], help: COMMAND_HELP });
    views[`report@${at}/teams`] = reportCard(report);
    Object.assign(views, dashboardViews(survey, scenario, teams, report, new Date(at)));
  }
  for (const offset of [0, DAY, 7 * DAY, 91 * DAY]) {
    const digest = buildDigest({ surveys: new Map([[survey.id, survey]]), teams, policy, now: new Date(T0 + offset) });
    views[`digest+${offset}/text`] = renderDigestText(digest, 'Europe/Berlin');
    views[`digest+${offset}/slack`] = digestMessage(digest, 'Europe/Berlin');
    views[`digest+${offset}/teams`] = digestCard(digest, 'Europe/Berlin');
    views[`digest+${offset}/csv`] = digestCsv(digest);
    views[`digest+${offset}/chart`] = digest.sections.map((section) => digestChartSpec(chartInput(section)));
  }
  return views;
}

/** What the dashboard shows at `now`: the organisation, the team and the aspect pages as HTML, and their API JSON. */
function dashboardViews(survey: Survey, scenario: Scenario, teams: { id: number; name: string; rounds: ClosedRoundTally[]; memberCount: number | null }[], report: ReturnType<typeof buildTeamReport>, now: Date): Record<string, unknown> {
  const { policy } = scenario;
  const known = (teams[0]?.rounds ?? []).filter((round) => round.closedAt.getTime() <= now.getTime());
  const table = buildOrgTable({ survey, teams, policy, now });
  const section = { surveyId: survey.id, title: survey.title, aspects: table.aspects, table };
  const chrome = { nav: [], signedIn: { name: 'Reader', csrf: 'csrf-token-of-the-reader-0123456789abcdef' } };
  const dashboard: TeamDashboard = {
    kind: 'team',
    timeZone: 'Europe/Berlin',
    report,
    series: weeklySeries(survey, known, now, policy, 26),
    agreement: reportAgreement(report),
    participation: participationOf(known, scenario.memberCount, now),
    openRound: null,
    history: [...known].reverse().map((round) => historyRound({ ...round, aspectName: round.aspectId, prompt: 'Asked', openedAt: new Date(round.closedAt.getTime() - 4 * DAY) }, policy)),
  };
  const views: Record<string, unknown> = {
    [`dashboard@${now.getTime()}/org-html`]: String(OrgPage({ ...chrome, query: {}, surveys: [{ id: survey.id, title: survey.title }], sections: [section], totals: new Map([[survey.id, table.rows.length]]), generatedAt: now, minRespondents: policy.minRespondents })),
    [`dashboard@${now.getTime()}/org-api`]: organisationWire(now, {}, [{ survey: section, table }]),
    [`dashboard@${now.getTime()}/team-html`]: String(TeamPage({ ...chrome, dashboard, timeZone: 'Europe/Berlin', chartSvg: null })),
    [`dashboard@${now.getTime()}/team-api`]: [teamDetailWire(dashboard), teamTrendsWire(1, dashboard.series), teamRoundsWire(1, dashboard.history), teamExportWire(dashboard)],
  };
  for (const aspect of survey.aspects) {
    const across = buildAspectAcross({ survey, aspectId: aspect.id, teams, policy, now });
    if (across) views[`dashboard@${now.getTime()}/aspect-${aspect.id}-html`] = String(AspectPage({ ...chrome, aspect: across, surveyTitle: survey.title }));
  }
  return views;
}

/** The two answer sets of a scenario: same size and sum, both below the comment threshold. */
function pairOf(survey: Survey, scenario: Scenario): [number[], number[]] | null {
  const size = 1 + (scenario.size % (scenario.policy.minCommentRespondents - 1));
  const classes = classesOf(size, survey.levels.length);
  const members = classes[scenario.classPick % Math.max(1, classes.length)];
  if (!members) return null;
  const a = members[scenario.pairPick[0] % members.length]!;
  const b = members[scenario.pairPick[1] % members.length]!;
  return [a, b];
}

describe('every view of a round below MIN_COMMENT_RESPONDENTS shows its count and mean, nothing more', () => {
  it('answer sets of the same size and sum give identical output in every view, on both surveys', () => {
    let compared = 0;
    let distinctPairs = 0;
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const survey = surveys[scenario.surveyIndex]!;
        const pair = pairOf(survey, scenario);
        if (!pair) return;
        const [a, b] = pair;
        const left = everyView(survey, scenario, a);
        const right = everyView(survey, scenario, b);
        for (const key of Object.keys(left)) {
          const l = JSON.stringify(left[key]);
          const r = JSON.stringify(right[key]);
          if (l !== r) expect.soft(r, `${key} differs between ${a.join(',')} and ${b.join(',')}`).toBe(l);
        }
        expect(Object.keys(right)).toEqual(Object.keys(left));
        compared += 1;
        if (a.join() !== b.join()) distinctPairs += 1;
      }),
      { numRuns: 250 },
    );
    // Not vacuous: most runs compared two different sets.
    expect(compared).toBeGreaterThan(120);
    expect(distinctPairs).toBeGreaterThan(50);
  });

  it('enumerates every class of three answers on both surveys: each class renders the same result', () => {
    for (const survey of surveys) {
      const classes = classesOf(3, survey.levels.length);
      expect(classes.length).toBeGreaterThan(0);
      for (const members of classes) {
        const scenario: Scenario = { surveyIndex: 0, policy: { minRespondents: 3, minCommentRespondents: 5, windowRounds: 3, trendThreshold: 0.3 }, size: 0, classPick: 0, pairPick: [0, 0], unknown: 1, aspect: 0, history: [], otherTeams: [], memberCount: null };
        const first = JSON.stringify(everyView(survey, scenario, members[0]!));
        for (const other of members.slice(1)) expect(JSON.stringify(everyView(survey, scenario, other)), `${members[0]!.join(',')} vs ${other.join(',')}`).toBe(first);
      }
    }
  });
});
