import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, SURVEYS, type CliResult } from '../support/processes.js';
import { tempDir } from '../support/test-context.js';

let dir: string;
let cleanup: () => void;
let env: Record<string, string>;
let demoDb: string;

function expectOneSentence(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('mp-cli-'));
  env = cleanEnv(dir);
  demoDb = path.join(dir, 'demo.db');
  const seeded = await runCli(['demo', '--seed', '7', '--database', demoDb], env);
  expect(seeded.stderr).toBe('');
  // Without --now the demo is built for the current time, which it names so it can be built again.
  expect(seeded.stdout).toMatch(/^Seeded .*demo\.db: 14 teams, \d+ rounds, \d+ answers \(seed 7, now \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\)\./);
});
afterAll(() => cleanup());

/**
 * A copy of the demo database for a test that changes it: SQLite's online backup of the file beforeAll built,
 * which takes milliseconds where building another organisation takes seconds.
 */
async function demoCopy(file: string): Promise<string> {
  const copy = path.join(dir, file);
  const source = new Database(demoDb, { readonly: true });
  try {
    await source.backup(copy);
  } finally {
    source.close();
  }
  return copy;
}

/** The schema and every table's rows, each row as JSON in a stable order: what "the same database" means. */
function databaseContent(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const objects = db.prepare("select type, name, sql from sqlite_master where name not like 'sqlite_%' order by type, name").all() as { type: string; name: string; sql: string | null }[];
    const content: Record<string, unknown[]> = { schema: objects };
    for (const { name } of objects.filter((object) => object.type === 'table')) {
      content[name] = db
        .prepare(`select * from "${name}"`)
        .all()
        .map((row) => JSON.stringify(row))
        .sort();
    }
    return content;
  } finally {
    db.close();
  }
}

describe('demo', () => {
  // A Wednesday: the history ends with ISO week 2026-W09, and this week's live rounds opened on Monday.
  const NOW = '2026-03-04T09:30:00Z';

  async function buildDemo(file: string, seed: number): Promise<Record<string, unknown[]>> {
    const result = await runCli(['demo', '--seed', String(seed), '--now', NOW, '--database', path.join(dir, file)], env);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Seeded .*: 14 teams, \d+ rounds, \d+ answers \(seed \d+, now 2026-03-04T09:30:00\.000Z\)\./);
    expect(result.stdout).toContain(`(seed ${seed}, `);
    return databaseContent(path.join(dir, file));
  }

  it('builds the same database from the same seed and now, and another organisation from another seed', async () => {
    const first = await buildDemo('seed-7-a.db', 7);
    const second = await buildDemo('seed-7-b.db', 7);
    const other = await buildDemo('seed-8.db', 8);
    // Not two empty databases agreeing: the organisation is there, and every row of it matches.
    expect(first['answers']?.length).toBeGreaterThan(1000);
    expect(second).toEqual(first);
    // And the files themselves, byte for byte (the comparison above says where, if this ever fails alone).
    expect(readFileSync(path.join(dir, 'seed-7-b.db')).equals(readFileSync(path.join(dir, 'seed-7-a.db')))).toBe(true);

    // Built for --now, not for the clock: closed weekly rounds up to the week before, three live rounds opened by then.
    const db = new Database(path.join(dir, 'seed-7-a.db'), { readonly: true });
    try {
      expect(db.prepare("select max(period_key) as last from rounds where status = 'closed'").get()).toEqual({ last: '2026-W09' });
      expect(db.prepare("select count(*) as n, max(opened_at) <= ? as openedBefore from rounds where status = 'open'").get(Date.parse(NOW))).toEqual({ n: 3, openedBefore: 1 });
    } finally {
      db.close();
    }

    // Another seed: the same line-up of teams in the same schema, with other people answering otherwise.
    expect(other['schema']).toEqual(first['schema']);
    const names = (content: Record<string, unknown[]>) => (content['teams'] ?? []).map((row) => (JSON.parse(String(row)) as { name: string }).name).sort();
    expect(names(other)).toEqual(names(first));
    expect(other['answers']).not.toEqual(first['answers']);
    expect(other['teams']).not.toEqual(first['teams']);
  });

  it('has at least 12 teams with 26 weekly rounds and 4–12 respondents, including improving, slipping and disagreeing teams', async () => {
    // The teams are counted in the database below (12 with 26 rounds each); `teams list --format json` is run in 'backs up …'.
    const digest = JSON.parse((await runCli(['digest', '--preview', '--format', 'json', '--database', demoDb], env)).stdout) as {
      sections: { improvedThisQuarter: unknown[]; slippedThisQuarter: unknown[]; hiddenTeamCount: number; teams: { cells: { value: number | null }[] }[] }[];
    };
    const cncf = digest.sections.find((section) => section.teams.length > 5);
    expect(cncf?.improvedThisQuarter.length).toBeGreaterThan(0);
    expect(cncf?.slippedThisQuarter.length).toBeGreaterThan(0);
    const db = new Database(demoDb, { readonly: true });
    try {
      const perTeam = db.prepare('select t.name, t.is_demo as demo, count(r.id) as rounds, max(r.respondents) as most from teams t join rounds r on r.team_id = t.id group by t.id').all() as { name: string; demo: number; rounds: number; most: number }[];
      expect(perTeam.filter((team) => team.rounds >= 26).length).toBeGreaterThanOrEqual(12);
      expect(perTeam.every((team) => team.demo === 1 && team.most <= 12)).toBe(true);
      const sizes = db.prepare('select min(respondents) as least, max(respondents) as most from rounds where status = ?').get('closed') as { least: number; most: number };
      expect(sizes.most).toBeGreaterThanOrEqual(8);
      expect(sizes.least).toBeLessThan(3);
    } finally {
      db.close();
    }
    const disagreeing = JSON.parse((await runCli(['report', '--team', 'Identity', '--format', 'json', '--database', demoDb], env)).stdout) as { aspects: { status: { kind: string; figure?: { breakdown: { agreement: string } | null } } }[] };
    expect(disagreeing.aspects.some((aspect) => aspect.status.figure?.breakdown?.agreement === 'low')).toBe(true);
  });
});

describe('report and digest', () => {
  it('prints a text report with levels, trends and next steps', async () => {
    const result = await runCli(['report', '--team', 'payments', '--database', demoDb], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Payments · CNCF platform engineering maturity · last 3 rounds per aspect/);
    expect(result.stdout).toMatch(/Investment\s+\d\.\d\s+(Provisional|Operational|Scalable|Optimizing)/);
    expect(result.stdout).toMatch(/To move .+ toward .+:\n {2}• /);
  });

  it('reports one aspect as JSON', async () => {
    const result = await runCli(['report', '--team', 'Payments', '--aspect', 'measurement', '--format', 'json', '--database', demoDb], env);
    const report = JSON.parse(result.stdout) as { aspects: { aspectId: string }[]; comments: unknown };
    expect(report.aspects.map((aspect) => aspect.aspectId)).toEqual(['measurement']);
    expect(report.comments).toBeNull();
  });

  it('previews the digest', async () => {
    const result = await runCli(['digest', '--preview', '--database', demoDb], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Platform maturity · week \d{4}-W\d{2}/);
    expect(result.stdout).toMatch(/Furthest below target: /);
  });
});

describe('bad input gets one clear sentence and a non-zero exit', () => {
  it('unknown team', async () => {
    expectOneSentence(await runCli(['report', '--team', 'Nope', '--database', demoDb], env), /^maturity-pulse: No team is called "Nope"\. Known teams: /);
  });

  it('unknown aspect', async () => {
    expectOneSentence(await runCli(['report', '--team', 'Payments', '--aspect', 'vibes', '--database', demoDb], env), /has no aspect "vibes"\. Aspects: investment, adoption/);
  });

  it('missing database', async () => {
    expectOneSentence(await runCli(['teams', 'list', '--database', path.join(dir, 'missing.db')], env), /There is no database at .*missing\.db/);
  });

  it('unreadable database path', async () => {
    mkdirSync(path.join(dir, 'a-directory.db'));
    expectOneSentence(await runCli(['teams', 'list', '--database', path.join(dir, 'a-directory.db')], env), /Cannot open the database at .*a-directory\.db/);
  });

  it('bad flags and unknown commands exit 2 with usage help', async () => {
    const missing = await runCli(['report'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--team <name>' not specified/);
    const unknown = await runCli(['reprot'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'reprot'/);
    const format = await runCli(['report', '--team', 'Payments', '--format', 'xml', '--database', demoDb], env);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/Allowed choices are text, json/);
    const now = await runCli(['demo', '--now', 'next tuesday', '--database', path.join(dir, 'never.db')], env);
    expect(now.code).toBe(2);
    expect(now.stderr).toMatch(/--now must be an ISO 8601 date and time, such as 2026-03-02T09:00:00Z\./);
    expect(existsSync(path.join(dir, 'never.db'))).toBe(false);
  });

  it('bad configuration lists every problem at once and never a secret', async () => {
    const result = await runCli(['teams', 'list', '--database', demoDb], { ...env, MIN_RESPONDENTS: '2', PORT: 'eighty', RESPONDENT_KEY_SECRET: 'short-secret-value' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/MIN_RESPONDENTS: expected at least 3, got "2"/);
    expect(result.stderr).toMatch(/PORT: expected a number, got "eighty"/);
    expect(result.stderr).toMatch(/RESPONDENT_KEY_SECRET: expected at least 32 characters, got a value of 18 characters/);
    expect(result.stderr).not.toContain('short-secret-value');
  });
});

describe('surveys', () => {
  it('validates the shipped surveys', async () => {
    const result = await runCli(['survey', 'validate', path.join(SURVEYS, 'cncf-platform-maturity.yaml'), path.join(SURVEYS, 'platform-capability-model.yaml')], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cncf-platform-maturity\.yaml: valid \(5 aspects, \d+ questions, 4 levels\)/);
    expect(result.stdout).toMatch(/platform-capability-model\.yaml: valid \(6 aspects, \d+ questions, 5 levels\)/);
  });

  it('gives precise errors for a broken copy', async () => {
    const broken = path.join(dir, 'broken.yaml');
    const text = readFileSync(path.join(SURVEYS, 'cncf-platform-maturity.yaml'), 'utf8').replace(/(\n {4}questions:\n(?:.*\n)*?)( {10}- level: 4\n {12}text: .*\n)/, '$1');
    writeFileSync(broken, text.replace('  - value: 2\n    name: Operational', '  - value: 2\n    name: Operational\n    colour: red'));
    const result = await runCli(['survey', 'validate', broken], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\.yaml:\d+ levels\[1\]: unknown key "colour"/);
    expect(result.stderr).toMatch(/broken\.yaml:\d+ aspects\[0\]\.questions\[0\]\.options: expected 4 options, one per level, found 3/);
    expect(result.stderr).toMatch(/2 problems found\./);
  });

  it('lists the surveys and skips a broken file in the directory', async () => {
    const surveys = path.join(dir, 'surveys');
    mkdirSync(surveys);
    copyFileSync(path.join(SURVEYS, 'cncf-platform-maturity.yaml'), path.join(surveys, 'a.yaml'));
    writeFileSync(path.join(surveys, 'b.yaml'), 'id: [broken\n');
    const result = await runCli(['survey', 'list', '--surveys', surveys], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^cncf-platform-maturity {2}CNCF platform engineering maturity · 5 aspects × 4 levels/);
    expect(result.stderr).toMatch(/skipped: .*b\.yaml:\d+ not valid YAML/);
  });
});

describe('operations', () => {
  it('opens and closes a round as intents in the database', async () => {
    const db = await demoCopy('ops.db');
    const busy = await runCli(['round', 'open', '--team', 'Payments', '--database', db], env);
    expectOneSentence(busy, /Payments already has a round open on .* until /);
    const closed = await runCli(['round', 'close', '--team', 'Payments', '--database', db], env);
    expect(closed.stdout).toMatch(/^Closed the round of Payments on .* with \d+ answered; the running bot posts the result\./);
    // Asked again in the same week: an extra round of that week (the schedule itself never doubles one).
    const again = await runCli(['round', 'open', '--team', 'Payments', '--database', db], env);
    expect(again.stdout).toMatch(/^Opened a round for Payments on .+: ".+" It closes /);
    const opened = await runCli(['round', 'open', '--team', 'Mobile', '--aspect', 'measurement', '--database', db], env);
    expect(opened.stdout).toMatch(/^Opened a round for Mobile on Measurement: ".+" It closes /);
    expectOneSentence(await runCli(['round', 'close', '--team', 'Identity', '--database', db], env), /Identity has no open round to close\./);
  });

  it('deletes a team only when confirmed', async () => {
    const db = await demoCopy('delete.db');
    expectOneSentence(await runCli(['team', 'delete', 'Checkout', '--database', db], env), /This erases Checkout with all its rounds, answers and comments\. Run again with --yes/);
    const rowsOf = (teamId: number) => {
      const reader = new Database(db, { readonly: true });
      try {
        const count = (sql: string) => (reader.prepare(sql).get(teamId) as { n: number }).n;
        return {
          rounds: count('select count(*) as n from rounds where team_id = ?'),
          answers: count('select count(*) as n from answers where round_id in (select id from rounds where team_id = ?)'),
          comments: count('select count(*) as n from comments where round_id in (select id from rounds where team_id = ?)'),
          roles: count('select count(*) as n from roles where team_id = ?'),
          deliveries: count('select count(*) as n from deliveries where team_id = ?'),
        };
      } finally {
        reader.close();
      }
    };
    const idOf = (name: string) => {
      const reader = new Database(db, { readonly: true });
      try {
        return (reader.prepare('select id from teams where name = ?').get(name) as { id: number }).id;
      } finally {
        reader.close();
      }
    };
    const checkout = idOf('Checkout');
    const payments = idOf('Payments');
    const paymentsBefore = rowsOf(payments);
    expect(rowsOf(checkout).answers).toBeGreaterThan(0);
    expect((await runCli(['team', 'delete', 'checkout', '--yes', '--database', db], env)).stdout).toMatch(/^Deleted Checkout/);
    expectOneSentence(await runCli(['report', '--team', 'Checkout', '--database', db], env), /No team is called "Checkout"/);
    // Erased, not hidden: nothing of the team is left, and nothing of another team went with it.
    expect(rowsOf(checkout)).toEqual({ rounds: 0, answers: 0, comments: 0, roles: 0, deliveries: 0 });
    expect(rowsOf(payments)).toEqual(paymentsBefore);
  });

  it('forgets a person', async () => {
    const db = await demoCopy('forget.db');
    const result = await runCli(['forget-me', '--platform', 'demo', '--workspace', 'demo-org', '--user', '#payments-member-1', '--database', db], env);
    expect(result.stdout).toMatch(/^Done: erased [1-9]\d* answers? and \d+ comments?\. Comments on closed rounds became anonymous/);
    const twice = await runCli(['forget-me', '--platform', 'demo', '--workspace', 'demo-org', '--user', '#payments-member-1', '--database', db], env);
    expect(twice.stdout).toMatch(/^Done: erased 0 answers and 0 comments\./);
    expectOneSentence(await runCli(['forget-me', '--platform', 'irc', '--workspace', 'w', '--user', 'u', '--database', db], env), /Unknown platform "irc"/);
  });

  it('backs up to a new file and refuses to overwrite without --force', async () => {
    const copy = path.join(dir, 'backup.db');
    expect((await runCli(['backup', copy, '--database', demoDb], env)).stdout).toMatch(/^Backed up .*demo\.db to .*backup\.db\./);
    expectOneSentence(await runCli(['backup', copy, '--database', demoDb], env), /backup\.db already exists; pass --force/);
    const fromCopy = await runCli(['teams', 'list', '--format', 'json', '--database', copy], env);
    expect((JSON.parse(fromCopy.stdout) as unknown[]).length).toBe(14);
  });

  it('migrates a new database', async () => {
    const result = await runCli(['migrate', '--database', path.join(dir, 'fresh', 'new.db')], env);
    expect(result.stdout).toMatch(/^The database at .*new\.db is up to date\./);
  });
});
