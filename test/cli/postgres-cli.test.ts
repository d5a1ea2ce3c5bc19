import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open-store.js';
import { cleanEnv, runCli, type CliResult } from '../support/processes.js';
import { createTestStorage, tempDir } from '../support/test-context.js';

let dir: string;
let cleanup: () => void;
let env: Record<string, string>;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mp-cli-pg-'));
  env = cleanEnv(dir);
});
afterAll(() => cleanup());

function expectOneSentence(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

describe('with the data in PostgreSQL (DATABASE_URL)', () => {
  /** Nothing listens on port 1: a command that tried to connect would fail with "Cannot connect". */
  const NOWHERE = 'postgres://pulse:backup-password-value@127.0.0.1:1/pulse';

  it('backup refuses with exit 2 and points at pg_dump, without connecting or writing a file', async () => {
    const copy = path.join(dir, 'postgres-backup.dump');
    const result = await runCli(['backup', copy], { ...env, DATABASE_URL: NOWHERE });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^maturity-pulse: The data is in PostgreSQL \(DATABASE_URL\); back it up with pg_dump, for example: pg_dump --format=custom --file=.*postgres-backup\.dump "\$DATABASE_URL"\.\n$/);
    expect(result.stderr).not.toMatch(/Cannot connect/);
    expect(result.stderr).not.toContain('backup-password-value');
    expect(existsSync(copy)).toBe(false);
  });

  it('migrate names an unreachable database without its password', async () => {
    expectOneSentence(await runCli(['migrate'], { ...env, DATABASE_URL: NOWHERE }), /^maturity-pulse: Cannot connect to the PostgreSQL database at postgres:\/\/pulse:\*\*\*@127\.0\.0\.1:1\/pulse: /);
    const again = await runCli(['migrate'], { ...env, DATABASE_URL: NOWHERE });
    expect(`${again.stdout}${again.stderr}`).not.toContain('backup-password-value');
  });

  it('migrate brings a new PostgreSQL database up to date, twice, and never prints its password', async () => {
    const storage = await createTestStorage(dir);
    try {
      // The test server trusts every local connection, so a password in the URL is accepted and ignored.
      const url = new URL(storage.env.DATABASE_URL ?? '');
      url.password = 'migrate-password-value';
      const redacted = `postgres://postgres:***@${url.host}${url.pathname}`;
      for (let run = 1; run <= 2; run += 1) {
        const result = await runCli(['migrate'], { ...env, DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '2' });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(`The database at ${redacted} is up to date.\n`);
        expect(result.stdout).not.toContain('migrate-password-value');
      }
      // The schema is there: a store that does not migrate reads it.
      const store = await openStore(storage.target, { migrate: false });
      try {
        expect(await store.countTeams()).toBe(0);
        expect(await store.readLease('scheduler')).toBeNull();
      } finally {
        await store.close();
      }
    } finally {
      await storage.drop();
    }
  });
});
