import { parentPort } from 'node:worker_threads';
import { postToResponseUrl, type ResponseUrlPost } from './response-url.js';

/** Posts receipts to response_urls off the event loop that acknowledges clicks (see ResponseUrlPoster). */
parentPort?.on('message', ({ id, payload }: { id: number; payload: ResponseUrlPost }) => {
  postToResponseUrl(payload.url, payload.body).then(
    () => parentPort?.postMessage({ id, result: null }),
    (error: unknown) => parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
