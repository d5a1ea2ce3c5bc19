import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { openRound } from '../../src/services/round-service.js';
import { SURVEYS } from '../support/processes.js';
import { memoryLogger, tempDir } from '../support/test-context.js';
import { waitForLine, waitUntil } from '../support/wait.js';

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
    // A yearly tick: once the start-up tick is done, only the kick can explain a post.
    const config = loadConfig({ DATA_DIR: temp.dir, SURVEYS_DIR: SURVEYS, PORT: '0', TICK_CRON: '0 0 1 1 *' });
    if (!config.ok) throw new Error(config.problems.join('; '));
    const { log, lines } = memoryLogger();
    const output: string[] = [];
    server = await startServer(config.config, log, (text) => output.push(text));
    expect(server.mode).toBe('demo');
    expect(output.join('')).toMatch(/Payments · CNCF platform engineering maturity/);
    expect(path.basename(config.config.demoDatabasePath)).toBe('demo.db');

    // The yearly tick ran once, at start: it took the lease and drained the demo's live rounds. Once those are
    // posted and nothing else is due or in flight, no tick is left to explain a later post.
    await waitForLine(lines, /took the scheduler lease/);
    const { ctx } = server;
    // The demo runs on its own SQLite file whichever engine this project tests; the checks go through the store.
    await waitUntil('the start-up tick to post the demo rounds and finish', async () => {
      const counts = await ctx.store.countDeliveries();
      const now = ctx.clock.now().getTime();
      const duePending = (await ctx.store.listDeliveries({ status: 'pending' })).filter((delivery) => delivery.nextAttemptAt.getTime() <= now);
      return counts.sent >= 3 && counts.claimed === 0 && counts.sending === 0 && duePending.length === 0;
    });
    const before = lines.length;
    const team = await ctx.store.findTeamByName('Mobile');
    if (!team) throw new Error('demo team missing');
    const opened = await openRound(ctx, team, { origin: 'ad-hoc', aspectId: 'adoption' });
    expect(opened.kind).toBe('opened');
    const post = await waitForLine(lines, /"channel":"#mobile","kind":"round-opened"/, 'the kicked post of the Mobile round');
    expect(lines.indexOf(post)).toBeGreaterThanOrEqual(before);
    expect(post).toContain('Platform pulse · Adoption');
  });
});
