import { describe, expect, it } from 'vitest';
import { buildDigest } from '../../src/core/digest.js';
import { checkInDue, checkInPeriodKey, checkInsToSend, defaultDueAt, personKey, snoozedDueAt, type NextStep } from '../../src/core/next-steps.js';
import { aspectAfterDoneStep } from '../../src/core/question-choice.js';
import { buildTeamReport, type TeamReportInput } from '../../src/core/report.js';
import { roundOutcome } from '../../src/core/round-outcome.js';
import { findAspect, legacySuggestionCount, SurveySchema } from '../../src/core/survey.js';
import { aspectTarget, parseTargetLevel, targetStanding, type TargetSetting } from '../../src/core/targets.js';
import { parseChatCommand, type CommandToken } from '../../src/core/chat-command.js';
import { buildSurvey, closedRound, DAY, TEST_POLICY } from '../support/factories.js';

const survey = buildSurvey({ aspects: ['investment', 'adoption', 'interfaces'] });
const at = (iso: string) => new Date(iso);
const target = (aspectId: string, level: number, teamId: number | null, reason: string | null = null): TargetSetting => ({ surveyId: survey.id, aspectId, teamId, level, reason, setAt: at('2026-01-01') });
const aspect = (id: string) => {
  const found = findAspect(survey, id);
  if (!found) throw new Error(`no aspect ${id}`);
  return found;
};

describe('target levels', () => {
  it("takes the team's own target over the organisation's, the survey file's and the next level, in that order", () => {
    const withDefault = SurveySchema.parse({ ...survey, aspects: survey.aspects.map((candidate) => (candidate.id === 'adoption' ? { ...candidate, target: 2 } : candidate)) });
    const settings = [target('investment', 3, 7, 'self-service first'), target('investment', 2, null), target('adoption', 4, 8)];
    expect(aspectTarget(survey, aspect('investment'), 7, settings, 1.2)).toEqual({ level: 3, name: 'Steady', source: 'team', reason: 'self-service first' });
    expect(aspectTarget(survey, aspect('investment'), 9, settings, 1.2)).toEqual({ level: 2, name: 'Growing', source: 'organisation', reason: null });
    const adoption = findAspect(withDefault, 'adoption');
    if (!adoption) throw new Error('no adoption');
    expect(aspectTarget(withDefault, adoption, 7, settings, 1.2)).toMatchObject({ level: 2, source: 'survey' });
    expect(aspectTarget(withDefault, adoption, 8, settings, 1.2)).toMatchObject({ level: 4, source: 'team' });
    expect(aspectTarget(survey, aspect('interfaces'), 7, settings, 2.6)).toMatchObject({ level: 3, source: 'next' });
    // At the top, holding it is the goal.
    expect(aspectTarget(survey, aspect('interfaces'), 7, settings, 4)).toMatchObject({ level: 4, source: 'next' });
  });

  it('says how far a figure is from its target, as shown (one decimal), and on target at or above it', () => {
    const scalable = aspectTarget(survey, aspect('investment'), 1, [target('investment', 3, 1)], null);
    expect(targetStanding(scalable, 2.6)).toMatchObject({ toGo: 0.4, onTarget: false });
    expect(targetStanding(scalable, 2.96)).toMatchObject({ toGo: 0, onTarget: true });
    expect(targetStanding(scalable, 3.4)).toMatchObject({ toGo: 0, onTarget: true });
    expect(targetStanding(scalable, 2.94)).toMatchObject({ toGo: 0.1, onTarget: false });
    // Without a chosen target, the top level still gets its keep-the-edge suggestions.
    expect(targetStanding(aspectTarget(survey, aspect('investment'), 1, [], 4), 4)).toMatchObject({ toGo: 0, onTarget: false, target: { source: 'next', level: 4 } });
  });

  it('reads a level by number or name and refuses anything else with the choices', () => {
    expect(parseTargetLevel(survey, '3')).toEqual({ kind: 'level', level: 3 });
    expect(parseTargetLevel(survey, 'leading')).toEqual({ kind: 'level', level: 4 });
    expect(parseTargetLevel(survey, 'none')).toEqual({ kind: 'clear' });
    const invalid = parseTargetLevel(survey, '9');
    expect(invalid.kind).toBe('invalid');
    expect(invalid.kind === 'invalid' ? invalid.message : '').toContain('1 (Starting), 2 (Growing), 3 (Steady), 4 (Leading)');
  });

  it('gives an aspect on target no suggestions, and lists the aspects furthest below target first', () => {
    const rounds = [closedRound('investment', '2026-02-01', [3, 3, 3]), closedRound('adoption', '2026-02-01', [1, 2, 2]), closedRound('interfaces', '2026-02-01', [2, 3, 3])];
    const input: TeamReportInput = { team: { id: 1, name: 'Payments' }, survey, rounds, openRound: null, comments: null, policy: TEST_POLICY, now: at('2026-03-01'), shuffle: (items) => [...items] };
    const untargeted = buildTeamReport(input);
    // Without targets, the next level is each aspect's target and the weakest comes first.
    expect(untargeted.furthestBelowTarget).toEqual(['adoption', 'interfaces']);
    expect(untargeted.aspects.every((entry) => entry.suggestions.length > 0)).toBe(true);
    const targeted = buildTeamReport({ ...input, targets: [target('investment', 3, 1), target('interfaces', 4, 1), target('adoption', 2, null)] });
    const byId = new Map(targeted.aspects.map((entry) => [entry.aspectId, entry]));
    expect(byId.get('investment')?.standing).toMatchObject({ onTarget: true, toGo: 0 });
    expect(byId.get('investment')?.suggestions).toEqual([]);
    expect(byId.get('interfaces')?.standing).toMatchObject({ toGo: 1.3, onTarget: false });
    expect(byId.get('adoption')?.standing).toMatchObject({ toGo: 0.3 });
    expect(targeted.furthestBelowTarget).toEqual(['interfaces', 'adoption']);
    // Another team's target does not count for this one.
    expect(buildTeamReport({ ...input, targets: [target('investment', 4, 2)] }).aspects[0]?.standing).toMatchObject({ toGo: 1, onTarget: false });
  });

  it("orders the digest's aspects by how far the organisation is below its targets, and leaves out those on target", () => {
    const teams = [1, 2, 3].map((id) => ({ id, name: `Team ${id}`, surveyId: survey.id, rounds: [closedRound('investment', '2026-02-01', [3, 3, 3]), closedRound('adoption', '2026-02-01', [1, 1, 2]), closedRound('interfaces', '2026-02-01', [2, 2, 3])] }));
    const base = { surveys: new Map([[survey.id, survey]]), teams, policy: TEST_POLICY, now: at('2026-03-01') };
    expect(buildDigest(base).sections[0]?.belowTarget.map((entry) => entry.aspectId)).toEqual(['adoption', 'interfaces', 'investment']);
    const targeted = buildDigest({ ...base, targets: [target('investment', 4, null), target('adoption', 1, null), target('interfaces', 3, 5)] }).sections[0];
    expect(targeted?.belowTarget.map((entry) => [entry.aspectId, entry.toGo, entry.target.source])).toEqual([
      ['investment', 1, 'organisation'],
      ['interfaces', 0.7, 'next'],
    ]);
  });
});

describe("a round's result against the target", () => {
  it('suggests nothing when the round is at or above the aspect’s target, and the next step below it', () => {
    const rounds = [closedRound('interfaces', '2026-02-01', [3, 3, 3], { roundId: 5 })];
    expect(roundOutcome(survey, rounds, 5, TEST_POLICY, { teamId: 1, settings: [target('interfaces', 3, 1)] })).toMatchObject({ kind: 'figure', value: 3, suggestion: null });
    expect(roundOutcome(survey, rounds, 5, TEST_POLICY, { teamId: 1, settings: [target('interfaces', 4, 1)] })).toMatchObject({ kind: 'figure', suggestion: 'interfaces step 3a' });
    expect(roundOutcome(survey, rounds, 5, TEST_POLICY, { teamId: 2, settings: [target('interfaces', 3, 1)] })).toMatchObject({ suggestion: 'interfaces step 3a' });
  });
});

describe('suggestion ids in survey files', () => {
  it('derives ids from the position for plain-string suggestions and counts them for the validator', () => {
    expect(aspect('adoption').levels[1]?.suggestions[2]).toEqual({ id: 'adoption-2-3', text: 'adoption step 2c' });
    expect(legacySuggestionCount({ aspects: [{ levels: [{ suggestions: ['a', { id: 'x', text: 'b' }] }, { suggestions: ['c'] }] }] })).toBe(2);
  });

  it('refuses a suggestion id used twice and a default target outside the levels', () => {
    const raw = JSON.parse(JSON.stringify(survey)) as { aspects: { target?: number; levels: { suggestions: { id: string }[] }[] }[] };
    const first = raw.aspects[0];
    const second = raw.aspects[1];
    if (!first || !second) throw new Error('fixture');
    const duplicated = second.levels[0]?.suggestions[0];
    if (duplicated) duplicated.id = first.levels[0]?.suggestions[0]?.id ?? '';
    first.target = 5;
    const result = SurveySchema.safeParse(raw);
    expect(result.success).toBe(false);
    const messages = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^aspects\.1\.levels\.0\.suggestions\.0\.id: duplicate suggestion id "investment-1-1"/));
    expect(messages).toContainEqual('aspects.0.target: expected a level from 1 to 4, found 5');
  });
});

function step(overrides: Partial<NextStep>): NextStep {
  return { id: 1, teamId: 1, surveyId: survey.id, aspectId: 'interfaces', suggestionId: null, text: 'Publish a template', owner: null, ownerName: null, ownerStatus: null, status: 'open', adoptedAt: at('2026-01-01'), dueAt: at('2026-02-12'), closedAt: null, lastCheckInAt: null, ...overrides };
}

describe('next steps', () => {
  it('is due six weeks after adoption by default, and two weeks from the answer after "still on it"', () => {
    expect(defaultDueAt(at('2026-01-01T09:00:00Z'))).toEqual(at('2026-02-12T09:00:00Z'));
    expect(snoozedDueAt(at('2026-03-01T10:00:00Z'))).toEqual(at('2026-03-15T10:00:00Z'));
  });

  it('checks in on an open step from its date, never twice within a week, and never on a closed one', () => {
    const due = step({});
    expect(checkInDue(due, new Date(due.dueAt.getTime() - 1))).toBe(false);
    expect(checkInDue(due, due.dueAt)).toBe(true);
    expect(checkInDue(step({ lastCheckInAt: new Date(due.dueAt.getTime() - 6 * DAY) }), due.dueAt)).toBe(false);
    expect(checkInDue(step({ lastCheckInAt: new Date(due.dueAt.getTime() - 7 * DAY) }), due.dueAt)).toBe(true);
    expect(checkInDue(step({ status: 'done' }), due.dueAt)).toBe(false);
    // Asked at its date and not answered: not asked again for the same date, however long it waits.
    expect(checkInDue(step({ lastCheckInAt: due.dueAt }), new Date(due.dueAt.getTime() + 30 * DAY))).toBe(false);
    expect(checkInPeriodKey(due)).toBe('step-1-due-2026-02-12');
  });

  it('asks nobody more than once a week: one due step per person now, whichever teams they own steps in or lead, the next a week later', () => {
    const sam = { platform: 'slack' as const, workspaceId: 'T1', userId: 'USAM' };
    const kim = { platform: 'slack' as const, workspaceId: 'T1', userId: 'UKIM' };
    const lee = { platform: 'slack' as const, workspaceId: 'T1', userId: 'ULEE' };
    // Lee leads teams 1 and 2; team 3 has no leads yet.
    const leadsOf = (teamId: number) => (teamId === 1 || teamId === 2 ? [personKey(lee)] : []);
    const now = at('2026-02-13T09:00:00Z');
    const due = [
      step({ id: 1, owner: sam, ownerStatus: 'accepted', dueAt: at('2026-02-12') }),
      step({ id: 2, owner: sam, ownerStatus: 'accepted', dueAt: at('2026-02-11') }),
      step({ id: 3, owner: kim, ownerStatus: 'accepted' }),
      step({ id: 4, owner: kim, ownerStatus: 'declined' }),
      step({ id: 5 }),
      step({ id: 6, teamId: 2 }),
      step({ id: 7, teamId: 3 }),
    ];
    // Sam's earlier step; Kim's own; Lee gets step 4 (declined by Kim: the leads follow up) and neither 5 nor
    // team 2's step 6, as the same lead; team 3's steps go one a week too.
    expect(checkInsToSend(due, [], now, leadsOf).map((entry) => entry.id)).toEqual([2, 3, 4, 7]);
    // Sam answered a check-in on another step five days ago: nothing for Sam this week, the rest as before.
    const answered = step({ id: 8, owner: sam, ownerStatus: 'accepted', status: 'done', lastCheckInAt: at('2026-02-08T09:00:00Z') });
    expect(checkInsToSend(due, [answered], now, leadsOf).map((entry) => entry.id)).toEqual([3, 4, 7]);
    expect(checkInsToSend(due, [answered], at('2026-02-15T09:00:00Z'), leadsOf).map((entry) => entry.id)).toEqual([2, 3, 4, 7]);
    // Lee was asked about team 2's step three days ago: none of Lee's teams' steps this week.
    const leeAsked = step({ id: 9, teamId: 2, lastCheckInAt: at('2026-02-10T09:00:00Z') });
    expect(checkInsToSend(due, [leeAsked], now, leadsOf).map((entry) => entry.id)).toEqual([2, 3, 7]);
  });

  it('asks about the aspect of a step done since that aspect was last asked, the earliest first', () => {
    const history = [{ aspectId: 'interfaces', questionId: 'interfaces-q1', openedAt: at('2026-03-05') }, { aspectId: 'adoption', questionId: 'adoption-q1', openedAt: at('2026-02-01') }];
    const done = [step({ aspectId: 'interfaces', status: 'done', closedAt: at('2026-03-01') }), step({ aspectId: 'adoption', status: 'done', closedAt: at('2026-03-02') }), step({ aspectId: 'investment', status: 'done', closedAt: at('2026-03-03') })];
    expect(aspectAfterDoneStep(done, history, survey)).toBe('adoption');
    expect(aspectAfterDoneStep(done.slice(2), history, survey)).toBe('investment');
    expect(aspectAfterDoneStep(done.slice(0, 1), history, survey)).toBeNull();
    expect(aspectAfterDoneStep([step({ aspectId: 'gone', closedAt: at('2026-03-09') })], history, survey)).toBeNull();
  });

  it('shows the level at adoption and now for a done step, from qualifying rounds only', () => {
    const rounds = [closedRound('interfaces', '2026-01-01', [2, 2, 2]), closedRound('interfaces', '2026-02-01', [2, 3]), closedRound('interfaces', '2026-03-01', [3, 3, 3])];
    const report = buildTeamReport({ team: { id: 1, name: 'Payments' }, survey, rounds, openRound: null, comments: null, policy: { ...TEST_POLICY, windowRounds: 1 }, now: at('2026-03-10'), shuffle: (items) => [...items], steps: [step({ adoptedAt: at('2026-02-15'), status: 'done', closedAt: at('2026-02-20') }), step({ id: 2 }), step({ id: 3, teamId: 2 })] });
    const interfaces = report.aspects.find((entry) => entry.aspectId === 'interfaces');
    // The round of 1 February had two answers: below the minimum, so the level at adoption is January's.
    expect(interfaces?.doneSteps).toMatchObject([{ id: 1, levelAtAdoption: 2, levelNow: 3 }]);
    expect(interfaces?.openSteps.map((entry) => entry.id)).toEqual([2]);
  });
});

describe('the digest on next steps', () => {
  it('counts steps adopted, done and dropped this week, and names done steps whose aspect improved since adoption', () => {
    const now = at('2026-03-01T12:00:00Z');
    const rounds = [closedRound('interfaces', '2026-01-01', [2, 2, 2]), closedRound('interfaces', '2026-02-25', [3, 3, 3]), closedRound('adoption', '2026-01-01', [2, 2, 2]), closedRound('adoption', '2026-02-25', [2, 2, 3, 2, 2])];
    const steps = [
      step({ id: 1, aspectId: 'interfaces', text: 'Publish a template', adoptedAt: at('2026-01-10'), status: 'done', closedAt: at('2026-02-27') }),
      step({ id: 2, aspectId: 'adoption', text: 'Pair with teams', adoptedAt: at('2026-01-10'), status: 'done', closedAt: at('2026-02-10') }),
      step({ id: 3, aspectId: 'adoption', adoptedAt: at('2026-02-26'), status: 'open' }),
      step({ id: 4, aspectId: 'adoption', adoptedAt: at('2026-01-26'), status: 'dropped', closedAt: at('2026-02-28') }),
      step({ id: 5, aspectId: 'interfaces', adoptedAt: at('2026-02-20'), status: 'open' }),
    ];
    const digest = buildDigest({ surveys: new Map([[survey.id, survey]]), teams: [{ id: 1, name: 'Payments', surveyId: survey.id, rounds, steps }], policy: { ...TEST_POLICY, windowRounds: 1 }, now });
    expect(digest.sections[0]?.steps).toEqual({
      adoptedThisWeek: 1,
      doneThisWeek: 1,
      droppedThisWeek: 1,
      // Adoption's done step is left out: 2.0 → 2.2 is below the trend threshold (0.3), so not a change.
      paidOff: [{ teamName: 'Payments', aspectName: 'Interfaces', text: 'Publish a template', doneAt: at('2026-02-27'), before: 2, now: 3 }],
    });
  });
});

describe('target and step commands', () => {
  const words = (text: string): CommandToken[] => text.split(' ').map((part) => (part.startsWith('@') ? { kind: 'mention', userId: `U${part.slice(1).toUpperCase()}`, label: part } : { kind: 'word', text: part }));
  it('reads targets, steps and their owners and dates', () => {
    expect(parseChatCommand(words('target'))).toEqual({ kind: 'targets', scope: 'team' });
    expect(parseChatCommand(words('target interfaces scalable we need self-service first'))).toEqual({ kind: 'target-set', scope: 'team', aspectId: 'interfaces', level: 'scalable', reason: 'we need self-service first' });
    expect(parseChatCommand(words('target org measurement 3'))).toEqual({ kind: 'target-set', scope: 'organisation', aspectId: 'measurement', level: '3', reason: null });
    expect(parseChatCommand(words('target org measurement 3 because')).kind).toBe('invalid');
    expect(parseChatCommand(words('step add interfaces @sam by 2027-02-15 publish a golden-path template'))).toEqual({ kind: 'step-adopt', suggestionId: null, aspectId: 'interfaces', text: 'publish a golden-path template', owner: { userId: 'USAM', label: '@sam' }, dueOn: '2027-02-15' });
    expect(parseChatCommand(words('step adopt interfaces-wrap-most-requested'))).toMatchObject({ kind: 'step-adopt', suggestionId: 'interfaces-wrap-most-requested', owner: null, dueOn: null });
    expect(parseChatCommand(words('step done #12'))).toEqual({ kind: 'step-close', stepId: 12, answer: 'done' });
    expect(parseChatCommand(words('step still 12'))).toEqual({ kind: 'step-close', stepId: 12, answer: 'still-on-it' });
    expect(parseChatCommand(words('step add interfaces by 2027-02-30 x')).kind).toBe('invalid');
    expect(parseChatCommand(words('step add interfaces @a @b x')).kind).toBe('invalid');
    expect(parseChatCommand(words('step owner 12 @sam'))).toEqual({ kind: 'step-owner', stepId: 12, owner: { userId: 'USAM', label: '@sam' } });
  });
});
