import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { chartInput, digestCsv } from '../core/digest-files.js';
import { formatTime } from '../adapters/text/format.js';
import { renderDigestText } from '../adapters/text/render-digest.js';
import { renderReportText } from '../adapters/text/render-report.js';
import { UserFacingError } from '../core/errors.js';
import { WEEKDAYS, type Team } from '../core/team.js';
import { orgDigest, teamReport } from '../services/report-service.js';
import { deleteTeamByName, requireTeam } from '../services/team-service.js';
import { operator, withContext, type GlobalOptions } from './cli-context.js';
import { print, printJson, type OutputFormat } from './output.js';

async function writeOutput(file: string, content: string | Buffer): Promise<void> {
  try {
    await writeFile(file, content);
  } catch (error) {
    throw new UserFacingError('invalid-input', `Cannot write ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its directory does not exist' : error instanceof Error ? error.message : String(error)}.`);
  }
}

const formatOption = () => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');

function cadenceText(team: Team): string {
  const c = team.cadence;
  const day = WEEKDAYS[c.weekday - 1] ?? `day ${c.weekday}`;
  return `${c.everyWeeks === 1 ? 'weekly' : 'every two weeks'} on ${day} at ${c.localTime} ${c.timeZone}, open ${c.roundLengthHours} h`;
}

export function registerTeamCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('teams')
    .description('the teams set up so far')
    .command('list')
    .description('list teams with their survey, channel, cadence, pause and open round')
    .addOption(formatOption())
    .action(async (options: { format: OutputFormat }) => {
      await withContext(globals(), {}, async (ctx) => {
        const teams = await ctx.store.listTeams();
        if (options.format === 'json') {
          const rows = [];
          for (const team of teams) rows.push({ ...team, openRound: (await ctx.store.findOpenRound(team.id))?.id ?? null });
          printJson(rows);
          return;
        }
        if (teams.length === 0) print('No teams yet: teams are created with /maturity setup in their channel.');
        for (const team of teams) {
          const open = await ctx.store.findOpenRound(team.id);
          const paused = team.pausedUntil ? ` · paused until ${team.pausedUntil}` : '';
          const running = open ? ` · round open until ${formatTime(open.closesAt, team.cadence.timeZone)}` : '';
          print(`${team.name} · ${team.surveyId} · ${team.channel.platform} ${team.channel.channelId} · ${cadenceText(team)}${paused}${running}`);
        }
      });
    });

  program
    .command('report')
    .description("a team's report: level, trend and next steps per aspect")
    .requiredOption('--team <name>', 'team name (case does not matter)')
    .option('--aspect <id>', 'one aspect only')
    .addOption(formatOption())
    .action(async (options: { team: string; aspect?: string; format: OutputFormat }) => {
      await withContext(globals(), {}, async (ctx) => {
        const team = await requireTeam(ctx, options.team);
        const result = await teamReport(ctx, team, { withComments: false, ...(options.aspect === undefined ? {} : { aspectId: options.aspect }) });
        if (result.kind === 'survey-missing') throw new UserFacingError('unknown-survey', `${team.name} uses the survey "${result.surveyId}", which is not in the surveys directory.`);
        if (result.kind === 'unknown-aspect') throw new UserFacingError('unknown-aspect', `The survey of ${team.name} has no aspect "${result.aspectId}". Aspects: ${result.known.join(', ')}.`);
        if (options.format === 'json') printJson(result.report);
        else print(renderReportText(result.report));
      });
    });

  program
    .command('digest')
    .description('the weekly digest across teams')
    .option('--preview', 'show the digest as it would be posted now')
    .option('--out <file.png>', 'also write the chart (one PNG per survey) to this file')
    .option('--csv <file.csv>', 'also write the full team × aspect table')
    .addOption(formatOption())
    .action(async (options: { preview?: boolean; out?: string; csv?: string; format: OutputFormat }) => {
      if (!options.preview) throw new UserFacingError('invalid-input', 'The running bot posts digests to subscribed channels; add --preview to see the coming one here.');
      await withContext(globals(), {}, async (ctx) => {
        const digest = await orgDigest(ctx);
        if (options.format === 'json') printJson(digest);
        else print(renderDigestText(digest));
        if (options.csv) await writeOutput(options.csv, digestCsv(digest));
        if (options.out) {
          if (digest.sections.length === 0) throw new UserFacingError('invalid-input', 'There is nothing to chart yet: no team has results.');
          for (const [index, section] of digest.sections.entries()) {
            const file = index === 0 || digest.sections.length === 1 ? options.out : options.out.replace(/(\.png)?$/i, `-${section.surveyId}.png`);
            // vega and resvg load only when a chart is asked for.
            const { renderChartPng } = await import('../adapters/charts/render-chart.js');
            await writeOutput(file, await renderChartPng(chartInput(section)));
            process.stderr.write(`Wrote the chart of ${section.surveyTitle} to ${file}\n`);
          }
        }
      });
    });

  const team = program.command('team').description('manage a team');
  team
    .command('delete')
    .description("erase a team and all of its rounds, answers and comments")
    .argument('<name>', 'team name')
    .option('--yes', 'confirm the deletion')
    .action(async (name: string, options: { yes?: boolean }) => {
      await withContext(globals(), {}, async (ctx) => {
        const found = await requireTeam(ctx, name);
        if (!options.yes) {
          throw new UserFacingError('invalid-input', `This erases ${found.name} with all its rounds, answers and comments. Run again with --yes to confirm.`);
        }
        const deleted = await deleteTeamByName(ctx, operator(), name);
        print(`Deleted ${deleted.name} and everything recorded for it.`);
      });
    });
}
