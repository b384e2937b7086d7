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
import { JsonScanError, JsonScanner, type JsonPathSegment, type JsonScanHandler, type JsonStringToken } from './json-scanner';
import { detectFormat, readHead, type DetectedFormat } from './detect';
import { EVIDENCE_KIND_SPECS, formatBytes, type EvidenceKind } from './kinds';
import { parseChecksums, type ChecksumsSummary } from './parsers/checksums';
import { CustomSummarizer, type CustomSummary } from './parsers/custom';
import { parseJunit, type JunitSummary } from './parsers/junit';
import { analyzeManifests, type ManifestsSummary } from './parsers/manifests';
import {
  attestationSignature,
  CARRIED_NOUN,
  carriedPredicate,
  EnvelopeReader,
  isSlsaProvenance,
  StatementSummarizer,
  type CarriedKind,
  type CarrierAttestation,
  type ProvenanceAttestation,
  type ProvenanceLine,
  type ProvenanceSummary,
} from './parsers/provenance';
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
  /**
   * Public keys attestation signatures are checked with (the workspace's trusted keys): provenance,
   * and SBOMs, scans and VEX that arrive inside an attestation.
   */
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
function refusal(kind: EvidenceKind, detected: DetectedFormat, parserReason: string): ProblemError {
  const extensions = { detectedFormat: detected.name, detectedKind: detected.kind };
  // What to do about the file's form (its text encoding) says more than what the reader stumbled on.
  const reason = (detected.jsonLines && kind === 'provenance' ? undefined : detected.advice) ?? parserReason;
  if (detected.kind && detected.kind !== kind) {
    // The reader may already have said where it goes (an attestation names what it carries): once is enough.
    if (reason.includes(`send it as ${detected.kind} evidence`)) {
      return new ProblemError('unprocessable', `this is ${detected.name}, sent as ${kind} evidence: ${reason}`, { extensions });
    }
    return new ProblemError(
      'unprocessable',
      `this is ${detected.name}, sent as ${kind} evidence: send it as ${detected.kind} evidence (rp gate --${detected.kind} FILE, or --kind ${detected.kind}) (${reason})`,
      { extensions },
    );
  }
  if (detected.kind === kind) {
    return new ProblemError('unprocessable', `${capitalize(detected.name)} is read, but this file was refused: ${reason}`, { extensions });
  }
  return new ProblemError(
    'unprocessable',
    `${capitalize(detected.name)} is not ${kind} evidence (${EVIDENCE_KIND_SPECS[kind].label}): ${reason}`,
    { extensions },
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function analyzeKind(kind: EvidenceKind, mediaType: string, file: string, options: AnalysisOptions): Promise<Analysis> {
  switch (kind) {
    case 'sbom':
    case 'sarif':
    case 'vex': {
      // Each may arrive as itself or inside an attestation of it (cosign attest --type cyclonedx...).
      const detected = detectFormat(await readHead(file));
      if (detected.attestation) return analyzeCarried(kind, file, options.provenanceKeys ?? []);
      if (kind === 'sbom') return analyzeSbom(file, mediaType, detected);
      return analyzeJson(file, kind === 'sarif' ? () => new SarifSummarizer() : () => new VexSummarizer());
    }
    case 'custom':
      return analyzeJson(file, () => new CustomSummarizer());
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
async function analyzeSbom(file: string, mediaType: string, detected: DetectedFormat): Promise<Analysis> {
  if (detected.syntax !== 'json') {
    const { size } = await fs.promises.stat(file);
    if (size > MAX_WHOLE_SBOM_BYTES) {
      rejectDocument(`an SBOM in XML or tag-value is read whole, up to ${formatBytes(MAX_WHOLE_SBOM_BYTES)}; this one is ${formatBytes(size)}: send its JSON form, which is read as a stream`);
    }
  }
  const analysis =
    detected.syntax === 'json'
      ? await analyzeJson(file, () => (detected.nestedAt ? nestedReader(detected.nestedAt, new SbomSummarizer()) : new SbomSummarizer()))
      : await analyzeText(file, detected.syntax === 'xml' ? parseCycloneDxXml : parseSpdxTagValue);
  const summary = analysis.summary as SbomSummary;
  if (detected.nestedAt) summary.readFrom = 'github-dependency-graph';
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

/**
 * A JSON kind: sanitized and summarized in one pass. A summary quotes the document (a finding's
 * message, a component's name); when the sanitizer changed the bytes, the summary is read again
 * from the bytes that will be stored, so that it holds nothing they do not (CodeQL quotes a
 * hard-coded credential in its finding's message; a token may sit in any string).
 */
async function analyzeJson(file: string, newSummarizer: () => JsonSummarizer<EvidenceSummary>): Promise<Analysis> {
  const collector = new RedactionCollector();
  const sanitizer = new JsonSanitizer(collector);
  const summarizer = newSummarizer();
  await scanJsonFile(file, sanitizer, summarizer);
  let summary = summarizer.finish();
  const rewrites = sanitizer.result();
  if (rewrites.length > 0) {
    const stored = newSummarizer();
    const scanner = new JsonScanner(stored, { maxStringBytes: MAX_JSON_STRING });
    for await (const bytes of rewrittenChunks(file, rewrites)) scanner.write(bytes);
    scanner.end();
    summary = stored.finish();
  }
  return { summary, redactions: collector.report(), output: rewritesOutput(rewrites) };
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
  const read = readAttestations(bytes, collector, keys);
  if (read.lines === null) {
    return { summary: { format: 'in-toto', ...read.items[0]!.attestation }, redactions: collector.report(), output: rewritesOutput(read.rewrites) };
  }
  const attestations: ProvenanceLine[] = read.items.map((item) => ({ line: item.line!, ...item.attestation }));
  const notes = [
    ...read.notes,
    ...attestations
      .filter((item) => !isSlsaProvenance(item.predicateType))
      .map((item) => ({ line: item.line, text: `line ${item.line}: ${item.predicateType ?? 'no predicate type'}, not provenance` })),
  ]
    .sort((a, b) => a.line - b.line)
    .map((note) => note.text);
  if (attestations.length === 0) {
    rejectDocument(`none of the ${read.lines} lines of this in-toto JSON Lines bundle is an attestation: ${notes.join('; ')}`);
  }
  // The summary's own fields are the first provenance line's, for readers that show one attestation.
  const { line: _first, ...first } = attestations.find((item) => isSlsaProvenance(item.predicateType)) ?? attestations[0]!;
  return {
    summary: { format: 'in-toto', ...first, lines: attestations, notes },
    redactions: collector.report(),
    output: rewritesOutput(read.rewrites),
  };
}

interface ReadAttestation {
  /** The line of a JSON Lines bundle (1-based), null for a file of one attestation. */
  line: number | null;
  attestation: ProvenanceAttestation;
  /** The in-toto statement's bytes as stored (sanitized): the envelope's decoded payload, or the document itself. */
  statement: Buffer;
}

/**
 * The attestations of a file: one (a statement, a DSSE envelope or a Sigstore bundle, pretty-printed
 * or not), or one per line of an in-toto JSON Lines bundle (`.intoto.jsonl`). Every line is read; a
 * line that cannot be is noted, not refused. Each signature is checked on its document's bytes as
 * received.
 */
function readAttestations(
  bytes: Buffer,
  collector: RedactionCollector,
  keys: readonly TrustedKeyMaterial[],
): { items: ReadAttestation[]; notes: Array<{ line: number; text: string }>; rewrites: JsonRewrite[]; lines: number | null } {
  const lines = jsonLines(bytes);
  if (!lines) {
    const read = analyzeAttestation(bytes, collector, '', keys);
    return { items: [{ line: null, attestation: read.attestation, statement: read.statement }], notes: [], rewrites: read.rewrites, lines: null };
  }
  const items: ReadAttestation[] = [];
  const notes: Array<{ line: number; text: string }> = [];
  const rewrites: JsonRewrite[] = [];
  for (const { line, start, end } of lines) {
    let read: ReturnType<typeof analyzeAttestation>;
    try {
      read = analyzeAttestation(bytes.subarray(start, end), collector, `line ${line} `, keys);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      notes.push({ line, text: `line ${line}: ${error.message}` });
      continue;
    }
    items.push({ line, attestation: read.attestation, statement: read.statement });
    rewrites.push(...read.rewrites.map((rewrite) => ({ ...rewrite, start: rewrite.start + start, end: rewrite.end + start })));
  }
  return { items, notes, rewrites, lines: lines.length };
}

type CarriedSummary = SbomSummary | SarifSummary | VexSummary;

const WITH_ARTICLE: Record<CarriedKind, string> = { sbom: 'an SBOM', sarif: 'a SARIF scan', vex: 'a VEX document' };
const ATTEST_HINT: Record<CarriedKind, string> = {
  sbom: 'send the SBOM itself (CycloneDX JSON or XML, SPDX JSON or tag-value), or an attestation whose predicate is one (cosign attest --type cyclonedx or spdxjson)',
  sarif: 'send the scanner\'s SARIF log itself (e.g. trivy image --format sarif), or a cosign vulnerability attestation whose scanner.result is that SARIF log',
  vex: 'send the VEX document itself (OpenVEX, CycloneDX VEX or CSAF VEX JSON), or an attestation whose predicate is an OpenVEX document (vexctl attest, cosign attest --type openvex)',
};

/**
 * An SBOM, scan or VEX document that arrived inside an in-toto attestation (cosign attest, GitHub
 * attest-sbom, vexctl attest; a Sigstore bundle, DSSE envelope, bare statement or JSON Lines
 * bundle of them): read as the document its predicate carries, with the attestation (predicate
 * type, subjects, signature verified with the same code and trust roots as provenance) recorded in
 * the summary. The evidence's identity stays the digest of the bytes sent, the attestation's.
 */
async function analyzeCarried(kind: CarriedKind, file: string, keys: readonly TrustedKeyMaterial[]): Promise<Analysis> {
  const bytes = await fs.promises.readFile(file);
  const collector = new RedactionCollector();
  const read = readAttestations(bytes, collector, keys);
  const carrying = read.items.filter((item) => carries(kind, item.attestation.predicateType));
  const chosen = carrying[0];
  if (!chosen) rejectDocument(notCarrying(kind, read.items, read.notes));
  const { summary, predicate, scanner } = summarizeCarried(kind, chosen.attestation.predicateType!, chosen.statement);
  const notes =
    read.lines === null
      ? []
      : [
          ...read.notes,
          ...read.items
            .filter((item) => item !== chosen)
            .map((item) => ({
              line: item.line!,
              text: carrying.includes(item)
                ? `line ${item.line}: another attestation of ${WITH_ARTICLE[kind]}, not read: send each in a file of its own`
                : `line ${item.line}: ${item.attestation.predicateType ?? 'no predicate type'}, not ${kind}`,
            })),
        ]
          .sort((a, b) => a.line - b.line)
          .map((note) => note.text);
  const { statementType, predicateType, subjects, envelope } = chosen.attestation;
  const attestation: CarrierAttestation = {
    statementType,
    predicateType: predicateType!,
    subjects,
    predicate,
    ...(scanner ? { scanner } : {}),
    envelope,
    signature: attestationSignature(envelope),
    ...(chosen.line !== null ? { line: chosen.line, notes } : {}),
  };
  return { summary: { ...summary, attestation }, redactions: collector.report(), output: rewritesOutput(read.rewrites) };
}

/** The attestation's predicate is evidence of `kind`: a CycloneDX predicate is an SBOM, or VEX (a CycloneDX VEX is a BOM) when sent as VEX. */
function carries(kind: CarriedKind, predicateType: string | null): boolean {
  const carried = carriedPredicate(predicateType);
  return carried?.kind === kind || (kind === 'vex' && carried?.prefix === 'https://cyclonedx.org/bom');
}

/** Why no attestation of the file carries `kind`, and what to send instead. */
function notCarrying(kind: CarriedKind, items: readonly ReadAttestation[], notes: ReadonlyArray<{ text: string }>): string {
  if (items.length === 1 && items[0]!.line === null) {
    const predicateType = items[0]!.attestation.predicateType;
    const carried = carriedPredicate(predicateType);
    if (carried) return `it is an attestation of ${carried.name} (predicate ${predicateType}), not of ${WITH_ARTICLE[kind]}: send it as ${carried.kind} evidence (rp gate --${carried.kind} FILE)`;
    if (isSlsaProvenance(predicateType)) return `it is build provenance (predicate ${predicateType}), not ${WITH_ARTICLE[kind]}: send it as provenance (rp gate --provenance FILE)`;
    return `its predicate ${predicateType ?? '(none)'} carries no ${CARRIED_NOUN[kind]}: ${ATTEST_HINT[kind]}`;
  }
  const seen = [...items.map((item) => `line ${item.line}: ${item.attestation.predicateType ?? 'no predicate type'}`), ...notes.map((note) => note.text)];
  return `no attestation of this JSON Lines bundle carries ${WITH_ARTICLE[kind]} (${seen.join('; ')}): ${ATTEST_HINT[kind]}`;
}

/**
 * Forwards the scanner's events under `at` (the carried document's place in the statement) with
 * paths relative to it, and keeps that value's type, and its text when it is a string (a document
 * some tools put in the predicate as a JSON string or as SPDX tag-value text).
 */
class CarriedValue implements JsonScanHandler {
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | undefined;
  text: string | undefined;
  readonly scanner: { uri: string | null; version: string | null } = { uri: null, version: null };

  constructor(
    private readonly at: readonly string[],
    private readonly inner: JsonScanHandler,
  ) {}

  open(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    const relative = this.relative(path);
    if (!relative) return;
    if (relative.length === 0) this.type = type;
    this.inner.open?.(relative, type);
  }

  close(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    const relative = this.relative(path);
    if (relative) this.inner.close?.(relative, type);
  }

  string(path: readonly JsonPathSegment[], token: JsonStringToken): void {
    if (path.length === 3 && path[0] === 'predicate' && path[1] === 'scanner' && (path[2] === 'uri' || path[2] === 'version')) this.scanner[path[2]] = token.text();
    const relative = this.relative(path);
    if (!relative) return;
    if (relative.length === 0) {
      this.type = 'string';
      this.text = token.text();
    } else {
      this.inner.string?.(relative, token);
    }
  }

  primitive(path: readonly JsonPathSegment[], value: number | boolean | null, start: number, end: number): void {
    const relative = this.relative(path);
    if (!relative) return;
    if (relative.length === 0) this.type = value === null ? 'null' : (typeof value as 'number' | 'boolean');
    this.inner.primitive?.(relative, value, start, end);
  }

  private relative(path: readonly JsonPathSegment[]): readonly JsonPathSegment[] | null {
    if (path.length < this.at.length) return null;
    for (let index = 0; index < this.at.length; index++) if (path[index] !== this.at[index]) return null;
    return path.slice(this.at.length);
  }
}

/** Reads the document at `at` in the file, as `reader` would read it alone (GitHub's SBOM export wraps it in {"sbom": …}). */
function nestedReader<T>(at: readonly string[], reader: JsonSummarizer<T>): JsonSummarizer<T> {
  const nested = new CarriedValue(at, reader);
  return {
    open: (path, type) => nested.open(path, type),
    close: (path, type) => nested.close(path, type),
    string: (path, token) => nested.string(path, token),
    primitive: (path, value, start, end) => nested.primitive(path, value, start, end),
    finish: () => reader.finish(),
  };
}

function readerOf(kind: CarriedKind): JsonSummarizer<CarriedSummary> {
  return kind === 'sbom' ? new SbomSummarizer() : kind === 'sarif' ? new SarifSummarizer() : new VexSummarizer();
}

/** The carried document's summary: the predicate (cosign's vulnerability predicate: its scanner.result), as a JSON value or a string. */
function summarizeCarried(
  kind: CarriedKind,
  predicateType: string,
  statement: Buffer,
): { summary: CarriedSummary; predicate: CarrierAttestation['predicate']; scanner?: CarrierAttestation['scanner'] } {
  const scan = kind === 'sarif';
  const reader = readerOf(kind);
  const carried = new CarriedValue(scan ? ['predicate', 'scanner', 'result'] : ['predicate'], reader);
  // The statement was read whole by analyzeAttestation already: it is one JSON value.
  JsonScanner.scan(statement, carried, { maxStringBytes: MAX_JSON_STRING });
  const scanner = scan ? carried.scanner : undefined;
  const source = scan
    ? `the scan result ("predicate.scanner.result") of this cosign vulnerability attestation (scanner ${[scanner?.uri, scanner?.version].filter(Boolean).join(' ') || 'not named'})`
    : `the predicate of this attestation (${predicateType})`;
  if (carried.type === undefined || carried.type === 'null') rejectDocument(`${source} is missing: ${ATTEST_HINT[kind]}`);
  try {
    const summary = carried.type === 'string' ? readCarriedText(kind, carried.text!) : reader.finish();
    return { summary, predicate: carried.type === 'string' ? 'string' : 'document', ...(scanner ? { scanner } : {}) };
  } catch (error) {
    if (!(error instanceof ProblemError) || error.code !== 'unprocessable') throw error;
    rejectDocument(`${source} is not ${scan ? 'a SARIF log' : `a readable ${CARRIED_NOUN[kind]}`} (${error.message}): ${ATTEST_HINT[kind]}`);
  }
}

/** A document carried as a string: JSON, or for an SBOM also CycloneDX XML or SPDX tag-value (cosign attest --type spdx). */
function readCarriedText(kind: CarriedKind, text: string): CarriedSummary {
  const detected = detectFormat(text);
  if (kind === 'sbom' && detected.syntax !== 'json') return (detected.syntax === 'xml' ? parseCycloneDxXml : parseSpdxTagValue)(text) as SbomSummary;
  const reader = readerOf(kind);
  try {
    JsonScanner.scan(Buffer.from(text, 'utf8'), reader, { maxStringBytes: MAX_JSON_STRING });
  } catch (error) {
    if (error instanceof JsonScanError) rejectDocument(`it is a string, and not JSON: ${error.message}`);
    throw error;
  }
  return reader.finish();
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
): { attestation: ProvenanceAttestation; rewrites: JsonRewrite[]; statement: Buffer } {
  const sanitizer = new JsonSanitizer(collector, where);
  const envelopeReader = new EnvelopeReader();
  const statement = new StatementSummarizer();
  scanJsonBuffer(document, sanitizer, '', envelopeReader, statement);
  const envelope = envelopeReader.finish();
  if (!envelope) {
    const rewrites = sanitizer.result();
    const stored = storedStatement(document, rewrites);
    return { attestation: { ...(stored === document ? statement.finish() : statementSummaryOf(stored)), envelope: null }, rewrites, statement: stored };
  }
  // The statement is base64 inside the envelope: read (and sanitize) it there.
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(envelope.payload)) rejectDocument('the DSSE envelope\'s "payload" is not base64');
  const payload = Buffer.from(envelope.payload, envelope.payload.includes('-') || envelope.payload.includes('_') ? 'base64url' : 'base64');
  const inner = new StatementSummarizer();
  const innerSanitizer = new JsonSanitizer(collector, `${where}payload `);
  scanJsonBuffer(payload, innerSanitizer, 'the DSSE envelope\'s payload is not a JSON statement: ', inner);
  let summary = inner.finish();
  // Signatures are checked on the document as received, before anything is replaced: they cover
  // what CI signed, not what is stored.
  const verification = verifyProvenance(document, envelope.payload, { keys });
  const innerRewrites = innerSanitizer.result();
  const rewrites = sanitizer.result();
  const stored = storedStatement(payload, innerRewrites);
  if (stored !== payload) summary = statementSummaryOf(stored);
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
    statement: stored,
  };
}

/** A statement's summary, read from bytes the sanitizer already passed (they scan cleanly). */
function statementSummaryOf(statement: Buffer): ReturnType<StatementSummarizer['finish']> {
  const summarizer = new StatementSummarizer();
  JsonScanner.scan(statement, summarizer, { maxStringBytes: MAX_JSON_STRING });
  return summarizer.finish();
}

/**
 * The statement as it will be stored: what a carried document's summary is read from, so that it
 * holds nothing the stored bytes do not (the signature was checked on the bytes sent).
 */
function storedStatement(statement: Buffer, rewrites: readonly JsonRewrite[]): Buffer {
  return rewrites.length > 0 ? Buffer.concat(applyRewritesToBuffer(statement, rewrites)) : statement;
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

/** The bytes of the file `source` with each rewrite applied (ascending, not overlapping), streamed in chunks. */
export async function* rewrittenChunks(source: string, rewrites: readonly JsonRewrite[]): AsyncGenerator<Buffer> {
  let offset = 0; // absolute offset of the chunk's first byte
  let next = 0; // index of the next rewrite
  let skipUntil = 0; // inside a replaced range until this offset
  for await (const chunk of fs.createReadStream(source, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    const end = offset + chunk.length;
    let position = offset;
    while (position < end) {
      if (position < skipUntil) {
        position = Math.min(skipUntil, end);
        continue;
      }
      const rewrite = rewrites[next];
      if (rewrite && rewrite.start < end) {
        if (rewrite.start > position) yield chunk.subarray(position - offset, rewrite.start - offset);
        yield Buffer.from(rewrite.replacement, 'utf8');
        skipUntil = rewrite.end;
        position = rewrite.start;
        next++;
        continue;
      }
      yield chunk.subarray(position - offset);
      position = end;
    }
    offset = end;
  }
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
