/**
 * Who holds the scheduler lease: a process, named by its host, its slot on that host, its process id and
 * a random id of this run. A process restarted in the same place (same host and slot) recognises the
 * lease of its own earlier run and takes it over at once instead of waiting for it to expire.
 */
export interface LeaseHolder {
  readonly host: string;
  readonly slot: string;
  readonly pid: number;
  readonly run: string;
}

export function formatHolder(holder: LeaseHolder): string {
  return `${holder.host}:${holder.slot}:${holder.pid}:${holder.run}`;
}

export function parseHolder(text: string): LeaseHolder | null {
  const match = /^([^:]+):([^:]+):(\d+):([^:]+)$/.exec(text);
  if (!match) return null;
  const [, host = '', slot = '', pid = '', run = ''] = match;
  return { host, slot, pid: Number(pid), run };
}

/**
 * Whether `current` (the lease's holder) is an earlier run of `me`: same host and slot, another run, and
 * no longer running. Its process id is either ours (a restarted container starts as the same pid) or not
 * alive any more; a live process in the same slot (a misconfiguration) is never pushed out.
 */
export function isEarlierIncarnation(current: string, me: LeaseHolder, isRunning: (pid: number) => boolean): boolean {
  const holder = parseHolder(current);
  if (!holder || holder.host !== me.host || holder.slot !== me.slot || holder.run === me.run) return false;
  return holder.pid === me.pid || !isRunning(holder.pid);
}
