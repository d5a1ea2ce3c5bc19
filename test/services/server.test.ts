import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { openRound } from '../../src/services/round-service.js';
import { findTeamByName } from '../../src/storage/team-repository.js';
import { SURVEYS } from '../support/processes.js';
import { memoryLogger, tempDir } from '../support/test-context.js';

let server: RunningServer | null = null;
let cleanup: (() => void) | null = null;
afterEach(async () => {
  await server?.stop();
  cleanup?.();
  server = null;
});

describe('the running server', () => {
  it('posts an intent written through it at once, without waiting for the next tick', async () => {
    const temp = tempDir('mp-server-');
    cleanup = temp.cleanup;
    // A yearly tick: only the kick can explain a post within seconds.
    const config = loadConfig({ DATA_DIR: temp.dir, SURVEYS_DIR: SURVEYS, PORT: '0', TICK_CRON: '0 0 1 1 *' });
    if (!config.ok) throw new Error(config.problems.join('; '));
    const { log, lines } = memoryLogger();
    const output: string[] = [];
    server = await startServer(config.config, log, (text) => output.push(text));
    expect(server.mode).toBe('demo');
    expect(output.join('')).toMatch(/Payments · CNCF platform engineering maturity/);
    expect(path.basename(config.config.demoDatabasePath)).toBe('demo.db');

    const deadline = Date.now() + 5000;
    while (!lines.some((line) => line.includes('took the scheduler lease')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const team = findTeamByName(server.ctx.db, 'Mobile');
    if (!team) throw new Error('demo team missing');
    const opened = openRound(server.ctx, team, { origin: 'ad-hoc', aspectId: 'adoption' });
    expect(opened.kind).toBe('opened');
    const posted = () => lines.some((line) => line.includes('"channel":"#mobile"') && line.includes('"kind":"round-opened"'));
    while (!posted() && Date.now() < deadline + 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(posted()).toBe(true);
  });
});
