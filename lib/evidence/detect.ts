/**
 * What an evidence file is, read from its first bytes: which format (and version) and which kind
 * of evidence that is. Used to route an SBOM to the reader of its encoding and to say, when a file
 * is refused, what it was taken for and where it should go. Acceptance is never decided here: the
 * format's own reader checks the whole file.
 */
import fs from 'node:fs';
import type { EvidenceKind } from './kinds';
import { carriedPredicate } from './parsers/provenance';

export interface DetectedFormat {
  /** The kind of evidence this format is, when the gate reads it; null when it reads no such thing. */
  kind: EvidenceKind | null;
  /** "CycloneDX XML 1.4", "a SARIF 2.1.0 log"...: how the file is named to people, with its article. */
  name: string;
  syntax: 'json' | 'xml' | 'text';
  /** What to do with it when the kind alone does not say. */
  advice?: string;
  /** An in-toto attestation (a Sigstore bundle, DSSE envelope or statement): its predicate type when the head shows it. */
  attestation?: { predicateType: string | null };
  /** Where the document sits when a plain wrapper carries it: GitHub's SBOM export answers {"sbom": {…SPDX…}}. */
  nestedAt?: readonly string[];
  /** One JSON document per line: provenance reads such a bundle itself, and says what is wrong with it better than the advice. */
  jsonLines?: true;
}

/** How much of a file detection reads. */
const HEAD_BYTES = 64 * 1024;

export async function readHead(file: string): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

const captured = (head: string, pattern: RegExp): string | undefined => pattern.exec(head)?.[1];

export function detectFormat(file: string): DetectedFormat {
  const wide = wideEncoding(file);
  if (wide) {
    return {
      kind: null,
      name: `${wide} text`,
      syntax: 'text',
      advice: `evidence files are read as UTF-8: save this one as UTF-8 and send it again (Windows PowerShell's ">" and Out-File write ${wide}: use "Out-File -Encoding utf8", or the tool's own output option, such as "trivy --output FILE" or "syft -o cyclonedx-json=FILE")`,
    };
  }
  const head = file.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('{') || head.startsWith('[')) return detectJson(head);
  if (head.startsWith('<')) return detectXml(head);
  return detectText(head);
}

/**
 * Text in UTF-16 or UTF-32 (a byte order mark, or ASCII interleaved with NUL bytes), as the head
 * reads when decoded as UTF-8: each BOM byte becomes U+FFFD. Null for anything else.
 */
function wideEncoding(head: string): 'UTF-16' | 'UTF-32' | null {
  const code = (index: number) => head.charCodeAt(index);
  const replaced = (index: number) => code(index) === 0xfffd;
  const ascii = (index: number) => code(index) > 0 && code(index) < 0x80;
  if ((replaced(0) && replaced(1) && code(2) === 0 && code(3) === 0) || (code(0) === 0 && code(1) === 0 && replaced(2) && replaced(3))) return 'UTF-32';
  if (replaced(0) && replaced(1) && head.slice(0, 64).includes('\u0000')) return 'UTF-16';
  // No byte order mark: ASCII interleaved with NUL bytes, little-endian ("{\0") or big-endian ("\0{").
  if ((ascii(0) && code(1) === 0 && ascii(2) && code(3) === 0) || (code(0) === 0 && ascii(1) && code(2) === 0 && ascii(3))) return 'UTF-16';
  return null;
}

const PREDICATE_TYPE = /"predicateType"\s*:\s*"([^"]{1,200})"/;

/**
 * An attestation is the kind of evidence its predicate carries: provenance, or an SBOM, VEX or a
 * scan that the gate reads from inside it (lib/evidence/analyze.ts, analyzeCarried).
 */
function attestation(wrapper: string, predicateType: string | null): DetectedFormat {
  const carried = carriedPredicate(predicateType);
  return {
    kind: carried?.kind ?? 'provenance',
    name: `${wrapper}${predicateType ? ` (predicate ${predicateType})` : ''}`,
    syntax: 'json',
    attestation: { predicateType },
  };
}

/** The predicate type of an envelope's statement, from the part of its base64 payload the head holds. */
function envelopePredicateType(head: string): string | null {
  const payload = captured(head, /"payload"\s*:\s*"([A-Za-z0-9+/=_-]{1,65536})/);
  if (!payload) return null;
  const whole = payload.slice(0, payload.length - (payload.length % 4));
  return captured(Buffer.from(whole, /[-_]/.test(whole) ? 'base64url' : 'base64').toString('latin1'), PREDICATE_TYPE) ?? null;
}

function detectJson(head: string): DetectedFormat {
  const json = (kind: EvidenceKind | null, name: string): DetectedFormat => ({ kind, name, syntax: 'json' });
  // GitHub's dependency-graph SBOM export (GET /repos/{owner}/{repo}/dependency-graph/sbom, gh api) wraps the SPDX document.
  const githubExport = /^\{\s*"sbom"\s*:\s*(?=\{)/.exec(head);
  if (githubExport) {
    const inner = detectJson(head.slice(githubExport[0].length));
    if (inner.kind === 'sbom') return { ...inner, name: `${inner.name} in GitHub's dependency-graph export`, nestedAt: ['sbom'] };
  }
  // Attestations first: they may carry an SBOM or a scan, whose keys then appear too.
  const bundle = /"mediaType"\s*:\s*"application\/vnd\.dev\.sigstore\.bundle/.test(head);
  if (bundle || /"payloadType"\s*:/.test(head)) return attestation(bundle ? 'a Sigstore bundle' : 'a DSSE envelope', envelopePredicateType(head));
  if (/"_type"\s*:\s*"https:\/\/in-toto\.io\/Statement/.test(head)) return attestation('an in-toto statement', captured(head, PREDICATE_TYPE) ?? null);
  if (/"bomFormat"\s*:\s*"CycloneDX"/.test(head)) return json('sbom', `CycloneDX JSON ${captured(head, /"specVersion"\s*:\s*"([^"]{1,16})"/) ?? ''}`.trim());
  const spdx = captured(head, /"spdxVersion"\s*:\s*"SPDX-([^"]{1,16})"/);
  if (spdx) return json('sbom', `SPDX ${spdx} JSON`);
  const spdx3 = captured(head, /"@context"\s*:\s*"https?:\/\/spdx\.org\/rdf\/([0-9.]+)\//);
  if (spdx3) return json('sbom', `SPDX ${spdx3} JSON-LD`);
  if (/"@context"\s*:\s*"https:\/\/openvex\.dev\/ns/.test(head)) return json('vex', 'an OpenVEX document');
  if (/"csaf_version"/.test(head)) return /"category"\s*:\s*"csaf_vex"/.test(head) ? json('vex', 'a CSAF VEX document') : json(null, 'a CSAF document (not the VEX profile)');
  const sarif = captured(head, /"version"\s*:\s*"(2\.[0-9.]+)"/);
  if (/"\$schema"\s*:\s*"[^"]*sarif/i.test(head) || (sarif && /"runs"\s*:/.test(head))) return json('sarif', `a SARIF ${sarif ?? ''} log`.replace('  ', ' '));
  if (/"apiVersion"\s*:/.test(head) && /"kind"\s*:/.test(head)) return json('manifests', 'a Kubernetes resource (JSON)');
  if (isJsonLines(head)) {
    const trufflehog = /"SourceMetadata"\s*:/.test(head) && /"DetectorName"\s*:/.test(head);
    return { ...json(null, trufflehog ? "TruffleHog's JSON Lines output" : 'JSON Lines (one JSON document per line)'), advice: JSON_LINES_ADVICE, jsonLines: true };
  }
  return json(null, head.startsWith('[') ? 'a JSON array' : 'a JSON document');
}

const JSON_LINES_ADVICE =
  'a file of one JSON document per line (as "trufflehog --json" writes it) is read only as provenance (an in-toto bundle of attestations); other evidence is one JSON document a file: for custom evidence, gather the lines into an array first ("jq -s . FILE > FILE.json"). A secret scanner\'s found values are removed before storage';

/** A first line that is a whole JSON value, followed by another line that starts one. */
function isJsonLines(head: string): boolean {
  const newline = head.indexOf('\n');
  if (newline < 0 || !/^\s*[[{]/.test(head.slice(newline + 1))) return false;
  try {
    JSON.parse(head.slice(0, newline));
    return true;
  } catch {
    return false;
  }
}

/**
 * An XML document's root element (the first that is not a declaration, comment or DOCTYPE): its
 * local name and namespace, whether default (xmlns="…") or through its prefix (xmlns:bom="…").
 */
export function xmlRoot(head: string): { name: string; namespace: string | undefined } {
  const root = /<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)((?:\s+[^>]*)?)>/.exec(head.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>/gi, ''));
  const prefix = root?.[1];
  const attributes = root?.[3] ?? '';
  const namespace = prefix ? captured(attributes, new RegExp(`xmlns:${prefix.replace(/[.-]/g, '\\$&')}\\s*=\\s*"([^"]*)"`)) : captured(attributes, /xmlns\s*=\s*"([^"]*)"/);
  return { name: root?.[2] ?? '', namespace };
}

function detectXml(head: string): DetectedFormat {
  const { name, namespace } = xmlRoot(head);
  const cyclonedx = captured(namespace ?? '', /^http:\/\/cyclonedx\.org\/schema\/bom\/(1\.[0-9]+)$/);
  if (name === 'bom' && cyclonedx) return { kind: 'sbom', name: `CycloneDX XML ${cyclonedx}`, syntax: 'xml' };
  if (name === 'testsuites' || name === 'testsuite') return { kind: 'junit', name: 'a JUnit XML report', syntax: 'xml' };
  if (name === 'RDF' && /spdx/i.test(head)) return { kind: null, name: 'an SPDX RDF/XML document', syntax: 'xml' };
  const testReport = otherTestReport(name, namespace);
  if (testReport) return { kind: null, name: testReport, syntax: 'xml', advice: TEST_REPORT_ADVICE };
  if (!name) return { kind: null, name: 'a file that starts like XML but holds no element', syntax: 'xml' };
  return { kind: null, name: `an XML document (root <${name}>)`, syntax: 'xml' };
}

const TEST_REPORT_ADVICE =
  'the gate reads test results as JUnit XML: have the test runner write JUnit XML too (for "dotnet test", the JunitXml.TestLogger package: --logger "junit;LogFilePath=results.xml"), or convert this report, and send that with rp gate --junit FILE';

/** Test reports in formats other than JUnit XML, by their root element: the .NET runners' own. */
function otherTestReport(name: string, namespace: string | undefined): string | null {
  if (name === 'TestRun' && namespace?.includes('microsoft.com/schemas/VisualStudio/TeamTest')) return 'a Visual Studio TRX test report';
  if (name === 'test-run') return 'an NUnit 3 test report';
  if (name === 'test-results') return 'an NUnit 2 test report';
  if (name === 'assemblies' || name === 'assembly') return 'an xUnit.net test report';
  return null;
}

function detectText(head: string): DetectedFormat {
  const spdx = captured(head, /^SPDXVersion:\s*SPDX-(\S+)/m);
  if (spdx) return { kind: 'sbom', name: `SPDX ${spdx} tag-value`, syntax: 'text' };
  if (/^(?:[0-9a-f]{32,128}\s+[* ]?\S|(?:SHA|MD5)[0-9-]* \(.+\) = [0-9a-f]+)/im.test(head)) return { kind: 'checksums', name: 'a checksums file', syntax: 'text' };
  if (/^apiVersion:/m.test(head) && /^kind:/m.test(head)) return { kind: 'manifests', name: 'Kubernetes manifests (YAML)', syntax: 'text' };
  return { kind: null, name: head ? 'a text file' : 'an empty file', syntax: 'text' };
}
