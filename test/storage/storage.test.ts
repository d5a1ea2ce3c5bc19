import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_UNCERTAIN_RESENDS } from '../../src/core/outbox.js';
import { snapshotQuestion } from '../../src/core/round.js';
import { answersOfRespondent, countAnswers, upsertAnswer } from '../../src/storage/answer-repository.js';
import { backupDatabase, closeDatabase, openDatabase } from '../../src/storage/database.js';
import { enqueueDelivery, claimDueDeliveries, markDeliverySending, markDeliverySent, recoverInterruptedDeliveries, findDeliveryById } from '../../src/storage/delivery-repository.js';
import { acquireLease, releaseLease } from '../../src/storage/lease-repository.js';
import { grantRole, grantsFor, revokeRole } from '../../src/storage/role-repository.js';
import { closeRound, closedTallies, insertRound } from '../../src/storage/round-repository.js';
import { insertTeam, listTeams } from '../../src/storage/team-repository.js';
import { buildSurvey } from '../support/factories.js';
import { createTestContext, tempDir, type TestContext } from '../support/test-context.js';

const survey = buildSurvey();
let ctx: TestContext;
beforeEach(() => {
  ctx = createTestContext({ surveys: [survey] });
});
afterEach(() => ctx.close());

const cadence = { everyWeeks: 1 as const, weekday: 1, localTime: '10:00', timeZone: 'UTC', roundLengthHours: 96, anchorWeek: '2026-W10' };

function newTeam(name: string, channelId: string) {
  const result = insertTeam(ctx.db, { name, channel: { platform: 'slack', workspaceId: 'T1', channelId }, surveyId: survey.id, cadence, createdAt: new Date() });
  if (result.kind !== 'created') throw new Error(result.kind);
  return result.team;
}

function newRound(teamId: number, periodKey: string) {
  const aspect = survey.aspects[0]!;
  return insertRound(ctx.db, {
    teamId,
    surveyId: survey.id,
    surveyHash: 'hash',
    question: snapshotQuestion(survey, aspect, aspect.questions[0]!),
    periodKey,
    origin: 'scheduled',
    openedAt: new Date('2026-03-02T10:00:00Z'),
    closesAt: new Date('2026-03-06T10:00:00Z'),
  });
}

describe('database', () => {
  it('runs in WAL mode with foreign keys and a busy timeout', () => {
    expect(ctx.db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(ctx.db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(ctx.db.$client.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
  });

  it('explains an unopenable path in one sentence, without hanging on /proc', () => {
    const file = path.join(ctx.dir, 'test.db', 'nested', 'x.db');
    expect(() => openDatabase(file)).toThrow(/^Cannot open the database at .*x\.db: /);
    expect(() => openDatabase('/proc/no-such-dir/x.db')).toThrow(/^Cannot open the database at \/proc\/no-such-dir\/x\.db/);
  });

  it('backs up online to a file that opens with the same data', async () => {
    newTeam('Payments', 'C1');
    const { dir, cleanup } = tempDir();
    try {
      await backupDatabase(ctx.db, path.join(dir, 'copy.db'));
      const copy = openDatabase(path.join(dir, 'copy.db'));
      expect(listTeams(copy).map((team) => team.name)).toEqual(['Payments']);
      closeDatabase(copy);
    } finally {
      cleanup();
    }
  });
});

describe('invariants held by the schema', () => {
  it('one team per channel and unique names ignoring case', () => {
    newTeam('Payments', 'C1');
    expect(insertTeam(ctx.db, { name: 'PAYMENTS', channel: { platform: 'slack', workspaceId: 'T1', channelId: 'C2' }, surveyId: survey.id, cadence, createdAt: new Date() }).kind).toBe('name-taken');
    expect(insertTeam(ctx.db, { name: 'Other', channel: { platform: 'slack', workspaceId: 'T1', channelId: 'C1' }, surveyId: survey.id, cadence, createdAt: new Date() }).kind).toBe('channel-taken');
  });

  it('one open round per team, one round per period', () => {
    const team = newTeam('Payments', 'C1');
    const first = newRound(team.id, '2026-W10');
    expect(first.kind).toBe('opened');
    expect(newRound(team.id, '2026-W11').kind).toBe('already-open');
    if (first.kind !== 'opened') return;
    closeRound(ctx.db, first.round.id, new Date('2026-03-06T10:00:00Z'));
    expect(newRound(team.id, '2026-W10').kind).toBe('period-taken');
    expect(newRound(team.id, '2026-W11').kind).toBe('opened');
  });

  it('one answer per respondent per round; the latest counts and changes are counted', () => {
    const team = newTeam('Payments', 'C1');
    const opened = newRound(team.id, '2026-W10');
    if (opened.kind !== 'opened') throw new Error('not opened');
    const at = new Date('2026-03-03T10:00:00Z');
    upsertAnswer(ctx.db, { roundId: opened.round.id, respondentKey: 'k1', optionId: '1', level: 1, at });
    upsertAnswer(ctx.db, { roundId: opened.round.id, respondentKey: 'k1', optionId: '3', level: 3, at });
    const again = upsertAnswer(ctx.db, { roundId: opened.round.id, respondentKey: 'k1', optionId: '3', level: 3, at });
    expect(again.changes).toBe(1);
    upsertAnswer(ctx.db, { roundId: opened.round.id, respondentKey: 'k2', optionId: 'unknown', level: null, at });
    expect(countAnswers(ctx.db, opened.round.id)).toBe(2);
    const closed = closeRound(ctx.db, opened.round.id, new Date('2026-03-06T10:00:00Z'));
    expect(closed?.tally).toEqual({ respondents: 2, unknown: 1, levelCounts: [0, 0, 1, 0] });
    expect(closeRound(ctx.db, opened.round.id, new Date('2026-03-06T11:00:00Z'))).toBeNull();
    expect(closedTallies(ctx.db, team.id, survey.id)).toHaveLength(1);
    expect(answersOfRespondent(ctx.db, 'k1').map((answer) => answer.optionId)).toEqual(['3']);
  });

  it('one delivery per target, period and kind', () => {
    const target = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
    const intent = { target, periodKey: 'digest-2026-W10', payload: { kind: 'digest' as const, at: '2026-03-02T09:00:00.000Z' }, teamId: null, roundId: null, at: new Date() };
    expect(enqueueDelivery(ctx.db, intent).created).toBe(true);
    expect(enqueueDelivery(ctx.db, intent).created).toBe(false);
  });

  it('a lead role needs a team, org roles must not have one, and grants are idempotent', () => {
    const team = newTeam('Payments', 'C1');
    const user = { platform: 'slack' as const, workspaceId: 'T1', userId: 'U1' };
    expect(grantRole(ctx.db, user, { role: 'lead', teamId: team.id }, 'U0', new Date())).toBe(true);
    expect(grantRole(ctx.db, user, { role: 'lead', teamId: team.id }, 'U0', new Date())).toBe(false);
    expect(grantRole(ctx.db, user, { role: 'admin', teamId: null }, 'U0', new Date())).toBe(true);
    expect(grantRole(ctx.db, user, { role: 'admin', teamId: null }, 'U0', new Date())).toBe(false);
    expect(() => ctx.db.$client.prepare("insert into roles (platform, workspace_id, user_id, role, team_id, granted_by, granted_at) values ('slack','T1','U2','lead',null,'x',0)").run()).toThrow(/CHECK/);
    expect(grantsFor(ctx.db, user)).toHaveLength(2);
    expect(revokeRole(ctx.db, user, { role: 'lead', teamId: team.id })).toBe(true);
    expect(grantsFor(ctx.db, user)).toEqual([{ role: 'admin', teamId: null }]);
  });
});

describe('lease', () => {
  it('goes to one holder at a time and passes on when it expires or is released', () => {
    const t0 = new Date('2026-03-02T10:00:00Z');
    expect(acquireLease(ctx.db, 'scheduler', 'a', t0, 30_000)).toMatchObject({ held: true, newlyAcquired: true });
    expect(acquireLease(ctx.db, 'scheduler', 'b', new Date(t0.getTime() + 1000), 30_000)).toMatchObject({ held: false, holder: 'a' });
    expect(acquireLease(ctx.db, 'scheduler', 'a', new Date(t0.getTime() + 20_000), 30_000)).toMatchObject({ held: true, newlyAcquired: false });
    // a renewed at +20 s, so it holds until +50 s.
    expect(acquireLease(ctx.db, 'scheduler', 'b', new Date(t0.getTime() + 45_000), 30_000).held).toBe(false);
    expect(acquireLease(ctx.db, 'scheduler', 'b', new Date(t0.getTime() + 50_000), 30_000)).toMatchObject({ held: true, newlyAcquired: true });
    releaseLease(ctx.db, 'scheduler', 'b');
    expect(acquireLease(ctx.db, 'scheduler', 'a', new Date(t0.getTime() + 51_000), 30_000)).toMatchObject({ held: true, newlyAcquired: true });
  });
});

describe('deliveries', () => {
  it('are claimed once, and an interrupted send is sent again per interruption, up to a limit', () => {
    const target = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
    const now = new Date('2026-03-02T10:00:00Z');
    const { delivery } = enqueueDelivery(ctx.db, { target, periodKey: 'p', payload: { kind: 'digest', at: now.toISOString() }, teamId: null, roundId: null, at: now });
    expect(claimDueDeliveries(ctx.db, now, ['slack'], 10)).toHaveLength(1);
    expect(claimDueDeliveries(ctx.db, now, ['slack'], 10)).toHaveLength(0);
    expect(claimDueDeliveries(ctx.db, now, ['teams'], 10)).toHaveLength(0);
    // Claimed but never started: a crash here sent nothing, so it goes back in line without a resend.
    expect(recoverInterruptedDeliveries(ctx.db, now).resent).toHaveLength(0);
    expect(findDeliveryById(ctx.db, delivery.id)).toMatchObject({ status: 'pending', resends: 0, attempts: 0 });
    expect(claimDueDeliveries(ctx.db, now, ['slack'], 10)).toHaveLength(1);
    markDeliverySending(ctx.db, delivery.id);
    for (let interruption = 1; interruption <= MAX_UNCERTAIN_RESENDS; interruption += 1) {
      expect(recoverInterruptedDeliveries(ctx.db, now).resent).toHaveLength(1);
      expect(findDeliveryById(ctx.db, delivery.id)).toMatchObject({ status: 'pending', resends: interruption });
      expect(claimDueDeliveries(ctx.db, now, ['slack'], 10)).toHaveLength(1);
      markDeliverySending(ctx.db, delivery.id);
    }
    expect(recoverInterruptedDeliveries(ctx.db, now).abandoned).toHaveLength(1);
    expect(findDeliveryById(ctx.db, delivery.id)?.status).toBe('failed');
  });

  it('keep their message reference once sent', () => {
    const target = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
    const now = new Date('2026-03-02T10:00:00Z');
    const { delivery } = enqueueDelivery(ctx.db, { target, periodKey: 'p', payload: { kind: 'digest', at: now.toISOString() }, teamId: null, roundId: null, at: now });
    claimDueDeliveries(ctx.db, now, ['slack'], 10);
    markDeliverySending(ctx.db, delivery.id);
    markDeliverySent(ctx.db, delivery.id, '1700000000.000100', now);
    expect(findDeliveryById(ctx.db, delivery.id)).toMatchObject({ status: 'sent', messageRef: '1700000000.000100' });
    expect(recoverInterruptedDeliveries(ctx.db, now).resent).toHaveLength(0);
  });
});
