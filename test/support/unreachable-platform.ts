import { createServer, type Server } from 'node:net';

/**
 * A platform endpoint that cannot be reached: a loopback port that accepts each connection and drops it at
 * once. Configured as Slack's or Bot Framework's URL, it keeps a process off the internet, fails its calls
 * straight away, and counts them. Listening (rather than a closed port) means no other process can take
 * the port meanwhile.
 */
export class UnreachablePlatform {
  connections = 0;
  private readonly server: Server = createServer((socket) => {
    this.connections += 1;
    socket.destroy();
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
  }

  /** An http URL on the dropping port, with an optional path. */
  url(path = '/'): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('UnreachablePlatform is not started');
    return `http://127.0.0.1:${address.port}${path}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
