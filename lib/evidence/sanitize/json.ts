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
 * pattern here knows. So have the results, in any tool's run, of a rule about hard-coded
 * credentials (tagged CWE-798, 259, 260, 321 or 540, as Semgrep and CodeQL tag theirs, or named so:
 * "generic.secrets.…", "js/hardcoded-credentials"). The run's tool and rules may come after its
 * results (Semgrep writes its keys sorted), so those snippets wait for them. So do
 * the found values of a finding in a secret scanner's own JSON: gitleaks' "Match" (the line; its
 * "Secret" goes by its name) and TruffleHog's "Raw" and "RawV2" (in an object with "DetectorName");
 * and a GitLab secret detection report's "raw_source_code_extract" (the secret, or its line, as
 * GitLab's analyzer and `semgrep --gitlab-secrets` write it), decided when the document closes:
 * the report says it is one by "category": "secret_detection", or by "scan": {"type":
 * "secret_detection"}, which newer reports write after their findings.
 * A SAST report's code extracts are kept.
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

/**
 * A rule about hard-coded credentials, by its tags (Semgrep: "CWE-798: Use of Hard-coded
 * Credentials"; CodeQL: "external/cwe/cwe-798"): 798 hard-coded credentials, 259 password,
 * 260 password in a configuration file, 321 cryptographic key, 540 sensitive data in source code.
 */
const CREDENTIAL_RULE_TAG = /\bcwe[-_ /]?0*(?:259|260|321|540|798)\b/i;
/** ... or by its id, when a log lists no rules or tags none: "generic.secrets.security.…", "js/hardcoded-credentials". */
const CREDENTIAL_RULE_ID = /(?:^|[./_-])secrets?(?:[./_-]|$)|hard-?coded[-_]?(?:credential|password|secret|key|token)/i;

type Snippet = { start: number; end: number; location: string };
/** A snippet, or a result's message (`message` holds its text: only its quoted values go). */
type PendingValue = Snippet & { result: number; message?: string };

interface SarifRun {
  secretScanner: boolean;
  /** Snippets not yet decided (the tool or the rules were not read yet), with their result's index. */
  snippets: PendingValue[];
  /** The run's tool object was read whole: every rule is known, a result can be decided when it closes. */
  toolRead: boolean;
  /** Rules read so far, by "driver:N" or "extension:E:N": their id and whether they are about credentials. */
  rules: Map<string, { id?: string; credential: boolean }>;
  /** The rule each result names (ruleId, rule.id, or "driver:N" for a bare ruleIndex), by result index. */
  resultRules: Map<number, { id?: string; index?: string }>;
}

/** GitLab's security report format: a secret detection report, and the field holding what it found. */
const GITLAB_SECRET_DETECTION = 'secret_detection';
const GITLAB_EXTRACT = 'raw_source_code_extract';

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

/**
 * Where a rule of a run's tool stands in `path`: the driver's rules (tool/driver/rules/N) or an
 * extension's (tool/extensions/E/rules/N, where CodeQL keeps its queries). `depth` counts from "runs".
 */
function ruleKeyAt(path: readonly JsonPathSegment[], runs: number): { key: string; depth: number } | null {
  const at = (index: number) => path[runs + index];
  if (at(3) === 'driver' && at(4) === 'rules' && typeof at(5) === 'number') return { key: `driver:${at(5)}`, depth: 6 };
  if (at(3) === 'extensions' && typeof at(4) === 'number' && at(5) === 'rules' && typeof at(6) === 'number') return { key: `extension:${at(4)}:${at(6)}`, depth: 7 };
  return null;
}

function resultRuleOf(run: SarifRun, result: number): { id?: string; index?: string } {
  let named = run.resultRules.get(result);
  if (!named) run.resultRules.set(result, (named = {}));
  return named;
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
  /** GitLab's raw_source_code_extract values, replaced when the document shows it is a secret detection report. */
  private readonly gitlabExtracts: Snippet[] = [];
  private gitlabSecretDetection = false;
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

  primitive(path: readonly JsonPathSegment[], value: number | boolean | null): void {
    this.noteScannerKey(path);
    const runs = sarifRunsAt(path);
    if (runs !== null) this.sarifRuleIndex(path, runs, value);
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
    if (runs !== null) this.closeInSarifRun(path, runs);
    if (path.length === 0 && this.gitlabSecretDetection) for (const extract of this.gitlabExtracts.splice(0)) this.redactFound(extract);
    const frame = this.frames.pop();
    if (type !== 'object' || !frame) return;
    // A name that is a variable's or a property's (no spaces): "Gitleaks rule ID generic-api-key",
    // a GitLab identifier's label, names a rule, and its value is the rule's id.
    if (frame.value && frame.name !== undefined && !/\s/.test(frame.name) && isSensitiveField(frame.name) && frame.value.end - frame.value.start > 2) {
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
    if (runs !== null && this.sarifString(path, runs, token)) return;
    if (this.gitlabString(path, token)) return;

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

  /** The SARIF run `path` is in (`runs`: where the log's "runs" stands in it), made on first sight. */
  private sarifRun(path: readonly JsonPathSegment[], runs: number): SarifRun {
    const index = path[runs + 1] as number;
    let run = this.sarifRuns.get(index);
    if (!run) this.sarifRuns.set(index, (run = { secretScanner: false, snippets: [], toolRead: false, rules: new Map(), resultRules: new Map() }));
    return run;
  }

  /**
   * A string inside a SARIF run: its tool's name, a rule's id or tag, the rule a result names, or
   * a snippet of a result (results[].locations[] and relatedLocations[], in their region and
   * contextRegion). True when the token was redacted. `runs` is where the log's "runs" stands in `path`.
   */
  private sarifString(path: readonly JsonPathSegment[], runs: number, token: JsonStringToken): boolean {
    // Segments read in place, counted from "runs" (no copy, no closure: this runs for every string of a log).
    const depth = path.length - runs;
    const section = path[runs + 2];
    if (section === 'results') {
      const last = path[path.length - 1];
      if (last === 'text' || last === 'markdown') {
        const owner = path[path.length - 2];
        if (token.end - token.start <= 2) return false;
        if (owner === 'snippet' && last === 'text') return this.sarifFoundValue(path, runs, token);
        // The result's own message: CodeQL's hard-coded credential queries quote the value there
        // ('The hard-coded value "…" is used as authorization header').
        if (owner === 'message' && depth === 6) {
          const message = token.text();
          if (message.includes('"')) this.sarifRun(path, runs).snippets.push({ start: token.start, end: token.end, location: this.location(path), result: path[runs + 3] as number, message });
        }
        return false;
      }
      // A message given by id (the rule's messageStrings, {0} {1}... filled in from its arguments):
      // a credential rule's argument may be the value itself, so each is decided like a snippet.
      if (depth === 7 && path[runs + 4] === 'message' && path[runs + 5] === 'arguments' && token.end - token.start > 2) return this.sarifFoundValue(path, runs, token);
      if ((depth === 5 && last === 'ruleId') || (depth === 6 && last === 'id' && path[runs + 4] === 'rule')) {
        resultRuleOf(this.sarifRun(path, runs), path[runs + 3] as number).id = token.text();
      }
      return false;
    }
    if (section !== 'tool') return false;
    const run = this.sarifRun(path, runs);
    if (depth === 5 && path[runs + 3] === 'driver' && path[runs + 4] === 'name') {
      run.secretScanner = SECRET_SCANNER.test(token.text());
      if (run.secretScanner) {
        for (const snippet of run.snippets) this.redactPending(snippet);
        run.snippets = [];
      }
      return false;
    }
    const rule = ruleKeyAt(path, runs);
    if (!rule) return false;
    const field = path[runs + rule.depth];
    if (depth === rule.depth + 1 && field === 'id') this.ruleOf(run, rule.key).id = token.text();
    else if (field === 'properties' && (path[runs + rule.depth + 1] === 'tags' || path[runs + rule.depth + 1] === 'cwe') && CREDENTIAL_RULE_TAG.test(token.text())) {
      this.ruleOf(run, rule.key).credential = true;
    }
    return false;
  }

  /** A result's bare ruleIndex (a rule of the driver), when it names no rule id. */
  private sarifRuleIndex(path: readonly JsonPathSegment[], runs: number, value: number | boolean | null): void {
    const depth = path.length - runs;
    if (typeof value !== 'number' || path[runs + 2] !== 'results') return;
    if ((depth === 5 && path[runs + 4] === 'ruleIndex') || (depth === 6 && path[runs + 4] === 'rule' && path[runs + 5] === 'index')) {
      resultRuleOf(this.sarifRun(path, runs), path[runs + 3] as number).index = `driver:${value}`;
    }
  }

  private ruleOf(run: SarifRun, key: string): { id?: string; credential: boolean } {
    let rule = run.rules.get(key);
    if (!rule) run.rules.set(key, (rule = { credential: false }));
    return rule;
  }

  /**
   * A result closes: its snippets are decided now when the tool (with its rules) was read before
   * it, as CodeQL writes its logs. The run closes: whatever waited is decided.
   */
  private closeInSarifRun(path: readonly JsonPathSegment[], runs: number): void {
    const depth = path.length - runs;
    if (depth > 4) return;
    const run = this.sarifRuns.get(path[runs + 1] as number);
    if (!run) return;
    if (depth === 3 && path[runs + 2] === 'tool') run.toolRead = true;
    else if (depth === 4 && run.toolRead && path[runs + 2] === 'results') this.decideSnippets(run, path[runs + 3] as number);
    else if (depth === 2) {
      this.decideSnippets(run, null);
      this.sarifRuns.delete(path[runs + 1] as number);
    }
  }

  /** Redacts the waiting snippets of one result (or of all, with null) whose rule is about credentials, and forgets them. */
  private decideSnippets(run: SarifRun, result: number | null): void {
    if (run.snippets.length === 0) {
      if (result !== null) run.resultRules.delete(result);
      return;
    }
    const credentialIds = new Set<string>();
    for (const rule of run.rules.values()) if (rule.credential && rule.id !== undefined) credentialIds.add(rule.id);
    // One answer per rule id: a log has many results of few rules.
    const byId = new Map<string, boolean>();
    const credentialId = (id: string) => {
      let answer = byId.get(id);
      if (answer === undefined) byId.set(id, (answer = credentialIds.has(id) || CREDENTIAL_RULE_ID.test(id)));
      return answer;
    };
    const isCredential = (index: number) => {
      const named = run.resultRules.get(index);
      if (!named) return false;
      if (named.id !== undefined) return credentialId(named.id);
      const rule = named.index === undefined ? undefined : run.rules.get(named.index);
      return rule !== undefined && (rule.credential || (rule.id !== undefined && credentialId(rule.id)));
    };
    const kept: SarifRun['snippets'] = [];
    for (const snippet of run.snippets) {
      if (result !== null && snippet.result !== result) kept.push(snippet);
      else if (run.secretScanner || isCredential(snippet.result)) this.redactPending(snippet);
    }
    run.snippets = kept;
    if (result !== null) run.resultRules.delete(result);
  }

  /**
   * GitLab's security report format: "category": "secret_detection" (on a vulnerability) or a
   * top-level "scan": {"type": "secret_detection"} marks a secret detection report; its
   * "raw_source_code_extract" (a string, or a list of lines) wait for the document's end. True when redacted.
   */
  private gitlabString(path: readonly JsonPathSegment[], token: JsonStringToken): boolean {
    const depth = path.length;
    const key = path[depth - 1];
    if ((key === 'category' || (key === 'type' && depth === 2 && path[0] === 'scan')) && token.end - token.start === GITLAB_SECRET_DETECTION.length + 2 && token.text() === GITLAB_SECRET_DETECTION) {
      this.gitlabSecretDetection = true;
      return false;
    }
    if (key !== GITLAB_EXTRACT && !(typeof key === 'number' && path[depth - 2] === GITLAB_EXTRACT)) return false;
    if (token.end - token.start <= 2) return false;
    const extract = { start: token.start, end: token.end, location: this.location(path) };
    if (!this.gitlabSecretDetection) {
      this.gitlabExtracts.push(extract);
      return false;
    }
    this.redactFound(extract);
    return true;
  }

  /**
   * A result's value that holds what its rule found (a snippet, a message argument): replaced now
   * in a secret scanner's run, else kept waiting until its rule is known. True when redacted.
   */
  private sarifFoundValue(path: readonly JsonPathSegment[], runs: number, token: JsonStringToken): boolean {
    const run = this.sarifRun(path, runs);
    const value = { start: token.start, end: token.end, location: this.location(path), result: path[runs + 3] as number };
    if (run.secretScanner) this.redactFound(value);
    else run.snippets.push(value);
    return run.secretScanner;
  }

  /** A waiting snippet, replaced whole, or a message, whose quoted values (first quote to last) are replaced. */
  private redactPending(value: PendingValue): void {
    if (value.message === undefined) {
      this.redactFound(value);
      return;
    }
    const marker = redactionMarker('secret-scanner-finding');
    const text = value.message.replace(/"[\s\S]*"/, `"${marker}"`);
    if (text === value.message) return; // a lone quote: nothing quoted, nothing to replace
    this.rewrite(value.start, value.end, JSON.stringify(text), 'secret-scanner-finding', value.location);
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
