import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HANG_GUARD_MS } from './wait.js';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const SURVEYS = fileURLToPath(new URL('../../surveys', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A clean environment: nothing inherited that could connect a platform or change behaviour. */
export function cleanEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: dir, DATA_DIR: dir, SURVEYS_DIR: SURVEYS, LOG_FORMAT: 'json', ...extra };
}

/**
 * Waits until the asynchronous `check` resolves to something truthy (a row the process wrote, say) and
 * returns it; like waitUntil in wait.ts, whose checks are synchronous. The guard only turns a hang into a
 * failure that says what never happened.
 */
export async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>, hangGuardMs = HANG_GUARD_MS): Promise<T> {
  const giveUpAt = Date.now() + hangGuardMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > giveUpAt) throw new Error(`never happened: ${what} (gave up after ${hangGuardMs / 1000} s; a hang, not a slow machine)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the real CLI as a child process and collects its output. */
export function runCli(args: readonly string[], env: Record<string, string>, cwd?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A running `maturity-pulse start` process whose output the test can wait on. */
export class ServerProcess {
  readonly child: ChildProcess;
  output = '';
  private readonly exitPromise: Promise<number | null>;

  constructor(env: Record<string, string>, cwd?: string) {
    this.child = spawn(process.execPath, [CLI, 'start'], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exitPromise = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Waits until the output matches (real time, polling), or fails with what was printed so far. */
  async waitFor(pattern: RegExp, timeoutMs = 45_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; output so far:\n${this.output.slice(-3000)}`);
      if (this.child.exitCode !== null) throw new Error(`process exited (${this.child.exitCode}) before ${String(pattern)}:\n${this.output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The port the server bound, from its start-up line. */
  async port(): Promise<number> {
    const match = await this.waitFor(/"port":(\d+)[^\n]*maturity-pulse is running/);
    return Number(match[1]);
  }

  exited(): Promise<number | null> {
    return this.exitPromise;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exitPromise;
  }
}
