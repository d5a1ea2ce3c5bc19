import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';

/**
 * Lowers the CPU priority of the calling thread (a worker), so that on a busy machine the thread that
 * acknowledges clicks gets a core first: digests and charts are CPU-heavy (a 500-team digest's two charts
 * take about a second), and on two cores they otherwise compete with the event loop for the CPU even
 * though they never run on it. Linux only: there every thread has its own nice value, and its id is the
 * last part of /proc/thread-self. Elsewhere, or when the system refuses, nothing changes.
 */
export function lowerThreadPriority(priority: number = constants.priority.PRIORITY_BELOW_NORMAL): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(threadId) || threadId <= 0) return false;
    setPriority(threadId, priority);
    return true;
  } catch {
    return false;
  }
}
