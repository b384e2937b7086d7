/**
 * Evidence ingestion, storage side (no database): the request body is streamed to a spool file
 * while it is counted and hashed (never buffered whole; over the kind's limit → 413), the file
 * is checked and summarised (422 naming what is wrong), secrets are replaced, and the sanitized
 * bytes are stored content-addressed by their sha256. The evidence's identity is the sha256 of the
 * bytes as received (what CI's signatures and a local `sha256sum` cover); the stored digest and
 * what was redacted are recorded beside it. Spool files are always removed; a failure at any step
 * stores nothing.
 */
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import { ProblemError } from '@/lib/http/problem';
import type { BlobStore } from '@/lib/storage';
import { storageProblem } from '@/lib/storage/errors';
import { spoolFileName } from '@/lib/storage/spool';
import { analyzeEvidenceFile, rewrittenChunks, type EvidenceSummary } from './analyze';
import { EVIDENCE_KIND_SPECS, formatBytes, normalizeMediaType, type EvidenceKind } from './kinds';
import type { TrustedKeyMaterial } from './provenance-verify';
import type { JsonRewrite } from './sanitize/json';
import type { RedactionReport } from './sanitize/report';

export type EvidenceBody = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface IngestRequest {
  kind: EvidenceKind;
  contentType: string | null;
  contentLength?: number | null;
  body: EvidenceBody | null;
  store: BlobStore;
  /** The storage key of sanitized bytes with this sha256. */
  keyFor(sha256: string): string;
  /** Public keys provenance signatures are checked with (the workspace's trusted keys). */
  provenanceKeys?: readonly TrustedKeyMaterial[];
  /** Overrides the kind's size limit (tests). */
  maxBytes?: number;
}

export interface StoredEvidence {
  /** sha256 (hex) and size of the bytes as received: the evidence's identity. */
  sha256: string;
  size: number;
  /** sha256 and size of the bytes stored (equal to the above unless something was redacted). */
  stored: { sha256: string; size: number };
  mediaType: string;
  summary: EvidenceSummary;
  redactions: RedactionReport;
  storageKey: string;
  /** False when the store already held these bytes (the same evidence uploaded again). */
  created: boolean;
}

export async function ingestEvidence(request: IngestRequest): Promise<StoredEvidence> {
  const spec = EVIDENCE_KIND_SPECS[request.kind];
  const { mediaType, charsetOk } = normalizeMediaType(request.contentType);
  if (!spec.mediaTypes.includes(mediaType)) {
    throw new ProblemError(
      'unsupported-media-type',
      `${request.kind} evidence (${spec.label}) is sent as ${spec.mediaTypes.join(', ')}; this request's Content-Type is "${mediaType || 'missing'}"`,
    );
  }
  if (!charsetOk) throw new ProblemError('unsupported-media-type', 'evidence must be UTF-8 (charset=utf-8)');
  const maxBytes = request.maxBytes ?? spec.maxBytes;
  if (request.contentLength != null && request.contentLength > maxBytes) throw tooLarge(request.kind, maxBytes);
  if (!request.body) throw new ProblemError('unprocessable', 'the request has no body: send the evidence file as the request body');

  const spool = spoolFileName(request.store.spoolDir);
  const sanitizedFile = `${spool}.sanitized`;
  try {
    await fs.promises.mkdir(request.store.spoolDir, { recursive: true, mode: 0o700 });
    const received = await spoolBody(request.body, spool, maxBytes, request.kind);
    if (received.size === 0) throw new ProblemError('unprocessable', 'the evidence file is empty');
    const analysis = await analyzeEvidenceFile(request.kind, mediaType, spool, { provenanceKeys: request.provenanceKeys });
    let stored = received;
    let storedFile = spool;
    if (analysis.output.type === 'rewrites') {
      stored = await writeWithRewrites(spool, analysis.output.rewrites, sanitizedFile);
      storedFile = sanitizedFile;
    } else if (analysis.output.type === 'text') {
      stored = await writeText(analysis.output.text, sanitizedFile);
      storedFile = sanitizedFile;
    }
    const storageKey = request.keyFor(stored.sha256);
    const { created } = await request.store.putFile(storageKey, storedFile, { size: stored.size, contentType: mediaType });
    return { ...received, stored, mediaType, summary: withoutNul(analysis.summary), redactions: analysis.redactions, storageKey, created };
  } catch (error) {
    // A full or failing volume (the spool's or the store's) is not the client's mistake.
    throw storageProblem(error) ?? error;
  } finally {
    await Promise.all([fs.promises.rm(spool, { force: true }), fs.promises.rm(sanitizedFile, { force: true })]);
  }
}

/**
 * The summary with U+0000 replaced by U+FFFD in every string: a JSON file may escape a NUL into a
 * string ("\u0000") that a summary quotes, and PostgreSQL's jsonb cannot store one.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '\ufffd') : value) as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [withoutNul(key), withoutNul(item)])) as T;
  return value;
}

function tooLarge(kind: EvidenceKind, maxBytes: number): ProblemError {
  return new ProblemError('payload-too-large', `${kind} evidence is limited to ${formatBytes(maxBytes)}; this upload is larger`, {
    extensions: { maxBytes },
  });
}

async function* chunksOf(body: EvidenceBody): AsyncIterable<Uint8Array> {
  if ('getReader' in body) {
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    yield* body;
  }
}

/** Streams the body to `file`, counting and hashing; 413 as soon as it passes `maxBytes`. */
async function spoolBody(body: EvidenceBody, file: string, maxBytes: number, kind: EvidenceKind): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  // Opened before the stream: a lazily opened stream can create the file after it was removed.
  const handle = await fs.promises.open(file, 'wx', 0o600);
  const out = handle.createWriteStream();
  let size = 0;
  try {
    for await (const chunk of chunksOf(body)) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(kind, maxBytes);
      hash.update(chunk);
      await write(out, chunk);
    }
    await finish(out);
  } catch (error) {
    const writeFailure = out.errored;
    out.destroy();
    if (!out.closed) await once(out, 'close').catch(() => {});
    if (writeFailure) {
      // The spool file could not be written (a full or failing volume): stop reading the body.
      if ('cancel' in body) await (body as ReadableStream).cancel().catch(() => {});
      throw storageProblem(writeFailure) ?? writeFailure;
    }
    if (error instanceof ProblemError) {
      // Stop reading: the client gets its 413 without the server draining the rest.
      if ('cancel' in body) await (body as ReadableStream).cancel().catch(() => {});
      throw error;
    }
    throw new ProblemError('bad-request', `the upload was interrupted: ${(error as Error).message}`);
  }
  return { sha256: hash.digest('hex'), size };
}

/** Copies `source` to `target` with byte ranges replaced, hashing what is written. */
export async function writeWithRewrites(source: string, rewrites: readonly JsonRewrite[], target: string): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  const out = (await fs.promises.open(target, 'wx', 0o600)).createWriteStream();
  let size = 0;
  const emit = async (bytes: Uint8Array) => {
    if (bytes.length === 0) return;
    size += bytes.length;
    hash.update(bytes);
    await write(out, bytes);
  };
  try {
    for await (const bytes of rewrittenChunks(source, rewrites)) await emit(bytes);
    await finish(out);
  } catch (error) {
    // Close the handle (a full disk fails here too); the caller removes the file.
    out.destroy();
    throw error;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Writes with back-pressure. A file write that failed (ENOSPC...) emits its error once, maybe
 * between two writes: checked first, so the upload fails at once instead of waiting for a
 * `drain` or `finish` that never comes.
 */
async function write(out: fs.WriteStream, bytes: Uint8Array): Promise<void> {
  if (out.errored) throw out.errored;
  if (!out.write(bytes)) await once(out, 'drain');
}

async function finish(out: fs.WriteStream): Promise<void> {
  if (out.errored) throw out.errored;
  out.end();
  await once(out, 'finish');
}

async function writeText(text: string, target: string): Promise<{ sha256: string; size: number }> {
  const bytes = Buffer.from(text, 'utf8');
  await fs.promises.writeFile(target, bytes, { mode: 0o600 });
  return { sha256: crypto.createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}
