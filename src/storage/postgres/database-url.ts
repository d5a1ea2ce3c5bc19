/** Query parameters that libpq and node-postgres read as secrets. */
const SECRET_PARAMETERS = ['password', 'sslpassword'];

/**
 * The database URL as it may appear in messages and logs: the password (in the user info, or as a
 * `password`/`sslpassword` parameter) becomes `***`. Accepts URLs (`postgres://user:secret@host/db`) and
 * libpq key/value strings (`host=db password=secret`). A URL that `new URL` rejects loses everything
 * between `user:` and its last `@`: it errs towards hiding too much.
 */
export function redactDatabaseUrl(url: string): string {
  const trimmed = url.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return redactKeyValue(trimmed);
  try {
    const parsed = new URL(trimmed);
    if (parsed.password !== '') parsed.password = '***';
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAMETERS.includes(name.toLowerCase())) parsed.searchParams.set(name, '***');
    }
    // URLSearchParams percent-encodes the stars; keep the message readable.
    return parsed.toString().replaceAll('%2A%2A%2A', '***');
  } catch {
    return redactUnparsableUrl(trimmed);
  }
}

/** `host=db user=app password='s e c' dbname=x` → `... password=*** ...` (libpq quoting included). */
function redactKeyValue(value: string): string {
  return value.replace(/\b((?:ssl)?password)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)/gi, '$1=***');
}

/**
 * A URL that `new URL` rejects (an unescaped `@` or `/` in the password, a bad port): everything between
 * `scheme://user:` and the last `@` of the string goes, and so do secret parameters.
 */
function redactUnparsableUrl(value: string): string {
  const schemeEnd = value.indexOf('://') + 3;
  const lastAt = value.lastIndexOf('@');
  let result = value;
  if (lastAt > schemeEnd) {
    const userInfo = value.slice(schemeEnd, lastAt);
    const colon = userInfo.indexOf(':');
    const user = colon === -1 ? userInfo : userInfo.slice(0, colon);
    result = `${value.slice(0, schemeEnd)}${user}${colon === -1 ? '' : ':***'}${value.slice(lastAt)}`;
  }
  return result.replace(/([?&](?:ssl)?password=)[^&#]*/gi, '$1***');
}

/**
 * The secrets in a database URL, as written and percent-decoded, so a message that happens to quote one
 * (a driver error, say) can be scrubbed too. Empty when there is none or the URL cannot be read.
 */
export function databaseUrlSecrets(url: string): string[] {
  const secrets = new Set<string>();
  try {
    const parsed = new URL(url.trim());
    const values = [parsed.password, ...SECRET_PARAMETERS.flatMap((name) => parsed.searchParams.getAll(name))];
    for (const value of values) {
      if (value === '') continue;
      secrets.add(value);
      secrets.add(safeDecode(value));
    }
  } catch {
    for (const match of url.matchAll(/\b(?:ssl)?password\s*=\s*'?([^'\s&]+)/gi)) if (match[1]) secrets.add(match[1]);
  }
  // Scrubbing one- or two-character strings would garble every message, and such passwords protect nothing.
  return [...secrets].filter((secret) => secret.length >= 3);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
