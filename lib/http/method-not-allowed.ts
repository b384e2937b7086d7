/**
 * The methods a route does not serve: 405 problem+json naming the ones it does (and an `Allow`
 * header), instead of Next's empty 405. OPTIONS answers 204 with `Allow` (no CORS: the API is for
 * CI and the console's own origin). Each route file exports them beside its handlers:
 *
 *   export const GET = withApi(getPassport, handlePassportGet);
 *   export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
 */
import { problem, problemResponse } from './problem';
import { REQUEST_ID_HEADER, resolveRequestId } from './request-id';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Handler = (request: Request) => Response;

export function otherMethods(served: readonly Method[]): Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS', Handler> {
  // Next answers HEAD with the GET handler.
  const allow = [...served, ...(served.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  const refuse: Handler = (request) => {
    const requestId = resolveRequestId(request.headers.get(REQUEST_ID_HEADER));
    return problemResponse(problem('method-not-allowed', `${request.method} is not a method of ${new URL(request.url).pathname}; it answers ${allow}.`), {
      requestId,
      headers: { allow },
    });
  };
  const options: Handler = (request) =>
    new Response(null, { status: 204, headers: { allow, 'cache-control': 'no-store', [REQUEST_ID_HEADER]: resolveRequestId(request.headers.get(REQUEST_ID_HEADER)) } });
  // Served methods are exported by the route file itself; these entries are never used for them.
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse, OPTIONS: options };
}
