import { isAllowed, whoMay, type Viewer } from '../core/roles.js';
import { findAspect, levelName, type Survey } from '../core/survey.js';
import { aspectTarget, TARGET_REASON_LENGTH, type AspectTarget, type TargetStanding } from '../core/targets.js';
import type { Team } from '../core/team.js';
import type { AuditActor } from '../storage/records.js';
import type { ServiceContext } from './context.js';
import { teamReport } from './report-service.js';

/** Whose target: one team's (its leads), or the organisation's for every team of a survey (PMs). */
export type TargetScope = { readonly kind: 'team'; readonly team: Team } | { readonly kind: 'organisation'; readonly surveyId: string };

export interface TargetChange {
  readonly scope: TargetScope;
  readonly aspectId: string;
  /** The new level, or null to remove the target. */
  readonly level: number | null;
  readonly reason: string | null;
}

export type TargetChangeResult =
  | {
      readonly kind: 'target-set';
      readonly teamName: string | null;
      readonly surveyTitle: string;
      readonly aspectName: string;
      /** Whether a target was removed rather than set. */
      readonly cleared: boolean;
      /** The target that applies now (after a removal, the one that takes over). */
      readonly target: AspectTarget;
      /** For a team: its shown level against the target, when it has one. */
      readonly standing: { readonly value: number; readonly standing: TargetStanding } | null;
    }
  | { readonly kind: 'not-allowed'; readonly who: string }
  | { readonly kind: 'unknown-aspect'; readonly aspectId: string; readonly known: readonly string[] }
  | { readonly kind: 'survey-missing'; readonly surveyId: string }
  | { readonly kind: 'invalid'; readonly problem: string };

/** Sets or removes a target level, for whoever may: a team's leads for their team, PMs for the organisation; admins both. */
export async function changeTarget(ctx: ServiceContext, actor: AuditActor, viewer: Viewer, change: TargetChange): Promise<TargetChangeResult> {
  const permission = change.scope.kind === 'team' ? ({ kind: 'set-team-target', teamId: change.scope.team.id } as const) : ({ kind: 'set-org-target' } as const);
  if (!isAllowed(viewer, permission)) return { kind: 'not-allowed', who: whoMay(permission) };
  const surveyId = change.scope.kind === 'team' ? change.scope.team.surveyId : change.scope.surveyId;
  const survey = ctx.surveys.get(surveyId)?.survey;
  if (!survey) return { kind: 'survey-missing', surveyId };
  const aspect = findAspect(survey, change.aspectId);
  if (!aspect) return { kind: 'unknown-aspect', aspectId: change.aspectId, known: survey.aspects.map((candidate) => candidate.id) };
  if (change.level !== null && (change.level < 1 || change.level > survey.levels.length)) return { kind: 'invalid', problem: `The level is 1 to ${survey.levels.length} (${survey.levels.map((level) => level.name).join(', ')}).` };
  const reason = change.reason?.trim().replace(/\s+/g, ' ') || null;
  if (reason !== null && reason.length > TARGET_REASON_LENGTH) return { kind: 'invalid', problem: `Keep the reason to one line of at most ${TARGET_REASON_LENGTH} characters.` };
  const teamId = change.scope.kind === 'team' ? change.scope.team.id : null;
  const teamName = change.scope.kind === 'team' ? change.scope.team.name : null;
  const now = ctx.clock.now();
  await ctx.store.transaction(async (tx) => {
    if (change.level === null) await tx.clearTarget({ surveyId, aspectId: aspect.id, teamId });
    else await tx.setTarget({ surveyId, aspectId: aspect.id, teamId, level: change.level, reason: teamId === null ? null : reason, setAt: now });
    await tx.recordAudit({ at: now, actor, action: change.level === null ? 'target.clear' : 'target.set', teamName, details: { surveyId, aspectId: aspect.id, scope: change.scope.kind, level: change.level, ...(reason && teamId !== null ? { reason } : {}) } });
  });
  const standing = change.scope.kind === 'team' ? await teamStanding(ctx, change.scope.team, aspect.id) : null;
  const settings = await ctx.store.listTargets({ surveyId });
  return {
    kind: 'target-set',
    teamName,
    surveyTitle: survey.title,
    aspectName: aspect.name,
    cleared: change.level === null,
    target: aspectTarget(survey, aspect, teamId, settings, standing?.value ?? null),
    standing,
  };
}

async function teamStanding(ctx: ServiceContext, team: Team, aspectId: string): Promise<{ value: number; standing: TargetStanding } | null> {
  const result = await teamReport(ctx, team, { aspectId, withComments: false });
  const aspect = result.kind === 'report' ? result.report.aspects[0] : undefined;
  return aspect?.status.kind === 'level' && aspect.standing ? { value: aspect.status.figure.value, standing: aspect.standing } : null;
}

/** One aspect's target as a team sees it: what applies, and whether the organisation set one the team overrides. */
export interface TargetRow {
  readonly aspectId: string;
  readonly aspectName: string;
  readonly target: AspectTarget;
  /** The organisation's (or the survey's) target, when the team's own overrides it. */
  readonly overrides: AspectTarget | null;
}

/** Every aspect's target for a team (team scope) or for the organisation (no team), in survey order. */
export async function targetRows(ctx: ServiceContext, survey: Survey, team: Team | null): Promise<TargetRow[]> {
  const settings = await ctx.store.listTargets({ surveyId: survey.id });
  const organisationOnly = settings.filter((setting) => setting.teamId === null);
  return survey.aspects.map((aspect) => {
    const target = aspectTarget(survey, aspect, team?.id ?? null, settings, null);
    const beneath = target.source === 'team' ? aspectTarget(survey, aspect, null, organisationOnly, null) : null;
    return { aspectId: aspect.id, aspectName: aspect.name, target, overrides: beneath && beneath.source !== 'next' ? beneath : null };
  });
}

/** "Scalable (3)": a level as targets name it. */
export function targetLevelText(survey: Survey, level: number): string {
  return `${levelName(survey, level)} (${level})`;
}
