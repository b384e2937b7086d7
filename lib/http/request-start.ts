/**
 * What every request the Node server receives gets before Next sees it, through Node's
 * `http.server.request.start` diagnostics channel (published just before the server's 'request'
 * event; a supported mechanism, nothing patched). Installed once at start-up (lib/startup/runtime.ts
 * and instrumentation.public.ts) before Next handles traffic.
 *
 * - The socket's address is stamped into a header (./client-address.ts says why), overwriting a
 *   client-sent header of the same name, so the header can only ever hold the real peer address.
 * - A path whose percent-encoding is not valid UTF-8 (`/api/v1/workspaces/%ED%A0%80/keys`) is sent
 *   to MALFORMED_ADDRESS_ROUTE, which answers a 400 problem: Next would fail to decode it and
 *   answer a plain-text 500.
 */
import diagnostics from 'node:diagnostics_channel';
import type http from 'node:http';
import { PEER_ADDRESS_HEADER } from './client-address';

export const MALFORMED_ADDRESS_ROUTE = '/api/malformed-address';
const INSTALLED = Symbol.for('rp.requestStartHook');

export function installRequestStartHook(): void {
  const registry = globalThis as { [INSTALLED]?: boolean };
  if (registry[INSTALLED]) return;
  registry[INSTALLED] = true;
  diagnostics.subscribe('http.server.request.start', (message) => {
    const { request } = message as { request: http.IncomingMessage };
    stampPeerAddress(request);
    if (request.url && !decodablePath(request.url)) request.url = MALFORMED_ADDRESS_ROUTE;
  });
}

function stampPeerAddress(request: http.IncomingMessage): void {
  request.headers[PEER_ADDRESS_HEADER] = request.socket?.remoteAddress ?? '';
  // Drop any duplicate the client sent in rawHeaders as well, so no layer can pick it up.
  const raw = request.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (raw[i]!.toLowerCase() === PEER_ADDRESS_HEADER) raw.splice(i, 2);
  }
  raw.push(PEER_ADDRESS_HEADER, request.headers[PEER_ADDRESS_HEADER] as string);
}

/** Whether each segment of the path (the query aside) percent-decodes to valid UTF-8. */
export function decodablePath(url: string): boolean {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  if (!path.includes('%')) return true;
  try {
    for (const segment of path.split('/')) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}
