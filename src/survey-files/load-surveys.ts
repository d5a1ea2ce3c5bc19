import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedSurvey } from '../core/survey.js';
import { parseSurveyText, type SurveyProblem } from './parse-survey.js';

export interface SurveyCatalogue {
  readonly surveys: ReadonlyMap<string, LoadedSurvey>;
  /** Files that were skipped, with every problem found in them. */
  readonly problems: readonly SurveyProblem[];
  /** The line of each loaded survey's `id` key, by survey id: where a clash with another file points. */
  readonly idLines: ReadonlyMap<string, number>;
}

const SURVEY_FILE = /\.ya?ml$/i;
/** Survey files are read whole and parsed in memory; real ones are a few tens of kilobytes. */
export const MAX_SURVEY_FILE_BYTES = 1024 * 1024;

// Rounded up, so a file just over the limit never reads as "1.0 MB".
const megabytes = (bytes: number): string => `${(Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toFixed(1)} MB`;

/** The file's text, or why it is not read: checked with `stat` first, so a huge file or a pipe is never opened. */
async function readSurveyText(file: string): Promise<{ readonly text: string } | { readonly problem: string }> {
  try {
    const stats = await stat(file);
    if (!stats.isFile()) return { problem: 'is not a regular file' };
    if (stats.size > MAX_SURVEY_FILE_BYTES) return { problem: `is larger than 1 MB (${megabytes(stats.size)}), the limit for a survey file` };
    return { text: await readFile(file, 'utf8') };
  } catch (error) {
    return { problem: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read' };
  }
}

/** Reads, parses and validates one survey file; every failure comes back as problems, never as a rejection. */
export async function loadSurveyFile(file: string, label = file): Promise<{ loaded: LoadedSurvey | null; problems: readonly SurveyProblem[]; idLine: number; legacySuggestions: number }> {
  const read = await readSurveyText(file);
  if ('problem' in read) return { loaded: null, problems: [{ file: label, line: 1, path: '', message: read.problem }], idLine: 1, legacySuggestions: 0 };
  let result: ReturnType<typeof parseSurveyText>;
  try {
    result = parseSurveyText(read.text, label);
  } catch (error) {
    // The yaml parser reports what it recognises; anything else it throws must still skip only this file.
    return { loaded: null, problems: [{ file: label, line: 1, path: '', message: `cannot be parsed: ${error instanceof Error ? error.message : String(error)}` }], idLine: 1, legacySuggestions: 0 };
  }
  return result.ok ? { loaded: result.loaded, problems: [], idLine: result.idLine, legacySuggestions: result.legacySuggestions } : { loaded: null, problems: result.problems, idLine: 1, legacySuggestions: 0 };
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
    return { surveys: new Map(), problems: [{ file: dir, line: 1, path: '', message: 'the surveys directory cannot be read' }], idLines: new Map() };
  }
  const surveys = new Map<string, LoadedSurvey>();
  const idLines = new Map<string, number>();
  const problems: SurveyProblem[] = [];
  for (const name of names) {
    const label = path.join(dir, name);
    const { loaded, problems: fileProblems, idLine } = await loadSurveyFile(label);
    problems.push(...fileProblems);
    if (!loaded) continue;
    const taken = surveys.get(loaded.survey.id);
    if (taken) {
      problems.push({ file: label, line: idLine, path: 'id', message: `survey id "${loaded.survey.id}" is already used by ${taken.source}; this file is skipped` });
      continue;
    }
    surveys.set(loaded.survey.id, loaded);
    idLines.set(loaded.survey.id, idLine);
  }
  return { surveys, problems, idLines };
}
