import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHostileSurveyDirectory } from '../support/hostile-survey-files.js';
import { cleanEnv, runCli } from '../support/processes.js';
import { tempDir } from '../support/test-context.js';

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mp-cli-survey-limits-'));
});
afterAll(() => cleanup());

describe('survey list', () => {
  it('lists the good survey and names the alias bomb and the oversized file as skipped', async () => {
    const surveys = path.join(dir, 'surveys');
    mkdirSync(surveys);
    writeHostileSurveyDirectory(surveys);
    const result = await runCli(['survey', 'list', '--surveys', surveys], cleanEnv(dir));
    expect(result.code).toBe(0);
    // The shipped surveys always load; a-good.yaml is an unchanged copy of one of them, so it is skipped as a clash.
    const listed = result.stdout.trim().split('\n');
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatch(/^cncf-platform-maturity {2}CNCF platform engineering maturity · 5 aspects × 4 levels .* · shipped: .*cncf-platform-maturity\.yaml$/);
    const skipped = result.stderr.trim().split('\n');
    expect(skipped).toHaveLength(3);
    expect(skipped[0]).toMatch(/^skipped: .*a-good\.yaml:\d+ id: survey id "cncf-platform-maturity" is taken by a survey shipped with maturity-pulse/);
    expect(skipped[1]).toMatch(/^skipped: .*b-bomb\.yaml:1 uses too many YAML aliases/);
    expect(skipped[2]).toMatch(/^skipped: .*c-huge\.yml:1 is larger than 1 MB \(1\.5 MB\)/);
  });
});
