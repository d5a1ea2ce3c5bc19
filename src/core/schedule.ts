import { DateTime } from 'luxon';
import type { Cadence } from './team.js';

/** One cadence period of a team: the span a single round belongs to, keyed by its first ISO week. */
export interface Period {
  readonly key: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** When the scheduled round of this period opens. */
  readonly opensAt: Date;
}

export function isoWeekKey(dt: DateTime): string {
  return `${dt.weekYear}-W${String(dt.weekNumber).padStart(2, '0')}`;
}

/**
 * A lead may ask for another round in a period that already had one; it gets a key of its own under the
 * period ("2026-W48~lz3k1"), so the one-round-per-period rule keeps holding for the schedule.
 */
export function extraRoundKey(periodKey: string, at: Date): string {
  return `${periodKey}~${at.getTime().toString(36)}`;
}

/** The period a round belongs to, for an extra round as for the period's own. */
export function periodOfRoundKey(roundPeriodKey: string): string {
  const extra = roundPeriodKey.indexOf('~');
  return extra < 0 ? roundPeriodKey : roundPeriodKey.slice(0, extra);
}

/** The Monday 00:00 (in `zone`) that starts the ISO week named by `key` ("2026-W48"). */
export function isoWeekStart(key: string, zone: string): DateTime {
  const dt = DateTime.fromISO(`${key}-1`, { zone });
  if (!dt.isValid) throw new RangeError(`not an ISO week key: ${key}`);
  return dt.startOf('day');
}

export function isoWeekKeyAt(instant: Date, zone: string): string {
  return isoWeekKey(DateTime.fromJSDate(instant, { zone }));
}

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDateAt(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate() ?? '';
}

/**
 * The period containing `instant`. Week arithmetic runs on local calendar weeks so that a DST change
 * never shifts a period boundary away from Monday 00:00.
 */
export function periodAt(cadence: Cadence, instant: Date): Period {
  const zone = cadence.timeZone;
  const weekStart = DateTime.fromJSDate(instant, { zone }).startOf('week');
  const anchor = isoWeekStart(cadence.anchorWeek, zone);
  const weeksSinceAnchor = Math.round(weekStart.diff(anchor, 'weeks').weeks);
  const offset = ((weeksSinceAnchor % cadence.everyWeeks) + cadence.everyWeeks) % cadence.everyWeeks;
  const start = weekStart.minus({ weeks: offset });
  return periodStartingAt(cadence, start);
}

export function nextPeriod(cadence: Cadence, period: Period): Period {
  return periodAt(cadence, period.endsAt);
}

function periodStartingAt(cadence: Cadence, start: DateTime): Period {
  const [hour, minute] = cadence.localTime.split(':').map(Number);
  const opens = start.plus({ days: cadence.weekday - 1 }).set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 });
  return {
    key: isoWeekKey(start),
    startsAt: start.toJSDate(),
    endsAt: start.plus({ weeks: cadence.everyWeeks }).toJSDate(),
    opensAt: opens.toJSDate(),
  };
}

/** When a round opened at `openedAt` closes: whole days in local time (DST-safe), then remaining hours. */
export function closeTimeFor(cadence: Cadence, openedAt: Date): Date {
  const days = Math.floor(cadence.roundLengthHours / 24);
  const hours = cadence.roundLengthHours % 24;
  return DateTime.fromJSDate(openedAt, { zone: cadence.timeZone }).plus({ days }).plus({ hours }).toJSDate();
}

/** The anchor week for a cadence set up at `instant`. */
export function anchorWeekAt(instant: Date, zone: string): string {
  return isoWeekKeyAt(instant, zone);
}

/** The next instant after `after` that falls on the ISO weekday at the local time in `zone` (DST-safe). */
export function nextWeeklyAt(weekday: number, localTime: string, zone: string, after: Date): Date {
  const [hour, minute] = localTime.split(':').map(Number);
  const base = DateTime.fromJSDate(after, { zone });
  let candidate = base.startOf('week').plus({ days: weekday - 1 }).set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 });
  while (candidate.toMillis() <= after.getTime()) candidate = candidate.plus({ weeks: 1 });
  return candidate.toJSDate();
}
