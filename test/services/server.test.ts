import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { openRound } from '../../src/services/round-service.js';
import { findTeamByName } from '../../src/storage/team-repository.js';
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
    const db = ctx.db.$client;
    await waitUntil('the start-up tick to post the demo rounds and finish', () => {
      const posted = db.prepare("select count(*) as n from deliveries where status = 'sent'").get() as { n: number };
      const left = db.prepare("select count(*) as n from deliveries where status in ('claimed', 'sending') or (status = 'pending' and next_attempt_at <= ?)").get(ctx.clock.now().getTime()) as { n: number };
      return posted.n >= 3 && left.n === 0;
    });
    const before = lines.length;
    const team = findTeamByName(ctx.db, 'Mobile');
    if (!team) throw new Error('demo team missing');
    const opened = openRound(ctx, team, { origin: 'ad-hoc', aspectId: 'adoption' });
    expect(opened.kind).toBe('opened');
    const post = await waitForLine(lines, /"channel":"#mobile","kind":"round-opened"/, 'the kicked post of the Mobile round');
    expect(lines.indexOf(post)).toBeGreaterThanOrEqual(before);
    expect(post).toContain('Platform pulse · Adoption');
  });
});
