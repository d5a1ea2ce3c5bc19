import { DateTime } from 'luxon';
import { chooseQuestion, type AskedQuestion } from '../core/question-choice.js';
import { respondentKey } from '../core/respondent-key.js';
import { snapshotQuestion } from '../core/round.js';
import { closeTimeFor, isoWeekKey, nextPeriod, periodAt } from '../core/schedule.js';
import type { Survey } from '../core/survey.js';
import type { Team } from '../core/team.js';
import type { ServiceContext } from '../services/context.js';
import type { Store } from '../storage/store.js';
import { openRound } from '../services/round-service.js';
import { DemoRandom } from './demo-random.js';

/** How a demo team's answers move over the simulated half year. */
export type Trajectory = 'improving' | 'slipping' | 'steady' | 'disagreeing' | 'quiet' | 'new';

export interface DemoTeamSpec {
  readonly name: string;
  readonly surveyId: string;
  readonly trajectory: Trajectory;
  readonly members: number;
  readonly timeZone: string;
}

export const DEMO_WORKSPACE = 'demo-org';
/** The seed `npm start` and `maturity-pulse demo` use unless told otherwise. */
export const DEMO_SEED = 42;

const TEAM_NAMES = ['Payments', 'Checkout', 'Search', 'Identity', 'Mobile', 'Data Platform', 'Notifications', 'Billing', 'Growth', 'Logistics', 'Catalogue', 'Support Tools', 'Risk', 'Pricing', 'Messaging', 'Maps'];
const TRAJECTORIES: readonly Trajectory[] = ['improving', 'slipping', 'steady', 'disagreeing', 'improving', 'steady', 'quiet', 'slipping', 'steady', 'improving', 'disagreeing', 'new'];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Europe/London'];
const COMMENTS = [
  'Getting a new environment still takes two days of back and forth.',
  'The templates helped a lot this quarter.',
  'Nobody seems to own the build cache.',
  'We would use the portal more if the docs were current.',
  'On-call for shared services is unclear to us.',
  'Self-service databases were a big win.',
  'We still learn about platform changes by accident.',
];

export interface DemoOptions {
  readonly seed: number;
  /**
   * The moment the simulated history leads up to. Every date written derives from it and the seed, never
   * from the clock, so the same seed and `now` build the same database row for row.
   */
  readonly now: Date;
  /** Teams to create (at least 12 makes every trajectory appear). */
  readonly teams?: number;
  /** Weekly rounds of history per team. */
  readonly weeks?: number;
  /** Open a live round for a few teams, posted through the outbox. */
  readonly liveRounds?: boolean;
  /** Survey ids to spread teams over, in order; default every loaded survey. */
  readonly surveyIds?: readonly string[];
  /** Override team specs entirely (benchmarks). */
  readonly specs?: readonly DemoTeamSpec[];
  /** Give the organisation targets and the teams next steps (open, done, dropped); default true. */
  readonly targetsAndSteps?: boolean;
}

export interface DemoSummary {
  readonly teams: number;
  readonly rounds: number;
  readonly answers: number;
}

/** A demo team's channel id: its name, lower case, as a channel name (`Data Platform` → `#data-platform`). */
export function demoChannelId(teamName: string): string {
  return `#${teamName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** The demo's standard line-up: named teams cycling through the trajectories and surveys. */
export function demoTeamSpecs(count: number, surveyIds: readonly string[], random: DemoRandom): DemoTeamSpec[] {
  return Array.from({ length: count }, (_, index) => {
    const base = TEAM_NAMES[index % TEAM_NAMES.length] ?? `Team ${index + 1}`;
    const name = index < TEAM_NAMES.length ? base : `${base} ${Math.floor(index / TEAM_NAMES.length) + 1}`;
    const trajectory = TRAJECTORIES[index % TRAJECTORIES.length] ?? 'steady';
    return {
      name,
      // Two teams in three take the first survey: enough of each for a digest section.
      surveyId: surveyIds[index % 3 === 2 ? Math.min(1, surveyIds.length - 1) : 0] ?? '',
      trajectory,
      members: trajectory === 'quiet' ? 4 : random.int(5, 12),
      timeZone: ZONES[index % ZONES.length] ?? 'UTC',
    };
  });
}

/** The level a member of a team leans to in week `week` of `weeks`, for one aspect. */
function intendedLevel(trajectory: Trajectory, progress: number, aspectOffset: number, top: number, random: DemoRandom): number {
  const span = top - 1;
  switch (trajectory) {
    case 'improving':
      return 1.3 + progress * span * 0.6 + aspectOffset;
    case 'slipping':
      return 1 + span * 0.75 - progress * span * 0.45 + aspectOffset;
    case 'disagreeing':
      return random.chance(0.5) ? 1 + aspectOffset * 0.5 : top + aspectOffset * 0.5;
    case 'steady':
    case 'quiet':
    case 'new':
      return 1 + span * 0.5 + aspectOffset;
  }
}

function clampLevel(value: number, top: number): number {
  return Math.min(top, Math.max(1, Math.round(value)));
}

function participation(trajectory: Trajectory): number {
  return trajectory === 'quiet' ? 0.45 : 0.8;
}

/**
 * Fills the database with a simulated organisation: teams that improve, slip, hold steady, disagree or
 * rarely answer, each with weekly closed rounds. Same seed and `now`, same organisation.
 */
export async function seedDemoOrganisation(ctx: ServiceContext, options: DemoOptions): Promise<DemoSummary> {
  const random = new DemoRandom(options.seed);
  const weeks = options.weeks ?? 26;
  const surveyIds = options.surveyIds ?? [...ctx.surveys.keys()].sort();
  const specs = options.specs ?? demoTeamSpecs(options.teams ?? 14, surveyIds, random);
  let rounds = 0;
  let answers = 0;
  const created: Team[] = [];
  await ctx.store.transaction(async (tx) => {
    for (const spec of specs) {
      const loaded = ctx.surveys.get(spec.surveyId);
      if (!loaded) continue;
      const survey = loaded.survey;
      const startOfThisWeek = DateTime.fromJSDate(options.now, { zone: spec.timeZone }).startOf('week');
      const result = await tx.insertTeam({
        name: spec.name,
        channel: { platform: 'demo', workspaceId: DEMO_WORKSPACE, channelId: demoChannelId(spec.name) },
        surveyId: spec.surveyId,
        cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: spec.timeZone, roundLengthHours: 96, anchorWeek: isoWeekKey(startOfThisWeek.minus({ weeks })) },
        isDemo: true,
        createdAt: startOfThisWeek.minus({ weeks }).toJSDate(),
      });
      if (result.kind !== 'created') continue;
      const team = result.team;
      created.push(team);
      // A channel also holds people who never answer; derived, not drawn, so the seeded answers stay the same.
      await tx.setTeamMemberCount(team.channel, spec.members + (spec.members % 3));
      const aspectOffsets = new Map(survey.aspects.map((aspect, index) => [aspect.id, index === survey.aspects.length - 1 ? -0.6 : random.normal(0, 0.3)]));
      const history: AskedQuestion[] = [];
      const teamWeeks = spec.trajectory === 'new' ? 2 : weeks;
      for (let week = 0; week < teamWeeks; week += 1) {
        const weekStart = startOfThisWeek.minus({ weeks: teamWeeks - week });
        const openedAt = weekStart.set({ hour: 10 }).toJSDate();
        const outcome = await seedRound(ctx, tx, team, survey, loaded.contentHash, history, { openedAt, periodKey: isoWeekKey(weekStart), progress: week / Math.max(1, teamWeeks - 1) }, spec, aspectOffsets, random);
        rounds += 1;
        answers += outcome;
      }
      if ((options.targetsAndSteps ?? true) && spec.trajectory !== 'new') await seedSteps(tx, team, survey, spec, created.length - 1, options.now, random);
    }
    if (options.targetsAndSteps ?? true) await seedTargets(tx, created, ctx, options.now);
  });
  // The simulated history covers the weeks before this one; the schedule takes over from next week.
  for (const team of created) await ctx.store.setNextRoundCheck(team.id, nextPeriod(team.cadence, periodAt(team.cadence, options.now)).opensAt);
  if (options.liveRounds ?? true) {
    for (const team of created.slice(0, 3)) {
      // Open at this period's scheduled time when that round would still be running, else now.
      const opensAt = periodAt(team.cadence, options.now).opensAt;
      const running = opensAt.getTime() <= options.now.getTime() && closeTimeFor(team.cadence, opensAt).getTime() > options.now.getTime() + 60 * 60 * 1000;
      await openRound(ctx, team, { origin: 'scheduled', at: running ? opensAt : options.now });
    }
  }
  return { teams: created.length, rounds, answers };
}

const DAY_MS = 86_400_000;

/**
 * The loop a newcomer should see: an organisation target on one aspect per survey, one team with its own
 * target and reason, and per team a step done weeks ago (its aspect's level then and now), an open one
 * with an owner who accepted, and on slipping teams one dropped.
 */
async function seedTargets(tx: Store, teams: readonly Team[], ctx: ServiceContext, now: Date): Promise<void> {
  for (const surveyId of new Set(teams.map((team) => team.surveyId))) {
    const survey = ctx.surveys.get(surveyId)?.survey;
    const interfaces = survey?.aspects.find((aspect) => aspect.id === 'interfaces') ?? survey?.aspects[0];
    if (!survey || !interfaces) continue;
    await tx.setTarget({ surveyId, aspectId: interfaces.id, teamId: null, level: Math.min(3, survey.levels.length), reason: null, setAt: new Date(now.getTime() - 60 * DAY_MS) });
  }
  const first = teams[0];
  const firstSurvey = first ? ctx.surveys.get(first.surveyId)?.survey : undefined;
  const investment = firstSurvey?.aspects[0];
  if (first && firstSurvey && investment) {
    await tx.setTarget({ surveyId: first.surveyId, aspectId: investment.id, teamId: first.id, level: firstSurvey.levels.length, reason: 'We run payments for banks: audits expect it', setAt: new Date(now.getTime() - 30 * DAY_MS) });
  }
}

async function seedSteps(tx: Store, team: Team, survey: Survey, spec: DemoTeamSpec, index: number, now: Date, random: DemoRandom): Promise<void> {
  const at = (days: number) => new Date(now.getTime() + days * DAY_MS);
  const owner = { platform: 'demo' as const, workspaceId: DEMO_WORKSPACE, userId: `${team.channel.channelId}-member-2` };
  const ownerName = `Alex (${team.name})`;
  const aspects = survey.aspects;
  const doneAspect = aspects[index % aspects.length];
  const openAspect = aspects[(index + 2) % aspects.length];
  if (!doneAspect || !openAspect) return;
  const suggestion = (aspectId: string, level: number) => survey.aspects.find((aspect) => aspect.id === aspectId)?.levels[level - 1]?.suggestions[random.int(0, 2)] ?? null;
  const done = suggestion(doneAspect.id, 1);
  if (done) {
    const step = await tx.insertStep({ teamId: team.id, surveyId: survey.id, aspectId: doneAspect.id, suggestionId: done.id, text: done.text, owner, ownerName, ownerStatus: 'accepted', adoptedAt: at(-112), dueAt: at(-70) });
    await tx.updateStep(step.id, { status: 'done', closedAt: at(-66), lastCheckInAt: at(-70) });
  }
  const open = suggestion(openAspect.id, 2);
  if (open) await tx.insertStep({ teamId: team.id, surveyId: survey.id, aspectId: openAspect.id, suggestionId: open.id, text: open.text, owner: index % 2 === 0 ? owner : null, ownerName: index % 2 === 0 ? ownerName : null, ownerStatus: index % 2 === 0 ? 'accepted' : null, adoptedAt: at(-20), dueAt: at(22) });
  if (spec.trajectory === 'slipping') {
    const dropped = await tx.insertStep({ teamId: team.id, surveyId: survey.id, aspectId: openAspect.id, suggestionId: null, text: 'Run a monthly platform office hour', owner: null, ownerName: null, ownerStatus: null, adoptedAt: at(-60), dueAt: at(-18) });
    await tx.updateStep(dropped.id, { status: 'dropped', closedAt: at(-15), lastCheckInAt: at(-18) });
  }
}

async function seedRound(
  ctx: ServiceContext,
  tx: Store,
  team: Team,
  survey: Survey,
  surveyHash: string,
  history: AskedQuestion[],
  when: { openedAt: Date; periodKey: string; progress: number },
  spec: DemoTeamSpec,
  aspectOffsets: ReadonlyMap<string, number>,
  random: DemoRandom,
): Promise<number> {
  const choice = chooseQuestion(survey, history);
  if (choice.kind !== 'chosen') return 0;
  history.push({ aspectId: choice.aspect.id, questionId: choice.question.id, openedAt: when.openedAt });
  const inserted = await tx.insertRound({
    teamId: team.id,
    surveyId: survey.id,
    surveyHash,
    question: snapshotQuestion(survey, choice.aspect, choice.question),
    periodKey: when.periodKey,
    origin: 'scheduled',
    openedAt: when.openedAt,
    closesAt: closeTimeFor(team.cadence, when.openedAt),
  });
  if (inserted.kind !== 'opened') return 0;
  const round = inserted.round;
  const top = survey.levels.length;
  let count = 0;
  for (let member = 1; member <= spec.members; member += 1) {
    if (!random.chance(participation(spec.trajectory))) continue;
    const key = respondentKey(ctx.respondentSecret, { platform: 'demo', workspaceId: DEMO_WORKSPACE, userId: `${team.channel.channelId}-member-${member}` });
    const unsure = random.chance(0.06);
    const level = unsure ? null : clampLevel(random.normal(intendedLevel(spec.trajectory, when.progress, aspectOffsets.get(choice.aspect.id) ?? 0, top, random), 0.55), top);
    const at = new Date(when.openedAt.getTime() + random.int(5, 90 * 60) * 60_000);
    await tx.upsertAnswer({ roundId: round.id, respondentKey: key, optionId: level === null ? 'unknown' : String(level), level, at });
    if (random.chance(0.08)) await tx.upsertComment({ roundId: round.id, respondentKey: key, text: random.pick(COMMENTS), at });
    count += 1;
  }
  await tx.closeRound(round.id, round.closesAt);
  return count;
}
