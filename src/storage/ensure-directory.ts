import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Creates a directory and its missing parents one level at a time. Node 20's recursive mkdirSync can spin
 * forever on some paths (under /proc, for instance); a non-recursive call per level fails cleanly instead.
 */
export function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  for (let current = path.resolve(dir); !existsSync(current); current = path.dirname(current)) {
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const level of missing) mkdirSync(level);
}
