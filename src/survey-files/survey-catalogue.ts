import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedSurvey } from '../core/survey.js';
import { loadSurveyDirectory, type SurveyCatalogue } from './load-surveys.js';
import type { SurveyProblem } from './parse-survey.js';
import { shippedSurveysDir } from './shipped-surveys.js';

/** Where a loaded survey came from: the package itself, or the organisation's own surveys directory. */
export type SurveyOrigin = 'shipped' | 'own';

export interface CombinedSurveyCatalogue {
  /** Shipped surveys first, then the organisation's own, each in file-name order. */
  readonly surveys: ReadonlyMap<string, LoadedSurvey>;
  readonly origins: ReadonlyMap<string, SurveyOrigin>;
  /** Files that were skipped, with every problem found in them; an id clash is a problem of the clashing file. */
  readonly problems: readonly SurveyProblem[];
  readonly shippedDir: string;
  /** The organisation's directory as configured (SURVEYS_DIR or --surveys); null when unset. */
  readonly ownDir: string | null;
  /** The configured directory is the shipped one itself, so its surveys were loaded once, as shipped. */
  readonly ownDirIsShipped: boolean;
}

/** The real path, so a symbolic link or a `..` detour to the shipped folder is recognised as that folder. */
async function canonical(dir: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** Whether two paths name the same file or directory once links are followed. */
export async function isSamePath(a: string, b: string): Promise<boolean> {
  return (await canonical(a)) === (await canonical(b));
}

/**
 * The problem of a file whose survey takes the id of a shipped survey, or null when it does not (or when
 * it is that shipped file itself).
 *
 * The shipped survey always wins: teams and their stored rounds refer to a survey by its id, so a local
 * file taking a shipped id would silently change the questions and levels behind every round already
 * recorded under it, and would swap them again whenever the file or the package changes. A survey of
 * the organisation's own needs an id of its own.
 */
export async function shippedIdClash(loaded: LoadedSurvey, file: string, idLine: number, shipped: SurveyCatalogue): Promise<SurveyProblem | null> {
  const taken = shipped.surveys.get(loaded.survey.id);
  if (!taken || (await isSamePath(file, taken.source))) return null;
  const shippedName = path.basename(taken.source);
  const advice = taken.contentHash === loaded.contentHash ? 'This file is an unchanged copy of it: delete the copy.' : 'Give this survey an id of its own to use it alongside.';
  return {
    file,
    line: idLine,
    path: 'id',
    message: `survey id "${loaded.survey.id}" is taken by a survey shipped with maturity-pulse (${shippedName}); the shipped survey always wins, so this file is skipped. ${advice}`,
  };
}

/**
 * Loads the surveys shipped in the package, then the organisation's own directory on top of them.
 * A file there that is broken, or whose id is already taken, is reported and skipped; everything else
 * still loads. A configured directory that is the shipped folder itself is not loaded a second time.
 */
export async function loadSurveyCatalogue(ownDir: string | null, shippedDir: string = shippedSurveysDir()): Promise<CombinedSurveyCatalogue> {
  const shipped = await loadSurveyDirectory(shippedDir);
  const surveys = new Map<string, LoadedSurvey>(shipped.surveys);
  const origins = new Map<string, SurveyOrigin>([...shipped.surveys.keys()].map((id) => [id, 'shipped']));
  const problems: SurveyProblem[] = [...shipped.problems];
  const ownDirIsShipped = ownDir !== null && (await isSamePath(ownDir, shippedDir));
  if (ownDir !== null && !ownDirIsShipped) {
    const own = await loadSurveyDirectory(ownDir);
    const ownProblems = [...own.problems];
    for (const [id, loaded] of own.surveys) {
      if (shipped.surveys.has(id)) {
        // Null only for a link to the shipped file itself, which is already loaded (as shipped).
        const clash = await shippedIdClash(loaded, loaded.source, own.idLines.get(id) ?? 1, shipped);
        if (clash) ownProblems.push(clash);
        continue;
      }
      surveys.set(id, loaded);
      origins.set(id, 'own');
    }
    // In file order, as the directory's own problems are (Array.prototype.sort is stable).
    problems.push(...ownProblems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)));
  }
  return { surveys, origins, problems, shippedDir, ownDir, ownDirIsShipped };
}
