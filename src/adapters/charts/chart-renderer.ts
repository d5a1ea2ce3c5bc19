import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChartInput } from './digest-chart-spec.js';

/**
 * The compiled worker script. Beside this file in dist/; when this module runs from source (tests run
 * TypeScript directly), the compiled copy in dist/ is used, since a worker thread cannot load .ts itself.
 */
function workerScript(): URL {
  const beside = new URL('./chart-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../../../dist/adapters/charts/chart-worker.js', import.meta.url);
}

interface Pending {
  resolve(png: Buffer): void;
  reject(error: Error): void;
}

/**
 * Hands chart rendering to one worker thread, started on first use. vega and resvg are CPU-heavy for large
 * organisations; in the worker they cannot delay the event loop that answers Slack and Teams.
 */
export class ChartRenderer {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  render(input: ChartInput): Promise<Buffer> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, input });
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerScript());
    worker.unref();
    worker.on('message', (message: { id: number; png?: Uint8Array; error?: string }) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.png) waiting.resolve(Buffer.from(message.png));
      else waiting.reject(new Error(message.error ?? 'chart rendering failed'));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error('the chart worker stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
