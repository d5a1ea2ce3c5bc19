import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SurveySchema } from '../../src/core/survey.js';
import { formatProblem, parseSurveyText } from '../../src/survey-files/parse-survey.js';
import { buildSurvey } from '../support/factories.js';

const cncf = readFileSync(new URL('../../surveys/cncf-platform-maturity.yaml', import.meta.url), 'utf8');
const capability = readFileSync(new URL('../../surveys/platform-capability-model.yaml', import.meta.url), 'utf8');

function problemsOf(text: string): string[] {
  const result = parseSurveyText(text, 'surveys/x.yaml');
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('shipped surveys', () => {
  it('the CNCF survey has 5 aspects × 4 levels with at least 3 questions per aspect', () => {
    const result = parseSurveyText(cncf, 'cncf.yaml');
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    const survey = result.loaded.survey;
    expect(survey.levels.map((level) => level.name)).toEqual(['Provisional', 'Operational', 'Scalable', 'Optimizing']);
    expect(survey.aspects.map((aspect) => aspect.id)).toEqual(['investment', 'adoption', 'interfaces', 'operations', 'measurement']);
    for (const aspect of survey.aspects) {
      expect(aspect.questions.length).toBeGreaterThanOrEqual(3);
      expect(new Set(aspect.questions.map((question) => question.facet)).size).toBe(aspect.questions.length);
    }
  });

  it('the capability model survey has 6 capabilities × 5 stages', () => {
    const result = parseSurveyText(capability, 'capability.yaml');
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    const survey = result.loaded.survey;
    expect(survey.levels.map((level) => level.name)).toEqual(['Initial', 'Repeatable', 'Defined', 'Managed', 'Optimizing']);
    expect(survey.aspects).toHaveLength(6);
    for (const aspect of survey.aspects) {
      for (const level of aspect.levels) expect(level.suggestions.length).toBeGreaterThanOrEqual(3);
      for (const question of aspect.questions) {
        expect(question.prompt.length).toBeLessThanOrEqual(150);
        for (const option of question.options) expect(option.text.length).toBeLessThanOrEqual(200);
      }
    }
  });

  it('hashes content, not formatting: comments and indentation leave the hash alone', () => {
    const a = parseSurveyText(cncf, 'a.yaml');
    const b = parseSurveyText(`# a new comment\n${cncf}\n\n`, 'b.yaml');
    const c = parseSurveyText(cncf.replace('Weekly pulse', 'A weekly pulse'), 'c.yaml');
    if (!a.ok || !b.ok || !c.ok) throw new Error('shipped survey failed to parse');
    expect(b.loaded.contentHash).toBe(a.loaded.contentHash);
    expect(c.loaded.contentHash).not.toBe(a.loaded.contentHash);
  });
});

describe('survey validation', () => {
  it('reports a missing option with file, line and path', () => {
    // Drop the level-4 option of the first question.
    const lines = cncf.split('\n');
    const questionsAt = lines.findIndex((line) => line.trim() === 'questions:');
    const level4 = lines.findIndex((line, index) => index > questionsAt && line.trim() === '- level: 4');
    lines.splice(level4, 2);
    const problems = problemsOf(lines.join('\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^surveys\/x\.yaml:\d+ aspects\[0\]\.questions\[0\]\.options: expected 4 options, one per level, found 3$/);
    const line = Number(/:(\d+) /.exec(problems[0] ?? '')?.[1]);
    expect(lines[line - 1]).toContain('options:');
  });

  it('lists every problem at once: too long, unknown key, duplicate id, bad level order', () => {
    const survey = buildSurvey();
    const broken = structuredClone(survey) as unknown as { aspects: { questions: { id: string; prompt: string; options: { level: number }[] }[]; colour?: string }[] };
    const first = broken.aspects[0]!;
    first.questions[0]!.prompt = 'x'.repeat(151);
    first.questions[1]!.id = first.questions[0]!.id;
    first.questions[2]!.options[0]!.level = 2;
    first.colour = 'red';
    const result = SurveySchema.safeParse(broken);
    expect(result.success).toBe(false);
    const messages = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aspects\.0\.questions\.0\.prompt: must be at most 150 characters/),
        expect.stringMatching(/^aspects\.0: /),
      ]),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('id: x\ntitle: [unclosed\n');
    expect(problems[0]).toMatch(/^surveys\/x\.yaml:\d+ not valid YAML/);
  });

  it('checks semantic rules on a structurally valid survey', () => {
    const survey = buildSurvey() as unknown as Record<string, unknown> & { aspects: { questions: { id: string }[]; levels: unknown[] }[] };
    survey.aspects[1]!.questions[0]!.id = survey.aspects[0]!.questions[0]!.id;
    survey.aspects[2]!.levels.pop();
    const result = SurveySchema.safeParse(survey);
    const messages = result.success ? [] : result.error.issues.map((issue) => issue.message);
    expect(messages).toContain(`duplicate question id "investment-q1"`);
    expect(messages).toContain('expected 4 entries, one per level, found 3');
  });
});
