import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewStep, NextStep } from '../../src/core/next-steps.js';
import type { UserRef } from '../../src/core/platform.js';
import type { Team } from '../../src/core/team.js';
import type { TargetSetting } from '../../src/core/targets.js';
import { openStore } from '../../src/storage/open-store.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

/** Target levels and adopted next steps, on this project's engine (a SQLite file or a PostgreSQL database). */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const DAY = 86_400_000;
const cadence = { everyWeeks: 1 as const, weekday: 1, localTime: '10:00', timeZone: 'UTC', roundLengthHours: 96, anchorWeek: '2026-W10' };
const OWNER: UserRef = { platform: 'slack', workspaceId: 'T1', userId: 'U42' };

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext({ surveys: [] });
});
afterEach(async () => {
  await ctx.close();
});

async function newTeam(name: string): Promise<Team> {
  const result = await ctx.store.insertTeam({ name, channel: { platform: 'slack', workspaceId: 'T1', channelId: `C-${name}` }, surveyId: 's1', cadence, createdAt: T0 });
  if (result.kind !== 'created') throw new Error(result.kind);
  return result.team;
}

function target(surveyId: string, aspectId: string, teamId: number | null, level: number, setAt = T0, reason: string | null = null): TargetSetting {
  return { surveyId, aspectId, teamId, level, reason, setAt };
}

/** Survey, aspect, team and level of each target: enough to see which rows came back, and in what order. */
function keys(targets: readonly TargetSetting[]): string[] {
  return targets.map((t) => `${t.surveyId}/${t.aspectId}/${t.teamId ?? 'org'}=${t.level}`);
}

function step(teamId: number, overrides: Partial<NewStep> = {}): NewStep {
  return { teamId, surveyId: 's1', aspectId: 'a1', suggestionId: 'a1-2a', text: 'Write the runbook', owner: null, ownerName: null, ownerStatus: null, adoptedAt: T0, dueAt: at(42 * DAY), ...overrides };
}

const ids = (steps: readonly NextStep[]): number[] => steps.map((s) => s.id);

describe('target levels', () => {
  it('sets, replaces and clears organisation and team targets; filters by survey and scope', async () => {
    const a = await newTeam('Alpha');
    const b = await newTeam('Beta');
    // Written out of order: the listing orders by survey, aspect, then the organisation before teams by id.
    await ctx.store.setTarget(target('s2', 'a1', null, 1));
    await ctx.store.setTarget(target('s1', 'a1', b.id, 2));
    await ctx.store.setTarget(target('s1', 'a2', null, 2));
    await ctx.store.setTarget(target('s1', 'a1', a.id, 4, T0, 'We run payments'));
    await ctx.store.setTarget(target('s1', 'a1', null, 3));
    // Binary text order on both engines: upper case before lower case.
    await ctx.store.setTarget(target('s1', 'Zeta', null, 1));
    expect(keys(await ctx.store.listTargets())).toEqual([`s1/Zeta/org=1`, `s1/a1/org=3`, `s1/a1/${a.id}=4`, `s1/a1/${b.id}=2`, `s1/a2/org=2`, `s2/a1/org=1`]);
    expect(keys(await ctx.store.listTargets({ teamId: null }))).toEqual([`s1/Zeta/org=1`, `s1/a1/org=3`, `s1/a2/org=2`, `s2/a1/org=1`]);
    expect(await ctx.store.listTargets({ teamId: a.id })).toEqual([target('s1', 'a1', a.id, 4, T0, 'We run payments')]);
    expect(keys(await ctx.store.listTargets({ surveyId: 's2' }))).toEqual([`s2/a1/org=1`]);
    expect(keys(await ctx.store.listTargets({ surveyId: 's1', teamId: b.id }))).toEqual([`s1/a1/${b.id}=2`]);
    expect(await ctx.store.listTargets({ surveyId: 's3' })).toEqual([]);

    // Setting again replaces level, reason and time, for that scope only.
    await ctx.store.setTarget(target('s1', 'a1', null, 4, at(DAY), 'Audit asks for it'));
    await ctx.store.setTarget(target('s1', 'a1', a.id, 2, at(2 * DAY), null));
    expect(await ctx.store.listTargets({ surveyId: 's1', teamId: null })).toEqual([
      target('s1', 'Zeta', null, 1),
      target('s1', 'a1', null, 4, at(DAY), 'Audit asks for it'),
      target('s1', 'a2', null, 2),
    ]);
    expect(await ctx.store.listTargets({ teamId: a.id })).toEqual([target('s1', 'a1', a.id, 2, at(2 * DAY), null)]);
    expect(await ctx.store.listTargets()).toHaveLength(6);

    // Clearing the organisation's target leaves the teams' for the same aspect, and the other way round.
    expect(await ctx.store.clearTarget({ surveyId: 's1', aspectId: 'a1', teamId: null })).toBe(true);
    expect(await ctx.store.clearTarget({ surveyId: 's1', aspectId: 'a1', teamId: null })).toBe(false);
    expect(await ctx.store.clearTarget({ surveyId: 's1', aspectId: 'a2', teamId: b.id })).toBe(false);
    expect(await ctx.store.clearTarget({ surveyId: 's1', aspectId: 'a1', teamId: b.id })).toBe(true);
    expect(keys(await ctx.store.listTargets())).toEqual([`s1/Zeta/org=1`, `s1/a1/${a.id}=2`, `s1/a2/org=2`, `s2/a1/org=1`]);
  });

  it('keeps a team target and the organisation target of the same aspect side by side', async () => {
    const a = await newTeam('Alpha');
    await ctx.store.setTarget(target('s1', 'a1', a.id, 4));
    await ctx.store.setTarget(target('s1', 'a1', null, 2));
    expect(await ctx.store.listTargets({ surveyId: 's1' })).toEqual([target('s1', 'a1', null, 2), target('s1', 'a1', a.id, 4)]);
  });

  it('refuses a level below 1 and a team that does not exist', async () => {
    await expect(ctx.store.setTarget(target('s1', 'a1', null, 0))).rejects.toThrow();
    await expect(ctx.store.setTarget(target('s1', 'a1', 999_999, 2))).rejects.toThrow();
    expect(await ctx.store.listTargets()).toEqual([]);
  });

  it('two processes setting the same target at once leave exactly one row', async () => {
    const a = await newTeam('Alpha');
    const other = await openStore(ctx.storage.target);
    try {
      for (let i = 0; i < 10; i += 1) {
        const aspectId = `a${i}`;
        await Promise.all([
          ctx.store.setTarget(target('s1', aspectId, null, 2)),
          other.setTarget(target('s1', aspectId, null, 3)),
          ctx.store.setTarget(target('s1', aspectId, a.id, 4)),
          other.setTarget(target('s1', aspectId, a.id, 5)),
        ]);
      }
      const stored = await other.listTargets();
      expect(stored).toHaveLength(20);
      for (let i = 0; i < 10; i += 1) {
        const org = stored.filter((t) => t.aspectId === `a${i}` && t.teamId === null);
        const team = stored.filter((t) => t.aspectId === `a${i}` && t.teamId === a.id);
        expect(org).toHaveLength(1);
        expect([2, 3]).toContain(org[0]?.level);
        expect(team).toHaveLength(1);
        expect([4, 5]).toContain(team[0]?.level);
      }
    } finally {
      await other.close();
    }
  });
});

describe('adopted next steps', () => {
  it('inserts an open step and reads it back', async () => {
    const a = await newTeam('Alpha');
    const stored = await ctx.store.insertStep(step(a.id, { owner: OWNER, ownerStatus: 'asked' }));
    expect(stored).toEqual({ id: stored.id, ...step(a.id, { owner: OWNER, ownerStatus: 'asked' }), status: 'open', closedAt: null, lastCheckInAt: null });
    expect(await ctx.store.findStep(stored.id)).toEqual(stored);
    const own = await ctx.store.insertStep(step(a.id, { suggestionId: null, text: 'Our own idea' }));
    expect(own.id).toBeGreaterThan(stored.id);
    expect(await ctx.store.findStep(own.id)).toMatchObject({ suggestionId: null, text: 'Our own idea', owner: null, ownerStatus: null });
    expect(await ctx.store.findStep(own.id + 1000)).toBeNull();
    await expect(ctx.store.insertStep(step(999_999))).rejects.toThrow();
  });

  it('updates only the given fields: owner set and cleared, check-ins, due date, done with its close time', async () => {
    const a = await newTeam('Alpha');
    const original = await ctx.store.insertStep(step(a.id));
    const owned = await ctx.store.updateStep(original.id, { owner: OWNER, ownerStatus: 'asked' });
    expect(owned).toEqual({ ...original, owner: OWNER, ownerStatus: 'asked' });
    expect(await ctx.store.updateStep(original.id, { ownerStatus: 'accepted', ownerName: 'Sam Rivera' })).toEqual({ ...original, owner: OWNER, ownerName: 'Sam Rivera', ownerStatus: 'accepted' });
    // Clearing the owner clears the person, not the answer they gave; the name goes only when told to.
    expect(await ctx.store.updateStep(original.id, { owner: null })).toEqual({ ...original, owner: null, ownerName: 'Sam Rivera', ownerStatus: 'accepted' });
    expect(await ctx.store.updateStep(original.id, { ownerName: null })).toEqual({ ...original, owner: null, ownerStatus: 'accepted' });
    expect(await ctx.store.updateStep(original.id, { ownerStatus: null, lastCheckInAt: at(42 * DAY), dueAt: at(56 * DAY) })).toEqual({ ...original, lastCheckInAt: at(42 * DAY), dueAt: at(56 * DAY) });
    expect(await ctx.store.updateStep(original.id, {})).toEqual({ ...original, lastCheckInAt: at(42 * DAY), dueAt: at(56 * DAY) });
    const done = await ctx.store.updateStep(original.id, { status: 'done', closedAt: at(50 * DAY), lastCheckInAt: null });
    expect(done).toEqual({ ...original, status: 'done', closedAt: at(50 * DAY), dueAt: at(56 * DAY) });
    expect(await ctx.store.findStep(original.id)).toEqual(done);
    expect(await ctx.store.updateStep(original.id + 1000, { status: 'dropped' })).toBeNull();
    expect(await ctx.store.listSteps({ status: 'dropped' })).toEqual([]);
  });

  it('lists steps by every filter given, oldest adoption first, then by id', async () => {
    const a = await newTeam('Alpha');
    const b = await newTeam('Beta');
    const late = await ctx.store.insertStep(step(a.id, { adoptedAt: at(3 * DAY) }));
    const early = await ctx.store.insertStep(step(a.id, { adoptedAt: at(DAY), aspectId: 'a2' }));
    const tie = await ctx.store.insertStep(step(b.id, { adoptedAt: at(3 * DAY), surveyId: 's2' }));
    const done = await ctx.store.insertStep(step(b.id, { adoptedAt: at(2 * DAY) }));
    await ctx.store.updateStep(done.id, { status: 'done', closedAt: at(4 * DAY) });
    expect(ids(await ctx.store.listSteps())).toEqual([early.id, done.id, late.id, tie.id]);
    expect(ids(await ctx.store.listSteps({ teamId: a.id }))).toEqual([early.id, late.id]);
    expect(ids(await ctx.store.listSteps({ status: 'open' }))).toEqual([early.id, late.id, tie.id]);
    expect(ids(await ctx.store.listSteps({ status: 'done' }))).toEqual([done.id]);
    expect(ids(await ctx.store.listSteps({ surveyId: 's2' }))).toEqual([tie.id]);
    expect(ids(await ctx.store.listSteps({ surveyId: 's1', aspectId: 'a1' }))).toEqual([done.id, late.id]);
    expect(ids(await ctx.store.listSteps({ teamId: b.id, status: 'open', aspectId: 'a1' }))).toEqual([tie.id]);
    expect(await ctx.store.listSteps({ teamId: a.id, aspectId: 'a3' })).toEqual([]);
    // Several teams at once (the scheduler's one read for all due teams); none given, none found.
    const c = await newTeam('Gamma');
    const other = await ctx.store.insertStep(step(c.id, { adoptedAt: at(5 * DAY) }));
    expect(ids(await ctx.store.listSteps({ teamIds: [a.id, b.id] }))).toEqual([early.id, done.id, late.id, tie.id]);
    expect(ids(await ctx.store.listSteps({ teamIds: [b.id, c.id], status: 'open' }))).toEqual([tie.id, other.id]);
    expect(await ctx.store.listSteps({ teamIds: [] })).toEqual([]);
  });

  it('stepsDue: open steps due at or before now, earliest due first, then by id', async () => {
    const a = await newTeam('Alpha');
    const now = at(42 * DAY);
    const exactlyNow = await ctx.store.insertStep(step(a.id, { dueAt: now }));
    const future = await ctx.store.insertStep(step(a.id, { dueAt: at(42 * DAY + 1) }));
    const overdue = await ctx.store.insertStep(step(a.id, { dueAt: at(40 * DAY) }));
    const sameTime = await ctx.store.insertStep(step(a.id, { dueAt: now }));
    const doneStep = await ctx.store.insertStep(step(a.id, { dueAt: at(30 * DAY) }));
    const dropped = await ctx.store.insertStep(step(a.id, { dueAt: at(30 * DAY) }));
    await ctx.store.updateStep(doneStep.id, { status: 'done', closedAt: at(31 * DAY) });
    await ctx.store.updateStep(dropped.id, { status: 'dropped', closedAt: at(31 * DAY) });
    expect(ids(await ctx.store.stepsDue(now))).toEqual([overdue.id, exactlyNow.id, sameTime.id]);
    expect(ids(await ctx.store.stepsDue(at(42 * DAY - 1)))).toEqual([overdue.id]);
    expect(ids(await ctx.store.stepsDue(at(42 * DAY + 1)))).toEqual([overdue.id, exactlyNow.id, sameTime.id, future.id]);
    // Asked about at or after its date: not due again until "still on it" moves the date past that check-in.
    await ctx.store.updateStep(overdue.id, { lastCheckInAt: at(40 * DAY) });
    await ctx.store.updateStep(sameTime.id, { lastCheckInAt: at(35 * DAY) });
    expect(ids(await ctx.store.stepsDue(now))).toEqual([exactlyNow.id, sameTime.id]);
    await ctx.store.updateStep(overdue.id, { dueAt: at(41 * DAY) });
    expect(ids(await ctx.store.stepsDue(now))).toEqual([overdue.id, exactlyNow.id, sameTime.id]);
  });

  it('stepsCheckedInSince: steps of any team and status whose last check-in is at or after the time', async () => {
    const a = await newTeam('Alpha');
    const b = await newTeam('Beta');
    const lastWeek = await ctx.store.insertStep(step(a.id));
    const justBefore = await ctx.store.insertStep(step(a.id));
    const closed = await ctx.store.insertStep(step(b.id));
    await ctx.store.insertStep(step(b.id));
    await ctx.store.updateStep(lastWeek.id, { lastCheckInAt: at(10 * DAY) });
    await ctx.store.updateStep(justBefore.id, { lastCheckInAt: at(10 * DAY - 1) });
    await ctx.store.updateStep(closed.id, { lastCheckInAt: at(12 * DAY), status: 'done', closedAt: at(12 * DAY) });
    expect(ids(await ctx.store.stepsCheckedInSince(at(10 * DAY)))).toEqual([lastWeek.id, closed.id]);
    expect(await ctx.store.stepsCheckedInSince(at(13 * DAY))).toEqual([]);
  });

  it('stepsActiveBetween: adopted or closed within [from, to), each from its own start', async () => {
    const a = await newTeam('Alpha');
    const from = at(7 * DAY);
    const to = at(14 * DAY);
    const adoptedAtFrom = await ctx.store.insertStep(step(a.id, { adoptedAt: from }));
    const adoptedJustBeforeTo = await ctx.store.insertStep(step(a.id, { adoptedAt: at(14 * DAY - 1) }));
    await ctx.store.insertStep(step(a.id, { adoptedAt: to }));
    await ctx.store.insertStep(step(a.id, { adoptedAt: at(7 * DAY - 1) }));
    const closedAtFrom = await ctx.store.insertStep(step(a.id, { adoptedAt: T0 }));
    const closedAtTo = await ctx.store.insertStep(step(a.id, { adoptedAt: T0 }));
    const closedBefore = await ctx.store.insertStep(step(a.id, { adoptedAt: T0 }));
    const droppedInside = await ctx.store.insertStep(step(a.id, { adoptedAt: at(DAY) }));
    await ctx.store.updateStep(closedAtFrom.id, { status: 'done', closedAt: from });
    await ctx.store.updateStep(closedAtTo.id, { status: 'done', closedAt: to });
    await ctx.store.updateStep(closedBefore.id, { status: 'done', closedAt: at(7 * DAY - 1) });
    await ctx.store.updateStep(droppedInside.id, { status: 'dropped', closedAt: at(10 * DAY) });
    expect(ids(await ctx.store.stepsActiveBetween({ adopted: from, closed: from }, to)).sort((x, y) => x - y)).toEqual([adoptedAtFrom.id, adoptedJustBeforeTo.id, closedAtFrom.id, droppedInside.id]);
    expect(await ctx.store.stepsActiveBetween({ adopted: at(20 * DAY), closed: at(20 * DAY) }, at(27 * DAY))).toEqual([]);
    // A digest's look back: adoptions of the last days only, closings further back.
    expect(ids(await ctx.store.stepsActiveBetween({ adopted: at(10 * DAY), closed: from }, to)).sort((x, y) => x - y)).toEqual([adoptedJustBeforeTo.id, closedAtFrom.id, droppedInside.id]);
  });
});

describe('deleting a team', () => {
  it('removes its targets and steps, and nobody else’s', async () => {
    const a = await newTeam('Alpha');
    const b = await newTeam('Beta');
    await ctx.store.setTarget(target('s1', 'a1', a.id, 4));
    await ctx.store.setTarget(target('s1', 'a1', b.id, 3));
    await ctx.store.setTarget(target('s1', 'a1', null, 2));
    const gone = await ctx.store.insertStep(step(a.id));
    const kept = await ctx.store.insertStep(step(b.id));
    expect(await ctx.store.deleteTeam(a.id)).toBe(true);
    expect(keys(await ctx.store.listTargets())).toEqual([`s1/a1/org=2`, `s1/a1/${b.id}=3`]);
    expect(ids(await ctx.store.listSteps())).toEqual([kept.id]);
    expect(await ctx.store.findStep(gone.id)).toBeNull();
  });
});
