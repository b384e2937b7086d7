/**
 * Serves the files of the published release: verification files and public artifacts (the trial
 * installer) to anyone; entitled packages only through a valid, unexpired signed link of a
 * customer who holds the entitlement now.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { getOwnerDb } from '@/db/owner';
import { hasEntitlement } from '@/lib/billing/entitlements';
import { problem, problemResponse, ProblemError, problemFromError } from '@/lib/http/problem';
import { REQUEST_ID_HEADER, resolveRequestId } from '@/lib/http/request-id';
import { checkDownloadLink } from './download-links';
import { currentRelease, servableFile } from './releases';

export async function serveReleaseFile(request: Request, name: string): Promise<Response> {
  const requestId = resolveRequestId(request.headers.get(REQUEST_ID_HEADER));
  try {
    const lookup = currentRelease();
    const missing = () => problemResponse(problem('not-found', `There is no file ${name} in the current release.`), { requestId });
    if (!lookup.published) return missing();
    const file = servableFile(lookup.release, name);
    if (!file) return missing();
    const artifact = lookup.release.artifacts.find((candidate) => candidate.file === name);
    // Checksums, signatures and the public key: anyone may fetch them to verify.
    if (!artifact) return fileResponse(file, name, { contentType: name.endsWith('.sig') ? 'application/octet-stream' : 'text/plain; charset=utf-8', cache: 'public, max-age=300', requestId });
    if (artifact.entitlement) {
      const link = await checkDownloadLink(name, new URL(request.url).searchParams);
      if (!link.ok) return problemResponse(problem('forbidden', link.reason), { requestId });
      const entitled = await hasEntitlement(await getOwnerDb(), link.customerId, artifact.entitlement, new Date());
      if (!entitled) {
        return problemResponse(problem('forbidden', `Your subscription does not include ${artifact.title} (or it has ended).`), { requestId });
      }
    }
    return fileResponse(file, name, {
      contentType: 'application/octet-stream',
      cache: artifact.entitlement ? 'private, no-store' : 'public, max-age=300',
      requestId,
      sha256: artifact.sha256,
    });
  } catch (error) {
    if (error instanceof ProblemError) return problemResponse(problemFromError(error), { requestId });
    throw error;
  }
}

function fileResponse(file: string, name: string, options: { contentType: string; cache: string; requestId: string; sha256?: string }): Response {
  const size = fs.statSync(file).size;
  const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
  const headers: Record<string, string> = {
    'content-type': options.contentType,
    'content-length': String(size),
    'content-disposition': `attachment; filename="${name}"`,
    'cache-control': options.cache,
    [REQUEST_ID_HEADER]: options.requestId,
  };
  if (options.sha256) headers['x-checksum-sha256'] = options.sha256;
  return new Response(body, { headers });
}
