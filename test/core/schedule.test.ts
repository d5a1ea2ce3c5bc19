import { describe, expect, it } from 'vitest';
import { anchorWeekAt, closeTimeFor, isoWeekKeyAt, nextPeriod, periodAt } from '../../src/core/schedule.js';
import { decideOpening, MIN_ROUND_MS, nextOpeningCheck, type OpeningDecision, type ScheduleState } from '../../src/core/scheduling.js';
import type { Cadence } from '../../src/core/team.js';

function cadence(overrides: Partial<Cadence> = {}): Cadence {
  return { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: 'Europe/Berlin', roundLengthHours: 96, anchorWeek: '2026-W10', ...overrides };
}

describe('periods', () => {
  it('keys periods by ISO week in the team time zone', () => {
    // Sunday 23:30 in New York is already Monday in Berlin.
    const instant = new Date('2026-03-09T03:30:00Z');
    expect(periodAt(cadence({ timeZone: 'America/New_York' }), instant).key).toBe('2026-W10');
    expect(periodAt(cadence({ timeZone: 'Europe/Berlin' }), instant).key).toBe('2026-W11');
  });

  it('opens at the local weekday and time, also across DST changes', () => {
    const berlin = cadence();
    // Europe/Berlin switches to summer time on 29 March 2026.
    const before = periodAt(berlin, new Date('2026-03-25T12:00:00Z'));
    const after = nextPeriod(berlin, before);
    expect(before.opensAt.toISOString()).toBe('2026-03-23T09:00:00.000Z');
    expect(after.opensAt.toISOString()).toBe('2026-03-30T08:00:00.000Z');
    const kolkata = periodAt(cadence({ timeZone: 'Asia/Kolkata', weekday: 3, localTime: '09:30' }), new Date('2026-03-25T12:00:00Z'));
    expect(kolkata.opensAt.toISOString()).toBe('2026-03-25T04:00:00.000Z');
  });

  it('gives fortnightly teams two-week periods anchored on the setup week', () => {
    const fortnightly = cadence({ everyWeeks: 2, anchorWeek: '2026-W10' });
    expect(periodAt(fortnightly, new Date('2026-03-04T12:00:00Z')).key).toBe('2026-W10');
    expect(periodAt(fortnightly, new Date('2026-03-11T12:00:00Z')).key).toBe('2026-W10');
    expect(periodAt(fortnightly, new Date('2026-03-18T12:00:00Z')).key).toBe('2026-W12');
    // Across the autumn DST change the parity still holds.
    const autumn = periodAt(fortnightly, new Date('2026-10-28T12:00:00Z'));
    expect(autumn.key).toBe('2026-W44');
  });

  it('closes a round whole local days later, keeping the wall-clock time across DST', () => {
    const opened = new Date('2026-03-27T09:00:00Z'); // Friday 10:00 CET
    expect(closeTimeFor(cadence({ roundLengthHours: 72 }), opened).toISOString()).toBe('2026-03-30T08:00:00.000Z'); // Monday 10:00 CEST
  });

  it('computes the anchor week of setup', () => {
    expect(anchorWeekAt(new Date('2026-01-01T12:00:00Z'), 'UTC')).toBe('2026-W01');
    expect(isoWeekKeyAt(new Date('2027-01-01T12:00:00Z'), 'UTC')).toBe('2026-W53');
  });
});

/** A team set up long ago whose last round was in `latestRoundPeriod`, with nothing running. */
function state(overrides: Partial<Cadence> = {}, latestRoundPeriod: string | null = '2026-W02'): ScheduleState {
  return { team: { cadence: cadence({ anchorWeek: '2025-W01', ...overrides }), pausedUntil: null, createdAt: new Date('2025-01-01T00:00:00Z') }, latestRoundPeriod, openRoundClosesAt: null };
}

function decide(scheduleState: ScheduleState, now: string): OpeningDecision {
  return decideOpening(scheduleState, new Date(now));
}

function opened(decision: OpeningDecision): { period: string; closesAt: string } | OpeningDecision['kind'] {
  return decision.kind === 'open' ? { period: decision.period.key, closesAt: decision.closesAt.toISOString() } : decision.kind;
}

/** An instant in the ISO week of each of the zone's 2026 DST changes (spring first), in that zone. */
const DST_WEEKS: Record<string, readonly string[]> = {
  'Europe/Berlin': ['2026-03-25T12:00:00Z', '2026-10-21T12:00:00Z'],
  'America/New_York': ['2026-03-04T12:00:00Z', '2026-10-28T12:00:00Z'],
};

// Week 2026-W03 in Europe/Berlin (CET, UTC+1): Monday 12 Jan 00:00 is 2026-01-11T23:00Z, the round is due on
// Monday 10:00 (09:00Z), a 96 h round closes on Friday 16 Jan 10:00 (09:00Z), the period ends at 2026-01-18T23:00Z.
describe('catch-up rounds after downtime', () => {
  it('skips the period when a restart late on Sunday (22:35 Berlin, 96 h round) leaves less than half a round, and opens the next Monday round on time', () => {
    const weekly = state();
    const sundayEvening = new Date('2026-01-18T21:35:00Z');
    const decision = decideOpening(weekly, sundayEvening);
    expect(decision.kind).toBe('skip');
    expect(decision.kind === 'skip' && decision.period.key).toBe('2026-W03');
    // Skipped, not queued: the next check is the next period's scheduled time, where the round opens as usual.
    const nextCheck = nextOpeningCheck(weekly, sundayEvening);
    expect(nextCheck.toISOString()).toBe('2026-01-19T09:00:00.000Z');
    expect(opened(decideOpening(weekly, nextCheck))).toEqual({ period: '2026-W04', closesAt: '2026-01-23T09:00:00.000Z' });
    expect(opened(decide(weekly, '2026-01-19T09:00:00Z'))).toEqual({ period: '2026-W04', closesAt: '2026-01-23T09:00:00.000Z' });
  });

  it('opens late when at least half a round is left, keeping the scheduled close or else ending with the period', () => {
    // Wednesday 12:00: the scheduled Friday close is still ahead.
    expect(opened(decide(state(), '2026-01-14T11:00:00Z'))).toEqual({ period: '2026-W03', closesAt: '2026-01-16T09:00:00.000Z' });
    // Friday 11:00, past the scheduled close with 60 h of the period left: a round to the period's end.
    expect(opened(decide(state(), '2026-01-16T10:00:00Z'))).toEqual({ period: '2026-W03', closesAt: '2026-01-18T23:00:00.000Z' });
    // A shorter round that fits before the period's end runs its full length.
    expect(opened(decide(state({ roundLengthHours: 24 }), '2026-01-16T10:00:00Z'))).toEqual({ period: '2026-W03', closesAt: '2026-01-17T10:00:00.000Z' });
  });

  it('opens with exactly half a round left and skips a minute later, counting real hours across DST', () => {
    // 48 h before the period's end (Saturday 00:00 Berlin).
    expect(opened(decide(state(), '2026-01-16T23:00:00Z'))).toEqual({ period: '2026-W03', closesAt: '2026-01-18T23:00:00.000Z' });
    expect(opened(decide(state(), '2026-01-16T23:01:00Z'))).toBe('skip');
    // 2026-W13 ends on Monday 30 March 00:00 CEST (2026-03-29T22:00Z) with clocks going forward on the Sunday:
    // the boundary is 48 real hours before, Friday 23:00 CET, not Saturday 00:00 local (47 real hours).
    const spring = state({}, '2026-W12');
    expect(opened(decide(spring, '2026-03-27T22:00:00Z'))).toEqual({ period: '2026-W13', closesAt: '2026-03-29T22:00:00.000Z' });
    expect(opened(decide(spring, '2026-03-27T23:00:00Z'))).toBe('skip');
  });

  it('holds a one-hour round to the one-hour minimum rather than half its length', () => {
    const short = state({ roundLengthHours: 1 });
    // Half an hour after it was due: a full hour from the restart.
    expect(opened(decide(short, '2026-01-12T09:30:00Z'))).toEqual({ period: '2026-W03', closesAt: '2026-01-12T10:30:00.000Z' });
    // Sunday 23:00 Berlin: exactly an hour left, so a round until the period's end.
    expect(opened(decide(short, '2026-01-18T22:00:00Z'))).toEqual({ period: '2026-W03', closesAt: '2026-01-18T23:00:00.000Z' });
    // Sunday 23:15: 45 minutes is more than half the round but less than the minimum.
    expect(opened(decide(short, '2026-01-18T22:15:00Z'))).toBe('skip');
  });

  it('counts to the scheduled close for a round set late on Sunday, which runs past its period', () => {
    // Sunday 22:00 Berlin, 96 h: due 2026-01-18T21:00Z, closes Thursday 22 Jan 22:00 (21:00Z), two hours before W03 ends.
    const sunday = state({ weekday: 7, localTime: '22:00' });
    expect(opened(decide(sunday, '2026-01-18T22:30:00Z'))).toEqual({ period: '2026-W03', closesAt: '2026-01-22T21:00:00.000Z' });
  });

  it('never skips a round opening on time, whatever the weekday, time and length, across DST', () => {
    for (const [timeZone, dstWeeks] of Object.entries(DST_WEEKS)) {
      for (let weekday = 1; weekday <= 7; weekday += 1) {
        for (const localTime of ['00:00', '02:30', '22:00', '23:30']) {
          for (const roundLengthHours of [1, 2, 24, 96, 167]) {
            const team = state({ timeZone, weekday, localTime, roundLengthHours }, null);
            for (const week of dstWeeks) {
              const period = periodAt(team.team.cadence, new Date(week));
              expect(decideOpening(team, period.opensAt).kind, `${timeZone} day ${weekday} ${localTime} ${roundLengthHours} h, week of ${week}`).toBe('open');
            }
          }
        }
      }
    }
  });

  it('never opens a late round shorter than the minimum, across DST', () => {
    for (const [timeZone, [springWeek]] of Object.entries(DST_WEEKS)) {
      for (const [weekday, localTime] of [[1, '10:00'], [7, '22:00']] as const) {
        for (const roundLengthHours of [1, 24, 96, 167]) {
          const team = state({ timeZone, weekday, localTime, roundLengthHours }, null);
          const period = periodAt(team.team.cadence, new Date(springWeek ?? ''));
          // Restarts every 97 minutes through the period, and minute by minute through its last two hours.
          const restarts: number[] = [];
          for (let at = period.opensAt.getTime() + 60_000; at < period.endsAt.getTime(); at += 97 * 60_000) restarts.push(at);
          for (let at = period.endsAt.getTime() - 2 * 60 * 60_000; at < period.endsAt.getTime(); at += 60_000) restarts.push(at);
          for (const at of restarts) {
            const late = decideOpening(team, new Date(at));
            if (late.kind === 'open') expect(late.closesAt.getTime() - at, `${timeZone} ${localTime} ${roundLengthHours} h at ${new Date(at).toISOString()}`).toBeGreaterThanOrEqual(MIN_ROUND_MS);
          }
        }
      }
    }
  });
});
