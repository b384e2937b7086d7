/**
 * Sanitizer for JSON evidence, driven by the streaming scanner. It decides which string tokens
 * to rewrite (byte ranges and their replacement JSON), so everything else is stored byte for byte
 * and an evidence file without secrets keeps the digest `sha256sum` gives locally.
 *
 * Three rules: values of credential fields (kubeconfig `token`, `client-key-data`, `password`...)
 * are replaced whole; `data`/`stringData` values of a Kubernetes Secret are replaced whole (the
 * object's `kind` may come after its data, so they are decided when the object closes); any other
 * string holding a known secret format has just that part replaced. Identifiers (CPE, purl,
 * bom-ref, SPDX ids, hashes) are only checked for prefixed formats (ghp_, AKIA, sk_live_...):
 * vulnerability matching and the signatures CI made over the file depend on them, and
 * "cpe:2.3:a:base-passwd:..." is a package, not a password assignment.
 * A `{name, value}` pair whose name is credential-like (a CycloneDX property "api_token", a
 * Kubernetes container env entry "API_KEY") has its value replaced whole.
 * A SARIF run from a secret scanner (gitleaks, detect-secrets...) has the code snippets of its
 * results replaced whole: each one is the line holding a secret, which may be of a format no
 * pattern here knows. The run's tool may be named after its results, so they wait for it. So do
 * the found values of a finding in a secret scanner's own JSON: gitleaks' "Match" (the line; its
 * "Secret" goes by its name) and TruffleHog's "Raw" and "RawV2" (in an object with "DetectorName").
 */
import { formatJsonPointer, type JsonPathSegment, type JsonScanHandler, type JsonStringToken } from '../json-scanner';
import { isSensitiveField, SECRET_SCANNER_FINDINGS } from './fields';
import { findSecretCandidates, redactionMarker, redactText, type SecretKind } from './patterns';
import type { RedactionCollector } from './report';

export interface JsonRewrite {
  start: number;
  end: number;
  /** JSON text written instead of bytes [start, end). */
  replacement: string;
}

interface ObjectFrame {
  kind?: string;
  /** The object's "name" and "value" strings, for name/value pairs (properties, env entries). */
  name?: string;
  value?: { start: number; end: number; location: string };
  /** Strings under data/stringData, redacted if this object turns out to be a Secret. */
  secretValues: Array<{ start: number; end: number; location: string }>;
  /** Values under a field where a secret scanner's finding keeps what it found, replaced once the object shows it is one. */
  found?: Array<{ start: number; end: number; location: string; field: string }>;
  /** The finding fields of the scanner whose key the object has (SECRET_SCANNER_FINDINGS). */
  scannerFound?: readonly string[];
}

/** Each secret scanner's finding fields, by the keys that show an object is its finding. */
const FOUND_BY_KEY = new Map<string, readonly string[]>(SECRET_SCANNER_FINDINGS.flatMap(({ keys, found }) => keys.map((key) => [key, found] as const)));
const FOUND_FIELDS = new Set<string>(SECRET_SCANNER_FINDINGS.flatMap(({ found }) => found));

const SECRET_DATA_FIELDS = new Set(['data', 'stringData']);
/**
 * SARIF tools whose findings are secrets (runs[].tool.driver.name): gitleaks, detect-secrets,
 * secretlint, Semgrep Secrets, TruffleHog, GitGuardian's ggshield, Talisman, Nosey Parker, Kingfisher.
 */
const SECRET_SCANNER = /secret|leak|trufflehog|ggshield|gitguardian|talisman|nosey ?parker|kingfisher/i;

interface SarifRun {
  secretScanner: boolean;
  /** Snippets seen before the run's tool was named. */
  snippets: Array<{ start: number; end: number; location: string }>;
}

/** Where a SARIF log sits: itself, or the scan result of a cosign vulnerability attestation. */
const SARIF_AT: ReadonlyArray<readonly string[]> = [[], ['predicate', 'scanner', 'result']];

/** Where the log's "runs" stands in a path inside one of its runs (runs/N/...), or null. */
function sarifRunsAt(path: readonly JsonPathSegment[]): number | null {
  for (const prefix of SARIF_AT) {
    const at = prefix.length;
    if (path[at] === 'runs' && typeof path[at + 1] === 'number' && prefix.every((segment, index) => path[index] === segment)) return at;
  }
  return null;
}

/** Fields holding identifiers or digests, compared without case. */
const IDENTIFIER_FIELDS = new Set(['cpe', 'purl', 'bom-ref', 'ref', 'spdxid', 'referencelocator', 'checksumvalue', 'digest', 'sha256', 'sha512', 'sha1']);
const IDENTIFIER_VALUE = /^(?:cpe:2\.3:|cpe:\/|pkg:[a-z])/i;

function isIdentifier(path: readonly JsonPathSegment[], value: string): boolean {
  const key = path[path.length - 1];
  if (typeof key === 'string' && IDENTIFIER_FIELDS.has(key.toLowerCase())) return true;
  // CycloneDX hashes[].content, SPDX checksums[].checksumValue sit one level under their list.
  const list = path[path.length - 3];
  if (typeof list === 'string' && (list === 'hashes' || list === 'checksums')) return true;
  return IDENTIFIER_VALUE.test(value);
}

export class JsonSanitizer implements JsonScanHandler {
  private readonly frames: Array<ObjectFrame | null> = [];
  private readonly rewrites = new Map<number, JsonRewrite & { kind: SecretKind; location: string }>();
  /** SARIF runs (of the log, or of the one an attestation carries) open now, by index. */
  private readonly sarifRuns = new Map<number, SarifRun>();
  /** Starts of byte ranges the quick pattern scan flagged, ascending. */
  private candidates: number[] = [];
  private candidateIndex = 0;
  private lastCandidate = -1;

  constructor(
    private readonly collector: RedactionCollector,
    /** Location prefix for reports ("document 2 "), for JSON embedded in something else. */
    private readonly locationPrefix = '',
  ) {}

  /**
   * Feeds the quick pattern scan of raw bytes [offset, offset + text.length) as latin1 text.
   * Call for each window before scanning the bytes it covers; windows may overlap.
   */
  flagCandidates(text: string, offset: number): void {
    for (const range of findSecretCandidates(text)) {
      const start = offset + range.start;
      if (start > this.lastCandidate) {
        this.candidates.push(start);
        this.lastCandidate = start;
        continue;
      }
      // From the overlap with the previous window: keep the list sorted and free of duplicates.
      let low = this.candidateIndex;
      let high = this.candidates.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (this.candidates[middle]! < start) low = middle + 1;
        else high = middle;
      }
      if (this.candidates[low] !== start) this.candidates.splice(low, 0, start);
    }
  }

  primitive(path: readonly JsonPathSegment[]): void {
    this.noteScannerKey(path);
  }

  /** A key that shows its object is a secret scanner's finding (TruffleHog's DetectorType is a number). */
  private noteScannerKey(path: readonly JsonPathSegment[]): void {
    const key = path[path.length - 1];
    const container = this.frames[path.length - 1];
    const found = typeof key === 'string' ? FOUND_BY_KEY.get(key) : undefined;
    if (container && found) container.scannerFound = found;
  }

  open(_path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    this.frames.push(type === 'object' ? { secretValues: [] } : null);
  }

  close(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    const runs = sarifRunsAt(path);
    if (runs !== null && path.length === runs + 2) this.sarifRuns.delete(path[runs + 1] as number);
    const frame = this.frames.pop();
    if (type !== 'object' || !frame) return;
    if (frame.value && frame.name !== undefined && isSensitiveField(frame.name) && frame.value.end - frame.value.start > 2) {
      this.rewrite(frame.value.start, frame.value.end, JSON.stringify(redactionMarker('credential-field')), 'credential-field', frame.value.location);
    }
    if (frame.found && frame.scannerFound) {
      for (const found of frame.found) if (frame.scannerFound.includes(found.field)) this.redactFound(found);
    }
    if (frame.kind !== 'Secret') return;
    for (const value of frame.secretValues) {
      this.rewrite(value.start, value.end, JSON.stringify(redactionMarker('kubernetes-secret')), 'kubernetes-secret', value.location);
    }
    void path;
  }

  string(path: readonly JsonPathSegment[], token: JsonStringToken): void {
    const depth = path.length;
    const key = path[depth - 1];
    const container = this.frames[depth - 1];
    if (container && key === 'kind') container.kind = token.text();
    if (container && key === 'name') container.name = token.text();
    if (container && key === 'value') container.value = { start: token.start, end: token.end, location: this.location(path) };
    this.noteScannerKey(path);
    if (container && typeof key === 'string' && FOUND_FIELDS.has(key) && token.end - token.start > 2) {
      (container.found ??= []).push({ start: token.start, end: token.end, location: this.location(path), field: key });
    }

    // Under data/stringData of an object that may be a Kubernetes Secret.
    const mapKey = path[depth - 2];
    const owner = this.frames[depth - 2];
    if (owner && container && typeof mapKey === 'string' && SECRET_DATA_FIELDS.has(mapKey)) {
      owner.secretValues.push({ start: token.start, end: token.end, location: this.location(path) });
    }

    const runs = sarifRunsAt(path);
    if (runs !== null && this.secretScannerSnippet(path, runs, token)) return;

    if (typeof key === 'string' && token.end - token.start > 2 && isSensitiveField(key)) {
      this.rewrite(token.start, token.end, JSON.stringify(redactionMarker('credential-field')), 'credential-field', this.location(path));
      return;
    }

    if (!this.hasCandidateWithin(token.start, token.end)) return;
    const value = token.text();
    // Identifiers keep their bytes unless they hold a prefixed secret (a token pasted into a
    // "ref" leaks all the same); the contextual patterns misread CPEs and purls.
    const { text, found } = redactText(value, { prefixedOnly: isIdentifier(path, value) });
    if (found.length === 0) return;
    const location = this.location(path);
    const first = found[0]!;
    this.rewrite(token.start, token.end, JSON.stringify(text), first.kind, location);
    for (const extra of found.slice(1)) this.collector.add(extra.kind, location);
  }

  /**
   * A SARIF run's tool name, or a snippet of one of its results (results[].locations[] and
   * relatedLocations[], in their region and contextRegion): true when the token was redacted.
   * `runs` is where the log's "runs" stands in `path`.
   */
  private secretScannerSnippet(path: readonly JsonPathSegment[], runs: number, token: JsonStringToken): boolean {
    // Segments counted from "runs" (no copy of the path: this runs for every string of a log).
    const segment = (index: number) => path[runs + index];
    const index = segment(1) as number;
    let run = this.sarifRuns.get(index);
    if (!run) this.sarifRuns.set(index, (run = { secretScanner: false, snippets: [] }));
    const depth = path.length;
    if (depth === runs + 5 && segment(2) === 'tool' && segment(3) === 'driver' && segment(4) === 'name') {
      run.secretScanner = SECRET_SCANNER.test(token.text());
      if (run.secretScanner) for (const snippet of run.snippets) this.redactFound(snippet);
      run.snippets = [];
      return false;
    }
    if (segment(2) !== 'results' || path[depth - 1] !== 'text' || path[depth - 2] !== 'snippet' || token.end - token.start <= 2) return false;
    const snippet = { start: token.start, end: token.end, location: this.location(path) };
    if (run.secretScanner) this.redactFound(snippet);
    else run.snippets.push(snippet);
    return run.secretScanner;
  }

  /** A value a secret scanner found (a snippet, a matched line, a raw secret), replaced whole. */
  private redactFound(value: { start: number; end: number; location: string }): void {
    this.rewrite(value.start, value.end, JSON.stringify(redactionMarker('secret-scanner-finding')), 'secret-scanner-finding', value.location);
  }

  /** Rewrites in ascending order, one per token. */
  result(): JsonRewrite[] {
    return [...this.rewrites.values()].sort((a, b) => a.start - b.start).map(({ start, end, replacement }) => ({ start, end, replacement }));
  }

  private rewrite(start: number, end: number, replacement: string, kind: SecretKind, location: string): void {
    const earlier = this.rewrites.get(start);
    if (earlier) this.collector.retract(earlier.kind, earlier.location);
    this.rewrites.set(start, { start, end, replacement, kind, location });
    this.collector.add(kind, location);
  }

  private hasCandidateWithin(start: number, end: number): boolean {
    const candidates = this.candidates;
    while (this.candidateIndex < candidates.length && candidates[this.candidateIndex]! < start) this.candidateIndex++;
    // Drop what is behind us, so the list stays small on long documents.
    if (this.candidateIndex > 1024) {
      this.candidates = candidates.slice(this.candidateIndex);
      this.candidateIndex = 0;
    }
    const next = this.candidates[this.candidateIndex];
    return next !== undefined && next < end;
  }

  private location(path: readonly JsonPathSegment[]): string {
    return this.locationPrefix + formatJsonPointer(path);
  }
}
