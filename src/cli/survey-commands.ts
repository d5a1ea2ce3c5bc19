import path from 'node:path';
import type { Command } from 'commander';
import { UserFacingError } from '../core/errors.js';
import { loadSurveyDirectory, loadSurveyFile } from '../survey-files/load-surveys.js';
import { formatProblem } from '../survey-files/parse-survey.js';
import { shippedSurveysDir } from '../survey-files/shipped-surveys.js';
import { loadSurveyCatalogue, shippedIdClash } from '../survey-files/survey-catalogue.js';
import { configFrom, type GlobalOptions } from './cli-context.js';
import { print } from './output.js';

export function registerSurveyCommands(program: Command, globals: () => GlobalOptions): void {
  const survey = program.command('survey').description('check and list survey files');

  survey
    .command('validate')
    .description('check survey files as they would load from SURVEYS_DIR: every problem with file, line and path, including an id a shipped survey already has')
    .argument('<files...>', 'survey YAML files')
    .action(async (files: string[]) => {
      const shipped = await loadSurveyDirectory(shippedSurveysDir());
      let problems = 0;
      for (const file of files) {
        const label = path.relative(process.cwd(), path.resolve(file)) || file;
        const result = await loadSurveyFile(file, label);
        const clash = result.loaded ? await shippedIdClash(result.loaded, file, result.idLine, shipped) : null;
        const fileProblems = clash ? [...result.problems, { ...clash, file: label }] : result.problems;
        if (result.loaded && !clash) {
          const { survey: s } = result.loaded;
          print(`${label}: valid (${s.aspects.length} aspects, ${s.aspects.reduce((sum, aspect) => sum + aspect.questions.length, 0)} questions, ${s.levels.length} levels)`);
          if (result.legacySuggestions > 0) {
            print(`${label}: note: ${result.legacySuggestions} suggestion${result.legacySuggestions === 1 ? ' has' : 's have'} no id and use${result.legacySuggestions === 1 ? 's' : ''} its position (<aspect>-<level>-<n>); write each as "- id: … / text: …" so steps a team adopted keep their link when you reorder or reword (docs/survey-format.md)`);
          }
        }
        for (const problem of fileProblems) process.stderr.write(`${formatProblem(problem)}\n`);
        problems += fileProblems.length;
      }
      if (problems > 0) throw new UserFacingError('invalid-input', `${problems} problem${problems === 1 ? '' : 's'} found.`);
    });

  survey
    .command('list')
    .description('list the surveys shipped with maturity-pulse and those SURVEYS_DIR (or --surveys) adds, each with where it comes from; skipped files are named on stderr')
    .action(async () => {
      const config = configFrom(globals());
      const catalogue = await loadSurveyCatalogue(config.surveysDir);
      for (const { survey: s, source } of catalogue.surveys.values()) {
        const origin = catalogue.origins.get(s.id) === 'shipped' ? 'shipped' : 'SURVEYS_DIR';
        print(`${s.id}  ${s.title} · ${s.aspects.length} aspects × ${s.levels.length} levels (${s.levels.map((level) => level.name).join(', ')}) · ${origin}: ${source}`);
      }
      if (catalogue.ownDirIsShipped) process.stderr.write(`note: ${catalogue.ownDir ?? ''} is the shipped surveys directory itself, so its surveys are listed once, as shipped.\n`);
      for (const problem of catalogue.problems) process.stderr.write(`skipped: ${formatProblem(problem)}\n`);
      if (catalogue.surveys.size === 0) {
        throw new UserFacingError('unknown-survey', `No valid survey: none in the shipped ${catalogue.shippedDir}${catalogue.ownDir === null ? '' : ` nor in ${catalogue.ownDir}`}.`);
      }
    });
}
