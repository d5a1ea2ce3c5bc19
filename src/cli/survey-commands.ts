import path from 'node:path';
import type { Command } from 'commander';
import { UserFacingError } from '../core/errors.js';
import { loadSurveyDirectory, loadSurveyFile } from '../survey-files/load-surveys.js';
import { formatProblem } from '../survey-files/parse-survey.js';
import { configFrom, type GlobalOptions } from './cli-context.js';
import { print } from './output.js';

export function registerSurveyCommands(program: Command, globals: () => GlobalOptions): void {
  const survey = program.command('survey').description('check and list survey files');

  survey
    .command('validate')
    .description('check survey files and report every problem with file, line and path')
    .argument('<files...>', 'survey YAML files')
    .action(async (files: string[]) => {
      let problems = 0;
      for (const file of files) {
        const label = path.relative(process.cwd(), path.resolve(file)) || file;
        const result = await loadSurveyFile(file, label);
        if (result.loaded) {
          const { survey: s } = result.loaded;
          print(`${label}: valid (${s.aspects.length} aspects, ${s.aspects.reduce((sum, aspect) => sum + aspect.questions.length, 0)} questions, ${s.levels.length} levels)`);
        }
        for (const problem of result.problems) process.stderr.write(`${formatProblem(problem)}\n`);
        problems += result.problems.length;
      }
      if (problems > 0) throw new UserFacingError('invalid-input', `${problems} problem${problems === 1 ? '' : 's'} found.`);
    });

  survey
    .command('list')
    .description('list the surveys in the surveys directory')
    .action(async () => {
      const config = configFrom(globals());
      const catalogue = await loadSurveyDirectory(config.surveysDir);
      for (const { survey: s, source } of catalogue.surveys.values()) {
        print(`${s.id}  ${s.title} · ${s.aspects.length} aspects × ${s.levels.length} levels (${s.levels.map((level) => level.name).join(', ')}) · ${source}`);
      }
      for (const problem of catalogue.problems) process.stderr.write(`skipped: ${formatProblem(problem)}\n`);
      if (catalogue.surveys.size === 0) throw new UserFacingError('unknown-survey', `No valid survey in ${config.surveysDir}.`);
    });
}
