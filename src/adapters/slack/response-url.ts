import { request } from 'undici';
import { WorkerClient, workerScript } from '../../workers/worker-client.js';

/**
 * Posts a reply to an interaction's response_url. Bolt's `respond()` goes through `fetch`, whose per-call
 * overhead showed up as a large share of the answer path's CPU time; undici's request API does the same
 * POST for a fraction of it.
 */
export async function postToResponseUrl(url: string, body: Record<string, unknown>): Promise<void> {
  const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) });
  // The body must be consumed so the connection goes back to the pool.
  await response.body.dump();
  if (response.statusCode >= 400) throw new Error(`response_url answered ${response.statusCode}`);
}

export interface ResponseUrlPost {
  readonly url: string;
  readonly body: Record<string, unknown>;
}

/**
 * Sends answer receipts from a worker thread. A receipt is an HTTP round trip per click, and on the event
 * loop that acknowledges clicks it cost more than storing the answer; off that loop, a burst of clicks is
 * acknowledged sooner. Failures still come back, so the caller can log them.
 */
export class ResponseUrlPoster {
  private readonly client = new WorkerClient<ResponseUrlPost, null>(() => workerScript('adapters/slack/response-url-worker.js', import.meta.url, './response-url-worker.js'));

  async post(url: string, body: Record<string, unknown>): Promise<void> {
    await this.client.request({ url, body });
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}
