import { z } from 'zod';

/** Limits that keep every survey text inside Slack's and Teams' rendering limits. */
export const SURVEY_LIMITS = {
  minLevels: 3,
  maxLevels: 7,
  maxAspects: 12,
  minQuestionsPerAspect: 3,
  minSuggestions: 3,
  maxSuggestions: 6,
  promptLength: 150,
  optionLength: 200,
  summaryLength: 200,
  suggestionLength: 200,
  labelLength: 60,
  facetLength: 80,
  nameLength: 40,
  titleLength: 80,
} as const;

/** The option id every question gets in addition to its level options. */
export const UNKNOWN_OPTION_ID = 'unknown';
export const UNKNOWN_OPTION_TEXT = "I don't know";

const kebabId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a kebab-case id (a-z, 0-9 and single dashes)');

function text(max: number) {
  return z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
}

const levelValue = z.number().int('expected a whole number').min(1, 'levels start at 1');

export const SurveyLevelSchema = z.strictObject({
  value: levelValue,
  name: text(SURVEY_LIMITS.nameLength),
});

/**
 * One next step a survey suggests. The id is what an adopted step links to, so rewording the text keeps
 * the link; give a new id only when the step itself changes.
 */
export const SuggestionSchema = z.strictObject({
  id: kebabId,
  text: text(SURVEY_LIMITS.suggestionLength),
});

/**
 * Files written before suggestions had ids list plain strings: each gets the id `<aspect>-<level>-<n>`
 * (its position), which holds while nobody reorders them. `legacySuggestionCount` lets `survey validate`
 * say so.
 */
function withPositionalSuggestionIds(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('id' in raw) || typeof raw.id !== 'string' || !('levels' in raw) || !Array.isArray(raw.levels)) return raw;
  const aspectId = raw.id;
  return {
    ...raw,
    levels: raw.levels.map((level: unknown) => {
      if (typeof level !== 'object' || level === null || !('suggestions' in level) || !Array.isArray(level.suggestions)) return level;
      const value = 'value' in level ? String(level.value) : '?';
      return { ...level, suggestions: level.suggestions.map((item: unknown, index: number) => (typeof item === 'string' ? { id: `${aspectId}-${value}-${index + 1}`, text: item } : item)) };
    }),
  };
}

/** How many suggestions in a raw survey document are plain strings (ids derived from their position). */
export function legacySuggestionCount(raw: unknown): number {
  if (typeof raw !== 'object' || raw === null || !('aspects' in raw) || !Array.isArray(raw.aspects)) return 0;
  let count = 0;
  for (const aspect of raw.aspects as unknown[]) {
    if (typeof aspect !== 'object' || aspect === null || !('levels' in aspect) || !Array.isArray(aspect.levels)) continue;
    for (const level of aspect.levels as unknown[]) {
      if (typeof level === 'object' && level !== null && 'suggestions' in level && Array.isArray(level.suggestions)) count += level.suggestions.filter((item: unknown) => typeof item === 'string').length;
    }
  }
  return count;
}

export const AspectLevelSchema = z.strictObject({
  value: levelValue,
  label: text(SURVEY_LIMITS.labelLength),
  summary: text(SURVEY_LIMITS.summaryLength),
  suggestions: z
    .array(SuggestionSchema)
    .min(SURVEY_LIMITS.minSuggestions, `expected ${SURVEY_LIMITS.minSuggestions} to ${SURVEY_LIMITS.maxSuggestions} suggestions`)
    .max(SURVEY_LIMITS.maxSuggestions, `expected ${SURVEY_LIMITS.minSuggestions} to ${SURVEY_LIMITS.maxSuggestions} suggestions`),
});

export const QuestionOptionSchema = z.strictObject({
  level: levelValue,
  text: text(SURVEY_LIMITS.optionLength),
});

export const QuestionSchema = z.strictObject({
  id: kebabId,
  facet: text(SURVEY_LIMITS.facetLength),
  prompt: text(SURVEY_LIMITS.promptLength),
  options: z.array(QuestionOptionSchema),
});

export const AspectSchema = z.preprocess(withPositionalSuggestionIds, z.strictObject({
  id: kebabId,
  name: text(SURVEY_LIMITS.nameLength),
  summary: text(SURVEY_LIMITS.summaryLength),
  /** The level worth paying for in this aspect, unless an organisation or team sets its own (default: the next level). */
  target: levelValue.optional(),
  levels: z.array(AspectLevelSchema),
  questions: z
    .array(QuestionSchema)
    .min(SURVEY_LIMITS.minQuestionsPerAspect, `expected at least ${SURVEY_LIMITS.minQuestionsPerAspect} questions, each on a different facet`),
}));

export const SurveySourceSchema = z.strictObject({
  title: text(SURVEY_LIMITS.titleLength * 2),
  url: z.url('expected an http(s) URL'),
  licence: text(40),
});

const SurveyShapeSchema = z.strictObject({
  id: kebabId,
  title: text(SURVEY_LIMITS.titleLength),
  description: text(SURVEY_LIMITS.summaryLength),
  source: SurveySourceSchema.optional(),
  levels: z
    .array(SurveyLevelSchema)
    .min(SURVEY_LIMITS.minLevels, `expected ${SURVEY_LIMITS.minLevels} to ${SURVEY_LIMITS.maxLevels} levels`)
    .max(SURVEY_LIMITS.maxLevels, `expected ${SURVEY_LIMITS.minLevels} to ${SURVEY_LIMITS.maxLevels} levels`),
  aspects: z.array(AspectSchema).min(1, 'expected at least one aspect').max(SURVEY_LIMITS.maxAspects, `expected at most ${SURVEY_LIMITS.maxAspects} aspects`),
});

type SurveyShape = z.infer<typeof SurveyShapeSchema>;

/**
 * A survey file's content. Beyond the field shapes it checks what makes answers comparable: levels run
 * 1..N, every aspect describes every level, every question has exactly one option per level, and the
 * questions of one aspect each cover a different facet.
 */
export const SurveySchema = SurveyShapeSchema.superRefine((survey, ctx) => {
  survey.levels.forEach((level, index) => {
    if (level.value !== index + 1) {
      ctx.addIssue({ code: 'custom', path: ['levels', index, 'value'], message: `expected ${index + 1}: level values run 1..N in order, found ${level.value}` });
    }
  });
  const levelCount = survey.levels.length;
  const aspectIds = new Set<string>();
  const questionIds = new Set<string>();
  const suggestionIds = new Set<string>();
  survey.aspects.forEach((aspect, a) => {
    // Facets are compared ignoring case and spacing: "Who builds" and "who  builds" are the same facet.
    const facets = new Map<string, number>();
    if (aspectIds.has(aspect.id)) {
      ctx.addIssue({ code: 'custom', path: ['aspects', a, 'id'], message: `duplicate aspect id "${aspect.id}"` });
    }
    aspectIds.add(aspect.id);
    if (aspect.target !== undefined && aspect.target > levelCount) {
      ctx.addIssue({ code: 'custom', path: ['aspects', a, 'target'], message: `expected a level from 1 to ${levelCount}, found ${aspect.target}` });
    }
    aspect.levels.forEach((level, l) => {
      level.suggestions.forEach((suggestion, s) => {
        if (suggestionIds.has(suggestion.id)) {
          ctx.addIssue({ code: 'custom', path: ['aspects', a, 'levels', l, 'suggestions', s, 'id'], message: `duplicate suggestion id "${suggestion.id}": adopted steps link to it, so each must be unique in the survey` });
        }
        suggestionIds.add(suggestion.id);
      });
    });
    if (aspect.levels.length !== levelCount) {
      ctx.addIssue({ code: 'custom', path: ['aspects', a, 'levels'], message: `expected ${levelCount} entries, one per level, found ${aspect.levels.length}` });
    } else {
      aspect.levels.forEach((level, index) => {
        if (level.value !== index + 1) {
          ctx.addIssue({ code: 'custom', path: ['aspects', a, 'levels', index, 'value'], message: `expected ${index + 1}: entries follow the survey's levels in order, found ${level.value}` });
        }
      });
    }
    aspect.questions.forEach((question, q) => {
      if (questionIds.has(question.id)) {
        ctx.addIssue({ code: 'custom', path: ['aspects', a, 'questions', q, 'id'], message: `duplicate question id "${question.id}"` });
      }
      questionIds.add(question.id);
      const facet = question.facet.trim().replace(/\s+/g, ' ').toLowerCase();
      const firstWithFacet = facets.get(facet);
      if (firstWithFacet === undefined) {
        facets.set(facet, q);
      } else {
        ctx.addIssue({
          code: 'custom',
          path: ['aspects', a, 'questions', q, 'facet'],
          message: `duplicate facet "${question.facet.trim()}": questions[${firstWithFacet}] of this aspect already covers it; each question needs a different facet`,
        });
      }
      if (question.options.length !== levelCount) {
        ctx.addIssue({
          code: 'custom',
          path: ['aspects', a, 'questions', q, 'options'],
          message: `expected ${levelCount} options, one per level, found ${question.options.length}`,
        });
        return;
      }
      question.options.forEach((option, o) => {
        if (option.level !== o + 1) {
          ctx.addIssue({ code: 'custom', path: ['aspects', a, 'questions', q, 'options', o, 'level'], message: `expected level ${o + 1}: options are listed once per level, in order, found ${option.level}` });
        }
      });
    });
  });
});

export type Survey = SurveyShape;
export type SurveyLevel = Survey['levels'][number];
export type Aspect = Survey['aspects'][number];
export type AspectLevel = Aspect['levels'][number];
export type Suggestion = AspectLevel['suggestions'][number];
export type Question = Aspect['questions'][number];

/** A survey as loaded: its content plus the hash that rounds store to pin what answers meant. */
export interface LoadedSurvey {
  readonly survey: Survey;
  readonly contentHash: string;
  readonly source: string;
}

export function findAspect(survey: Survey, aspectId: string): Aspect | undefined {
  return survey.aspects.find((aspect) => aspect.id === aspectId);
}

export function topLevel(survey: Survey): number {
  return survey.levels.length;
}

/** The aspect's description of a level (1-based); clamps to the survey's range. */
export function aspectLevel(aspect: Aspect, level: number): AspectLevel {
  const index = Math.min(Math.max(Math.floor(level), 1), aspect.levels.length) - 1;
  const found = aspect.levels[index];
  if (!found) throw new RangeError(`aspect ${aspect.id} has no level ${level}`);
  return found;
}

/** The suggestion with this id anywhere in the aspect, with the level it belongs to. */
export function findSuggestion(aspect: Aspect, suggestionId: string): { readonly suggestion: Suggestion; readonly level: number } | null {
  for (const level of aspect.levels) {
    const suggestion = level.suggestions.find((candidate) => candidate.id === suggestionId);
    if (suggestion) return { suggestion, level: level.value };
  }
  return null;
}

export function levelName(survey: Survey, level: number): string {
  return survey.levels[level - 1]?.name ?? `Level ${level}`;
}
