import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthStatus {
  readonly status: 'ok';
  readonly mode: 'demo' | 'live';
  readonly scheduler: 'running' | 'standby';
  readonly platforms: readonly string[];
}

/** A path the chat adapters serve on the same server (Slack's /slack/events, Teams' /api/messages). */
export interface Route {
  readonly path: string;
  readonly listener: RequestListener;
}

/** Serves GET /healthz and the adapters' routes; everything else is 404. */
export function createHttpServer(status: () => HealthStatus, routes: readonly Route[] = []): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = routes.find((candidate) => candidate.path === url.pathname);
    if (route) {
      route.listener(request, response);
      return;
    }
    if (url.pathname === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      const body = JSON.stringify(status());
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'not found' }));
  });
}

/** Listens and resolves with the bound port (useful with port 0). Rejects with a sentence on failure. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(new Error(error.code === 'EADDRINUSE' ? `Port ${port} on ${host} is already in use; set PORT to a free port.` : `Cannot listen on ${host}:${port}: ${error.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
