import type { Db } from './database.js';

const caches = new WeakMap<Db, Map<string, unknown>>();

/**
 * Builds a prepared statement (or any per-database value) once per database and reuses it: on the answer
 * hot path, building and preparing the SQL each time costs more than running it.
 */
export function perDatabase<T>(db: Db, key: string, build: () => T): T {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  if (!cache.has(key)) cache.set(key, build());
  return cache.get(key) as T;
}
