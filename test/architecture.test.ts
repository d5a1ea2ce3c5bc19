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
    expect(await coreViolations("import { listTeams } from '../storage/team-repository.js';\nexport const x = listTeams;\n")).toContain('src/core imports nothing else of ours.');
    expect(await coreViolations("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toContain('src/core does no I/O.');
    expect(await coreViolations("import Database from 'better-sqlite3';\nexport const x = Database;\n")).toContain('src/core does not know storage, platforms, logging or timers.');
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

describe('adapters only translate (lint rule)', () => {
  async function violations(file: string, code: string): Promise<string[]> {
    const [result] = await projectEslint().lintText(code, { filePath: `${root}/${file}` });
    return (result?.messages ?? []).map((message) => message.message.replace(/^.* is restricted from being used(?: by a pattern)?\. /, ''));
  }

  it('rejects storage imports in every adapter, and lets services use storage', async () => {
    const storage = (depth: string) => `import { listTeams } from '${depth}storage/team-repository.js';\nexport const x = listTeams;\n`;
    expect(await violations('src/adapters/slack/handlers/example.ts', storage('../../../'))).toContain('Adapters call services, never storage.');
    expect(await violations('src/adapters/teams/example.ts', storage('../../'))).toContain('Adapters call services, never storage.');
    expect(await violations('src/adapters/text/example.ts', storage('../../'))).toContain('Adapters call services, never storage.');
    expect(await violations('src/services/example.ts', storage('../'))).toEqual([]);
  });

  it('still keeps each platform SDK in its own adapter', async () => {
    expect(await violations('src/adapters/slack/example.ts', "import { CloudAdapter } from 'botbuilder';\nexport const x = CloudAdapter;\n")).toContain('botbuilder is imported only in src/adapters/teams.');
    expect(await violations('src/adapters/teams/example.ts', "import { App } from '@slack/bolt';\nexport const x = App;\n")).toContain('Slack SDKs are imported only in src/adapters/slack.');
  });
});
