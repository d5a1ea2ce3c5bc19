import { access, constants } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { DateTime } from 'luxon';
import { UserFacingError } from '../core/errors.js';
import { isPlatform } from '../core/platform.js';
import { forgottenSentence } from '../adapters/text/reply-text.js';
import { DEMO_SEED, seedDemoOrganisation } from '../demo/demo-organisation.js';
import { forgetMe } from '../services/privacy-service.js';
import { backupSqliteDatabase } from '../services/backup-service.js';
import { liveStorageTarget } from '../config.js';
import { configFrom, operator, withContext, type GlobalOptions } from './cli-context.js';
import { print } from './output.js';

function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`${name} must be a whole number.`);
    return parsed;
  };
}

/**
 * An instant for `demo --now`. Without an offset it is read as UTC, so the same argument means the same
 * moment on every machine whatever its time zone.
 */
function isoInstant(value: string): Date {
  const parsed = DateTime.fromISO(value, { zone: 'utc' });
  if (!parsed.isValid) throw new InvalidArgumentError('--now must be an ISO 8601 date and time, such as 2026-03-02T09:00:00Z.');
  return parsed.toJSDate();
}

/** Commands about the data as a whole: a person's erasure, backups and the demo organisation. */
export function registerDataCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('forget-me')
    .description("erase one person's answers, and comments on open rounds, everywhere")
    .requiredOption('--platform <platform>', 'slack or teams')
    .requiredOption('--workspace <id>', 'Slack workspace id (on Enterprise Grid the organisation id, E…) or Teams tenant id')
    .requiredOption('--user <id>', 'Slack user id or Teams AAD object id')
    .action(async (options: { platform: string; workspace: string; user: string }) => {
      if (!isPlatform(options.platform)) throw new UserFacingError('invalid-input', `Unknown platform "${options.platform}"; use slack or teams.`);
      const platform = options.platform;
      await withContext(globals(), {}, async (ctx) => {
        const removed = await forgetMe(ctx, { platform, workspaceId: options.workspace, userId: options.user }, operator());
        print(forgottenSentence(removed));
      });
    });

  program
    .command('backup')
    .description('write an online copy of the database (safe while the bot runs)')
    .argument('<file>', 'where to write the copy')
    .option('--force', 'overwrite an existing file')
    .action(async (file: string, options: { force?: boolean }) => {
      const exists = await access(file, constants.F_OK).then(
        () => true,
        () => false,
      );
      if (exists && !options.force) throw new UserFacingError('conflict', `${file} already exists; pass --force to overwrite it.`);
      const config = configFrom(globals());
      const target = liveStorageTarget(config);
      if (target.engine === 'postgres') {
        // An online copy of a PostgreSQL database is pg_dump's job (or the managed service's snapshots).
        throw new UserFacingError('unsupported', `The data is in PostgreSQL (DATABASE_URL); back it up with pg_dump, for example: pg_dump --format=custom --file=${file} "$DATABASE_URL".`);
      }
      await access(target.path, constants.R_OK).catch(() => {
        throw new UserFacingError('storage', `There is no readable database at ${target.path}.`);
      });
      await backupSqliteDatabase(target.path, file);
      print(`Backed up ${target.path} to ${file}.`);
    });

  program
    .command('demo')
    .description('fill a database with a simulated organisation (12+ teams, 26 weekly rounds)')
    .option('--seed <n>', 'random seed; the same seed builds the same organisation', positiveInteger('--seed'), DEMO_SEED)
    .option('--teams <n>', 'number of teams', positiveInteger('--teams'), 14)
    .option('--weeks <n>', 'weeks of history', positiveInteger('--weeks'), 26)
    .option('--now <iso>', 'the moment the history leads up to (default: the current time); the same seed and now build the same database', isoInstant)
    .action(async (options: { seed: number; teams: number; weeks: number; now?: Date }) => {
      const config = configFrom(globals());
      const databasePath = globals().database ?? config.demoDatabasePath;
      if (options.teams < 1 || options.weeks < 1) throw new UserFacingError('invalid-input', '--teams and --weeks must be at least 1.');
      await withContext({ ...globals(), database: databasePath }, { create: true, kind: 'demo', target: { engine: 'sqlite', path: databasePath } }, async (ctx) => {
        if (await ctx.store.countTeams() > 0) throw new UserFacingError('conflict', `${databasePath} already holds teams; delete the file or pass another --database.`);
        const now = options.now ?? ctx.clock.now();
        const summary = await seedDemoOrganisation(ctx, { seed: options.seed, now, teams: options.teams, weeks: options.weeks });
        // The seed and the moment together name the organisation: printing both lets anyone build it again.
        print(`Seeded ${databasePath}: ${summary.teams} teams, ${summary.rounds} rounds, ${summary.answers} answers (seed ${options.seed}, now ${now.toISOString()}).`);
      });
    });
}
