import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The compiled script of a worker. Beside the importing module in dist/; when that module runs from source
 * (tests run TypeScript directly), the compiled copy under dist/ is used, since a worker cannot load .ts.
 */
export function workerScript(fromDist: string, importMetaUrl: string, besideName: string): URL {
  const beside = new URL(besideName, importMetaUrl);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL(`../../dist/${fromDist}`, new URL('.', import.meta.url));
}

interface Pending<R> {
  resolve(result: R): void;
  reject(error: Error): void;
}

/** Request/response over one lazily started worker thread; a crashed worker fails its pending requests. */
export class WorkerClient<Q, R> {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending<R>>();

  constructor(
    private readonly script: () => URL,
    /** Given to the worker once when it starts (`workerData`), instead of with every request. */
    private readonly options: { readonly workerData?: unknown } = {},
  ) {}

  request(payload: Q, transfer: readonly ArrayBuffer[] = []): Promise<R> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, payload }, [...transfer]);
    });
  }

  /** Starts the worker now, so the modules it loads (slow on newer Node for large packages) are not loaded on the first request. */
  warm(): void {
    this.ensureWorker();
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script(), this.options.workerData === undefined ? {} : { workerData: this.options.workerData });
    worker.unref();
    worker.on('message', (message: { id: number; result?: R; error?: string }) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.error === undefined) waiting.resolve(message.result as R);
      else waiting.reject(new Error(message.error));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error('the worker thread stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
