import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSurveyDirectory, loadSurveyFile, MAX_SURVEY_FILE_BYTES } from '../src/survey-files/load-surveys.js';
import { formatProblem, parseSurveyText } from '../src/survey-files/parse-survey.js';
import { writeHostileSurveyDirectory } from './support/hostile-survey-files.js';
import { SURVEYS } from './support/processes.js';
import { tempDir } from './support/test-context.js';

let dir: string;
let cleanup: () => void;
const cncf = readFileSync(path.join(SURVEYS, 'cncf-platform-maturity.yaml'), 'utf8');

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mp-survey-files-'));
  writeHostileSurveyDirectory(dir);
});
afterAll(() => cleanup());

describe('survey files that would exhaust memory', () => {
  it('loads the good survey and reports the alias bomb and the oversized file as problems of those files', async () => {
    const catalogue = await loadSurveyDirectory(dir);
    expect([...catalogue.surveys.keys()]).toEqual(['cncf-platform-maturity']);
    expect(catalogue.problems).toEqual([
      { file: path.join(dir, 'b-bomb.yaml'), line: 1, path: '', message: expect.stringMatching(/^uses too many YAML aliases/) },
      { file: path.join(dir, 'c-huge.yml'), line: 1, path: '', message: 'is larger than 1 MB (1.5 MB), the limit for a survey file' },
    ]);
    expect(catalogue.problems.map(formatProblem)[0]).toMatch(/b-bomb\.yaml:1 uses too many YAML aliases: expanding them would pass the limit of 100 /);
  });

  it('draws the size line at exactly 1 MB', async () => {
    const justOver = path.join(dir, 'just-over.txt');
    writeFileSync(justOver, `id: x\n#${' '.repeat(MAX_SURVEY_FILE_BYTES)}`);
    expect((await loadSurveyFile(justOver, 'just-over.yaml')).problems).toEqual([{ file: 'just-over.yaml', line: 1, path: '', message: 'is larger than 1 MB (1.1 MB), the limit for a survey file' }]);
    const atLimit = path.join(dir, 'at-limit.txt');
    writeFileSync(atLimit, `${cncf}#${' '.repeat(MAX_SURVEY_FILE_BYTES - Buffer.byteLength(cncf) - 1)}`);
    expect((await loadSurveyFile(atLimit)).loaded?.survey.id).toBe('cncf-platform-maturity');
  });

  it('still accepts a survey that reuses an anchor', () => {
    const text = cncf.replace('title: CNCF platform engineering maturity', 'title: &title CNCF platform engineering maturity').replace(/^description: .*$/m, 'description: *title');
    const result = parseSurveyText(text, 'anchors.yaml');
    expect(result.ok && result.loaded.survey.description).toBe('CNCF platform engineering maturity');
  });
});
