import { describe, expect, it } from 'vitest';
import { actionSet, card, escapeMarkdown, text, type AdaptiveCard } from '../../src/adapters/teams/cards/elements.js';
import { MAX_REFRESH_USERS, nudgeCard, reminderCard, resultCard, roundCard } from '../../src/adapters/teams/cards/round-card.js';
import { reportCard } from '../../src/adapters/teams/cards/report-card.js';
import { forgetConfirmCard, helpCard, MAX_TEAM_CHOICES, rolesCard, sentenceCard, setupCard, statusCard, teamChoiceCard } from '../../src/adapters/teams/cards/command-cards.js';
import { digestCard, digestChartCard } from '../../src/adapters/teams/cards/digest-card.js';
import { MAX_INLINE_IMAGE_BYTES } from '../../src/adapters/teams/messenger.js';
import { privatePlaceholder } from '../../src/adapters/teams/private-reply.js';
import { COMMAND_HELP } from '../../src/core/chat-command.js';
import { buildDigest } from '../../src/core/digest.js';
import type { RoundView } from '../../src/core/messenger.js';
import { buildTeamReport } from '../../src/core/report.js';
import { COMMENT_MAX_LENGTH, snapshotQuestion } from '../../src/core/round.js';
import type { ClosedRoundTally } from '../../src/core/scoring.js';
import { UNKNOWN_OPTION_ID } from '../../src/core/survey.js';
import type { Team } from '../../src/core/team.js';
import type { TeamStatus } from '../../src/services/chat-commands.js';
import type { RoleAssignment } from '../../src/core/roles.js';
import { adaptiveCardProblems, cardBytes, executeActionProblems, objectsIn, TEAMS_CARD_VERSION } from '../support/adaptive-card-validator.js';
import { buildSurvey, closedRound, DAY, daysAfter, TEST_POLICY } from '../support/factories.js';

const long = (length: number, word = 'platform') => `${word} `.repeat(Math.ceil(length / (word.length + 1))).slice(0, length);

/**
 * Teams refuses a message beyond its size limit (413 MessageSizeTooBig). Older clients stopped at 28 KB, so
 * every everyday card stays under that; reports and digests may use the current ~80 KB (platform-facts).
 * Counted in thousands of bytes of the card JSON: the activity around the card needs room too.
 */
const EVERYDAY_CARD_BYTES = 28_000;
const LARGE_CARD_BYTES = 80_000;

/** Channel members' ids as Teams sends them (MRIs), more than a card may name. */
const memberIds = Array.from({ length: 75 }, (_, index) => `29:1member-${String(index).padStart(3, '0')}-${'x'.repeat(40)}`);

const survey = buildSurvey({ levels: 7, aspects: Array.from({ length: 12 }, (_, index) => `aspect-${index + 1}`) });
const aspect = survey.aspects[0]!;
const question = snapshotQuestion(survey, aspect, aspect.questions[0]!);
const closesAt = new Date('2026-03-06T16:00:00Z');
/** The longest round a survey may hold: long prompt and statements, with Markdown and HTML characters in them. */
const view: RoundView = {
  roundId: 123456789,
  teamName: long(60),
  aspectName: `${long(36)} *_#`,
  prompt: `${long(140)} [x](y) <b>`,
  options: question.options.map((option) => (option.level === null ? option : { ...option, text: `${long(195)} <&>*` })),
  closesAt,
  timeZone: 'Europe/Berlin',
  status: 'open',
  respondents: 12,
  minRespondents: 3,
};
const closedView: RoundView = { ...view, status: 'closed' };
const pickedOption = view.options.find((option) => option.level === 3)!;

/** Longest comments (COMMENT_MAX_LENGTH) in three shapes: plain English, Japanese (3 UTF-8 bytes a character), and code-like text that Markdown escaping and JSON both lengthen. */
const COMMENTS = {
  english: `${long(990, 'comment')}\n*_[`,
  japanese: 'デプロイに時間がかかりすぎる。'.repeat(67).slice(0, COMMENT_MAX_LENGTH),
  markup: 'see src/**/*_test.ts and [docs](x) '.repeat(29).slice(0, COMMENT_MAX_LENGTH),
} as const;

function twelveAspectReport(options: { comments: keyof typeof COMMENTS | null; open: boolean }) {
  const rounds = survey.aspects.map((a, index) => closedRound(a.id, `2026-01-0${1 + (index % 9)}`, [1, 2, 3, 4, 5, 6, 7], { roundId: 1000 + index, levelCount: 7 }));
  const comment = options.comments ? COMMENTS[options.comments] : null;
  return buildTeamReport({
    team: { id: 1, name: long(60) },
    survey,
    rounds,
    openRound: options.open ? { aspectId: aspect.id, closesAt } : null,
    comments: comment ? rounds.flatMap((round) => Array.from({ length: 10 }, () => ({ roundId: round.roundId, text: comment }))) : null,
    policy: TEST_POLICY,
    now: new Date('2026-02-01'),
    shuffle: (items) => [...items],
    belowTargetCount: 12,
  });
}

/** A report with every aspect status: a level (low agreement, a change), hidden, and never asked. */
function mixedReport() {
  const [first, second, third] = survey.aspects;
  const rounds: ClosedRoundTally[] = [
    closedRound(first!.id, '2026-01-05', [1, 1, 7, 7], { levelCount: 7 }),
    closedRound(first!.id, '2026-01-19', [4, 4, 5, 5, 6], { levelCount: 7 }),
    closedRound(second!.id, '2026-01-12', [2], { levelCount: 7 }),
  ];
  const report = buildTeamReport({
    team: { id: 2, name: 'Payments' },
    survey: { ...survey, aspects: [first!, second!, third!] },
    rounds,
    openRound: { aspectId: second!.id, closesAt },
    comments: [{ roundId: rounds[1]!.roundId, text: 'Our pipeline is slow.' }],
    policy: TEST_POLICY,
    now: new Date('2026-02-01'),
    shuffle: (items) => [...items],
  });
  expect(report.aspects.map((entry) => entry.status.kind)).toEqual(['level', 'hidden', 'not-asked']);
  return report;
}

/**
 * Five hundred teams on two surveys, each with a qualifying round a quarter ago, a week ago and now, at
 * levels that differ by team: the digest has far more movers than it lists.
 */
function bigDigest() {
  const fiveStage = buildSurvey({ id: 'five-stage', levels: 5, aspects: Array.from({ length: 12 }, (_, index) => `${'delivery-'.repeat(3)}stage-${index}`) });
  const now = new Date('2026-03-02T09:00:00Z');
  const teams = Array.from({ length: 500 }, (_, index) => {
    const target = index % 2 === 0 ? survey : fiveStage;
    const levels = target.levels.length;
    const level = (shift: number) => 1 + ((index + shift) % levels);
    return {
      id: index + 1,
      name: `${long(50, 'team')} ${index}`,
      surveyId: target.id,
      memberCount: 8,
      rounds: target.aspects.flatMap((a, aspectIndex) =>
        [100, 10, 2].map((daysAgo, step) => closedRound(a.id, new Date(now.getTime() - daysAgo * DAY), [level(step * (aspectIndex + 1)), level(step * (aspectIndex + 1)), level(step * (aspectIndex + 1))], { levelCount: levels })),
      ),
    };
  });
  // A team with nothing to show yet: counted, never named.
  teams.push({ id: 999, name: 'Quiet', surveyId: survey.id, memberCount: 8, rounds: [closedRound(aspect.id, daysAfter(now, -1), [1], { levelCount: 7 })] });
  const digest = buildDigest({ surveys: new Map([survey, fiveStage].map((entry) => [entry.id, entry])), teams, policy: TEST_POLICY, now });
  for (const section of digest.sections) {
    expect(section.improvedThisWeek.length + section.slippedThisWeek.length).toBeGreaterThan(50);
    expect(section.improvedThisQuarter.length + section.slippedThisQuarter.length).toBeGreaterThan(50);
  }
  expect(digest.sections.reduce((sum, section) => sum + section.hiddenTeamCount, 0)).toBe(1);
  return digest;
}

const team: Team = {
  id: 7,
  name: long(60),
  channel: { platform: 'teams', workspaceId: 'tenant-1', channelId: '19:channel@thread.tacv2' },
  organisationId: null,
  surveyId: survey.id,
  cadence: { everyWeeks: 2, weekday: 5, localTime: '10:00', timeZone: 'America/Argentina/Buenos_Aires', roundLengthHours: 96, anchorWeek: '2026-W01' },
  pausedUntil: null,
  questionStrategy: 'rotation',
  nudgeNonRespondents: true,
  isDemo: false,
  createdAt: new Date('2026-01-01'),
};
const leadRefs = memberIds.slice(0, 10).map((userId) => ({ platform: 'teams' as const, workspaceId: 'tenant-1', userId }));
const openStatus: TeamStatus = { team, surveyTitle: long(90), openRound: { aspectName: long(40), closesAt, respondents: 4 }, nextRoundAt: new Date('2026-03-20T13:00:00Z'), paused: false, leads: leadRefs };
const pausedStatus: TeamStatus = { team: { ...team, pausedUntil: '2026-06-30' }, surveyTitle: 'Survey', openRound: null, nextRoundAt: null, paused: true, leads: [] };
const roles: RoleAssignment[] = [
  ...memberIds.slice(0, 20).map((userId, index) => ({ role: (['admin', 'pm', 'lead'] as const)[index % 3]!, teamId: index % 3 === 2 ? 7 : null, user: { platform: 'teams' as const, workspaceId: 'tenant-1', userId }, grantedAt: new Date('2026-01-01') })),
];
const surveys = Array.from({ length: 120 }, (_, index) => ({ id: `survey-${index}`, title: long(90) }));
/** A PNG signature followed by filler: the card only carries the bytes, base64 encoded. */
const png = (bytes: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(bytes - 8, 0x5a)]);
/** The largest image that still goes inline (base64 grows it by a third), and one byte more. */
const fittingPng = png(Math.floor((MAX_INLINE_IMAGE_BYTES * 3) / 4));
const oversizePng = png(Math.floor((MAX_INLINE_IMAGE_BYTES * 3) / 4) + 1);

type Size = 'everyday' | 'large';
/** Every card the bot sends or returns in an invoke response, with the size limit it has to meet. */
const cards: readonly { name: string; size: Size; card: AdaptiveCard }[] = [
  { name: 'round card, open, shared, no refresh', size: 'everyday', card: roundCard(view) },
  { name: 'round card, open, shared, refresh for 60 members', size: 'everyday', card: roundCard(view, { refreshUserIds: memberIds.slice(0, MAX_REFRESH_USERS) }) },
  { name: 'round card, open, shared, 75 members (no refresh)', size: 'everyday', card: roundCard(view, { refreshUserIds: memberIds }) },
  { name: 'round card, closed', size: 'everyday', card: roundCard(closedView, { refreshUserIds: memberIds }) },
  { name: 'round card, own view with pick, notice and comment', size: 'everyday', card: roundCard(view, { personal: { pickedOptionId: pickedOption.id, comment: long(1000, 'mine'), notice: `Saved: ${long(200)}` } }) },
  { name: "round card, own view with I don't know", size: 'everyday', card: roundCard(view, { personal: { pickedOptionId: UNKNOWN_OPTION_ID, comment: null, notice: null }, refreshUserIds: memberIds }) },
  { name: 'round card, closed own view', size: 'everyday', card: roundCard(closedView, { personal: { pickedOptionId: pickedOption.id, comment: long(1000), notice: 'The round has closed.' } }) },
  { name: 'result card, figure', size: 'everyday', card: resultCard(closedView, { kind: 'figure', value: 3.3, levelCount: 7, label: long(80), respondents: 14, agreement: 'low', change: { kind: 'change', direction: 'improved', delta: 0.6, since: new Date('2026-02-01') }, toward: long(40), suggestion: long(300) }) },
  { name: 'result card, figure at the top', size: 'everyday', card: resultCard(closedView, { kind: 'figure', value: 7, levelCount: 7, label: 'Seventh', respondents: 3, agreement: null, change: { kind: 'none' }, toward: null, suggestion: null }) },
  { name: 'result card, too few', size: 'everyday', card: resultCard(closedView, { kind: 'too-few', respondents: 1, needed: 3 }) },
  { name: 'reminder', size: 'everyday', card: reminderCard(view) },
  { name: 'nudge', size: 'everyday', card: nudgeCard(view) },
  { name: 'report, no results, first round open', size: 'large', card: reportCard(buildTeamReport({ team: { id: 1, name: 'New' }, survey, rounds: [], openRound: { aspectId: aspect.id, closesAt }, comments: null, policy: TEST_POLICY, now: new Date('2026-02-01'), shuffle: (items) => [...items] })) },
  { name: 'report, no results, nothing asked', size: 'large', card: reportCard(buildTeamReport({ team: { id: 1, name: 'New' }, survey, rounds: [], openRound: null, comments: null, policy: TEST_POLICY, now: new Date('2026-02-01'), shuffle: (items) => [...items] })) },
  { name: 'report, every aspect status, with comments for a lead', size: 'large', card: reportCard(mixedReport()) },
  { name: 'report, twelve aspects with long comments', size: 'large', card: reportCard(twelveAspectReport({ comments: 'english', open: true })) },
  { name: 'report, twelve aspects with long Japanese comments', size: 'large', card: reportCard(twelveAspectReport({ comments: 'japanese', open: true })) },
  { name: 'report, twelve aspects with long code-like comments', size: 'large', card: reportCard(twelveAspectReport({ comments: 'markup', open: true })) },
  { name: 'report, twelve aspects, no comments (member)', size: 'large', card: reportCard(twelveAspectReport({ comments: null, open: false })) },
  { name: 'help', size: 'everyday', card: helpCard(COMMAND_HELP, null) },
  { name: 'help with a problem', size: 'everyday', card: helpCard(COMMAND_HELP, long(300)) },
  { name: 'status, open round', size: 'everyday', card: statusCard(openStatus, openStatus.leads.map((lead) => lead.userId)) },
  { name: 'status, paused', size: 'everyday', card: statusCard(pausedStatus, []) },
  { name: 'roles', size: 'everyday', card: rolesCard(roles, new Map(), long(60)) },
  { name: 'roles, none stored', size: 'everyday', card: rolesCard([], new Map(), null) },
  { name: 'team choice, 25 teams', size: 'everyday', card: teamChoiceCard(Array.from({ length: 25 }, (_, index) => ({ id: index + 1, name: `${long(55)} ${index}` }))) },
  { name: 'team choice, 150 teams', size: 'everyday', card: teamChoiceCard(Array.from({ length: 150 }, (_, index) => ({ id: index + 1, name: `${long(55)} ${index}` }))) },
  { name: 'forget confirm', size: 'everyday', card: forgetConfirmCard() },
  { name: 'sentence', size: 'everyday', card: sentenceCard(long(500)) },
  { name: 'sentence, warning', size: 'everyday', card: sentenceCard('That card no longer works; mention me with "help" to start again.', 'warning') },
  { name: 'setup', size: 'everyday', card: setupCard(surveys, { name: '', timeZone: 'UTC' }) },
  { name: 'setup with problems', size: 'everyday', card: setupCard(surveys, { name: long(60), surveyId: 'survey-3', everyWeeks: '2', weekday: '3', localTime: '09:30', timeZone: 'Mars/Olympus', roundLengthHours: '48' }, ['Another team is already called "x".', long(300), 'expected an IANA time zone such as Europe/Berlin']) },
  { name: 'digest, no teams', size: 'large', card: digestCard(buildDigest({ surveys: new Map([[survey.id, survey]]), teams: [], policy: TEST_POLICY, now: new Date('2026-03-02') })) },
  { name: 'digest, 500 teams with many movers', size: 'large', card: digestCard(bigDigest()) },
  { name: 'digest chart, inline', size: 'large', card: digestChartCard([{ title: `${long(60)}: levels and trend`, png: fittingPng }], MAX_INLINE_IMAGE_BYTES) },
  { name: 'digest chart, too large for a message', size: 'large', card: digestChartCard([{ title: 'Test survey: levels and trend', png: oversizePng }], MAX_INLINE_IMAGE_BYTES) },
  { name: 'digest chart, one inline and one pointer', size: 'large', card: digestChartCard([{ title: 'A', png: png(20_000) }, { title: 'B', png: fittingPng }], MAX_INLINE_IMAGE_BYTES) },
  { name: 'digest chart, no charts', size: 'large', card: digestChartCard([], MAX_INLINE_IMAGE_BYTES) },
  { name: 'private placeholder, report', size: 'everyday', card: privatePlaceholder(long(100), memberIds[0]!, { view: 'report', aspectId: aspect.id }) },
  { name: 'private placeholder, digest', size: 'everyday', card: privatePlaceholder('Dana', memberIds[1]!, { view: 'digest' }) },
  { name: 'private placeholder, forget', size: 'everyday', card: privatePlaceholder('Dana', memberIds[2]!, { view: 'forget' }) },
];

function refreshUserIds(json: AdaptiveCard): unknown[] | undefined {
  const ids = json.refresh?.userIds;
  return Array.isArray(ids) ? ids : undefined;
}

describe('the Adaptive Card validator', () => {
  const problemsOf = (json: unknown) => adaptiveCardProblems(json).join('\n');
  const execute = { type: 'Action.Execute', title: 'Go', verb: 'go', data: { verb: 'go' }, tooltip: 'Go on' };

  // Without these the suite below could pass against a validator that accepts anything.
  it('accepts a plain 1.5 card', () => {
    expect(adaptiveCardProblems(card([text('fine')], { actions: [{ ...execute, fallback: { type: 'Action.Submit', title: 'Go', data: { verb: 'go' } } }] }))).toEqual([]);
  });

  it('reports a version Teams does not read, unknown types and values, and properties newer than the card', () => {
    expect(problemsOf({ ...card([text('fine')]), version: '1.6' })).toContain('UnsupportedCardVersion');
    expect(problemsOf(card([{ type: 'TextBox', text: 'typo' }]))).toContain('UnknownElementType');
    expect(problemsOf(card([], { actions: [{ type: 'Action.Run', title: 'Go' }] }))).toContain('UnknownActionType');
    expect(problemsOf(card([{ type: 'TextBlock', text: 'x', size: 'Huge' }]))).toContain('InvalidPropertyValue');
    // `role` arrived in 1.6; `tooltip` in 1.5, so a card that says 1.4 may not use it.
    expect(problemsOf(card([], { actions: [{ type: 'Action.Submit', title: 'Go', role: 'Button' }] }))).toContain('UnsupportedProperty');
    expect(problemsOf({ ...card([], { actions: [execute] }), version: '1.4' })).toContain('UnsupportedProperty');
    expect(adaptiveCardProblems(card([text('fine'), { type: 'TextBlock', text: 'x', wieght: 'Bolder' }]))).toEqual(['[Parse] UnsupportedProperty: /body/1/wieght is not an Adaptive Card 1.5 property']);
  });

  it('reports duplicate ids, unlabelled required inputs and more actions than Teams shows', () => {
    expect(problemsOf(card([{ type: 'Input.Text', id: 'a' }, { type: 'Input.Text', id: 'a' }]))).toContain('DuplicateId');
    expect(problemsOf(card([{ type: 'Input.Text', id: 'a', isRequired: true }]))).toContain('RequiredInputsShouldHaveLabel');
    expect(problemsOf(card([{ type: 'ActionSet', actions: Array.from({ length: 7 }, (_, index) => ({ type: 'Action.Submit', title: String(index) })) }]))).toContain('TooManyActions');
  });

  it('reports an Action.Execute without a verb or without a matching Action.Submit fallback', () => {
    expect(executeActionProblems(card([], { actions: [execute] }))).toEqual(['/actions/0: Action.Execute "go" without an Action.Submit fallback']);
    expect(executeActionProblems(card([], { actions: [{ ...execute, fallback: { type: 'Action.Submit', title: 'Go', data: { verb: 'other' } } }] }))).toEqual(['/actions/0: the Action.Submit fallback does not carry the verb "go" in its data']);
    expect(executeActionProblems(card([actionSet([{ type: 'Action.Execute', title: 'Go', fallback: { type: 'Action.Submit', title: 'Go' } }])]))).toEqual(['/body/0/actions/0: Action.Execute without a verb']);
  });
});

describe('every Teams card', () => {
  it.each(cards.map((entry) => [entry.name, entry] as const))('%s: parses cleanly at schema 1.5 and stays within the limits', (_name, entry) => {
    const json: unknown = JSON.parse(JSON.stringify(entry.card));
    expect(entry.card.version).toBe(TEAMS_CARD_VERSION);
    expect(adaptiveCardProblems(json)).toEqual([]);
    expect(executeActionProblems(json)).toEqual([]);
    expect(cardBytes(json)).toBeLessThan(entry.size === 'large' ? LARGE_CARD_BYTES : EVERYDAY_CARD_BYTES);
    expect((refreshUserIds(entry.card) ?? []).length).toBeLessThanOrEqual(MAX_REFRESH_USERS);
  });

  it('covers the Universal Actions: answers, comment, refresh, setup, forget and report choice all carry a verb', () => {
    const verbs = new Set(cards.flatMap((entry) => objectsIn(entry.card).flatMap(({ object }) => (object.type === 'Action.Execute' && typeof object.verb === 'string' ? [object.verb] : []))));
    expect([...verbs].sort()).toEqual(['answer', 'comment', 'forget-confirm', 'refresh', 'report-view', 'setup', 'show-report']);
  });
});

describe('the team choice', () => {
  const teamsOf = (count: number) => Array.from({ length: count }, (_, index) => ({ id: index + 1, name: `Team ${index + 1}` }));
  const choicesOf = (json: AdaptiveCard) => objectsIn(json).find(({ object }) => object.type === 'Input.ChoiceSet' && object.id === 'teamId')?.object.choices as { value: string }[] | undefined;

  it('lists every team in one searchable choice with a single button that carries the pick', () => {
    const choice = teamChoiceCard(teamsOf(25));
    expect(choicesOf(choice)?.map((entry) => entry.value)).toEqual(Array.from({ length: 25 }, (_, index) => String(index + 1)));
    const buttons = objectsIn(choice).filter(({ pointer, object }) => object.type === 'Action.Execute' && !pointer.includes('/fallback'));
    expect(buttons.map(({ object }) => object.verb)).toEqual(['show-report']);
  });

  it('caps a very long list and says how to reach the rest', () => {
    const choice = teamChoiceCard(teamsOf(MAX_TEAM_CHOICES + 5));
    expect(choicesOf(choice)).toHaveLength(MAX_TEAM_CHOICES);
    expect(JSON.stringify(choice)).toContain(`first ${MAX_TEAM_CHOICES} of ${MAX_TEAM_CHOICES + 5} teams`);
    expect(adaptiveCardProblems(JSON.parse(JSON.stringify(choice)))).toEqual([]);
  });
});

describe('comments in a report', () => {
  it('share a fixed budget and say how many did not fit', () => {
    const json = JSON.stringify(reportCard(twelveAspectReport({ comments: 'japanese', open: false })));
    expect(json).toMatch(/more comments did not fit here/);
    const small = JSON.stringify(reportCard(mixedReport()));
    expect(small).toContain('Our pipeline is slow.');
    expect(small).not.toContain('did not fit');
  });
});

describe('the digest card', () => {
  it("names the subscribers' week, not UTC's", () => {
    // Monday 00:30 in Auckland is still Sunday of the previous ISO week in UTC.
    const digest = buildDigest({ surveys: new Map([[survey.id, survey]]), teams: [], policy: TEST_POLICY, now: new Date('2026-03-01T11:30:00Z') });
    expect(JSON.stringify(digestCard(digest, 'Pacific/Auckland'))).toContain('Platform maturity · week 10');
    expect(JSON.stringify(digestCard(digest))).toContain('Platform maturity · week 09');
  });
});

describe('the shared round card', () => {
  const channelOf60 = memberIds.slice(0, MAX_REFRESH_USERS);
  const shared = roundCard({ ...view, respondents: 37 }, { refreshUserIds: channelOf60 });
  const verbsOf = (json: AdaptiveCard) => objectsIn(json).flatMap(({ pointer, object }) => (object.type === 'Action.Execute' && !pointer.includes('/fallback') && !pointer.startsWith('/refresh') ? [object.verb] : []));

  it('asks every member of a channel of up to 60 to fetch their own view, and names nobody anywhere else', () => {
    expect(refreshUserIds(shared)).toEqual(channelOf60);
    const { refresh: _refresh, ...rest } = shared;
    const elsewhere = JSON.stringify(rest);
    expect(elsewhere).not.toMatch(/\b(29|8):/);
    for (const id of memberIds) expect(elsewhere).not.toContain(id.slice(3));
    // Everyone's client refreshes on its own, so the card needs no button for it.
    expect(verbsOf(shared)).not.toContain('refresh');
  });

  it('in a channel of more than 60 has no refresh at all, and a "Show my answer" button for everyone', () => {
    const large = roundCard({ ...view, respondents: 37 }, { refreshUserIds: memberIds });
    expect(large.refresh).toBeUndefined();
    expect(JSON.stringify(large)).not.toMatch(/\b(29|8):/);
    const button = objectsIn(large).find(({ pointer, object }) => object.type === 'Action.Execute' && object.verb === 'refresh' && !pointer.includes('/fallback'));
    expect(button?.object).toMatchObject({ title: 'Show my answer', data: { verb: 'refresh', roundId: view.roundId } });
    // The same card as when the members are unknown (the member list could not be read).
    expect(large).toEqual(roundCard({ ...view, respondents: 37 }));
  });

  it('shows the total only: no pick, no comment and no per-option count', () => {
    const texts = objectsIn(shared).flatMap(({ object }) => (object.type === 'TextBlock' && typeof object.text === 'string' ? [object.text] : []));
    const statements = view.options.filter((option) => option.id !== UNKNOWN_OPTION_ID).map((option) => escapeMarkdown(option.text));
    // Each statement is shown as itself: nothing (a tick, a count) added to it.
    for (const statement of statements) expect(texts).toContain(statement);
    const joined = texts.join('\n');
    expect(joined).not.toContain('✅');
    // Outside the date macros the only numbers are the total (37) and the minimum (3).
    const numbers = joined.replace(/\{\{(DATE|TIME)\([^)]*\)(, SHORT)?\}\}/g, '').match(/\d+/g) ?? [];
    expect(new Set(numbers)).toEqual(new Set(['37', '3']));
    expect(objectsIn(shared).filter(({ object }) => object.type === 'Input.Text' && 'value' in object)).toEqual([]);
  });

  it('has no refresh once closed, and no answer buttons', () => {
    const closed = roundCard(closedView, { refreshUserIds: memberIds });
    expect(closed.refresh).toBeUndefined();
    expect(objectsIn(closed).filter(({ object }) => typeof object.type === 'string' && object.type.startsWith('Action.'))).toEqual([]);
  });
});
