import { UserFacingError } from '../core/errors.js';
import type { ChannelRef } from '../core/platform.js';
import { anchorWeekAt } from '../core/schedule.js';
import { CadenceInputSchema, TeamNameSchema, type CadenceInput, type QuestionStrategy, type Team } from '../core/team.js';
import { type AuditActor } from '../storage/records.js';
import type { ServiceContext } from './context.js';

export interface SetupTeamInput {
  readonly name: string;
  readonly channel: ChannelRef;
  /** The Slack Enterprise Grid organisation, when the setup came from one. */
  readonly organisationId?: string | null;
  readonly surveyId: string;
  readonly cadence: CadenceInput;
  readonly questionStrategy?: QuestionStrategy;
  readonly isDemo?: boolean;
}

export type SetupTeamResult =
  | { readonly kind: 'created'; readonly team: Team }
  | { readonly kind: 'invalid'; readonly problems: readonly string[] }
  | { readonly kind: 'unknown-survey'; readonly known: readonly string[] }
  | { readonly kind: 'name-taken' }
  | { readonly kind: 'channel-taken' };

/** Registers a channel as a team. Setup is the only way a team comes to exist. */
export async function setupTeam(ctx: ServiceContext, actor: AuditActor, input: SetupTeamInput): Promise<SetupTeamResult> {
  const name = TeamNameSchema.safeParse(input.name);
  const cadence = CadenceInputSchema.safeParse(input.cadence);
  const problems = [
    ...(name.success ? [] : name.error.issues.map((issue) => `name: ${issue.message}`)),
    ...(cadence.success ? [] : cadence.error.issues.map((issue) => `${issue.path.join('.') || 'cadence'}: ${issue.message}`)),
  ];
  if (!name.success || !cadence.success) return { kind: 'invalid', problems };
  if (!ctx.surveys.has(input.surveyId)) return { kind: 'unknown-survey', known: [...ctx.surveys.keys()] };
  const now = ctx.clock.now();
  return await ctx.store.transaction(async (tx) => {
    const result = await tx.insertTeam({
      name: name.data,
      channel: input.channel,
      organisationId: input.organisationId ?? null,
      surveyId: input.surveyId,
      cadence: { ...cadence.data, anchorWeek: anchorWeekAt(now, cadence.data.timeZone) },
      questionStrategy: input.questionStrategy ?? 'rotation',
      isDemo: input.isDemo ?? false,
      createdAt: now,
    });
    if (result.kind === 'created') {
      await tx.recordAudit({ at: now, actor, action: 'team.setup', teamName: result.team.name, details: { surveyId: input.surveyId, cadence: cadence.data, channel: input.channel } });
    }
    return result;
  });
}

/** The team with this name (ignoring case), or a one-sentence error listing the known names. */
export async function requireTeam(ctx: ServiceContext, name: string): Promise<Team> {
  const team = await ctx.store.findTeamByName(name);
  if (team) return team;
  const known = (await ctx.store.listTeams()).map((candidate) => candidate.name);
  const hint = known.length === 0 ? 'There are no teams yet.' : `Known teams: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.`;
  throw new UserFacingError('unknown-team', `No team is called "${name}". ${hint}`);
}

/** Erases a team and everything recorded for it; the audit log keeps that it happened. */
export async function deleteTeamByName(ctx: ServiceContext, actor: AuditActor, name: string): Promise<Team> {
  const team = await requireTeam(ctx, name);
  await ctx.store.transaction(async (tx) => {
    await tx.deleteTeam(team.id);
    await tx.recordAudit({ at: ctx.clock.now(), actor, action: 'team.delete', teamName: team.name, details: { surveyId: team.surveyId } });
  });
  return team;
}

/** Pauses a team until a local date (inclusive), or resumes it with `until: null`. */
export async function setPause(ctx: ServiceContext, actor: AuditActor, team: Team, until: string | null): Promise<void> {
  if (until !== null && !/^\d{4}-\d{2}-\d{2}$/.test(until)) throw new UserFacingError('invalid-input', `"${until}" is not a date; use YYYY-MM-DD.`);
  await ctx.store.transaction(async (tx) => {
    await tx.setTeamPause(team.id, until);
    await tx.recordAudit({ at: ctx.clock.now(), actor, action: until === null ? 'team.resume' : 'team.pause', teamName: team.name, details: { until } });
  });
}
