import { levelName, topLevel, type Aspect, type Survey } from './survey.js';

/** Longest reason a lead may give for a team's own target: one line in a report. */
export const TARGET_REASON_LENGTH = 200;

/**
 * A target level someone set: for the whole organisation (`teamId` null, by a PM or admin) or for one
 * team (by its leads), per aspect of a survey. Team-level facts, never about who answered what.
 */
export interface TargetSetting {
  readonly surveyId: string;
  readonly aspectId: string;
  readonly teamId: number | null;
  readonly level: number;
  readonly reason: string | null;
  readonly setAt: Date;
}

/** Where an aspect's target comes from, most specific first; 'next' is the default: the level after the current one. */
export type TargetSource = 'team' | 'organisation' | 'survey' | 'next';

export interface AspectTarget {
  readonly level: number;
  readonly name: string;
  readonly source: TargetSource;
  /** The team's one-line reason, for a team target. */
  readonly reason: string | null;
}

/** How an aspect stands against its target; `toGo` is in tenths, as levels are shown. */
export interface TargetStanding {
  readonly target: AspectTarget;
  readonly toGo: number;
  readonly onTarget: boolean;
}

/** Levels are shown to one decimal; a target counts as met when the shown figure meets it. */
function shown(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The target that applies to one aspect for one team: the team's own, else the organisation's, else the
 * survey file's default, else the level after the one reached (at the top, the top: holding it is the goal).
 * `settings` may hold any survey's and team's settings; only this team's and the organisation's count.
 */
export function aspectTarget(survey: Survey, aspect: Aspect, teamId: number | null, settings: readonly TargetSetting[], value: number | null): AspectTarget {
  const matching = settings.filter((setting) => setting.surveyId === survey.id && setting.aspectId === aspect.id);
  const own = teamId === null ? undefined : matching.find((setting) => setting.teamId === teamId);
  if (own) return { level: own.level, name: levelName(survey, own.level), source: 'team', reason: own.reason };
  const organisation = matching.find((setting) => setting.teamId === null);
  if (organisation) return { level: organisation.level, name: levelName(survey, organisation.level), source: 'organisation', reason: null };
  if (aspect.target !== undefined) return { level: aspect.target, name: levelName(survey, aspect.target), source: 'survey', reason: null };
  const next = value === null ? 1 : Math.min(Math.floor(shown(value)) + 1, topLevel(survey));
  return { level: next, name: levelName(survey, next), source: 'next', reason: null };
}

/**
 * How far a level figure is from its target. Only a target someone chose can be met: without one there is
 * always a next step, and at the top the survey's suggestions say how to keep the edge.
 */
export function targetStanding(target: AspectTarget, value: number): TargetStanding {
  const toGo = Math.max(0, Math.round((target.level - shown(value)) * 10) / 10);
  return { target, toGo, onTarget: toGo === 0 && target.source !== 'next' };
}

/**
 * Orders aspects below target, furthest first; aspects on target are left out: they need no next step.
 * Aspects whose target someone chose (team, organisation, survey file) come first, by how far they have
 * to go; those without one (the next level by default) follow, lowest level first: "0.3 to the next
 * level" says little about where help is needed most, the level itself does. Ties keep the given order.
 */
export function furthestBelowTarget<T>(entries: readonly { readonly item: T; readonly standing: TargetStanding; readonly value: number }[], count: number): T[] {
  const chosen = (entry: { readonly standing: TargetStanding }) => (entry.standing.target.source === 'next' ? 1 : 0);
  return entries
    .map((entry, index) => ({ ...entry, index }))
    .filter((entry) => !entry.standing.onTarget)
    .sort((a, b) => chosen(a) - chosen(b) || (chosen(a) === 0 ? b.standing.toGo - a.standing.toGo : a.value - b.value) || a.index - b.index)
    .slice(0, count)
    .map((entry) => entry.item);
}

export type TargetLevelParse = { readonly kind: 'level'; readonly level: number } | { readonly kind: 'clear' } | { readonly kind: 'invalid'; readonly message: string };

/**
 * Reads the level a person typed: its number ("3") or its name ("Scalable", any case), or "none"/"clear"
 * to remove the target.
 */
export function parseTargetLevel(survey: Survey, input: string): TargetLevelParse {
  const trimmed = input.trim();
  if (/^(none|clear|off|reset)$/i.test(trimmed)) return { kind: 'clear' };
  const levels = survey.levels;
  const byNumber = /^\d+$/.test(trimmed) ? levels.find((level) => level.value === Number(trimmed)) : undefined;
  const byName = levels.find((level) => level.name.toLowerCase() === trimmed.toLowerCase());
  const found = byNumber ?? byName;
  if (found) return { kind: 'level', level: found.value };
  return { kind: 'invalid', message: `"${trimmed}" is not a level of ${survey.title}: use ${levels.map((level) => `${level.value} (${level.name})`).join(', ')}, or "none" to remove the target` };
}
