import type { TestProject } from 'vitest/node';
import { INSTALL_HINT, findPostgresBin, startPostgresServer, wantsPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The throwaway PostgreSQL server of this run (superuser, trust authentication); each test file makes
     * its own database on it with createTestDatabase. Undefined when TEST_DATABASE leaves postgres out.
     */
    postgresUrl: string | undefined;
  }
}

/**
 * Starts one PostgreSQL server for the whole `vitest run` unless TEST_DATABASE leaves postgres out, and
 * stops it at teardown. A machine without the server binaries fails here, loudly, rather than skipping
 * every PostgreSQL test in silence.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!wantsPostgres(process.env.TEST_DATABASE)) {
    project.provide('postgresUrl', undefined);
    return undefined;
  }
  if (!findPostgresBin()) {
    throw new Error(`The PostgreSQL tests need initdb and pg_ctl (looked on PATH and in /usr/lib/postgresql/*/bin). ${INSTALL_HINT}`);
  }
  const server = await startPostgresServer();
  console.log(`PostgreSQL test server on ${server.url} (started in ${server.startupMs} ms)`);
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
