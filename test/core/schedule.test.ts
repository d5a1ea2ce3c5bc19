import { describe, expect, it } from 'vitest';
import { anchorWeekAt, closeTimeFor, isoWeekKeyAt, nextPeriod, periodAt } from '../../src/core/schedule.js';
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
