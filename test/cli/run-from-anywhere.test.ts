import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, ServerProcess, SURVEYS } from '../support/processes.js';
import { tempDir } from '../support/test-context.js';

/**
 * The CLI as someone runs it with `npx maturity-pulse …` or a service manager: from a directory that is
 * not the checkout, so there is no ./surveys next to it, and without SURVEYS_DIR.
 */

let dir: string;
let cleanup: () => void;
/** The working directory of every process here: empty, and outside the checkout. */
let elsewhere: string;

const SHIPPED_LINE = {
  cncf: /^cncf-platform-maturity {2}CNCF platform engineering maturity · 5 aspects × 4 levels .* · shipped: (.+)$/m,
  capability: /^platform-capability-model {2}Platform engineering capability model · 6 aspects × 5 levels .* · shipped: (.+)$/m,
};

/** A clean environment without SURVEYS_DIR (cleanEnv points it at the checkout's surveys). */
function envWithout(extra: Record<string, string> = {}): Record<string, string> {
  const { SURVEYS_DIR: _unused, ...env } = cleanEnv(dir);
  return { ...env, ...extra };
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mp-cli-anywhere-'));
  // Real paths: the processes report absolute paths as the operating system resolves them.
  dir = realpathSync(dir);
  elsewhere = path.join(dir, 'elsewhere');
  mkdirSync(elsewhere);
});
afterAll(() => cleanup());

describe('run from a directory outside the checkout, without SURVEYS_DIR', () => {
  it('survey list names both shipped surveys, loaded from the package, not the working directory', async () => {
    expect(existsSync(path.join(elsewhere, 'surveys'))).toBe(false);
    const result = await runCli(['survey', 'list'], envWithout(), elsewhere);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(SHIPPED_LINE.cncf);
    expect(lines[1]).toMatch(SHIPPED_LINE.capability);
    expect(result.stdout.match(SHIPPED_LINE.cncf)?.[1]).toBe(path.join(realpathSync(SURVEYS), 'cncf-platform-maturity.yaml'));
  });

  it('builds the demo and reports on it', async () => {
    // A small organisation: where the files are found is the point here, not how many teams (the default of 14
    // is built in test/cli/cli.test.ts).
    const demo = await runCli(['demo', '--seed', '5', '--teams', '2', '--weeks', '4', '--database', 'demo.db'], envWithout(), elsewhere);
    expect(demo.stderr).toBe('');
    expect(demo.stdout).toMatch(/^Seeded demo\.db: 2 teams, \d+ rounds, \d+ answers/);
    expect(existsSync(path.join(elsewhere, 'demo.db'))).toBe(true);
    const report = await runCli(['report', '--team', 'Payments', '--database', 'demo.db'], envWithout(), elsewhere);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/^Payments · CNCF platform engineering maturity · last 3 rounds per aspect/);
  });
});

describe('SURVEYS_DIR adds surveys of the organisation on top of the shipped ones', () => {
  let own: string;

  beforeAll(() => {
    own = path.join(dir, 'own-surveys');
    mkdirSync(own);
    const cncf = readFileSync(path.join(SURVEYS, 'cncf-platform-maturity.yaml'), 'utf8');
    const renamed = cncf.replace(/^id: cncf-platform-maturity$/m, 'id: our-platform-maturity').replace(/^title: .*$/m, 'title: Our platform maturity');
    expect(renamed).toContain('id: our-platform-maturity\n');
    writeFileSync(path.join(own, 'a-ours.yaml'), renamed);
    // The same id as a shipped survey with other content: the clash the shipped survey must win.
    writeFileSync(path.join(own, 'b-clash.yaml'), cncf.replace(/^title: .*$/m, 'title: A clashing copy'));
    copyFileSync(path.join(SURVEYS, 'platform-capability-model.yaml'), path.join(own, 'c-copy.yaml'));
  });

  it('survey list names the extra survey as from that directory, and reports the clashing files as skipped', async () => {
    const result = await runCli(['survey', 'list'], envWithout({ SURVEYS_DIR: own }), elsewhere);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(SHIPPED_LINE.cncf);
    expect(lines[1]).toMatch(SHIPPED_LINE.capability);
    expect(lines[2]).toBe(`our-platform-maturity  Our platform maturity · 5 aspects × 4 levels (Provisional, Operational, Scalable, Optimizing) · SURVEYS_DIR: ${path.join(own, 'a-ours.yaml')}`);
    const skipped = result.stderr.trim().split('\n');
    expect(skipped).toHaveLength(2);
    const cncfIdLine = readFileSync(path.join(own, 'b-clash.yaml'), 'utf8').split('\n').indexOf('id: cncf-platform-maturity') + 1;
    expect(skipped[0]).toBe(
      `skipped: ${path.join(own, 'b-clash.yaml')}:${cncfIdLine} id: survey id "cncf-platform-maturity" is taken by a survey shipped with maturity-pulse (cncf-platform-maturity.yaml); the shipped survey always wins, so this file is skipped. Give this survey an id of its own to use it alongside.`,
    );
    expect(skipped[1]).toMatch(/^skipped: .*c-copy\.yaml:\d+ id: survey id "platform-capability-model" is taken by a survey shipped .* This file is an unchanged copy of it: delete the copy\.$/);
  });

  it('a relative SURVEYS_DIR is read from the working directory and listed by its absolute path', async () => {
    const result = await runCli(['survey', 'list'], envWithout({ SURVEYS_DIR: path.join('..', 'own-surveys') }), elsewhere);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`· SURVEYS_DIR: ${path.join(own, 'a-ours.yaml')}\n`);
  });

  it('the shipped directory given as SURVEYS_DIR is loaded once, as shipped, and said so', async () => {
    const result = await runCli(['survey', 'list'], envWithout({ SURVEYS_DIR: SURVEYS }), elsewhere);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(SHIPPED_LINE.cncf);
    expect(lines[1]).toMatch(SHIPPED_LINE.capability);
    expect(result.stderr).toBe(`note: ${SURVEYS} is the shipped surveys directory itself, so its surveys are listed once, as shipped.\n`);
  });

  it('the demo puts a team on the extra survey, and uses the shipped survey, not the clashing file', async () => {
    const database = path.join(dir, 'own.db');
    const env = envWithout({ SURVEYS_DIR: own });
    // The demo spreads teams over every loaded survey in id order: the third team takes the second id.
    const demo = await runCli(['demo', '--seed', '5', '--teams', '3', '--weeks', '4', '--database', database], env, elsewhere);
    expect(demo.code).toBe(0);
    const payments = await runCli(['report', '--team', 'Payments', '--database', database], env, elsewhere);
    expect(payments.code).toBe(0);
    expect(payments.stdout).toMatch(/^Payments · CNCF platform engineering maturity/);
    expect(payments.stdout).not.toContain('A clashing copy');
    const search = await runCli(['report', '--team', 'Search', '--database', database], env, elsewhere);
    expect(search.code).toBe(0);
    expect(search.stdout).toMatch(/^Search · Our platform maturity/);
  });

  it('survey validate reports a file taking a shipped id, and accepts the shipped files themselves', async () => {
    const result = await runCli(['survey', 'validate', path.join(own, 'a-ours.yaml'), path.join(own, 'b-clash.yaml'), path.join(SURVEYS, 'cncf-platform-maturity.yaml')], envWithout(), elsewhere);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/a-ours\.yaml: valid \(5 aspects, \d+ questions, 4 levels\)/);
    expect(result.stdout).toMatch(/cncf-platform-maturity\.yaml: valid/);
    expect(result.stdout).not.toMatch(/b-clash\.yaml: valid/);
    expect(result.stderr).toMatch(/b-clash\.yaml:\d+ id: survey id "cncf-platform-maturity" is taken by a survey shipped with maturity-pulse/);
    expect(result.stderr).toMatch(/1 problem found\./);
  });
});

describe('a relative DATA_DIR is reported as the absolute path it resolves to', () => {
  it('in the CLI messages that name the database', async () => {
    const env = envWithout({ DATA_DIR: 'relative-data' });
    const expected = path.join(elsewhere, 'relative-data');
    const missing = await runCli(['teams', 'list'], env, elsewhere);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`There is no database at ${path.join(expected, 'maturity-pulse.db')}.`);
    const demo = await runCli(['demo', '--seed', '5', '--teams', '2', '--weeks', '2'], env, elsewhere);
    expect(demo.stdout).toMatch(new RegExp(`^Seeded ${escape(path.join(expected, 'demo.db'))}: 2 teams`));
    expect(existsSync(path.join(expected, 'demo.db'))).toBe(true);
    const migrate = await runCli(['migrate'], env, elsewhere);
    expect(migrate.stdout).toBe(`The database at ${path.join(expected, 'maturity-pulse.db')} is up to date.\n`);
  });

  it('in the start-up log of the server', async () => {
    const data = path.join(elsewhere, 'server-data');
    const server = new ServerProcess(envWithout({ DATA_DIR: 'server-data', PORT: '0', TICK_CRON: '0 0 1 1 *' }), elsewhere);
    try {
      const port = await server.port();
      // Serving, and (one request later) past start-up, so SIGTERM meets the shutdown handler.
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toMatchObject({ status: 'ok', mode: 'demo' });
      // The demo always runs on its own SQLite file, whatever the live storage is.
      const opened = server.output.split('\n').find((line) => line.includes('opened the SQLite database at'));
      expect(opened).toBeDefined();
      expect(JSON.parse(opened ?? '{}')).toMatchObject({ engine: 'sqlite', database: path.join(data, 'demo.db'), dataDir: data, msg: `opened the SQLite database at ${path.join(data, 'demo.db')} (data directory ${data})` });
      expect(server.output).toContain(`seeded the demo organisation into ${path.join(data, 'demo.db')}`);
      expect(server.output).toMatch(/"shipped":2,"own":0,"msg":"loaded 2 shipped surveys and 0 from SURVEYS_DIR"/);
      expect(existsSync(path.join(data, 'demo.db'))).toBe(true);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
