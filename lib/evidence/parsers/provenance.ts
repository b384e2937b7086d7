/**
 * in-toto attestations: an in-toto Statement (v0.1 or v1; SLSA provenance v0.2 or v1 predicates)
 * or a DSSE envelope carrying one (what cosign and the SLSA generators write). The summary keeps
 * the subject digests, which the provenance rule compares to the released image digest. The
 * envelope's signatures are verified at ingest (lib/evidence/provenance-verify.ts) on the bytes as
 * received; the result is kept in `envelope.verification`. The same readers and verification serve
 * attestations that carry an SBOM, a scan or VEX (CARRIED_PREDICATES; lib/evidence/analyze.ts,
 * analyzeCarried), whose summaries record them as a CarrierAttestation.
 */
import type { ProvenanceVerification } from '../provenance-verify';
import type { JsonPathSegment, JsonStringToken } from '../json-scanner';
import { rejectDocument } from '../errors';
import { article } from './sbom';
import { RootType, sortedRecord, type JsonSummarizer } from './summarizer';

export interface ProvenanceSubject {
  name: string;
  /** Algorithm → lower-case hex digest (sha256, sha512...). */
  digest: Record<string, string>;
}

/** One in-toto attestation: its statement, and its envelope when it came signed. */
export interface ProvenanceAttestation {
  statementType: string;
  predicateType: string | null;
  subjects: ProvenanceSubject[];
  builderId: string | null;
  buildType: string | null;
  /** Materials (v0.2) or resolved dependencies (v1). */
  materials: number;
  /** Present when the statement came inside a DSSE envelope. */
  envelope: {
    payloadType: string;
    signatures: number;
    /** What verifying the signatures at ingest found (absent in summaries stored before it existed). */
    verification?: ProvenanceVerification;
    modifiedBySanitizer: boolean;
    /** The Sigstore bundle's mediaType when the envelope came inside one (its "dsseEnvelope"). */
    sigstoreBundle: string | null;
  } | null;
}

/** An attestation read from one line of an in-toto JSON Lines bundle (1-based line number). */
export type ProvenanceLine = ProvenanceAttestation & { line: number };

/**
 * A provenance file's summary. For a JSON Lines bundle (`.intoto.jsonl`), `lines` holds every
 * line's attestation and the top-level fields repeat the first provenance line's; `notes` says
 * which lines are not provenance ("line 2: https://cyclonedx.org/bom, not provenance") or could
 * not be read, and why.
 */
export interface ProvenanceSummary extends ProvenanceAttestation {
  format: 'in-toto';
  lines?: ProvenanceLine[];
  notes?: string[];
}

/** SLSA provenance predicates: what counts as provenance unless a rule names others. */
export const SLSA_PROVENANCE_PREDICATE_TYPES = ['https://slsa.dev/provenance/v0.2', 'https://slsa.dev/provenance/v1'] as const;

export function isSlsaProvenance(predicateType: string | null): boolean {
  return (SLSA_PROVENANCE_PREDICATE_TYPES as readonly (string | null)[]).includes(predicateType);
}

/** Every attestation a provenance summary holds: each line of a JSON Lines bundle, or the one. */
export function attestationsOf(summary: ProvenanceSummary): ProvenanceAttestation[] {
  return summary.lines ?? [summary];
}

/** What an attestation's signature amounts to: verified at upload (by whom), not verified (why), or none. */
export interface AttestationSignature {
  status: 'verified' | 'unverified' | 'unsigned';
  /** "signature verified by key sha256:…", "signature not verified (…)", "unsigned". */
  text: string;
}

/** The signature status of an attestation, from what verification at upload recorded (nothing else says "verified"). */
export function attestationSignature(envelope: ProvenanceAttestation['envelope']): AttestationSignature {
  if (!envelope) return { status: 'unsigned', text: 'unsigned' };
  const verification = envelope.verification;
  if (!verification) return { status: 'unverified', text: 'signature not checked (uploaded before verification existed)' };
  if (verification.status !== 'verified') return { status: 'unverified', text: `signature not verified (${verification.reason ?? 'no reason recorded'})` };
  const log = verification.tlog.map((entry) => `Rekor log index ${entry.logIndex}`).join(', ');
  if (verification.identity) {
    return {
      status: 'verified',
      text: `signature verified: ${verification.identity.subjectAlternativeName ?? 'unnamed identity'} (issuer ${verification.identity.issuer ?? 'not named'}${log ? `; ${log}` : ''})`,
    };
  }
  return { status: 'verified', text: `signature verified by key ${verification.keys.map((key) => `${key.slice(0, 'sha256:'.length + 16)}…`).join(', ')}` };
}

/**
 * Predicates that carry evidence of another kind than provenance: an attestation of one is read as
 * that kind (its predicate is the document; cosign's vulnerability predicate holds the scan in
 * "scanner.result", read when it is a SARIF log).
 */
export const CARRIED_PREDICATES = [
  { prefix: 'https://cyclonedx.org/bom', kind: 'sbom', name: 'a CycloneDX SBOM' },
  { prefix: 'https://spdx.dev/Document', kind: 'sbom', name: 'an SPDX SBOM' },
  { prefix: 'https://openvex.dev/ns', kind: 'vex', name: 'an OpenVEX document' },
  { prefix: 'https://cosign.sigstore.dev/attestation/vuln/v1', kind: 'sarif', name: 'a vulnerability scan (cosign vuln predicate)' },
] as const;

export type CarriedPredicate = (typeof CARRIED_PREDICATES)[number];
/** The kinds of evidence that can arrive inside an attestation (and so be signed). */
export type CarriedKind = CarriedPredicate['kind'];
export const CARRIED_KINDS: readonly CarriedKind[] = ['sbom', 'sarif', 'vex'];
/** What each carried kind is called in a message. */
export const CARRIED_NOUN: Record<CarriedKind, string> = { sbom: 'SBOM', sarif: 'SARIF scan', vex: 'VEX document' };

export function carriedPredicate(predicateType: string | null | undefined): CarriedPredicate | null {
  if (!predicateType) return null;
  return CARRIED_PREDICATES.find((item) => predicateType === item.prefix || predicateType.startsWith(`${item.prefix}/`)) ?? null;
}

/**
 * The attestation an SBOM, VEX document or scan arrived in (a Sigstore bundle, DSSE envelope or
 * bare in-toto statement, or one line of a JSON Lines bundle): the evidence's summary is the
 * carried document's, and this records what carried it and whether its signature verified.
 */
export interface CarrierAttestation {
  statementType: string;
  predicateType: string;
  subjects: ProvenanceSubject[];
  /** How the document sits in the predicate: the JSON value itself, or a string holding it. */
  predicate: 'document' | 'string';
  /** cosign's vulnerability predicate: the scanner that produced the result. */
  scanner?: { uri: string | null; version: string | null };
  envelope: ProvenanceAttestation['envelope'];
  /** The signature status at upload (from `envelope.verification`). */
  signature: AttestationSignature;
  /** The line of a JSON Lines bundle it was read from (1-based). */
  line?: number;
  /** Other lines of a JSON Lines bundle, and why they were not read. */
  notes?: string[];
}

const MAX_SUBJECTS = 500;
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export class StatementSummarizer implements JsonSummarizer<Omit<ProvenanceAttestation, 'envelope'>> {
  private readonly root = new RootType();
  private statementType: string | undefined;
  private predicateType: string | null = null;
  private readonly subjects: ProvenanceSubject[] = [];
  private currentSubject: { name?: string; digest: Record<string, string> } | null = null;
  private builderId: string | null = null;
  private buildType: string | null = null;
  private materials = 0;
  private subjectCount = 0;

  open(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    this.root.open(path, type);
    if (type === 'object' && path.length === 2 && path[0] === 'subject') this.currentSubject = { digest: {} };
    if (
      type === 'object' &&
      ((path.length === 3 && path[0] === 'predicate' && path[1] === 'materials') ||
        (path.length === 4 && path[1] === 'buildDefinition' && path[2] === 'resolvedDependencies'))
    ) {
      this.materials++;
    }
  }

  close(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    if (type === 'object' && path.length === 2 && path[0] === 'subject' && this.currentSubject) {
      this.subjectCount++;
      if (Object.keys(this.currentSubject.digest).length === 0) {
        rejectDocument(`subject ${String(path[1])}${this.currentSubject.name ? ` ("${this.currentSubject.name}")` : ''} has no digest`);
      }
      if (this.subjects.length < MAX_SUBJECTS) {
        this.subjects.push({ name: this.currentSubject.name ?? '', digest: sortedRecord(this.currentSubject.digest) });
      }
      this.currentSubject = null;
    }
  }

  string(path: readonly JsonPathSegment[], token: JsonStringToken): void {
    this.root.string(path);
    const depth = path.length;
    const key = path[depth - 1];
    if (depth === 1) {
      if (key === '_type') this.statementType = token.text();
      else if (key === 'predicateType') this.predicateType = token.text();
      return;
    }
    if (this.currentSubject && path[0] === 'subject') {
      if (depth === 3 && key === 'name') this.currentSubject.name = token.text();
      else if (depth === 4 && path[2] === 'digest' && typeof key === 'string') this.currentSubject.digest[key.toLowerCase()] = token.text().toLowerCase();
      return;
    }
    if (path[0] !== 'predicate') return;
    // SLSA v0.2: predicate.builder.id, predicate.buildType; v1: predicate.runDetails.builder.id, predicate.buildDefinition.buildType
    if ((depth === 3 && path[1] === 'builder' && key === 'id') || (depth === 4 && path[1] === 'runDetails' && path[2] === 'builder' && key === 'id')) {
      this.builderId = token.text();
    } else if ((depth === 2 && key === 'buildType') || (depth === 3 && path[1] === 'buildDefinition' && key === 'buildType')) {
      this.buildType = token.text();
    }
  }

  primitive(path: readonly JsonPathSegment[], value: number | boolean | null): void {
    this.root.primitive(path, value);
  }

  finish(): Omit<ProvenanceAttestation, 'envelope'> {
    if (this.root.type !== 'object') rejectDocument(`an in-toto statement must be a JSON object, this document is ${article(this.root.type)}`);
    if (this.statementType === undefined) {
      rejectDocument('this is not an in-toto statement or DSSE envelope: it has neither "_type" nor "payloadType"');
    }
    if (!/^https:\/\/in-toto\.io\/Statement\/v[0-9.]+$/.test(this.statementType)) {
      rejectDocument(`"_type" is "${this.statementType}"; an in-toto statement has "_type": "https://in-toto.io/Statement/v1"`);
    }
    if (this.subjectCount === 0) rejectDocument('the statement has no subject: an attestation must name the artifacts it is about, with digests');
    return {
      statementType: this.statementType,
      predicateType: this.predicateType,
      subjects: this.subjects,
      builderId: this.builderId,
      buildType: this.buildType,
      materials: this.materials,
    };
  }
}

/**
 * Reads a document's top level to tell a DSSE envelope from a bare statement; a Sigstore bundle
 * (v0.1-v0.3, what cosign, GitHub attestations and npm provenance write) holds its envelope in
 * "dsseEnvelope".
 */
export class EnvelopeReader implements JsonSummarizer<{ payloadType: string; payload: string; signatures: number; sigstoreBundle: string | null } | null> {
  payloadType: string | undefined;
  bundleMediaType: string | undefined;
  /** Path prefix of the envelope: [] for a bare envelope, ['dsseEnvelope'] inside a bundle. */
  private envelopeDepth = 0;
  payload: string | undefined;
  payloadRange: { start: number; end: number } | undefined;
  signatures = 0;
  sawSignatures = false;

  open(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    if (type === 'object' && path.length === 1 && path[0] === 'dsseEnvelope') this.envelopeDepth = 1;
    const at = this.envelopePath(path);
    if (!at) return;
    if (at.length === 1 && at[0] === 'signatures') this.sawSignatures = true;
    if (type === 'object' && at.length === 2 && at[0] === 'signatures') this.signatures++;
  }

  string(path: readonly JsonPathSegment[], token: JsonStringToken): void {
    if (path.length === 1 && path[0] === 'mediaType') this.bundleMediaType = token.text();
    const at = this.envelopePath(path);
    if (!at || at.length !== 1) return;
    if (at[0] === 'payloadType') this.payloadType = token.text();
    else if (at[0] === 'payload') {
      this.payload = token.text();
      this.payloadRange = { start: token.start, end: token.end };
    }
  }

  finish() {
    if (this.payloadType === undefined && this.payload === undefined) return null;
    if (this.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      rejectDocument(`the DSSE envelope's payloadType is "${this.payloadType ?? ''}"; in-toto attestations (provenance, and SBOMs, scans or VEX they carry) have "${IN_TOTO_PAYLOAD_TYPE}"`);
    }
    if (!this.payload) rejectDocument('the DSSE envelope has no "payload"');
    if (!this.sawSignatures) rejectDocument('the DSSE envelope has no "signatures"');
    const sigstoreBundle = this.envelopeDepth === 1 ? (this.bundleMediaType ?? 'application/vnd.dev.sigstore.bundle+json') : null;
    return { payloadType: this.payloadType, payload: this.payload, signatures: this.signatures, sigstoreBundle };
  }

  /** The path relative to the envelope, or null outside it. */
  private envelopePath(path: readonly JsonPathSegment[]): readonly JsonPathSegment[] | null {
    if (this.envelopeDepth === 0) return path[0] === 'dsseEnvelope' ? null : path;
    return path[0] === 'dsseEnvelope' ? path.slice(1) : null;
  }
}
