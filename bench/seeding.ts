/**
 * Seeded data for the benchmarks, made once and copied: seeding goes through the services on SQLite
 * (statement by statement, fast in-process), and a PostgreSQL database gets the same rows through the
 * product's own copy (`maturity-pulse migrate --to`, batched inserts in one transaction). The 500-team
 * organisation of the digest benchmarks is seeded once per run and copied for each of them: a file copy
 * on SQLite, a template database on PostgreSQL.
 */
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { adminQuery } from '../test/support/postgres-server.js';
import type { Clock } from '../src/core/clock.js';
import { seedDemoOrganisation, type DemoSummary, type DemoTeamSpec, type Trajectory } from '../src/demo/demo-organisation.js';
import { DemoRandom } from '../src/demo/demo-random.js';
import { copySqliteToPostgres } from '../src/storage/copy-to-postgres.js';
import { createBenchContext, type BenchContext } from './context.js';
import { benchTempDir, createBenchStorage, POOL_SIZE, sqliteConnection, type BenchEngine, type BenchStorage } from './engine.js';
import { formatMs, timeOnceAsync } from './stats.js';

export const ORGANISATION_TEAMS = 500;
export const ORGANISATION_WEEKS = 26;
// 'new' is left out: the generator gives such teams two rounds, and every team here should have all 26.
const TRAJECTORIES: readonly Trajectory[] = ['improving', 'slipping', 'steady', 'disagreeing', 'quiet'];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Europe/London'];

export function digestSpecs(count: number, surveyIds: readonly string[], random: DemoRandom): DemoTeamSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `Bench Team ${String(index + 1).padStart(3, '0')}`,
    surveyId: surveyIds[index % surveyIds.length]!,
    trajectory: TRAJECTORIES[index % TRAJECTORIES.length]!,
    members: random.int(5, 12),
    timeZone: ZONES[index % ZONES.length]!,
  }));
}

/**
 * A fresh storage for `engine` holding what `seed` writes: on SQLite seeded in place; on PostgreSQL seeded
 * into a scratch SQLite file and copied over. Answers how long each step took.
 */
export async function seededStorage<T>(engine: BenchEngine, label: string, clock: Clock, seed: (ctx: BenchContext) => Promise<T>): Promise<{ storage: BenchStorage; result: T; seedMs: number; copyMs: number }> {
  const storage = await createBenchStorage(engine, label);
  try {
    if (engine.name === 'sqlite') {
      const ctx = await createBenchContext(label, engine, { storage, clock });
      try {
        const seeded = await timeOnceAsync(() => seed(ctx));
        return { storage, result: seeded.result, seedMs: seeded.ms, copyMs: 0 };
      } finally {
        await ctx.close();
      }
    }
    const scratch = await createBenchStorage({ name: 'sqlite' }, `${label}-scratch`);
    try {
      const ctx = await createBenchContext(label, { name: 'sqlite' }, { storage: scratch, clock });
      let seeded: { result: T; ms: number };
      try {
        seeded = await timeOnceAsync(() => seed(ctx));
      } finally {
        await ctx.close();
      }
      const from = scratch.target;
      const to = storage.target;
      if (to.engine !== 'postgres' || from.engine !== 'sqlite') throw new Error('unexpected storage targets');
      const copied = await timeOnceAsync(() => copySqliteToPostgres(from.path, to.url));
      return { storage, result: seeded.result, seedMs: seeded.ms, copyMs: copied.ms };
    } finally {
      await scratch.drop();
    }
  } catch (error) {
    await storage.drop();
    throw error;
  }
}

interface Organisation {
  /** The SQLite file every copy starts from. */
  readonly file: string;
  readonly dir: string;
  readonly seededAt: Date;
  readonly summary: DemoSummary;
  readonly seedMs: number;
  /** Per PostgreSQL server: a template database holding the organisation, made on first use. */
  readonly templates: Map<string, Promise<{ name: string; copyMs: number }>>;
}

let organisation: Promise<Organisation> | null = null;

async function seedOrganisation(): Promise<Organisation> {
  const dir = benchTempDir('org');
  const storage: BenchStorage = {
    engine: 'sqlite',
    target: { engine: 'sqlite', path: path.join(dir, 'organisation.db') },
    env: {},
    dataDir: dir,
    drop: () => Promise.resolve(),
  };
  // The instant the organisation is seeded at; the benchmarks that read it take it as their "now".
  const seededAt = new Date();
  const ctx = await createBenchContext('organisation', { name: 'sqlite' }, { storage, clock: { now: () => new Date(seededAt) } });
  try {
    const surveyIds = [...ctx.surveys.keys()].sort();
    const seeded = await timeOnceAsync(() =>
      seedDemoOrganisation(ctx, { seed: 500, now: seededAt, weeks: ORGANISATION_WEEKS, liveRounds: false, targetsAndSteps: false, specs: digestSpecs(ORGANISATION_TEAMS, surveyIds, new DemoRandom(500)) }),
    );
    // The live app refuses a database holding the demo organisation; these teams are simply teams.
    sqliteConnection(ctx.store).prepare('UPDATE teams SET is_demo = 0').run();
    return { file: storage.target.engine === 'sqlite' ? storage.target.path : '', dir, seededAt, summary: seeded.result, seedMs: seeded.ms, templates: new Map() };
  } finally {
    await ctx.close();
  }
}


export interface OrganisationStorage {
  readonly storage: BenchStorage;
  /** The "now" the organisation's rounds were seeded around. */
  readonly seededAt: Date;
  readonly summary: DemoSummary;
  /** How this copy came about, for the benchmark's header. */
  readonly how: string;
}

/**
 * 500 teams x 26 weekly closed rounds (members 5-12, both shipped surveys), as the digest benchmark has
 * always seeded them, in a fresh storage of its own.
 */
export async function organisationStorage(engine: BenchEngine, label: string): Promise<OrganisationStorage> {
  const first = organisation === null;
  organisation ??= seedOrganisation();
  const org = await organisation;
  const seededLine = `seeded through the demo seeder on SQLite in ${formatMs(org.seedMs)} ms${first ? '' : ' earlier in this run'}`;
  if (engine.name === 'sqlite') {
    const storage = await createBenchStorage(engine, label);
    if (storage.target.engine !== 'sqlite') throw new Error('unexpected storage target');
    copyFileSync(org.file, storage.target.path);
    return { storage, seededAt: org.seededAt, summary: org.summary, how: `${seededLine}, file copied` };
  }
  const serverUrl = engine.serverUrl;
  if (!serverUrl) throw new Error('the PostgreSQL benchmarks need the server started by run.ts');
  let template = org.templates.get(serverUrl);
  const made = template === undefined;
  if (!template) {
    template = (async () => {
      const scratch = await createBenchStorage(engine, 'organisation-template');
      const to = scratch.target;
      if (to.engine !== 'postgres') throw new Error('unexpected storage target');
      rmSync(scratch.dataDir, { recursive: true, force: true });
      const copied = await timeOnceAsync(() => copySqliteToPostgres(org.file, to.url));
      // Vacuumed and analysed once here, so the copies start with statistics and a visibility map and
      // autovacuum does not wake up on 80,000 fresh rows in the middle of a measured phase.
      await adminQuery(to.url, 'vacuum analyze');
      return { name: new URL(to.url).pathname.slice(1), copyMs: copied.ms };
    })();
    org.templates.set(serverUrl, template);
  }
  const { name, copyMs } = await template;
  // A database created from a template is a file copy of it, with none of its connections open.
  const copy = `mp_bench_${Math.random().toString(16).slice(2, 10)}`;
  await adminQuery(serverUrl, `create database ${copy} template ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${copy}`;
  const dataDir = benchTempDir(label);
  const storage: BenchStorage = {
    engine: 'postgres',
    target: { engine: 'postgres', url: url.toString(), poolSize: POOL_SIZE },
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: String(POOL_SIZE) },
    dataDir,
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await adminQuery(serverUrl, `drop database if exists ${copy} with (force)`);
    },
  };
  return { storage, seededAt: org.seededAt, summary: org.summary, how: `${seededLine}, copied into PostgreSQL by migrate --to's copy in ${formatMs(copyMs)} ms${made ? '' : ' earlier in this run'}, then a database from that template` };
}

/** Removes the seeded organisation's file (the template databases go with the server). */
export async function dropOrganisation(): Promise<void> {
  const org = await organisation?.catch(() => null);
  organisation = null;
  if (org) rmSync(org.dir, { recursive: true, force: true });
}
