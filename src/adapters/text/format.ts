import { DateTime } from 'luxon';
import type { Change } from '../../core/trends.js';

/** "Fri 21 Nov, 17:00 (Europe/Berlin)" */
export function formatTime(at: Date, zone: string): string {
  return `${DateTime.fromJSDate(at, { zone }).toFormat('ccc d LLL, HH:mm')} (${zone})`;
}

export function formatDate(at: Date, zone = 'UTC'): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('d LLL yyyy');
}

export function formatLevel(value: number): string {
  return value.toFixed(1);
}

/** "+0.4", "−0.6" (a real minus sign), "0.0". */
export function formatDelta(delta: number): string {
  if (delta === 0) return '0.0';
  return `${delta > 0 ? '+' : '−'}${Math.abs(delta).toFixed(1)}`;
}

export function formatChange(change: Change): string {
  if (change.kind === 'none') return '—';
  const arrow = change.direction === 'improved' ? '↑' : change.direction === 'slipped' ? '↓' : '→';
  return `${arrow} ${formatDelta(change.delta)}`;
}

/** ", 40% of members answered" after a digest section's numbers, or nothing when no channel was counted. */
export function responseRateSuffix(rate: number | null): string {
  return rate === null ? '' : `, ${Math.round(rate * 100)}% of members answered`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
