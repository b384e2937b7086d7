/**
 * A real HTTP server on a free loopback port for a test: what a receiver, an issuer, a registry or
 * a server that is not the gate answers. Closing it also closes keep-alive connections, so a test
 * file ends at once instead of waiting out a client's idle socket.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestHttpServer {
  server: http.Server;
  port: number;
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

export async function startTestHttpServer(handler: http.RequestListener): Promise<TestHttpServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
