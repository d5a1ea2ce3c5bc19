/**
 * Optional CPU profiles of a measured window, for finding what runs on the app's event loop: with
 * BENCH_CPU_PROFILE=DIR set, `profileWindow` records this thread (the app's, where the real app runs
 * in-process) with the inspector's sampling profiler and writes DIR/<name>.cpuprofile, which Chrome's
 * DevTools or `npx speedscope` open. Unset, it only runs the work.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

function post(session: Session, method: string, params?: object): Promise<unknown> {
  // The promise API's overloads are per method name; the untyped form keeps this helper small.
  return (session.post as (method: string, params?: object) => Promise<unknown>)(method, params);
}

export async function profileWindow<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return work();
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  // 250 µs: fine enough to see a 5 ms synchronous pass as twenty samples.
  await post(session, 'Profiler.setSamplingInterval', { interval: 250 });
  await post(session, 'Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await post(session, 'Profiler.stop')) as { profile: unknown };
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`  cpu profile of ${name}: ${file}`);
  }
}
