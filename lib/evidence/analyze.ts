/**
 * Reads a spooled evidence file: checks that it is the kind it claims to be (422 naming the format
 * detected from its content and what is wrong), summarises it, and decides what the sanitizer
 * replaces. JSON kinds are streamed (memory bounded by the largest single string); YAML, XML,
 * tag-value, checksums and provenance files are read whole, bounded by their kind's size limit
 * (an SBOM in XML or tag-value by a lower one).
 */
import fs from 'node:fs';
import { ProblemError } from '@/lib/http/problem';
import { rejectDocument } from './errors';
import { JsonScanError, JsonScanner, type JsonScanHandler } from './json-scanner';
import { detectFormat, readHead, type DetectedFormat } from './detect';
import { EVIDENCE_KIND_SPECS, formatBytes, type EvidenceKind } from './kinds';
import { parseChecksums, type ChecksumsSummary } from './parsers/checksums';
import { CustomSummarizer, type CustomSummary } from './parsers/custom';
import { parseJunit, type JunitSummary } from './parsers/junit';
import { analyzeManifests, type ManifestsSummary } from './parsers/manifests';
import { EnvelopeReader, isSlsaProvenance, StatementSummarizer, type ProvenanceAttestation, type ProvenanceLine, type ProvenanceSummary } from './parsers/provenance';
import { verifyProvenance, type TrustedKeyMaterial } from './provenance-verify';
import { SarifSummarizer, type SarifSummary } from './parsers/sarif';
import { parseCycloneDxXml } from './parsers/cyclonedx-xml';
import { SbomSummarizer, type SbomEncoding, type SbomSummary } from './parsers/sbom';
import { parseSpdxTagValue } from './parsers/spdx-tag-value';
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
  try {
    return await analyzeKind(kind, mediaType, file, options);
  } catch (error) {
    if (!(error instanceof ProblemError) || error.code !== 'unprocessable') throw error;
    throw refusal(kind, detectFormat(await readHead(file)), error.message);
  }
}

/**
 * A refusal that says what the file was taken for (format and version, from its content) and
 * what to do: send it as the kind it is, or fix it.
 */
function refusal(kind: EvidenceKind, detected: DetectedFormat, reason: string): ProblemError {
  const extensions = { detectedFormat: detected.name, detectedKind: detected.kind };
  if (detected.kind && detected.kind !== kind) {
    return new ProblemError(
      'unprocessable',
      `this is ${detected.name}, sent as ${kind} evidence: send it as ${detected.kind} evidence (rp gate --${detected.kind} FILE, or --kind ${detected.kind})${detected.advice ? `; ${detected.advice}` : ''} (${reason})`,
      { extensions },
    );
  }
  if (detected.kind === kind) {
    return new ProblemError('unprocessable', `${capitalize(detected.name)} is read, but this file was refused: ${reason}`, { extensions });
  }
  return new ProblemError(
    'unprocessable',
    `${capitalize(detected.name)} is not ${kind} evidence (${EVIDENCE_KIND_SPECS[kind].label})${detected.advice ? `; ${detected.advice}` : ''}: ${reason}`,
    { extensions },
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function analyzeKind(kind: EvidenceKind, mediaType: string, file: string, options: AnalysisOptions): Promise<Analysis> {
  switch (kind) {
    case 'sbom':
      return analyzeSbom(file, mediaType);
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

/** SBOMs in XML or tag-value are read whole: above this, the (streamed) JSON form is asked for. */
const MAX_WHOLE_SBOM_BYTES = 16 * 1024 * 1024;

/** What a specific SBOM media type promises; the generic ones (application/json, application/xml, text/plain) leave it to the content. */
const SBOM_MEDIA_TYPES: Record<string, { format: SbomSummary['format']; encoding: SbomEncoding; name: string }> = {
  'application/vnd.cyclonedx+json': { format: 'cyclonedx', encoding: 'json', name: 'CycloneDX JSON' },
  'application/vnd.cyclonedx+xml': { format: 'cyclonedx', encoding: 'xml', name: 'CycloneDX XML' },
  'application/spdx+json': { format: 'spdx', encoding: 'json', name: 'SPDX JSON' },
  'text/spdx': { format: 'spdx', encoding: 'tag-value', name: 'SPDX tag-value' },
};

/** An SBOM, read by the reader of the encoding its content is in: JSON (streamed), XML or tag-value. */
async function analyzeSbom(file: string, mediaType: string): Promise<Analysis> {
  const detected = detectFormat(await readHead(file));
  if (detected.syntax !== 'json') {
    const { size } = await fs.promises.stat(file);
    if (size > MAX_WHOLE_SBOM_BYTES) {
      rejectDocument(`an SBOM in XML or tag-value is read whole, up to ${formatBytes(MAX_WHOLE_SBOM_BYTES)}; this one is ${formatBytes(size)}: send its JSON form, which is read as a stream`);
    }
  }
  const analysis =
    detected.syntax === 'json'
      ? await analyzeJson(file, new SbomSummarizer())
      : await analyzeText(file, detected.syntax === 'xml' ? parseCycloneDxXml : parseSpdxTagValue);
  const summary = analysis.summary as SbomSummary;
  const declared = SBOM_MEDIA_TYPES[mediaType];
  if (declared && (declared.format !== summary.format || declared.encoding !== (summary.encoding ?? 'json'))) {
    rejectDocument(`the Content-Type ${mediaType} says ${declared.name}, but the document is ${detected.name}: send it as application/json, application/xml or text/plain and the gate reads the format from the content`);
  }
  return analysis;
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
  return { summary, redactions: collector.report(), output: rewritesOutput(sanitizer.result()) };
}

/**
 * Provenance: one attestation (a statement, a DSSE envelope or a Sigstore bundle, pretty-printed
 * or not), or an in-toto JSON Lines bundle (`.intoto.jsonl`) with one per line. Every line is
 * read; a line that is not provenance is reported in the summary, not refused, so a bundle that
 * also carries an SBOM attestation still counts for its provenance. Bounded by the kind's size
 * limit, the file is read whole: signatures are checked on the bytes of each document as received.
 */
async function analyzeProvenance(file: string, keys: readonly TrustedKeyMaterial[]): Promise<Analysis> {
  const bytes = await fs.promises.readFile(file);
  const collector = new RedactionCollector();
  const lines = jsonLines(bytes);
  if (!lines) {
    const { attestation, rewrites } = analyzeAttestation(bytes, collector, '', keys);
    return { summary: { format: 'in-toto', ...attestation }, redactions: collector.report(), output: rewritesOutput(rewrites) };
  }
  const attestations: ProvenanceLine[] = [];
  const notes: string[] = [];
  const rewrites: JsonRewrite[] = [];
  for (const { line, start, end } of lines) {
    let read: { attestation: ProvenanceAttestation; rewrites: JsonRewrite[] };
    try {
      read = analyzeAttestation(bytes.subarray(start, end), collector, `line ${line} `, keys);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      notes.push(`line ${line}: ${error.message}`);
      continue;
    }
    attestations.push({ line, ...read.attestation });
    if (!isSlsaProvenance(read.attestation.predicateType)) notes.push(`line ${line}: ${read.attestation.predicateType ?? 'no predicate type'}, not provenance`);
    rewrites.push(...read.rewrites.map((rewrite) => ({ ...rewrite, start: rewrite.start + start, end: rewrite.end + start })));
  }
  if (attestations.length === 0) {
    rejectDocument(`none of the ${lines.length} lines of this in-toto JSON Lines bundle is an attestation: ${notes.join('; ')}`);
  }
  // The summary's own fields are the first provenance line's, for readers that show one attestation.
  const { line: _first, ...first } = attestations.find((item) => isSlsaProvenance(item.predicateType)) ?? attestations[0]!;
  return {
    summary: { format: 'in-toto', ...first, lines: attestations, notes },
    redactions: collector.report(),
    output: rewritesOutput(rewrites),
  };
}

function rewritesOutput(rewrites: JsonRewrite[]): Analysis['output'] {
  return rewrites.length ? { type: 'rewrites', rewrites } : { type: 'unchanged' };
}

/**
 * The byte ranges of a JSON Lines document's non-blank lines, or null when the file is one JSON
 * document (one line, or a pretty-printed document whose first line is not a value on its own).
 */
function jsonLines(bytes: Buffer): Array<{ line: number; start: number; end: number }> | null {
  const lines: Array<{ line: number; start: number; end: number }> = [];
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    if (bytes.subarray(start, end).toString('latin1').trim()) lines.push({ line, start, end });
    start = end + 1;
  }
  if (lines.length < 2) return null;
  try {
    JsonScanner.scan(bytes.subarray(lines[0]!.start, lines[0]!.end), {}, { maxStringBytes: MAX_JSON_STRING });
  } catch (error) {
    if (error instanceof JsonScanError) return null;
    throw error;
  }
  return lines;
}

/** One attestation document: its statement (inside its envelope, if any), verified signatures, and rewrites. */
function analyzeAttestation(
  document: Buffer,
  collector: RedactionCollector,
  where: string,
  keys: readonly TrustedKeyMaterial[],
): { attestation: ProvenanceAttestation; rewrites: JsonRewrite[] } {
  const sanitizer = new JsonSanitizer(collector, where);
  const envelopeReader = new EnvelopeReader();
  const statement = new StatementSummarizer();
  scanJsonBuffer(document, sanitizer, '', envelopeReader, statement);
  const envelope = envelopeReader.finish();
  if (!envelope) return { attestation: { ...statement.finish(), envelope: null }, rewrites: sanitizer.result() };
  // The statement is base64 inside the envelope: read (and sanitize) it there.
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(envelope.payload)) rejectDocument('the DSSE envelope\'s "payload" is not base64');
  const payload = Buffer.from(envelope.payload, envelope.payload.includes('-') || envelope.payload.includes('_') ? 'base64url' : 'base64');
  const inner = new StatementSummarizer();
  const innerSanitizer = new JsonSanitizer(collector, `${where}payload `);
  scanJsonBuffer(payload, innerSanitizer, 'the DSSE envelope\'s payload is not a JSON statement: ', inner);
  const summary = inner.finish();
  // Signatures are checked on the document as received, before anything is replaced: they cover
  // what CI signed, not what is stored.
  const verification = verifyProvenance(document, envelope.payload, { keys });
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
    attestation: {
      ...summary,
      envelope: {
        payloadType: envelope.payloadType,
        signatures: envelope.signatures,
        verification,
        modifiedBySanitizer: innerRewrites.length > 0,
        sigstoreBundle: envelope.sigstoreBundle,
      },
    },
    rewrites,
  };
}

/** Scans a JSON document held in memory through a sanitizer and summarizers; `context` prefixes a syntax error. */
function scanJsonBuffer(bytes: Buffer, sanitizer: JsonSanitizer, context: string, ...handlers: JsonScanHandler[]): void {
  try {
    sanitizer.flagCandidates(bytes.toString('latin1'), 0);
    JsonScanner.scan(bytes, fanOut(sanitizer, ...handlers), { maxStringBytes: MAX_JSON_STRING });
  } catch (error) {
    if (error instanceof JsonScanError) rejectDocument(`${context}${error.message}`);
    throw error;
  }
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
