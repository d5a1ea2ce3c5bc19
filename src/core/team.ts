import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { ChannelRef } from './platform.js';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const TEAM_NAME_MAX = 60;

/** The pause end that means "until someone resumes the team". */
export const INDEFINITE_PAUSE = '9999-12-31';

/** How a team's rounds recur. Weekdays are ISO (Monday = 1); times are wall-clock in `timeZone`. */
export interface Cadence {
  readonly everyWeeks: 1 | 2;
  readonly weekday: number;
  readonly localTime: string;
  readonly timeZone: string;
  readonly roundLengthHours: number;
  /** ISO week (in `timeZone`) the cadence counts from, so fortnightly teams know which weeks are theirs. */
  readonly anchorWeek: string;
}

export type QuestionStrategy = 'rotation' | 'adaptive';

export interface Team {
  readonly id: number;
  readonly name: string;
  readonly channel: ChannelRef;
  /** The Slack Enterprise Grid organisation the channel belongs to; null on other platforms and plain workspaces. */
  readonly organisationId: string | null;
  readonly surveyId: string;
  readonly cadence: Cadence;
  /** Inclusive last day (YYYY-MM-DD, team time zone) of a pause, or null. */
  readonly pausedUntil: string | null;
  readonly questionStrategy: QuestionStrategy;
  /** Opt-in: a private nudge to channel members who have not answered by halfway. */
  readonly nudgeNonRespondents: boolean;
  readonly isDemo: boolean;
  readonly createdAt: Date;
  /** People in the channel when the last round was posted, when the platform said; for response rates. */
  readonly memberCount?: number | null;
}

/** The key that makes team names unique regardless of case, width or surrounding space. */
export function teamNameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en');
}

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a 24-hour time such as 09:30');

export const CadenceInputSchema = z
  .object({
    everyWeeks: z.union([z.literal(1), z.literal(2)], { error: 'expected 1 (weekly) or 2 (every two weeks)' }),
    weekday: z.number().int().min(1, 'expected an ISO weekday, 1 (Monday) to 7 (Sunday)').max(7, 'expected an ISO weekday, 1 (Monday) to 7 (Sunday)'),
    localTime,
    timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), { message: 'expected an IANA time zone such as Europe/Berlin' }),
    roundLengthHours: z.number().int().min(1, 'a round lasts at least one hour'),
  })
  .refine((cadence) => cadence.roundLengthHours < cadence.everyWeeks * 7 * 24, {
    path: ['roundLengthHours'],
    message: 'a round must be shorter than the cadence',
  });
export type CadenceInput = z.infer<typeof CadenceInputSchema>;

export const TeamNameSchema = z
  .string()
  .transform((name) => name.normalize('NFKC').trim().replace(/\s+/g, ' '))
  .pipe(z.string().min(1, 'a team needs a name').max(TEAM_NAME_MAX, `team names are at most ${TEAM_NAME_MAX} characters`));

/** Whether the team is paused on a given local date (YYYY-MM-DD in its time zone); the end date is inclusive. */
export function isPausedOn(team: Pick<Team, 'pausedUntil'>, localDate: string): boolean {
  return team.pausedUntil !== null && localDate <= team.pausedUntil;
}
