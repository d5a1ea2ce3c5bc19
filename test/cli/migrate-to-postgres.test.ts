import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { renderDigestText } from '../../src/adapters/text/render-digest.js';
import { renderReportText } from '../../src/adapters/text/render-report.js';
import type { NextStep } from '../../src/core/next-steps.js';
import type { TargetSetting } from '../../src/core/targets.js';
import { DEMO_RESPONDENT_SECRET } from '../../src/bootstrap.js';
import type { ServiceContext } from '../../src/services/context.js';
import { orgDigest, teamReport } from '../../src/services/report-service.js';
import { openStore, type StorageTarget } from '../../src/storage/open-store.js';
import { loadSurveyCatalogue } from '../../src/survey-files/survey-catalogue.js';
import { TEST_POLICY } from '../support/factories.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-server.js';
import { cleanEnv, runCli } from '../support/processes.js';
import { ManualClock, memoryLogger, tempDir, testEngine } from '../support/test-context.js';

// A Wednesday after the demo's history: every figure below is computed for this instant on both engines.
const DEMO_NOW = '2026-03-04T09:30:00Z';
const VIEW_AT = new Date('2026-03-05T12:00:00Z');

describe.skipIf(testEngine() !== 'postgres')('migrate --to postgres://…', () => {
  let dir: string;
  let cleanup: () => void;
  let env: Record<string, string>;
  let sqliteFile: string;
  let target: TestDatabase;
  let seededRows: { target: TargetSetting; step: NextStep };

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('mp-migrate-'));
    sqliteFile = path.join(dir, 'demo.db');
    env = cleanEnv(dir, { DATABASE_PATH: sqliteFile });
    const seeded = await runCli(['demo', '--seed', '11', '--now', DEMO_NOW, '--database', sqliteFile], env);
    expect(seeded.stderr).toBe('');
    seededRows = await seedTargetAndStep(sqliteFile);
    const server = inject('postgresUrl');
    if (!server) throw new Error('no PostgreSQL server for this run');
    target = await createTestDatabase(server);
  });
  afterAll(async () => {
    await target.drop();
    cleanup();
  });

  async function contextOn(storage: StorageTarget): Promise<ServiceContext> {
    const catalogue = await loadSurveyCatalogue(null);
    return { store: await openStore(storage), surveys: catalogue.surveys, policy: TEST_POLICY, respondentSecret: DEMO_RESPONDENT_SECRET, clock: new ManualClock(VIEW_AT), log: memoryLogger().log };
  }

  /** Every team's report (with comments, as a lead sees it) and the digest, as text: what people read. */
  async function everythingShown(ctx: ServiceContext): Promise<string[]> {
    const shown: string[] = [];
    for (const team of await ctx.store.listTeams()) {
      const result = await teamReport(ctx, team, { withComments: true, at: VIEW_AT });
      shown.push(result.kind === 'report' ? renderReportText(result.report) : result.kind);
    }
    shown.push(renderDigestText(await orgDigest(ctx, { at: VIEW_AT })));
    return shown;
  }

  it('copies the demo organisation so that every report and the digest read the same, byte for byte', async () => {
    const copied = await runCli(['migrate', '--to', target.url], env);
    expect(copied.stderr).toBe('');
    expect(copied.code).toBe(0);
    expect(copied.stdout).toMatch(/^Copied .*demo\.db into postgres:\/\/\S+ \(2 meta, 14 teams, \d+ rounds, \d+ answers/);

    const onSqlite = await contextOn({ engine: 'sqlite', path: sqliteFile });
    const onPostgres = await contextOn({ engine: 'postgres', url: target.url, poolSize: 2 });
    try {
      const before = await everythingShown(onSqlite);
      const after = await everythingShown(onPostgres);
      expect(before.length).toBeGreaterThan(10);
      // Comments are shuffled for display; compare the sets of lines, and the whole text without comments.
      expect(after.map(sortedLines)).toEqual(before.map(sortedLines));
      expect(after.at(-1)).toBe(before.at(-1));
      // Targets and adopted steps come across as they were, ids and owners included.
      const targetsBefore = await onSqlite.store.listTargets();
      const stepsBefore = await onSqlite.store.listSteps();
      expect(targetsBefore).toContainEqual(seededRows.target);
      expect(stepsBefore).toContainEqual(seededRows.step);
      expect(await onPostgres.store.listTargets()).toEqual(targetsBefore);
      expect(await onPostgres.store.listSteps()).toEqual(stepsBefore);
      expect(copied.stdout).toMatch(new RegExp(`\\b${targetsBefore.length} targets, ${stepsBefore.length} next_steps\\b`));
      // New rows continue after the copied ids (the identity sequences were moved on).
      const team = (await onPostgres.store.listTeams())[0];
      if (!team) throw new Error('no team copied');
      const created = await onPostgres.store.insertTeam({ name: 'After the move', channel: { platform: 'demo', workspaceId: 'W', channelId: '#after' }, surveyId: team.surveyId, cadence: team.cadence, createdAt: VIEW_AT });
      expect(created.kind).toBe('created');
      if (created.kind === 'created') expect(created.team.id).toBeGreaterThan(Math.max(...(await onPostgres.store.listTeams()).filter((t) => t.id !== created.team.id).map((t) => t.id)));
      const { teamId, surveyId, aspectId, suggestionId, text, owner, ownerName, ownerStatus, dueAt } = seededRows.step;
      const step = await onPostgres.store.insertStep({ teamId, surveyId, aspectId, suggestionId, text, owner, ownerName, ownerStatus, adoptedAt: VIEW_AT, dueAt });
      expect(step.id).toBeGreaterThan(Math.max(...stepsBefore.map((s) => s.id)));
    } finally {
      await onSqlite.store.close();
      await onPostgres.store.close();
    }
  });

  it('refuses a database that already holds data, naming it without its password', async () => {
    const again = await runCli(['migrate', '--to', target.url.replace('postgres://postgres@', 'postgres://postgres:hunter2-secret@')], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds data \(table meta\); migrate copies only into an empty database/);
    expect(again.stderr).not.toContain('hunter2-secret');
  });

  it('refuses to copy with a respondent key that does not match the source database', async () => {
    const live = path.join(dir, 'live.db');
    // Any command on a new database records its key's fingerprint (migrate alone only creates the tables).
    await runCli(['migrate'], cleanEnv(dir, { DATABASE_PATH: live, RESPONDENT_KEY_SECRET: 'a'.repeat(40) }));
    const first = await runCli(['teams', 'list'], cleanEnv(dir, { DATABASE_PATH: live, RESPONDENT_KEY_SECRET: 'a'.repeat(40) }));
    expect(first.code).toBe(0);
    const fresh = await createTestDatabase(inject('postgresUrl') ?? '');
    try {
      const wrongKey = await runCli(['migrate', '--to', fresh.url], cleanEnv(dir, { DATABASE_PATH: live, RESPONDENT_KEY_SECRET: 'b'.repeat(40) }));
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stderr).toMatch(/respondent key does not match/);
    } finally {
      await fresh.drop();
    }
  });
});

const SEEDED_AT = new Date('2026-03-01T08:00:00.000Z');

/** One team target and one adopted step (with an owner) in the SQLite file, on its first team, for the copy to carry. */
async function seedTargetAndStep(file: string): Promise<{ target: TargetSetting; step: NextStep }> {
  const store = await openStore({ engine: 'sqlite', path: file });
  try {
    const team = (await store.listTeams())[0];
    const aspect = team ? (await loadSurveyCatalogue(null)).surveys.get(team.surveyId)?.survey.aspects[0] : undefined;
    if (!team || !aspect) throw new Error('the demo made no team with a known survey');
    const target: TargetSetting = { surveyId: team.surveyId, aspectId: aspect.id, teamId: team.id, level: 3, reason: 'Seeded before the copy', setAt: SEEDED_AT };
    await store.setTarget(target);
    const owner = { platform: 'demo' as const, workspaceId: team.channel.workspaceId, userId: 'U-owner' };
    const step = await store.insertStep({ teamId: team.id, surveyId: team.surveyId, aspectId: aspect.id, suggestionId: null, text: 'Seeded before the copy', owner, ownerName: 'Olu Owner', ownerStatus: 'accepted', adoptedAt: SEEDED_AT, dueAt: new Date('2026-04-12T08:00:00.000Z') });
    return { target, step };
  } finally {
    await store.close();
  }
}

function sortedLines(text: string): string {
  return text.split('\n').sort().join('\n');
}
