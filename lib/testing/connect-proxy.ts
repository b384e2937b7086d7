/**
 * A real forward proxy for tests, answering as Squid does: CONNECT tunnels (what clients use for
 * https, and undici for http too) and requests in absolute form. It records what it was asked,
 * resolves names itself (so a name this machine cannot resolve can still be reached through it),
 * and can refuse destinations as a proxy's access rules would (403 to the CONNECT).
 */
import http from 'node:http';
import net from 'node:net';
import { startTestHttpServer } from './http-server';

export interface TestProxy {
  url: string;
  /** host:port of each CONNECT, in order. */
  tunnelled: string[];
  /** "METHOD absolute-url" of each request forwarded without a tunnel. */
  forwarded: string[];
  close(): Promise<void>;
}

export interface TestProxyOptions {
  /** The address the proxy connects to for a host name (default: 127.0.0.1 for every name). */
  resolve?: (host: string) => string;
  /** Destinations the proxy refuses with 403, as host:port. */
  refuse?: (hostAndPort: string) => boolean;
  /** user:password the proxy requires (407 without them), as a corporate proxy may. */
  credentials?: string;
}

export async function startTestProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const resolve = options.resolve ?? (() => '127.0.0.1');
  const tunnelled: string[] = [];
  const forwarded: string[] = [];
  // Tunnels (both ends) are closed with the proxy: the HTTP server no longer tracks a socket once
  // it is a tunnel, and a keep-alive tunnel would hold the proxy and the test's own server open.
  const tunnels = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
  };
  const authorized = (request: http.IncomingMessage) =>
    !options.credentials || request.headers['proxy-authorization'] === `Basic ${Buffer.from(options.credentials).toString('base64')}`;
  const { server, url, close } = await startTestHttpServer((request, response) => {
    forwarded.push(`${request.method} ${request.url}`);
    if (!authorized(request)) return void response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
    const target = new URL(request.url!);
    const upstream = http.request(
      { host: resolve(target.hostname), port: target.port || 80, path: `${target.pathname}${target.search}`, method: request.method, headers: { ...request.headers, host: target.host } },
      (answer) => {
        response.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  server.on('connect', (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    tunnelled.push(request.url!);
    track(socket);
    if (!authorized(request)) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    if (options.refuse?.(request.url!)) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const separator = request.url!.lastIndexOf(':');
    const host = request.url!.slice(0, separator).replace(/^\[|\]$/g, '');
    let connected = false;
    const upstream = net.connect(Number(request.url!.slice(separator + 1)), resolve(host), () => {
      connected = true;
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => (connected ? socket.destroy() : socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n')));
    socket.on('error', () => upstream.destroy());
  });
  return {
    url,
    tunnelled,
    forwarded,
    close: async () => {
      for (const socket of tunnels) socket.destroy();
      await close();
    },
  };
}
