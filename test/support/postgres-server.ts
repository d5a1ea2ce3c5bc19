import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temporary directory, on a free loopback
 * port, with durability off (tests never need a crash to be survivable). One per `vitest run` (see
 * postgres-global-setup.ts), one database per test file (createTestDatabase), so files stay isolated and
 * can run in parallel.
 */

const run = promisify(execFile);

export const INSTALL_HINT =
  "Install Debian's postgresql package (apt-get install -y --no-install-recommends postgresql), or run only the SQLite tests with TEST_DATABASE=sqlite.";

export interface PostgresServer {
  /** Connects as the superuser `postgres` (trust authentication) to the `postgres` database. */
  readonly url: string;
  /** How long initdb and the start took, for the curious. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** Whether this run wants PostgreSQL: `TEST_DATABASE` unset, or naming postgres (`postgres`, `sqlite,postgres`). */
export function wantsPostgres(testDatabase: string | undefined): boolean {
  return testDatabase === undefined || testDatabase.trim() === '' || testDatabase.toLowerCase().includes('postgres');
}

/**
 * The directory holding initdb and pg_ctl: where `initdb` on PATH really lives, else the newest
 * /usr/lib/postgresql/<version>/bin (Debian does not put initdb on PATH). Undefined when neither exists.
 */
export function findPostgresBin(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'initdb');
    if (!existsSync(candidate)) continue;
    const real = path.dirname(realpathSync(candidate));
    if (existsSync(path.join(real, 'pg_ctl'))) return real;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

/**
 * initdb + pg_ctl start. initdb refuses to run as root, so as root the cluster belongs to the `postgres`
 * user the Debian package creates (`runuser -u postgres --`); otherwise it runs as whoever we are.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(`PostgreSQL server binaries (initdb, pg_ctl) were found neither on PATH nor under /usr/lib/postgresql/*/bin. ${INSTALL_HINT}`);
  const started = Date.now();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'mp-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const env = serverEnv();
  if (asRoot) {
    const owner = postgresUser();
    chownSync(dir, owner.uid, owner.gid);
  }
  const command = (tool: string, args: readonly string[]): [string, string[]] => {
    const file = path.join(bin, tool);
    return asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, [...args]];
  };
  const exec = async (tool: string, args: readonly string[]): Promise<void> => {
    const [file, argv] = command(tool, args);
    try {
      await run(file, argv, { cwd: dir, env });
    } catch (error) {
      const output = error instanceof Error && 'stderr' in error ? String(error.stderr) : '';
      const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
      throw new Error(`${tool} failed: ${error instanceof Error ? error.message : String(error)}\n${output}\n${serverLog}`, { cause: error });
    }
  };

  try {
    await exec('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync', '--encoding=UTF8', '--no-locale']);
    // The port is free when we look; another process may take it before the server binds, so try again.
    let port = 0;
    for (let attempt = 1; ; attempt += 1) {
      port = await freePort();
      const settings = [
        `-p ${port}`,
        `-k ${dir}`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=300',
      ].join(' ');
      try {
        // -l: without a log file the server would inherit our pipes and execFile would never return.
        await exec('pg_ctl', ['start', '-w', '-D', data, '-l', log, '-o', settings]);
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    const stopSync = (): void => {
      const [file, argv] = command('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
      try {
        execFileSync(file, argv, { cwd: dir, env, stdio: 'ignore' });
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    };
    // A run killed before its teardown must not leave a server behind.
    process.once('exit', stopSync);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      startupMs: Date.now() - started,
      stop: async () => {
        process.removeListener('exit', stopSync);
        try {
          await exec('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A fresh, empty database on the server, named uniquely, for one test file. template0 is tiny and nobody
 * connects to it, so concurrent creations never fail on "source database is being accessed".
 */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `mp_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `create database ${name} template template0`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`),
  };
}

/** One statement on its own connection (create or drop a database, vacuum). */
export async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Our environment without PG* variables, which would point the tools at another cluster or port. */
function serverEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PG')));
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch (error) {
    throw new Error(`Running as root, the test cluster must belong to the postgres user, and there is none. ${INSTALL_HINT}`, { cause: error });
  }
}

/** A port free on loopback right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
