/**
 * Failures a user can act on. Each carries a stable code for callers and a sentence for people; the
 * sentence never contains internals. Expected outcomes (round closed, not allowed, hidden) are values,
 * not exceptions: these are for input that cannot be processed at all.
 */
export type UserErrorCode =
  | 'unknown-team'
  | 'unknown-aspect'
  | 'unknown-survey'
  | 'invalid-input'
  | 'conflict'
  | 'not-allowed'
  | 'config'
  | 'storage'
  /** Asked of a setup that does not do it (a SQLite backup of a PostgreSQL database): exit code 2. */
  | 'unsupported';

export class UserFacingError extends Error {
  readonly code: UserErrorCode;
  constructor(code: UserErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserFacingError';
    this.code = code;
  }
}
