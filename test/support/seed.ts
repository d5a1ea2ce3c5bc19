import type { ChannelRef, Origin } from '../../src/core/platform.js';
import type { Team } from '../../src/core/team.js';
import type { ServiceContext } from '../../src/services/context.js';
import { recordAnswer } from '../../src/services/round-service.js';
import { setupTeam } from '../../src/services/team-service.js';
import { findRound } from '../../src/storage/round-repository.js';
import { findTeamById } from '../../src/storage/team-repository.js';

export const CLI_ACTOR = { platform: 'cli', workspaceId: 'test-host', userId: 'tester' };

let channelCounter = 0;

/** Sets a team up through the real setup use case. */
export function setUpTeam(ctx: ServiceContext, name: string, overrides: { surveyId?: string; timeZone?: string; channel?: ChannelRef } = {}): Team {
  channelCounter += 1;
  const result = setupTeam(ctx, CLI_ACTOR, {
    name,
    channel: overrides.channel ?? { platform: 'slack', workspaceId: 'T1', channelId: `C${channelCounter}` },
    surveyId: overrides.surveyId ?? [...ctx.surveys.keys()][0] ?? '',
    cadence: { everyWeeks: 1, weekday: 1, localTime: '10:00', timeZone: overrides.timeZone ?? 'Europe/Berlin', roundLengthHours: 96 },
  });
  if (result.kind !== 'created') throw new Error(`setup failed: ${JSON.stringify(result)}`);
  return result.team;
}

/** Where a click on the round's own message comes from: its team's channel. */
export function roundOrigin(ctx: ServiceContext, roundId: number): Origin {
  const round = findRound(ctx.db, roundId);
  const team = round ? findTeamById(ctx.db, round.teamId) : null;
  if (!team) throw new Error(`no team for round ${roundId}`);
  return { channel: team.channel, organisationId: team.organisationId };
}

/** Answers a round as users U1, U2, … with the given option ids. */
export function answerAs(ctx: ServiceContext, roundId: number, optionIds: readonly string[], workspaceId = 'T1'): void {
  optionIds.forEach((optionId, index) => {
    const outcome = recordAnswer(ctx, { platform: 'slack', workspaceId, userId: `U${index + 1}` }, roundId, optionId, roundOrigin(ctx, roundId));
    if (outcome.kind !== 'recorded') throw new Error(`answer not recorded: ${outcome.kind}`);
  });
}
