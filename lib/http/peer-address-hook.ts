/**
 * Stamps every request the Node server receives with its socket's address (see
 * ./client-address.ts for why). Installed once at start-up (lib/startup/runtime.ts, through
 * instrumentation) before Next handles traffic; it overwrites a client-sent header of the same
 * name, so the header can only ever hold the real peer address.
 */
import http from 'node:http';
import https from 'node:https';
import { PEER_ADDRESS_HEADER } from './client-address';

const INSTALLED = Symbol.for('rp.peerAddressHook');

export function installPeerAddressHook(): void {
  for (const Server of [http.Server, https.Server]) {
    const proto = Server.prototype as http.Server & { [INSTALLED]?: boolean };
    if (proto[INSTALLED]) continue;
    const emit = proto.emit;
    proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'request') {
        const request = args[0] as http.IncomingMessage;
        request.headers[PEER_ADDRESS_HEADER] = request.socket?.remoteAddress ?? '';
        // Drop any duplicate the client sent in rawHeaders as well, so no layer can pick it up.
        const raw = request.rawHeaders;
        for (let i = raw.length - 2; i >= 0; i -= 2) {
          if (raw[i]!.toLowerCase() === PEER_ADDRESS_HEADER) raw.splice(i, 2);
        }
        raw.push(PEER_ADDRESS_HEADER, request.headers[PEER_ADDRESS_HEADER] as string);
      }
      return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
    } as typeof proto.emit;
    proto[INSTALLED] = true;
  }
}
