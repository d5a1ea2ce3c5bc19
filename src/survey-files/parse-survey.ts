import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { legacySuggestionCount, SurveySchema, type LoadedSurvey, type Survey } from '../core/survey.js';

/** One problem in a survey file, located precisely enough to fix without searching. */
export interface SurveyProblem {
  readonly file: string;
  readonly line: number;
  /** Dotted path such as `aspects[2].questions[0].options`, or empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/**
 * How far aliases may expand (yaml's own `maxAliasCount`, its default made explicit): a survey reuses an
 * anchor a few times at most, while a "billion laughs" file nests aliases to expand a few lines into
 * millions of nodes.
 */
export const MAX_ALIAS_COUNT = 100;

export type SurveyParseResult =
  | {
      readonly ok: true;
      readonly loaded: LoadedSurvey;
      /** The line of the file's `id` key, where a problem with the id as a whole (a clash) points. */
      readonly idLine: number;
      /** Suggestions written as plain strings, whose ids come from their position (see `core/survey.ts`). */
      readonly legacySuggestions: number;
    }
  | { readonly ok: false; readonly problems: readonly SurveyProblem[] };

export function formatProblem(problem: SurveyProblem): string {
  return `${problem.file}:${problem.line} ${problem.path === '' ? '' : `${problem.path}: `}${problem.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

/** The line of the deepest YAML node that exists along `path`: a key's own line for mapping values. */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number {
  for (let depth = path.length; depth > 0; depth -= 1) {
    const parent: unknown = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true);
    const segment = path[depth - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === segment);
      if (pair && isScalar(pair.key) && pair.key.range) return lineCounter.linePos(pair.key.range[0]).line;
      if (parent.range) return lineCounter.linePos(parent.range[0]).line;
    }
    if (isSeq(parent) && typeof segment === 'number') {
      const item: unknown = parent.items[segment];
      if ((isScalar(item) || isMap(item) || isSeq(item)) && item.range) return lineCounter.linePos(item.range[0]).line;
      if (parent.range) return lineCounter.linePos(parent.range[0]).line;
    }
  }
  return 1;
}

/** Hashes the parsed content, so re-indenting or commenting a file keeps its hash. */
export function surveyContentHash(survey: Survey): string {
  return createHash('sha256').update(JSON.stringify(survey)).digest('hex').slice(0, 16);
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type') {
    return value === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}`;
  }
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  return issue.message;
}

/** yaml throws (rather than reporting in `doc.errors`) when expanding aliases would exceed the limit. */
function describeConversionFailure(error: unknown): string {
  if (error instanceof ReferenceError && /alias count/i.test(error.message)) {
    return `uses too many YAML aliases: expanding them would pass the limit of ${MAX_ALIAS_COUNT} (a "billion laughs" pattern)`;
  }
  return `not valid YAML: ${error instanceof Error ? error.message : String(error)}`;
}

/** Parses and validates one survey file's text; `file` is only used to label problems. */
export function parseSurveyText(text: string, file: string): SurveyParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        file,
        line: lineCounter.linePos(error.pos[0]).line,
        path: '',
        message: `not valid YAML: ${error.message.split('\n')[0] ?? error.code}`,
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { ok: false, problems: [{ file, line: 1, path: '', message: describeConversionFailure(error) }] };
  }
  const parsed = SurveySchema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues
        .map((issue) => ({
          file,
          // Point at the offending key itself rather than the start of its mapping.
          line: lineOf(doc, lineCounter, issue.code === 'unrecognized_keys' && issue.keys[0] ? [...issue.path, issue.keys[0]] : issue.path),
          path: formatPath(issue.path),
          message: describeIssue(issue, doc.getIn(issue.path)),
        }))
        .sort((a, b) => a.line - b.line),
    };
  }
  return { ok: true, loaded: { survey: parsed.data, contentHash: surveyContentHash(parsed.data), source: file }, idLine: lineOf(doc, lineCounter, ['id']), legacySuggestions: legacySuggestionCount(data) };
}
