import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SurveySchema, UNKNOWN_OPTION_TEXT } from '../../src/core/survey.js';
import { formatProblem, parseSurveyText } from '../../src/survey-files/parse-survey.js';
import { buildSurvey } from '../support/factories.js';

const cncf = readFileSync(new URL('../../surveys/cncf-platform-maturity.yaml', import.meta.url), 'utf8');
const capability = readFileSync(new URL('../../surveys/platform-capability-model.yaml', import.meta.url), 'utf8');

/**
 * An option is a statement a team member makes about their own team, so it opens in the first person:
 * "We …", "Our …", "I …" or "My …" (including contractions such as "We're" and "I'm"). A third-person
 * line ("The platform team …") or a bare fragment ("By whether …", "Through a survey …") is not.
 */
const FIRST_PERSON_OPENING = /^(?:We|Our|I|My)\b/;

function notFirstPerson(text: string, file: string): string[] {
  const result = parseSurveyText(text, file);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.loaded.survey.aspects.flatMap((aspect) =>
    aspect.questions.flatMap((question) =>
      question.options
        .filter((option) => option.text !== UNKNOWN_OPTION_TEXT && !FIRST_PERSON_OPENING.test(option.text))
        .map((option) => `${question.id} level ${option.level}: ${option.text}`),
    ),
  );
}

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

  it.each([
    ['cncf-platform-maturity.yaml', cncf],
    ['platform-capability-model.yaml', capability],
  ])('every option of %s is a first-person statement ("We …", "Our …", "I …")', (file, text) => {
    expect(notFirstPerson(text, file)).toEqual([]);
  });

  it('the first-person check catches third-person options and answer fragments', () => {
    const option = 'We patch them ourselves when they break, usually in spare moments or at the end of a sprint.';
    expect(cncf).toContain(option);
    const thirdPerson = cncf.replace(option, 'The platform team patches them when they break.');
    const fragment = cncf.replace(option, 'By whether they break less often.');
    expect(notFirstPerson(thirdPerson, 'a.yaml')).toEqual(['investment-who-builds level 1: The platform team patches them when they break.']);
    expect(notFirstPerson(fragment, 'b.yaml')).toEqual(['investment-who-builds level 1: By whether they break less often.']);
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

  it('reports two questions of one aspect on the same facet with file, line and path', () => {
    // Give the second Investment question the first one's facet, differing only in case and spacing.
    const first = 'facet: Who builds and maintains shared capabilities';
    const second = 'facet: How platform work is funded and justified';
    expect(cncf).toContain(first);
    expect(cncf).toContain(second);
    const lines = cncf.replace(second, 'facet: who builds and  maintains shared capabilities').split('\n');
    const problems = problemsOf(lines.join('\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^surveys\/x\.yaml:\d+ aspects\[0\]\.questions\[1\]\.facet: duplicate facet "who builds and {2}maintains shared capabilities": questions\[0\] of this aspect already covers it; each question needs a different facet$/,
    );
    const line = Number(/:(\d+) /.exec(problems[0] ?? '')?.[1]);
    expect(lines[line - 1]).toContain('facet: who builds and  maintains shared capabilities');
  });

  it('allows the same facet in different aspects', () => {
    const survey = buildSurvey() as unknown as { aspects: { questions: { facet: string }[] }[] };
    survey.aspects[1]!.questions[0]!.facet = survey.aspects[0]!.questions[0]!.facet;
    expect(SurveySchema.safeParse(survey).success).toBe(true);
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
