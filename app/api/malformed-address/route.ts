/**
 * Where a request whose path does not percent-decode to valid UTF-8 is sent (lib/http/request-start.ts):
 * a 400 problem instead of the plain-text 500 Next would answer. The original path is not echoed.
 */
import { problem, problemResponse } from '@/lib/http/problem';
import { REQUEST_ID_HEADER, resolveRequestId } from '@/lib/http/request-id';

export const dynamic = 'force-dynamic';

function malformedAddress(request: Request): Response {
  return problemResponse(
    problem('bad-request', 'The address contains percent-encoding that is not valid UTF-8 (for example %ED%A0%80 or %FF). Encode each path segment with encodeURIComponent, or check the link you followed.'),
    { requestId: resolveRequestId(request.headers.get(REQUEST_ID_HEADER)) },
  );
}

export const GET = malformedAddress;
export const HEAD = malformedAddress;
export const POST = malformedAddress;
export const PUT = malformedAddress;
export const PATCH = malformedAddress;
export const DELETE = malformedAddress;
export const OPTIONS = malformedAddress;
