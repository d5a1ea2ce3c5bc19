import type { Command } from 'commander';
import { formatTime } from '../adapters/text/format.js';
import { UserFacingError } from '../core/errors.js';
import { closeOpenRound, openRound } from '../services/round-service.js';
import { requireTeam } from '../services/team-service.js';
import { withContext, type GlobalOptions } from './cli-context.js';
import { print } from './output.js';

export function registerRoundCommands(program: Command, globals: () => GlobalOptions): void {
  const round = program.command('round').description('open or close a round now (the running bot posts it)');

  round
    .command('open')
    .description("open a round for a team now; it fills this period's slot")
    .requiredOption('--team <name>', 'team name')
    .option('--aspect <id>', 'ask about this aspect (default: the least recently asked)')
    .action(async (options: { team: string; aspect?: string }) => {
      await withContext(globals(), {}, async (ctx) => {
        const team = await requireTeam(ctx, options.team);
        const result = await openRound(ctx, team, { origin: 'ad-hoc', ...(options.aspect === undefined ? {} : { aspectId: options.aspect }) });
        const zone = team.cadence.timeZone;
        switch (result.kind) {
          case 'opened':
            print(`Opened a round for ${team.name} on ${result.round.question.aspectName}: "${result.round.question.prompt}" It closes ${formatTime(result.round.closesAt, zone)}; the running bot posts it within a minute.`);
            return;
          case 'already-open':
            throw new UserFacingError('conflict', `${team.name} already has a round open on ${result.round.question.aspectName} until ${formatTime(result.round.closesAt, zone)}; close it first with "round close --team ${team.name}".`);
          case 'period-taken':
            throw new UserFacingError('conflict', `${team.name} already had its round this period (${result.round.periodKey}); the next one can open from ${formatTime(result.nextOpensAt, zone)}.`);
          case 'unknown-aspect':
            throw new UserFacingError('unknown-aspect', `The survey of ${team.name} has no aspect "${result.aspectId}". Aspects: ${result.known.join(', ')}.`);
          case 'survey-missing':
            throw new UserFacingError('unknown-survey', `${team.name} uses the survey "${result.surveyId}", which is not in the surveys directory.`);
        }
      });
    });

  round
    .command('close')
    .description("close a team's open round now")
    .requiredOption('--team <name>', 'team name')
    .action(async (options: { team: string }) => {
      await withContext(globals(), {}, async (ctx) => {
        const team = await requireTeam(ctx, options.team);
        const result = await closeOpenRound(ctx, team);
        if (result.kind === 'none-open') throw new UserFacingError('conflict', `${team.name} has no open round to close.`);
        print(`Closed the round of ${team.name} on ${result.round.question.aspectName} with ${result.round.tally?.respondents ?? 0} answered; the running bot posts the result.`);
      });
    });
}
