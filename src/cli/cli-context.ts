import { userInfo, hostname } from 'node:os';
import pino from 'pino';
import { openContext, type OpenContextOptions } from '../bootstrap.js';
import { liveStorageTarget, loadConfig, withAbsolutePaths, type AppConfig } from '../config.js';
import { UserFacingError } from '../core/errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { ServiceContext } from '../services/context.js';
import type { AuditActor } from '../storage/records.js';

/** Options every command accepts. */
export interface GlobalOptions {
  readonly database?: string;
  readonly surveys?: string;
}

/** The configuration from the environment and the global flags, with every path made absolute. */
export function configFrom(globals: GlobalOptions): AppConfig {
  const overrides: Record<string, string> = {};
  if (globals.database) overrides.DATABASE_PATH = globals.database;
  if (globals.surveys) overrides.SURVEYS_DIR = globals.surveys;
  const result = loadConfig(undefined, overrides);
  if (!result.ok) {
    throw new UserFacingError('config', `The configuration has ${result.problems.length === 1 ? 'a problem' : `${result.problems.length} problems`}:\n  ${result.problems.join('\n  ')}`);
  }
  return withAbsolutePaths(result.config);
}

/** Command-line tools log only warnings (to stderr) unless LOG_LEVEL asks for more detail. */
export function toolLogger(config: AppConfig): Logger {
  const level = ['debug', 'trace'].includes(config.logLevel) ? config.logLevel : 'warn';
  return createLogger({ level, format: 'json', secrets: config.secrets, destination: pino.destination(2) });
}

/** The operator at this terminal, as the audit log records them. */
export function operator(): AuditActor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // Some containers have no passwd entry for the uid; the audit entry still records the host.
  }
  return { platform: 'cli', workspaceId: hostname(), userId: user };
}

/** Runs `work` with a context on the configured database, closing it afterwards. */
export async function withContext<T>(globals: GlobalOptions, options: Partial<OpenContextOptions>, work: (ctx: ServiceContext, config: AppConfig) => Promise<T> | T): Promise<T> {
  const config = configFrom(globals);
  const log = toolLogger(config);
  const ctx = await openContext(config, log, { target: liveStorageTarget(config), create: false, kind: 'live', ...options });
  try {
    return await work(ctx, config);
  } finally {
    await ctx.store.close();
  }
}
