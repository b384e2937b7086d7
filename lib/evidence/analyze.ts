/**
 * Reads a spooled evidence file once: checks that it is the kind it claims to be (422 naming what
 * is wrong), summarises it, and decides what the sanitizer replaces. JSON kinds are streamed
 * (memory bounded by the largest single string); YAML, XML and checksums files are read whole,
 * bounded by their kind's size limit.
 */
import fs from 'node:fs';
import { rejectDocument } from './errors';
import { JsonScanError, JsonScanner, type JsonScanHandler } from './json-scanner';
import type { EvidenceKind } from './kinds';
import { parseChecksums, type ChecksumsSummary } from './parsers/checksums';
import { CustomSummarizer, type CustomSummary } from './parsers/custom';
import { parseJunit, type JunitSummary } from './parsers/junit';
import { analyzeManifests, type ManifestsSummary } from './parsers/manifests';
import { EnvelopeReader, StatementSummarizer, type ProvenanceSummary } from './parsers/provenance';
import { verifyProvenance, type TrustedKeyMaterial } from './provenance-verify';
import { SarifSummarizer, type SarifSummary } from './parsers/sarif';
import { SbomSummarizer, type SbomSummary } from './parsers/sbom';
import { VexSummarizer, type VexSummary } from './parsers/vex';
import { fanOut, type JsonSummarizer } from './parsers/summarizer';
import { JsonSanitizer, type JsonRewrite } from './sanitize/json';
import { redactText } from './sanitize/patterns';
import { RedactionCollector, type RedactionReport } from './sanitize/report';

export type EvidenceSummary = SbomSummary | SarifSummary | VexSummary | ChecksumsSummary | ProvenanceSummary | ManifestsSummary | JunitSummary | CustomSummary;

export interface Analysis {
  summary: EvidenceSummary;
  redactions: RedactionReport;
  /** How the stored bytes differ from the received ones: nothing, byte-range rewrites, or new text. */
  output: { type: 'unchanged' } | { type: 'rewrites'; rewrites: JsonRewrite[] } | { type: 'text'; text: string };
}

const CHUNK = 1024 * 1024;
/** Bytes of the previous chunk searched again with the next, so a secret cut in two is still found. */
const OVERLAP = 16 * 1024;
const MAX_JSON_STRING = 8 * 1024 * 1024;

export interface AnalysisOptions {
  /** Public keys provenance signatures are checked with (the workspace's trusted keys). */
  provenanceKeys?: readonly TrustedKeyMaterial[];
}

export async function analyzeEvidenceFile(kind: EvidenceKind, mediaType: string, file: string, options: AnalysisOptions = {}): Promise<Analysis> {
  switch (kind) {
    case 'sbom': {
      const expected = mediaType === 'application/spdx+json' ? 'spdx' : mediaType === 'application/vnd.cyclonedx+json' ? 'cyclonedx' : undefined;
      return analyzeJson(file, new SbomSummarizer(expected));
    }
    case 'sarif':
      return analyzeJson(file, new SarifSummarizer());
    case 'custom':
      return analyzeJson(file, new CustomSummarizer());
    case 'vex':
      return analyzeJson(file, new VexSummarizer());
    case 'provenance':
      return analyzeProvenance(file, options.provenanceKeys ?? []);
    case 'checksums':
      return analyzeText(file, parseChecksums);
    case 'manifests': {
      const collector = new RedactionCollector();
      const text = await readUtf8(file);
      const { summary, output } = analyzeManifests(text, collector);
      return { summary, redactions: collector.report(), output: output === null ? { type: 'unchanged' } : { type: 'text', text: output } };
    }
    case 'junit':
      return analyzeText(file, parseJunit);
  }
}

/** Streams a JSON file through the scanner, the sanitizer and a summarizer. */
async function scanJsonFile(file: string, sanitizer: JsonSanitizer, ...handlers: JsonScanHandler[]): Promise<void> {
  const scanner = new JsonScanner(fanOut(sanitizer, ...handlers), { maxStringBytes: MAX_JSON_STRING });
  let tail = '';
  let offset = 0;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
      const window = tail + chunk.toString('latin1');
      sanitizer.flagCandidates(window, offset - tail.length);
      scanner.write(chunk);
      offset += chunk.length;
      tail = window.length > OVERLAP ? window.slice(window.length - OVERLAP) : window;
    }
    scanner.end();
  } catch (error) {
    if (error instanceof JsonScanError) rejectDocument(error.message);
    throw error;
  }
}

async function analyzeJson(file: string, summarizer: JsonSummarizer<EvidenceSummary>): Promise<Analysis> {
  const collector = new RedactionCollector();
  const sanitizer = new JsonSanitizer(collector);
  await scanJsonFile(file, sanitizer, summarizer);
  const summary = summarizer.finish();
  const rewrites = sanitizer.result();
  return { summary, redactions: collector.report(), output: rewrites.length ? { type: 'rewrites', rewrites } : { type: 'unchanged' } };
}

async function analyzeProvenance(file: string, keys: readonly TrustedKeyMaterial[]): Promise<Analysis> {
  const collector = new RedactionCollector();
  const sanitizer = new JsonSanitizer(collector);
  const envelopeReader = new EnvelopeReader();
  const statement = new StatementSummarizer();
  await scanJsonFile(file, sanitizer, envelopeReader, statement);
  const envelope = envelopeReader.finish();
  if (!envelope) {
    const rewrites = sanitizer.result();
    return {
      summary: { ...statement.finish(), envelope: null },
      redactions: collector.report(),
      output: rewrites.length ? { type: 'rewrites', rewrites } : { type: 'unchanged' },
    };
  }
  // The statement is base64 inside the envelope: read (and sanitize) it there.
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(envelope.payload)) rejectDocument('the DSSE envelope\'s "payload" is not base64');
  const payload = Buffer.from(envelope.payload, envelope.payload.includes('-') || envelope.payload.includes('_') ? 'base64url' : 'base64');
  const inner = new StatementSummarizer();
  const innerSanitizer = new JsonSanitizer(collector, 'payload ');
  try {
    innerSanitizer.flagCandidates(payload.toString('latin1'), 0);
    JsonScanner.scan(payload, fanOut(innerSanitizer, inner), { maxStringBytes: MAX_JSON_STRING });
  } catch (error) {
    if (error instanceof JsonScanError) rejectDocument(`the DSSE envelope's payload is not a JSON statement: ${error.message}`);
    throw error;
  }
  const summary = inner.finish();
  // Signatures are checked on the file as received (bounded by the kind's size limit), before
  // anything is replaced: they cover what CI signed, not what is stored.
  const verification = verifyProvenance(await fs.promises.readFile(file), envelope.payload, { keys });
  const innerRewrites = innerSanitizer.result();
  const rewrites = sanitizer.result();
  if (innerRewrites.length > 0) {
    // The original signature no longer covers the stored payload; the summary says so.
    const sanitized = Buffer.concat(applyRewritesToBuffer(payload, innerRewrites)).toString('base64');
    const range = envelopeReader.payloadRange!;
    const others = rewrites.filter((rewrite) => rewrite.start !== range.start);
    others.push({ start: range.start, end: range.end, replacement: JSON.stringify(sanitized) });
    others.sort((a, b) => a.start - b.start);
    rewrites.splice(0, rewrites.length, ...others);
  }
  return {
    summary: {
      ...summary,
      envelope: {
        payloadType: envelope.payloadType,
        signatures: envelope.signatures,
        verification,
        modifiedBySanitizer: innerRewrites.length > 0,
        sigstoreBundle: envelope.sigstoreBundle,
      },
    },
    redactions: collector.report(),
    output: rewrites.length ? { type: 'rewrites', rewrites } : { type: 'unchanged' },
  };
}

/**
 * Text kinds: parsed as received first (errors name the real line numbers), then known secret
 * formats are replaced, and the summary is read from the sanitized text so it holds none.
 */
async function analyzeText(file: string, parse: (text: string) => EvidenceSummary): Promise<Analysis> {
  const text = await readUtf8(file);
  const received = parse(text);
  const collector = new RedactionCollector();
  const { text: sanitized, found } = redactText(text);
  for (const finding of found) collector.add(finding.kind, `line ${lineOf(text, finding.index)}`);
  return {
    summary: found.length ? parse(sanitized) : received,
    redactions: collector.report(),
    output: found.length ? { type: 'text', text: sanitized } : { type: 'unchanged' },
  };
}

async function readUtf8(file: string): Promise<string> {
  const bytes = await fs.promises.readFile(file);
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
  if (text.includes('\u0000')) rejectDocument('the document contains NUL bytes: it is binary, not text');
  return text;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The bytes of `source` with each rewrite applied (rewrites ascending, not overlapping). */
export function applyRewritesToBuffer(source: Buffer, rewrites: readonly JsonRewrite[]): Buffer[] {
  const parts: Buffer[] = [];
  let cursor = 0;
  for (const rewrite of rewrites) {
    parts.push(source.subarray(cursor, rewrite.start), Buffer.from(rewrite.replacement, 'utf8'));
    cursor = rewrite.end;
  }
  parts.push(source.subarray(cursor));
  return parts;
}
