import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedSurvey } from '../core/survey.js';
import { parseSurveyText, type SurveyProblem } from './parse-survey.js';

export interface SurveyCatalogue {
  readonly surveys: ReadonlyMap<string, LoadedSurvey>;
  /** Files that were skipped, with every problem found in them. */
  readonly problems: readonly SurveyProblem[];
}

const SURVEY_FILE = /\.ya?ml$/i;

export async function loadSurveyFile(file: string, label = file): Promise<{ loaded: LoadedSurvey | null; problems: readonly SurveyProblem[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read';
    return { loaded: null, problems: [{ file: label, line: 1, path: '', message: `${reason}` }] };
  }
  const result = parseSurveyText(text, label);
  return result.ok ? { loaded: result.loaded, problems: [] } : { loaded: null, problems: result.problems };
}

/**
 * Loads every YAML file in `dir`. A broken file, or a second file claiming an id already taken, is
 * reported and skipped; the others still load.
 */
export async function loadSurveyDirectory(dir: string): Promise<SurveyCatalogue> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => SURVEY_FILE.test(name)).sort();
  } catch {
    return { surveys: new Map(), problems: [{ file: dir, line: 1, path: '', message: 'the surveys directory cannot be read' }] };
  }
  const surveys = new Map<string, LoadedSurvey>();
  const problems: SurveyProblem[] = [];
  for (const name of names) {
    const label = path.join(dir, name);
    const { loaded, problems: fileProblems } = await loadSurveyFile(label);
    problems.push(...fileProblems);
    if (!loaded) continue;
    const taken = surveys.get(loaded.survey.id);
    if (taken) {
      problems.push({ file: label, line: 1, path: 'id', message: `survey id "${loaded.survey.id}" is already used by ${taken.source}; this file is skipped` });
      continue;
    }
    surveys.set(loaded.survey.id, loaded);
  }
  return { surveys, problems };
}
