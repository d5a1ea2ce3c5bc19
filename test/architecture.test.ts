import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The project's ESLint config, minus type information: the snippets linted here are not files on disk. */
function projectEslint(): ESLint {
  return new ESLint({
    cwd: root,
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false, project: null } },
      rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
    },
  });
}

async function coreViolations(code: string): Promise<string[]> {
  const eslint = projectEslint();
  const [result] = await eslint.lintText(code, { filePath: `${root}/src/core/example.ts` });
  return (result?.messages ?? []).map((message) => message.message.replace(/^.* is restricted from being used(?: by a pattern)?\. /, ''));
}

describe('the core stays pure (lint rule)', () => {
  it('rejects imports of storage, adapters, I/O and platform SDKs', async () => {
    expect(await coreViolations("import { openStore } from '../storage/open-store.js';\nexport const x = openStore;\n")).toContain('src/core imports nothing else of ours.');
    expect(await coreViolations("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toContain('src/core does no I/O.');
    expect(await coreViolations("import Database from 'better-sqlite3';\nexport const x = Database;\n")).toContain('src/core does not know storage, platforms, logging, metrics or timers.');
    expect(await coreViolations("import client from 'prom-client';\nexport const x = client;\n")).toContain('src/core does not know storage, platforms, logging, metrics or timers.');
  });

  it('rejects reading the clock or randomness', async () => {
    expect(await coreViolations('export const now = new Date();\n')).toContain('src/core takes `now` as a parameter.');
    expect(await coreViolations('export const roll = Math.random();\n')).toContain('src/core takes randomness as a parameter.');
  });

  it('accepts pure code that imports other core modules', async () => {
    expect(await coreViolations("import { roundToTenth } from './scoring.js';\nexport const x = roundToTenth(1.26);\n")).toEqual([]);
  });

  it('keeps process.env inside src/config.ts', async () => {
    const eslint = projectEslint();
    const [result] = await eslint.lintText('export const token = process.env.SLACK_BOT_TOKEN;\n', { filePath: `${root}/src/services/example.ts` });
    expect(result?.messages.map((message) => message.message)).toContain("'process.env' is restricted from being used. Read configuration through src/config.ts.");
  });
});

/** What the project's lint rules say about `code` placed at `file` (the restriction's message only). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await projectEslint().lintText(code, { filePath: `${root}/${file}` });
  return (result?.messages ?? []).map((message) => message.message.replace(/^.* is restricted from being used(?: by a pattern)?\. /, ''));
}

/** Imports of the storage layer as the async storage port lays it out, from a file `depth` folders below src/. */
function storageImports(depth: string): string[] {
  return [
    `import type { Store } from '${depth}storage/store.js';\nexport type X = Store;\n`,
    `import { openStore } from '${depth}storage/open-store.js';\nexport const x = openStore;\n`,
    `import type { Fence } from '${depth}storage/records.js';\nexport type X = Fence;\n`,
    `import { createSqliteStore } from '${depth}storage/sqlite/sqlite-store.js';\nexport const x = createSqliteStore;\n`,
    `import { createPostgresStore } from '${depth}storage/postgres/postgres-store.js';\nexport const x = createPostgresStore;\n`,
    `import * as storage from '${depth}storage';\nexport const x = storage;\n`,
  ];
}

describe('adapters only translate (lint rule)', () => {
  it('rejects storage imports in every adapter, and lets services use storage', async () => {
    for (const code of storageImports('../../../')) expect(await violations('src/adapters/slack/handlers/example.ts', code), code).toContain('Adapters call services, never storage.');
    for (const code of storageImports('../../')) {
      expect(await violations('src/adapters/teams/example.ts', code), code).toContain('Adapters call services, never storage.');
      expect(await violations('src/adapters/text/example.ts', code), code).toContain('Adapters call services, never storage.');
    }
    for (const code of storageImports('../')) expect(await violations('src/services/example.ts', code), code).toEqual([]);
  });

  it('still keeps each platform SDK in its own adapter', async () => {
    expect(await violations('src/adapters/slack/example.ts', "import { CloudAdapter } from 'botbuilder';\nexport const x = CloudAdapter;\n")).toContain('botbuilder is imported only in src/adapters/teams.');
    expect(await violations('src/adapters/teams/example.ts', "import { App } from '@slack/bolt';\nexport const x = App;\n")).toContain('Slack SDKs are imported only in src/adapters/slack.');
  });
});

describe('the scheduler only decides when (lint rule)', () => {
  it('rejects storage imports anywhere in src/scheduler, types included', async () => {
    for (const code of storageImports('../')) expect(await violations('src/scheduler/example.ts', code), code).toContain('The scheduler calls services, never storage.');
    for (const code of storageImports('../../')) expect(await violations('src/scheduler/nested/example.ts', code), code).toContain('The scheduler calls services, never storage.');
  });

  it('lets it call services and the core, and keeps platform SDKs out of it', async () => {
    const services = "import type { ServiceContext } from '../services/context.js';\nimport { takeSchedulerLease } from '../services/lease-service.js';\nimport { formatHolder } from '../core/lease-holder.js';\nexport type C = ServiceContext;\nexport const x = [takeSchedulerLease, formatHolder];\n";
    expect(await violations('src/scheduler/example.ts', services)).toEqual([]);
    expect(await violations('src/scheduler/example.ts', "import { CloudAdapter } from 'botbuilder';\nexport const x = CloudAdapter;\n")).toContain('botbuilder is imported only in src/adapters/teams.');
    expect(await violations('src/scheduler/example.ts', "import { App } from '@slack/bolt';\nexport const x = App;\n")).toContain('Slack SDKs are imported only in src/adapters/slack.');
  });

  it('holds for the scheduler and the adapters as they are: none of their files imports storage', async () => {
    const results = await projectEslint().lintFiles(['src/scheduler/**/*.ts', 'src/adapters/**/*.ts']);
    expect(results.length).toBeGreaterThan(10);
    const storageImportsFound = results.flatMap((result) =>
      result.messages.filter((message) => message.ruleId === 'no-restricted-imports' && /never storage/.test(message.message)).map((message) => `${result.filePath.slice(root.length)}:${message.line} ${message.message}`),
    );
    expect(storageImportsFound).toEqual([]);
  });
});
