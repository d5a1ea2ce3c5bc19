import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, parentDecision, parentKind, parseDeliveryPayload, retryDelayMs } from '../../src/core/outbox.js';
import { chooseAdaptiveAspect, chooseQuestion, type AskedQuestion } from '../../src/core/question-choice.js';
import { fingerprintsMatch, respondentKey, secretFingerprint } from '../../src/core/respondent-key.js';
import { isAllowed, type Viewer } from '../../src/core/roles.js';
import { decideAnswer, decideComment, snapshotQuestion, tallyAnswers, type Round } from '../../src/core/round.js';
import { teamNameKey } from '../../src/core/team.js';
import { buildSurvey, closedRound, daysAfter, TEST_POLICY } from '../support/factories.js';

const survey = buildSurvey();

describe('roles', () => {
  const lead: Viewer = { grants: [{ role: 'lead', teamId: 1 }], memberOfTeamId: null };
  const member: Viewer = { grants: [], memberOfTeamId: 1 };
  const admin: Viewer = { grants: [{ role: 'admin', teamId: null }], memberOfTeamId: null };
  const pm: Viewer = { grants: [{ role: 'pm', teamId: null }], memberOfTeamId: null };

  it('scopes leads to their team', () => {
    expect(isAllowed(lead, { kind: 'run-round', teamId: 1 })).toBe(true);
    expect(isAllowed(lead, { kind: 'run-round', teamId: 2 })).toBe(false);
    expect(isAllowed(lead, { kind: 'view-comments', teamId: 1 })).toBe(true);
    expect(isAllowed(lead, { kind: 'grant-role', role: 'lead', teamId: 1 })).toBe(true);
    expect(isAllowed(lead, { kind: 'grant-role', role: 'admin', teamId: null })).toBe(false);
  });

  it('lets members see their own team only, and no comments', () => {
    expect(isAllowed(member, { kind: 'view-report', teamId: 1 })).toBe(true);
    expect(isAllowed(member, { kind: 'view-report', teamId: 2 })).toBe(false);
    expect(isAllowed(member, { kind: 'view-comments', teamId: 1 })).toBe(false);
  });

  it('gives PMs every report and the digest, admins everything but comments', () => {
    expect(isAllowed(pm, { kind: 'view-report', teamId: 7 })).toBe(true);
    expect(isAllowed(pm, { kind: 'view-digest' })).toBe(true);
    expect(isAllowed(pm, { kind: 'run-round', teamId: 7 })).toBe(false);
    expect(isAllowed(admin, { kind: 'setup-team' })).toBe(true);
    expect(isAllowed(admin, { kind: 'view-comments', teamId: 7 })).toBe(false);
  });
});

describe('rounds and answers', () => {
  const aspect = survey.aspects[0]!;
  const round: Round = {
    id: 1,
    teamId: 1,
    surveyId: survey.id,
    surveyHash: 'h',
    question: snapshotQuestion(survey, aspect, aspect.questions[0]!),
    periodKey: '2026-W10',
    origin: 'scheduled',
    openedAt: new Date('2026-03-02T09:00:00Z'),
    closesAt: new Date('2026-03-06T09:00:00Z'),
    closedAt: null,
    status: 'open',
    tally: null,
  };

  it('snapshots one option per level plus "I don\'t know" without a level', () => {
    expect(round.question.options.map((option) => [option.id, option.level])).toEqual([['1', 1], ['2', 2], ['3', 3], ['4', 4], ['unknown', null]]);
  });

  it('accepts answers until the close time, not after', () => {
    expect(decideAnswer(round, '3', new Date('2026-03-06T08:59:59Z'))).toMatchObject({ kind: 'accept', option: { level: 3 } });
    expect(decideAnswer(round, '3', new Date('2026-03-06T09:00:00Z'))).toMatchObject({ kind: 'round-closed' });
    expect(decideAnswer({ ...round, status: 'closed', closedAt: new Date('2026-03-04T00:00:00Z') }, '3', new Date('2026-03-03T00:00:00Z'))).toMatchObject({ kind: 'round-closed' });
    expect(decideAnswer(round, '9', new Date('2026-03-03T00:00:00Z'))).toEqual({ kind: 'unknown-option' });
  });

  it('limits comments and treats an empty one as removal', () => {
    const at = new Date('2026-03-03T00:00:00Z');
    expect(decideComment(round, '  fine  ', at)).toEqual({ kind: 'accept', text: 'fine' });
    expect(decideComment(round, '   ', at)).toEqual({ kind: 'remove' });
    expect(decideComment(round, 'x'.repeat(1001), at)).toMatchObject({ kind: 'too-long', max: 1000 });
  });

  it('tallies "I don\'t know" as a response without a level', () => {
    expect(tallyAnswers(4, [1, 2, null, 2])).toEqual({ respondents: 4, unknown: 1, levelCounts: [1, 2, 0, 0] });
  });
});

describe('question rotation', () => {
  it('asks the least recently asked aspect, then its least recently asked question', () => {
    const history: AskedQuestion[] = [
      { aspectId: 'investment', questionId: 'investment-q1', openedAt: new Date('2026-01-01') },
      { aspectId: 'adoption', questionId: 'adoption-q1', openedAt: new Date('2026-01-08') },
      { aspectId: 'interfaces', questionId: 'interfaces-q1', openedAt: new Date('2026-01-15') },
    ];
    const next = chooseQuestion(survey, history);
    expect(next).toMatchObject({ kind: 'chosen', aspect: { id: 'investment' }, question: { id: 'investment-q2' } });
    expect(chooseQuestion(survey, [])).toMatchObject({ aspect: { id: 'investment' }, question: { id: 'investment-q1' } });
    expect(chooseQuestion(survey, history, 'interfaces')).toMatchObject({ question: { id: 'interfaces-q2' } });
    expect(chooseQuestion(survey, history, 'nope')).toMatchObject({ kind: 'unknown-aspect', known: ['investment', 'adoption', 'interfaces'] });
  });
});

describe('adaptive question choice', () => {
  it('does not ask an aspect every time just because its rounds stay below the minimum', () => {
    const start = new Date('2026-01-05T09:00:00Z');
    // Adoption and Interfaces have results from before; Investment was asked but never reached the minimum.
    const tallies = [closedRound('adoption', daysAfter(start, -70), [2, 2, 3, 3]), closedRound('interfaces', daysAfter(start, -84), [1, 2, 2, 2])];
    const history: AskedQuestion[] = [
      { aspectId: 'adoption', questionId: 'adoption-q1', openedAt: daysAfter(start, -74) },
      { aspectId: 'interfaces', questionId: 'interfaces-q1', openedAt: daysAfter(start, -88) },
      { aspectId: 'investment', questionId: 'investment-q1', openedAt: daysAfter(start, -7) },
    ];
    const asked: string[] = [];
    for (let week = 0; week < 6; week += 1) {
      const now = daysAfter(start, week * 7);
      const aspectId = chooseAdaptiveAspect(survey, tallies, history, now, TEST_POLICY);
      asked.push(aspectId);
      history.push({ aspectId, questionId: `${aspectId}-q1`, openedAt: now });
      // Every round of the week stays below the minimum: no tally qualifies, as for Investment before.
      tallies.push(closedRound(aspectId, daysAfter(now, 4), [2]));
    }
    expect(asked.slice(0, 2).sort()).toEqual(['adoption', 'interfaces']);
    expect(new Set(asked)).toEqual(new Set(['investment', 'adoption', 'interfaces']));
  });

  it('still measures a never-asked aspect first', () => {
    const now = new Date('2026-01-05T09:00:00Z');
    const tallies = [closedRound('investment', daysAfter(now, -200), [1, 1, 1]), closedRound('adoption', daysAfter(now, -200), [1, 1, 1])];
    const history: AskedQuestion[] = [
      { aspectId: 'investment', questionId: 'investment-q1', openedAt: daysAfter(now, -204) },
      { aspectId: 'adoption', questionId: 'adoption-q1', openedAt: daysAfter(now, -204) },
    ];
    expect(chooseAdaptiveAspect(survey, tallies, history, now, TEST_POLICY)).toBe('interfaces');
  });
});

describe('respondent keys', () => {
  it('are stable per person, differ across people and secrets, and hide the user id', () => {
    const user = { platform: 'slack' as const, workspaceId: 'T1', userId: 'U123' };
    const key = respondentKey('secret-a-0123456789-0123456789-01', user);
    expect(respondentKey('secret-a-0123456789-0123456789-01', user)).toBe(key);
    expect(respondentKey('secret-b-0123456789-0123456789-01', user)).not.toBe(key);
    expect(respondentKey('secret-a-0123456789-0123456789-01', { ...user, userId: 'U124' })).not.toBe(key);
    expect(key).not.toContain('U123');
    expect(fingerprintsMatch(secretFingerprint('a'.repeat(32)), secretFingerprint('a'.repeat(32)))).toBe(true);
    expect(fingerprintsMatch(secretFingerprint('a'.repeat(32)), secretFingerprint('b'.repeat(32)))).toBe(false);
  });
});

describe('outbox rules', () => {
  it('backs off exponentially with jitter, honours Retry-After and gives up', () => {
    expect(retryDelayMs(1, 12_000, 0.5)).toBe(12_000);
    const first = retryDelayMs(1, null, 0.999)!;
    const fourth = retryDelayMs(4, null, 0.999)!;
    expect(first).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.baseDelayMs);
    expect(fourth).toBeGreaterThan(first * 4);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY.maxAttempts, null, 0.5)).toBeNull();
    // Rate limits with a Retry-After never use the attempts up: the platform said when to come back.
    expect(retryDelayMs(DEFAULT_RETRY_POLICY.maxAttempts + 5, 1_000, 0.5)).toBe(1_000);
    expect(retryDelayMs(30, 10 ** 9, 0.5, { ...DEFAULT_RETRY_POLICY, maxAttempts: 100 })).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });

  it('makes edits and replies wait for the round message', () => {
    expect(parentKind('round-result')).toBe('round-opened');
    expect(parentKind('round-opened')).toBeNull();
    expect(parentKind('digest')).toBeNull();
  });

  it('refuses payloads it never writes', () => {
    expect(() => parseDeliveryPayload('round-opened', { roundId: 'x' })).toThrow();
    expect(parseDeliveryPayload('digest', { at: '2026-03-02T09:00:00.000Z' })).toEqual({ kind: 'digest', at: '2026-03-02T09:00:00.000Z' });
  });
});

describe('replies and edits to a parent message', () => {
  const parent = (status: 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled', messageRef: string | null, resends = 0) => ({ status, messageRef, resends });

  it('attach once the parent has a reference, and wait until then', () => {
    expect(parentDecision('round-result', parent('sent', '1.2'))).toEqual({ kind: 'attach', parentRef: '1.2' });
    expect(parentDecision('round-closed', parent('pending', null))).toEqual({ kind: 'wait' });
    expect(parentDecision('digest-files', parent('sending', null, 2))).toEqual({ kind: 'wait' });
  });

  it('go with a parent that was never posted', () => {
    for (const kind of ['round-closed', 'round-result', 'reminder', 'digest-files'] as const) {
      expect(parentDecision(kind, undefined).kind).toBe('cancel');
      expect(parentDecision(kind, parent('cancelled', null)).kind).toBe('cancel');
      expect(parentDecision(kind, parent('failed', null)).kind).toBe('cancel');
    }
  });

  it('post news on their own when the parent was given up with an unknown outcome, and drop the rest', () => {
    const givenUp = parent('failed', null, 5);
    expect(parentDecision('round-result', givenUp)).toEqual({ kind: 'alone' });
    expect(parentDecision('digest-files', givenUp)).toEqual({ kind: 'alone' });
    expect(parentDecision('round-closed', givenUp).kind).toBe('cancel');
    expect(parentDecision('reminder', givenUp).kind).toBe('cancel');
  });
});

describe('team names', () => {
  it('are unique ignoring case, width and spacing', () => {
    expect(teamNameKey('  Data  Platform ')).toBe(teamNameKey('data platform'));
    expect(teamNameKey('ＰＡＹＭＥＮＴＳ')).toBe('payments');
  });
});
