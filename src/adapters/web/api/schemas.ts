import { z } from 'zod';
import { STEP_STATUSES } from '../../../core/next-steps.js';
import { PLATFORMS } from '../../../core/platform.js';

/**
 * The wire shapes of `/api/v1` and of the JSON downloads. They are adapter-owned (domain schemas stay in
 * core) and are the only way a response body is made: every handler passes its object through one of them,
 * and the OpenAPI document is generated from the same objects, so the document and the responses cannot
 * drift apart. Each shape names what it may carry; anything else (a distribution, a raw user id, a comment
 * for someone who is not the team's lead) has no field to ride in on.
 */
export const apiSchemas = z.registry<{ id: string; description: string }>();

/** Names a wire shape (its component name in the OpenAPI document) and registers it there. */
function wire<T extends z.ZodType>(schema: T, id: string, description: string): T {
  const named = schema.meta({ id, description });
  apiSchemas.add(named, { id, description });
  return named;
}

const Instant = z.iso.datetime().describe('An instant, ISO 8601 in UTC');
const Count = z.number().int().min(0);
const Level = z.number().describe('A level, one decimal');

export const ErrorSchema = wire(z.object({ error: z.string() }), 'Error', 'Why a request was not answered, in one sentence.');

export const TeamSummarySchema = wire(z.object({ id: z.number().int().positive(), name: z.string(), surveyId: z.string() }), 'TeamSummary', 'A team the caller may see.');
export const TeamListSchema = wire(z.object({ teams: z.array(TeamSummarySchema) }), 'TeamList', 'The teams whose results the caller may see, by name.');

export const ChangeSchema = wire(
  z.object({ delta: z.number(), direction: z.enum(['improved', 'slipped', 'steady']), since: Instant }),
  'Change',
  'A level now against an earlier one; null where there is nothing to compare with.',
);

export const ShortfallSchema = wire(
  z.object({
    answered: Count.nullable().describe('How many answered (the count the round message showed); null when saying it would tell how many chose "I don\'t know"'),
    needed: Count.describe('Answers with a level a round needs before it counts'),
    text: z.string().describe('The sentence the dashboard shows, e.g. "2 answered, results need 3"'),
  }),
  'Shortfall',
  'Why there is no figure: never a value, only how many answered and how many were needed.',
);

export const AgreementSchema = z.enum(['high', 'medium', 'low']);

export const TargetSchema = wire(
  z.object({
    level: z.number().int().min(1),
    name: z.string(),
    source: z.enum(['team', 'organisation', 'survey', 'next']).describe("Who set it: the team's leads, the organisation's PMs, the survey file's default, or none (the next level)"),
    reason: z.string().nullable().describe("The team's reason, for a team target"),
  }),
  'Target',
  'The level an aspect aims for.',
);

export const StepSchema = wire(
  z.object({
    id: z.number().int().positive(),
    teamId: z.number().int().positive(),
    teamName: z.string(),
    surveyId: z.string(),
    aspectId: z.string(),
    aspectName: z.string(),
    suggestionId: z.string().nullable().describe("The survey suggestion it came from; null for the team's own step"),
    text: z.string().describe('The step as adopted (a suggestion keeps the wording it had then)'),
    status: z.enum(STEP_STATUSES),
    adoptedAt: Instant,
    dueAt: Instant.describe('When the check-in is due: the target date, moved on by "still on it"'),
    closedAt: Instant.nullable().describe('When it was marked done or dropped'),
    owner: z.string().nullable().describe("The owner's user id as their platform gives it (Slack user id, Entra object id), once they accepted; null until then"),
    levelAtAdoption: Level.nullable().describe("The aspect's level when the step was adopted, from qualifying rounds; null when none showed"),
    levelNow: Level.nullable().describe("The aspect's level now; null when none shows"),
  }),
  'Step',
  'A next step a team adopted.',
);

const aspectBase = { aspectId: z.string(), aspectName: z.string(), openUntil: Instant.nullable().describe('When the aspect\'s open round closes, if one is running'), target: TargetSchema };

export const TeamAspectSchema = wire(
  z.discriminatedUnion('status', [
    z.object({
      ...aspectBase,
      status: z.literal('level'),
      value: Level,
      reached: z.number().int().min(1).describe('The whole level reached (2.6 has reached 2)'),
      levelName: z.string(),
      label: z.string().describe('The level name with where the team is heading'),
      change: ChangeSchema.nullable(),
      latestRespondents: Count.describe('How many answered the latest round in the figure'),
      latestShort: ShortfallSchema.nullable().describe('Set when the latest closed round did not count'),
      agreement: AgreementSchema.nullable().describe('Only when every round behind the figure is large enough to show more than count and mean'),
      toGo: z.number().min(0).describe('Levels still to go to the target, to one decimal; 0 on target'),
      suggestions: z.array(z.object({ id: z.string(), text: z.string() })).describe('Empty on target'),
      suggestionsToward: z.string().nullable(),
    }),
    z.object({ ...aspectBase, status: z.literal('hidden'), shortfall: ShortfallSchema }),
    z.object({ ...aspectBase, status: z.literal('not-asked') }),
  ]),
  'TeamAspect',
  "One aspect of a team's report: a level, hidden (too few answers, with the shortfall only) or not asked yet.",
);

export const ParticipationSchema = wire(
  z.object({ rounds: Count, meanRespondents: z.number().min(0).nullable(), rate: z.number().min(0).max(1).nullable() }),
  'Participation',
  "Answers per round over the team's latest closed rounds (at most four); rate is over channel members when known.",
);

export const OpenRoundSchema = wire(z.object({ aspectName: z.string(), closesAt: Instant, respondents: Count }), 'OpenRound', 'The round running now and how many have answered it so far.');

export const CommentGroupSchema = wire(z.object({ aspectId: z.string(), aspectName: z.string(), texts: z.array(z.string()) }), 'CommentGroup', 'Unattributed comments of one aspect, in no particular order.');

export const TeamDetailSchema = wire(
  z.object({
    id: z.number().int().positive(),
    name: z.string(),
    surveyId: z.string(),
    surveyTitle: z.string(),
    generatedAt: Instant,
    minRespondents: Count,
    windowRounds: Count,
    hasResults: z.boolean(),
    firstCloseAt: Instant.nullable(),
    aspects: z.array(TeamAspectSchema),
    furthestBelowTarget: z.array(z.string()).describe('Aspect ids with a level below their target, furthest below first'),
    participation: ParticipationSchema,
    openRound: OpenRoundSchema.nullable(),
    comments: z.array(CommentGroupSchema).nullable().describe("Only for the team's leads, and only from rounds large enough; null for everyone else"),
    steps: z.array(StepSchema).describe("The team's next steps, any status, oldest adoption first"),
  }),
  'TeamDetail',
  "A team's levels per aspect, participation and open round.",
);

export const TeamTrendsSchema = wire(
  z.object({
    teamId: z.number().int().positive(),
    series: z.array(z.object({ aspectId: z.string(), aspectName: z.string(), points: z.array(z.object({ at: Instant, value: Level })) })),
  }),
  'TeamTrends',
  "The team's level per aspect at the end of each of the last 26 weeks (weeks without a level are left out).",
);

const roundBase = { aspectName: z.string(), prompt: z.string().describe('The question as it was asked'), openedAt: Instant, closedAt: Instant };

export const HistoryRoundSchema = wire(
  z.discriminatedUnion('counted', [
    z.object({
      ...roundBase,
      counted: z.literal(true),
      respondents: Count.describe('How many answered (the count the round message showed)'),
      mean: z.number().nullable().describe('The mean level of the answers with a level, one decimal'),
      distribution: z.array(Count).nullable().describe('Answers per level (level 1 first); null unless the round had enough answers to show more than its count and mean'),
    }),
    z.object({ ...roundBase, counted: z.literal(false), shortfall: ShortfallSchema }),
  ]),
  'HistoryRound',
  'A closed round: a counted round carries its respondent count and mean (and answers per level above the comment threshold); one that did not count, its shortfall.',
);

export const TeamRoundsSchema = wire(z.object({ teamId: z.number().int().positive(), rounds: z.array(HistoryRoundSchema) }), 'TeamRounds', "The team's latest closed rounds, newest first.");

export const OrgCellSchema = wire(
  z.discriminatedUnion('status', [
    z.object({
      aspectId: z.string(),
      status: z.literal('level'),
      value: Level,
      reached: z.number().int().min(1),
      levelName: z.string(),
      label: z.string(),
      change: ChangeSchema.nullable(),
      latestShort: ShortfallSchema.nullable(),
    }),
    z.object({ aspectId: z.string(), status: z.literal('hidden'), shortfall: ShortfallSchema }),
    z.object({ aspectId: z.string(), status: z.literal('not-asked') }),
  ]),
  'OrgCell',
  "One team × aspect cell, exactly as the team's own report shows the aspect.",
);

export const OrgRowSchema = wire(
  z.object({ teamId: z.number().int().positive(), teamName: z.string(), cells: z.array(OrgCellSchema), participation: ParticipationSchema }),
  'OrgRow',
  'One team of the organisation table; cells in the order of the table\'s aspects.',
);

export const OrgSurveyTableSchema = wire(
  z.object({
    surveyId: z.string(),
    surveyTitle: z.string(),
    levelNames: z.array(z.string()),
    aspects: z.array(z.object({ id: z.string(), name: z.string() })),
    allTeams: z.array(z.object({ aspectId: z.string(), value: Level.nullable(), label: z.string().nullable(), teams: Count, hidden: Count.describe('Teams without a level for the aspect: counted, never valued') })),
    rows: z.array(OrgRowSchema),
  }),
  'OrgSurveyTable',
  'The organisation table of one survey, filtered and sorted as asked (the all-teams row is never filtered).',
);

export const OrgQueryWireSchema = z.object({
  survey: z.string().optional(),
  team: z.string().optional(),
  aspect: z.string().optional(),
  level: z.number().int().optional(),
  movement: z.enum(['improved', 'slipped', 'steady', 'none']).optional(),
  sort: z.string().optional(),
  dir: z.enum(['asc', 'desc']).optional(),
});

export const OrganisationSchema = wire(
  z.object({ generatedAt: Instant, query: OrgQueryWireSchema.describe('The filters and sort that were applied (unreadable parameters are dropped)'), surveys: z.array(OrgSurveyTableSchema) }),
  'Organisation',
  'Every team × aspect, one table per survey: the organisation page as data.',
);

export const DigestEntrySchema = wire(
  z.object({ id: z.number().int().positive(), platform: z.enum(PLATFORMS), at: Instant.describe('The instant the digest describes'), sentAt: Instant, surveyIds: z.array(z.string()).nullable().describe('Null for every loaded survey') }),
  'DigestEntry',
  'A digest that was posted.',
);

export const DigestListSchema = wire(z.object({ digests: z.array(DigestEntrySchema) }), 'DigestList', 'Every posted digest, newest first.');

export const MoverSchema = wire(z.object({ teamName: z.string(), aspectId: z.string(), aspectName: z.string(), delta: z.number() }), 'Mover', 'A team whose level of an aspect moved.');

export const DigestSectionSchema = wire(
  z.object({
    surveyId: z.string(),
    surveyTitle: z.string(),
    levelNames: z.array(z.string()),
    teamCount: Count,
    hiddenTeamCount: Count,
    aspects: z.array(z.object({ aspectId: z.string(), aspectName: z.string(), value: Level.nullable(), label: z.string().nullable(), teams: Count, week: ChangeSchema.nullable(), quarter: ChangeSchema.nullable() })),
    improvedThisWeek: z.array(MoverSchema),
    slippedThisWeek: z.array(MoverSchema),
    improvedThisQuarter: z.array(MoverSchema),
    slippedThisQuarter: z.array(MoverSchema),
    belowTarget: z.array(z.object({ aspectId: z.string(), aspectName: z.string(), value: Level, label: z.string(), target: TargetSchema, toGo: z.number().min(0), toward: z.string().nullable(), suggestions: z.array(z.string()) })).describe("Aspects below the organisation's target, furthest below first"),
    steps: z
      .object({
        adoptedThisWeek: Count,
        doneThisWeek: Count,
        droppedThisWeek: Count,
        paidOff: z.array(z.object({ teamName: z.string(), aspectName: z.string(), text: z.string(), doneAt: Instant, before: Level, now: Level })).describe('Done steps whose aspect improved since adoption, beyond the trend threshold'),
      })
      .describe("Teams' next steps: counts of this week, and steps that paid off"),
    participation: z.object({ roundsClosed: Count, respondents: Count, roundsBelowMinimum: Count, responseRate: z.number().min(0).max(1).nullable() }),
  }),
  'DigestSection',
  "One survey's part of a digest: the figures its message showed.",
);

export const DigestSchema = wire(
  z.object({ ...DigestEntrySchema.shape, generatedAt: Instant, weekAgo: Instant, quarterAgo: Instant, sections: z.array(DigestSectionSchema) }),
  'Digest',
  'A posted digest, rebuilt from the tallies frozen before it (teams deleted since are gone).',
);

export const StepQueryWireSchema = z.object({ team: z.number().int().optional(), survey: z.string().optional(), aspect: z.string().optional(), status: z.enum(STEP_STATUSES).optional() });

export const StepListSchema = wire(
  z.object({ generatedAt: Instant, query: StepQueryWireSchema.describe('The filters that were applied (unreadable parameters are dropped)'), steps: z.array(StepSchema) }),
  'StepList',
  'Next steps of the teams the caller may see, oldest adoption first.',
);

export const OpenApiDocumentSchema = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
  components: z.looseObject({ schemas: z.record(z.string(), z.unknown()) }),
});

// Downloads (not part of /api/v1, but made the same way).

export const TeamExportSchema = wire(
  z.object({
    generatedAt: Instant,
    team: z.object({ id: z.number().int().positive(), name: z.string(), surveyId: z.string(), surveyTitle: z.string() }),
    aspects: z.array(TeamAspectSchema),
    participation: ParticipationSchema,
    rounds: z.array(HistoryRoundSchema),
    steps: z.array(StepSchema),
  }),
  'TeamExport',
  "A team's download: its levels and targets per aspect, its latest closed rounds and its next steps (never comments).",
);

export const TeamMoverSchema = z.object({ teamId: z.number().int().positive(), teamName: z.string(), aspectId: z.string(), aspectName: z.string(), delta: z.number() });

export const AspectExportSchema = wire(
  z.object({
    surveyId: z.string(),
    aspectId: z.string(),
    aspectName: z.string(),
    generatedAt: Instant,
    weekAgo: Instant,
    quarterAgo: Instant,
    value: Level.nullable(),
    label: z.string().nullable(),
    teamsWithLevel: Count,
    hiddenTeams: Count,
    notAskedTeams: Count,
    levels: z.array(z.object({ level: z.number().int(), name: z.string(), teams: Count, aspectLabel: z.string(), suggestions: z.array(z.string()), toward: z.string().nullable() })),
    improvedThisWeek: z.array(TeamMoverSchema),
    slippedThisWeek: z.array(TeamMoverSchema),
    improvedThisQuarter: z.array(TeamMoverSchema),
    slippedThisQuarter: z.array(TeamMoverSchema),
    weakest: z.array(z.object({ teamId: z.number().int().positive(), teamName: z.string(), value: Level, label: z.string() })),
  }),
  'AspectExport',
  'One aspect across every team of its survey: how teams spread over its levels, movers and the weakest teams.',
);

export type TeamListWire = z.input<typeof TeamListSchema>;
export type TeamDetailWire = z.input<typeof TeamDetailSchema>;
export type TeamTrendsWire = z.input<typeof TeamTrendsSchema>;
export type TeamRoundsWire = z.input<typeof TeamRoundsSchema>;
export type OrganisationWire = z.input<typeof OrganisationSchema>;
export type DigestListWire = z.input<typeof DigestListSchema>;
export type DigestWire = z.input<typeof DigestSchema>;
export type TeamExportWire = z.input<typeof TeamExportSchema>;
export type StepWire = z.input<typeof StepSchema>;
export type StepListWire = z.input<typeof StepListSchema>;
export type AspectExportWire = z.input<typeof AspectExportSchema>;
export type TeamAspectWire = z.input<typeof TeamAspectSchema>;
export type HistoryRoundWire = z.input<typeof HistoryRoundSchema>;
export type OrgCellWire = z.input<typeof OrgCellSchema>;
