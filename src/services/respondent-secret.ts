import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserFacingError } from '../core/errors.js';
import { fingerprintsMatch, secretFingerprint } from '../core/respondent-key.js';
import type { Logger } from '../logger.js';
import { META_KEYS } from '../storage/records.js';
import type { Store } from '../storage/store.js';
import { ensureDirectory } from '../storage/ensure-directory.js';

export const KEY_FILE_NAME = 'respondent-key';

/**
 * The secret respondent keys are derived with: RESPONDENT_KEY_SECRET when set, otherwise a key generated
 * once into the data directory (mode 0600). Generating is announced with a warning, because losing that
 * file orphans every stored answer.
 */
export function resolveRespondentSecret(configured: string | null, dataDir: string, log: Logger, options: { generate: boolean } = { generate: true }): string {
  if (configured) return configured;
  const file = path.join(dataDir, KEY_FILE_NAME);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UserFacingError('config', `Cannot read the respondent key file ${file}; fix its permissions or set RESPONDENT_KEY_SECRET.`, { cause: error });
    }
  }
  if (!options.generate) {
    throw new UserFacingError('config', `There is no respondent key: set RESPONDENT_KEY_SECRET as the bot has it, or point DATA_DIR at the directory holding its ${KEY_FILE_NAME} file.`);
  }
  const secret = randomBytes(32).toString('base64url');
  try {
    ensureDirectory(dataDir);
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw new UserFacingError('config', `Cannot write a respondent key to ${file}; set RESPONDENT_KEY_SECRET or make the data directory writable.`, { cause: error });
  }
  log.warn({ file }, 'RESPONDENT_KEY_SECRET is not set: generated a respondent key into the data directory. Back it up with the database; without it stored answers cannot be matched to their authors again.');
  return secret;
}

/**
 * Stores the secret's fingerprint on first use and refuses a different secret afterwards: a changed key
 * would silently start a new respondent identity for everyone and orphan every stored answer.
 */
export async function checkSecretFingerprint(store: Store, secret: string, databaseName: string): Promise<void> {
  const fingerprint = secretFingerprint(secret);
  const stored = await store.writeMetaOnce(META_KEYS.respondentKeyFingerprint, fingerprint);
  if (!fingerprintsMatch(stored, fingerprint)) {
    throw new UserFacingError(
      'config',
      `The respondent key does not match the one ${databaseName} was created with. Restore the original RESPONDENT_KEY_SECRET (or the data directory's ${KEY_FILE_NAME} file), or point DATABASE_PATH (or DATABASE_URL) at a new database.`,
    );
  }
}
