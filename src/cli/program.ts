import { Command, CommanderError } from 'commander';
import { UserFacingError } from '../core/errors.js';
import { createLogger } from '../logger.js';
import { liveStorageTarget, type AppConfig } from '../config.js';
import { openContext } from '../bootstrap.js';
import { redactDatabaseUrl } from '../storage/postgres/database-url.js';
import { describeTarget, openStore } from '../storage/open-store.js';
import { configFrom, toolLogger, type GlobalOptions } from './cli-context.js';
import { print } from './output.js';
import { registerDataCommands } from './data-commands.js';
import { registerRoundCommands } from './round-commands.js';
import { registerSurveyCommands } from './survey-commands.js';
import { registerTeamCommands } from './team-commands.js';

export function buildProgram(): Command {
  const program = new Command('maturity-pulse')
    .description('Pulse questions in Slack and Teams that measure platform-engineering maturity.')
    .option('--database <path>', 'database file (default: DATABASE_PATH or ./data/maturity-pulse.db)')
    .option('--surveys <dir>', 'your own surveys directory, added to the shipped surveys (default: SURVEYS_DIR)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'maturity-pulse: ')) });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command('start')
    .description('run the bot (the demo when no Slack or Teams credentials are set)')
    .action(async () => {
      const config = configFrom(globals());
      const log = createLogger({ level: config.logLevel, format: config.logFormat, secrets: config.secrets });
      // A stray rejection from a platform library must not take every team's bot down with it.
      process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection (the bot keeps running)'));
      // Loaded only here: the platform SDKs and everything `start` wires take seconds to load, which every
      // other command would pay for nothing.
      const { startServer } = await import('../main.js');
      const server = await startServer(config, log);
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          log.info({ signal }, 'shutting down');
          server.stop().then(resolve, (error: unknown) => {
            log.error({ err: error }, 'shutdown failed');
            resolve();
          });
        };
        process.once('SIGINT', () => shutdown('SIGINT'));
        process.once('SIGTERM', () => shutdown('SIGTERM'));
      });
    });

  program
    .command('migrate')
    .description('create the database or bring it up to date; with --to, copy the SQLite database into PostgreSQL')
    .option('--to <url>', 'an empty PostgreSQL database (postgres://…) to copy the SQLite database at DATABASE_PATH into')
    .action(async (options: { to?: string }) => {
      const config = configFrom(globals());
      if (options.to !== undefined) {
        await copyToPostgres(config, options.to);
        return;
      }
      const target = liveStorageTarget(config);
      const store = await openStore(target);
      await store.close();
      print(`The database at ${await describeTarget(target)} is up to date.`);
    });

  registerSurveyCommands(program, globals);
  registerTeamCommands(program, globals);
  registerRoundCommands(program, globals);
  registerDataCommands(program, globals);
  return program;
}

/**
 * `migrate --to`: the SQLite database is checked against the configured respondent key first (a copy
 * made with the wrong key would orphan every answer), then copied into the empty PostgreSQL database.
 */
async function copyToPostgres(config: AppConfig, url: string): Promise<void> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UserFacingError('invalid-input', '--to expects a PostgreSQL URL such as postgres://user:password@host:5432/maturity_pulse.');
  if (config.databaseUrl) throw new UserFacingError('invalid-input', 'DATABASE_URL is set, so the data already lives in PostgreSQL; migrate --to copies from the SQLite file at DATABASE_PATH. Unset DATABASE_URL to run it.');
  const source = config.databasePath;
  const log = toolLogger(config);
  const ctx = await openContext(config, log, { target: { engine: 'sqlite', path: source }, create: false, kind: 'live' });
  await ctx.store.close();
  const { copySqliteToPostgres } = await import('../storage/copy-to-postgres.js');
  const summary = await copySqliteToPostgres(source, url);
  const counts = Object.entries(summary.tables)
    .filter(([, rows]) => rows > 0)
    .map(([table, rows]) => `${rows} ${table}`)
    .join(', ');
  print(`Copied ${source} into ${redactDatabaseUrl(url)} (${counts || 'no rows'}). Set DATABASE_URL to that database and start the bot; keep the same RESPONDENT_KEY_SECRET (or data directory key file).`);
}

/** Exit status and message for any failure: one sentence, never a stack trace. */
export function describeFailure(error: unknown): { code: number; message: string | null } {
  if (error instanceof CommanderError) {
    // Commander already printed its message (usage errors, --help, --version).
    return { code: error.exitCode === 0 ? 0 : 2, message: null };
  }
  if (error instanceof UserFacingError) return { code: error.code === 'unsupported' ? 2 : 1, message: error.message };
  const reason = error instanceof Error ? error.message : String(error);
  return { code: 1, message: `Unexpected error: ${reason}. Run again with LOG_LEVEL=debug and report it if it persists.` };
}
