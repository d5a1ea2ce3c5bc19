import { copyFileSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../src/bootstrap.js';
import { loadConfig, withAbsolutePaths, type AppConfig } from '../src/config.js';
import { describeTarget } from '../src/storage/open-store.js';
import { formatProblem } from '../src/survey-files/parse-survey.js';
import { shippedSurveysDir } from '../src/survey-files/shipped-surveys.js';
import { loadSurveyCatalogue } from '../src/survey-files/survey-catalogue.js';
import { SURVEYS } from './support/processes.js';
import { createTestStorage, memoryLogger, tempDir } from './support/test-context.js';

let dir: string;
let cleanup: () => void;
let own: string;
const cncf = readFileSync(path.join(SURVEYS, 'cncf-platform-maturity.yaml'), 'utf8');
const SHIPPED_IDS = ['cncf-platform-maturity', 'platform-capability-model'];

function config(env: Record<string, string>): AppConfig {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mp-survey-dirs-'));
  own = path.join(dir, 'own');
  mkdirSync(own);
  writeFileSync(path.join(own, 'a-ours.yaml'), cncf.replace(/^id: cncf-platform-maturity$/m, 'id: our-maturity').replace(/^title: .*$/m, 'title: Our maturity'));
  writeFileSync(path.join(own, 'b-broken.yaml'), 'id: [broken\n');
  writeFileSync(path.join(own, 'c-clash.yaml'), cncf.replace(/^title: .*$/m, 'title: A clashing copy'));
  copyFileSync(path.join(SURVEYS, 'platform-capability-model.yaml'), path.join(own, 'd-copy.yaml'));
});
afterAll(() => cleanup());

describe('the shipped surveys', () => {
  it('are found from the module, in the package folder, whatever the working directory', () => {
    expect(realpathSync(shippedSurveysDir())).toBe(realpathSync(SURVEYS));
  });

  it('load on their own when no surveys directory is configured', async () => {
    const catalogue = await loadSurveyCatalogue(null);
    expect([...catalogue.surveys.keys()]).toEqual(SHIPPED_IDS);
    expect([...catalogue.origins.values()]).toEqual(['shipped', 'shipped']);
    expect(catalogue.problems).toEqual([]);
    expect(catalogue.ownDirIsShipped).toBe(false);
  });

  it('load once when the configured directory is the shipped one, by any path to it', async () => {
    const link = path.join(dir, 'link-to-shipped');
    symlinkSync(SURVEYS, link);
    for (const configured of [SURVEYS, `${SURVEYS}${path.sep}`, link, path.join(link, '..', 'link-to-shipped')]) {
      const catalogue = await loadSurveyCatalogue(configured);
      expect(catalogue.ownDirIsShipped).toBe(true);
      expect([...catalogue.surveys.keys()]).toEqual(SHIPPED_IDS);
      expect(catalogue.problems).toEqual([]);
    }
  });
});

describe('a surveys directory of the organisation', () => {
  it('adds its surveys after the shipped ones; a clashing file is reported at its id line and skipped, the shipped survey kept', async () => {
    const catalogue = await loadSurveyCatalogue(own);
    expect([...catalogue.surveys.keys()]).toEqual([...SHIPPED_IDS, 'our-maturity']);
    expect(Object.fromEntries(catalogue.origins)).toEqual({ 'cncf-platform-maturity': 'shipped', 'platform-capability-model': 'shipped', 'our-maturity': 'own' });
    expect(catalogue.surveys.get('our-maturity')?.source).toBe(path.join(own, 'a-ours.yaml'));
    expect(catalogue.surveys.get('cncf-platform-maturity')?.survey.title).toBe('CNCF platform engineering maturity');
    expect(catalogue.surveys.get('cncf-platform-maturity')?.source).toBe(path.join(shippedSurveysDir(), 'cncf-platform-maturity.yaml'));

    const idLine = cncf.split('\n').indexOf('id: cncf-platform-maturity') + 1;
    expect(catalogue.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/b-broken\.yaml:\d+ not valid YAML/),
      `${path.join(own, 'c-clash.yaml')}:${idLine} id: survey id "cncf-platform-maturity" is taken by a survey shipped with maturity-pulse (cncf-platform-maturity.yaml); the shipped survey always wins, so this file is skipped. Give this survey an id of its own to use it alongside.`,
      expect.stringMatching(/d-copy\.yaml:\d+ id: survey id "platform-capability-model" is taken by a survey shipped with maturity-pulse \(platform-capability-model\.yaml\); .* This file is an unchanged copy of it: delete the copy\.$/),
    ]);
  });

  it('may link to a shipped file: that is the shipped survey itself, loaded once and not a clash', async () => {
    const linked = path.join(dir, 'linked');
    mkdirSync(linked);
    symlinkSync(path.join(SURVEYS, 'cncf-platform-maturity.yaml'), path.join(linked, 'cncf.yaml'));
    const catalogue = await loadSurveyCatalogue(linked);
    expect([...catalogue.surveys.keys()]).toEqual(SHIPPED_IDS);
    expect(catalogue.origins.get('cncf-platform-maturity')).toBe('shipped');
    expect(catalogue.problems).toEqual([]);
  });

  it('that cannot be read is one problem, and the shipped surveys still load', async () => {
    const missing = path.join(dir, 'missing');
    const catalogue = await loadSurveyCatalogue(missing);
    expect([...catalogue.surveys.keys()]).toEqual(SHIPPED_IDS);
    expect(catalogue.problems).toEqual([{ file: missing, line: 1, path: '', message: 'the surveys directory cannot be read' }]);
  });

  it('reaches the service context: the extra survey is there, the clash is logged as a skipped file', async () => {
    const { log, lines } = memoryLogger();
    const storage = await createTestStorage(dir);
    try {
      const ctx = await openContext(config({ DATA_DIR: dir, SURVEYS_DIR: own, RESPONDENT_KEY_SECRET: 'a-respondent-key-secret-of-enough-length' }), log, { target: storage.target, create: true, kind: 'live' });
      try {
        expect([...ctx.surveys.keys()]).toEqual([...SHIPPED_IDS, 'our-maturity']);
        expect(ctx.surveys.get('cncf-platform-maturity')?.survey.title).toBe('CNCF platform engineering maturity');
      } finally {
        await ctx.store.close();
      }
    } finally {
      await storage.drop();
    }
    const messages = lines.map((line) => JSON.parse(line) as { level: number; msg: string; engine?: string; database?: string });
    expect(messages.filter((line) => line.level === 40).map((line) => line.msg)).toEqual([
      expect.stringMatching(/^survey file skipped: .*b-broken\.yaml:\d+ not valid YAML/),
      expect.stringMatching(/^survey file skipped: .*c-clash\.yaml:\d+ id: survey id "cncf-platform-maturity" is taken by a survey shipped/),
      expect.stringMatching(/^survey file skipped: .*d-copy\.yaml:\d+ id: survey id "platform-capability-model" is taken by a survey shipped/),
    ]);
    expect(messages.find((line) => line.msg.startsWith('loaded '))?.msg).toBe('loaded 2 shipped surveys and 1 from SURVEYS_DIR');
    const opened = messages.find((line) => line.msg.startsWith('opened the '));
    expect(opened).toMatchObject({ engine: storage.target.engine, database: await describeTarget(storage.target) });
    expect(opened?.msg).toMatch(storage.target.engine === 'sqlite' ? /^opened the SQLite database at .*test\.db / : /^opened the PostgreSQL database at postgres:\/\/postgres@127\.0\.0\.1:\d+\/mp_test_[0-9a-f]+ /);
  });
});

describe('configured paths', () => {
  it('SURVEYS_DIR has no default: unset means the shipped surveys only', () => {
    expect(config({}).surveysDir).toBeNull();
    expect(config({ SURVEYS_DIR: '  ' }).surveysDir).toBeNull();
    expect(config({ SURVEYS_DIR: 'our-surveys' }).surveysDir).toBe('our-surveys');
  });

  it('are made absolute against the working directory for the messages that name them', () => {
    const cwd = path.join(dir, 'service');
    const resolved = withAbsolutePaths(config({ DATA_DIR: 'data', SURVEYS_DIR: '../surveys' }), cwd);
    expect(resolved).toMatchObject({
      dataDir: path.join(cwd, 'data'),
      databasePath: path.join(cwd, 'data', 'maturity-pulse.db'),
      demoDatabasePath: path.join(cwd, 'data', 'demo.db'),
      surveysDir: path.join(dir, 'surveys'),
    });
    const given = withAbsolutePaths(config({ DATA_DIR: '/srv/pulse', DATABASE_PATH: ':memory:', DEMO_DATABASE_PATH: 'demo/here.db' }), cwd);
    expect(given).toMatchObject({ dataDir: '/srv/pulse', databasePath: ':memory:', demoDatabasePath: path.join(cwd, 'demo', 'here.db'), surveysDir: null });
  });
});
