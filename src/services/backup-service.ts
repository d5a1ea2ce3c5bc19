import { UserFacingError } from '../core/errors.js';
import { backupDatabase, closeDatabase, openDatabase } from '../storage/sqlite/database.js';

/** An online copy of a SQLite database file through SQLite's backup API; safe while the bot runs. */
export async function backupSqliteDatabase(databasePath: string, destination: string): Promise<void> {
  const db = openDatabase(databasePath, { migrate: false });
  try {
    await backupDatabase(db, destination);
  } catch (error) {
    throw new UserFacingError('storage', `Cannot write the backup to ${destination}: ${error instanceof Error ? error.message : String(error)}.`);
  } finally {
    closeDatabase(db);
  }
}
