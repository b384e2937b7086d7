/**
 * Storage faults as the API reports them: a full volume is 507 `storage-full` (an operator must
 * free or add space; retrying soon does not help), a failing one is 503 `storage-unavailable` with
 * Retry-After (a disk error, a read-only or unmounted volume, an S3 endpoint answering 5xx or not
 * at all). Neither is the client's mistake, so neither may look like a 4xx about the request.
 */
import { S3ServiceException } from '@aws-sdk/client-s3';
import { ProblemError } from '@/lib/http/problem';

/** No space left, or the quota of the server's user is used up. */
const FULL = new Set(['ENOSPC', 'EDQUOT']);
/** The volume cannot be written or read: I/O error, permissions, read-only, gone. */
const UNAVAILABLE = new Set(['EIO', 'EACCES', 'EPERM', 'EROFS', 'ENXIO', 'ENODEV', 'ESTALE']);
/** Network failures on the way to an object store. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

const RETRY_AFTER_SECONDS = '30';

/** The storage problem `error` is, or null when it is not a storage fault. */
export function storageProblem(error: unknown): ProblemError | null {
  if (error instanceof ProblemError) return null;
  const code = errorCode(error);
  if (code && FULL.has(code)) {
    return new ProblemError('storage-full', `Evidence storage is full (${code}): nothing was stored. Ask the operator to free or add space, then upload again.`);
  }
  if (code && (UNAVAILABLE.has(code) || NETWORK.has(code))) return unavailable(code);
  if (error instanceof S3ServiceException) {
    const status = error.$metadata?.httpStatusCode ?? 0;
    if (status >= 500 || status === 0) return unavailable(`object store answered ${status || 'nothing'}: ${error.name}`);
  }
  return null;
}

function unavailable(cause: string): ProblemError {
  return new ProblemError('storage-unavailable', `Evidence storage is not available right now (${cause}): nothing was stored. Retry later.`, {
    headers: { 'retry-after': RETRY_AFTER_SECONDS },
  });
}

/** The errno-style code of an error or of the error it wraps (fetch and the AWS SDK nest them). */
function errorCode(error: unknown): string | null {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
