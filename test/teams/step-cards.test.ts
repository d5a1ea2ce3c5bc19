import { describe, expect, it } from 'vitest';
import { reportCard } from '../../src/adapters/teams/cards/report-card.js';
import { checkInCard, ownerRequestCard, stepAdoptedCard, targetsCard } from '../../src/adapters/teams/cards/step-cards.js';
import type { StepView } from '../../src/core/messenger.js';
import type { NextStep } from '../../src/core/next-steps.js';
import { buildTeamReport } from '../../src/core/report.js';
import { adaptiveCardProblems, cardBytes, executeActionProblems, objectsIn } from '../support/adaptive-card-validator.js';
import { buildSurvey, closedRound, TEST_POLICY } from '../support/factories.js';

const long = (length: number, word = 'platform') => `${word} `.repeat(Math.ceil(length / (word.length + 1))).slice(0, length);
const survey = buildSurvey({ levels: 7, aspects: Array.from({ length: 12 }, (_, index) => `aspect-${index + 1}`) });
const now = new Date('2026-02-01T00:00:00Z');
/** A channel of 50 people with long names: the most the owner picker lists. */
const owners = Array.from({ length: 50 }, (_, index) => ({ aadObjectId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`, name: `${long(60, 'name')} ${index}` }));

function step(id: number, aspectId: string, status: NextStep['status']): NextStep {
  return { id, teamId: 1, surveyId: survey.id, aspectId, suggestionId: null, text: long(200, 'step'), owner: { platform: 'teams', workspaceId: 't', userId: owners[id % 50]!.aadObjectId }, ownerName: null, ownerStatus: 'accepted', status, adoptedAt: new Date('2026-01-01'), dueAt: new Date('2026-03-01'), closedAt: status === 'open' ? null : new Date('2026-01-20'), lastCheckInAt: null };
}

/** Twelve aspects all below target (every suggestion gets a form), three steps each, and the longest comments. */
function largestReport() {
  const rounds = survey.aspects.map((a, index) => closedRound(a.id, `2026-01-0${1 + (index % 9)}`, [1, 2, 3, 1, 2, 3, 1], { roundId: 1000 + index, levelCount: 7 }));
  return buildTeamReport({
    team: { id: 1, name: long(60) },
    survey,
    rounds,
    openRound: null,
    comments: rounds.flatMap((round) => Array.from({ length: 10 }, () => ({ roundId: round.roundId, text: `${long(990, 'comment')}\n*_[` }))),
    policy: TEST_POLICY,
    now,
    shuffle: (items) => [...items],
    belowTargetCount: 12,
    steps: survey.aspects.flatMap((a, index) => [step(index * 3 + 1, a.id, 'open'), step(index * 3 + 2, a.id, 'open'), step(index * 3 + 3, a.id, 'done')]),
  });
}

const view: StepView = { stepId: 123456, teamName: long(60), aspectName: `${long(36)} *_#`, text: `${long(195)} <&>*`, dueAt: now, timeZone: 'Europe/Berlin', owner: null };

function expectClean(card: unknown, maxBytes: number): void {
  const json: unknown = JSON.parse(JSON.stringify(card));
  expect(adaptiveCardProblems(json)).toEqual([]);
  expect(executeActionProblems(json)).toEqual([]);
  expect(cardBytes(json)).toBeLessThan(maxBytes);
}

describe('the Teams cards of targets and next steps', () => {
  it("a lead's largest report, with every form and comment, stays valid and under Teams' limit", () => {
    const report = largestReport();
    expect(report.furthestBelowTarget).toHaveLength(12);
    const card = reportCard(report, { canManageSteps: true, now, owners, names: new Map(owners.map((owner) => [owner.aadObjectId, owner.name])) });
    expectClean(card, 80_000);
    const forms = objectsIn(card).filter(({ object }) => object.type === 'Action.ShowCard');
    expect(forms).toHaveLength(12 + 12 * 3);
    // Fifty owners in 48 forms would not fit: the forms say how to name one instead.
    expect(objectsIn(card).filter(({ object }) => object.type === 'Input.ChoiceSet')).toEqual([]);
    expect(JSON.stringify(card)).toContain('step owner <number> @person');
    expect(JSON.stringify(card)).toContain('more comments did not fit here');
  });

  it('offers the owner picker when it fits, and no forms to a member', () => {
    const small = buildTeamReport({ team: { id: 1, name: 'Payments' }, survey: buildSurvey(), rounds: [closedRound('interfaces', '2026-01-05', [1, 1, 2], { levelCount: 4 })], openRound: null, comments: null, policy: TEST_POLICY, now, shuffle: (items) => [...items] });
    const lead = reportCard(small, { canManageSteps: true, now, owners: owners.slice(0, 8) });
    expectClean(lead, 28_000);
    const pickers = objectsIn(lead).filter(({ object }) => object.type === 'Input.ChoiceSet');
    expect(pickers.length).toBe(objectsIn(lead).filter(({ object }) => object.type === 'Action.ShowCard').length);
    const member = reportCard(small, { canManageSteps: false, now, owners: owners.slice(0, 8) });
    expect(objectsIn(member).filter(({ object }) => (typeof object.type === 'string' && object.type.startsWith('Action.')) || object.type === 'Input.Date')).toEqual([]);
  });

  it('step messages and the targets card are valid everyday cards', () => {
    expectClean(stepAdoptedCard(view), 28_000);
    expectClean(checkInCard(view), 28_000);
    expectClean(ownerRequestCard({ kind: 'step-owner-request', step: view, ownerUserId: owners[0]!.aadObjectId, by: { userId: owners[1]!.aadObjectId, name: owners[1]!.aadObjectId } }, long(60)), 28_000);
    const forms = [{ surveyTitle: long(90), aspects: survey.aspects.map((a) => ({ id: a.id, name: a.name })), levels: survey.levels.map((level) => ({ value: level.value, name: level.name })) }];
    expectClean(targetsCard({ scope: 'team', listText: long(3000), forms, notice: { text: long(300), tone: 'warning' } }), 28_000);
    expectClean(targetsCard({ scope: 'organisation', listText: long(3000), forms: [forms[0]!, { ...forms[0]!, surveyTitle: 'Other' }] }), 28_000);
  });
});
