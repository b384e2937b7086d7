/**
 * The kinds of evidence the gate accepts, the media types each may be sent as, and how large each
 * may be. JSON kinds are scanned as a stream (memory does not grow with the file); YAML and XML
 * kinds are parsed a document at a time, and VEX documents are read whole, so their limits are lower.
 */
export const EVIDENCE_KINDS = ['sbom', 'sarif', 'vex', 'checksums', 'provenance', 'manifests', 'junit', 'custom'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

const MB = 1024 * 1024;

/** An SBOM, a scan or VEX may also arrive inside an in-toto attestation (a statement, DSSE envelope or Sigstore bundle). */
const ATTESTATION_MEDIA_TYPES = ['application/vnd.in-toto+json', 'application/vnd.dsse.envelope.v1+json'] as const;

export interface EvidenceKindSpec {
  label: string;
  /** Accepted media types (without parameters); the first is the one to prefer. */
  mediaTypes: readonly string[];
  maxBytes: number;
}

export const EVIDENCE_KIND_SPECS: Readonly<Record<EvidenceKind, EvidenceKindSpec>> = {
  sbom: {
    label: 'SBOM: CycloneDX JSON or XML, SPDX 2.x JSON or tag-value, SPDX 3.0 JSON-LD, or an in-toto attestation of one',
    // The generic types leave the format to the content (the gate reads it from there); the
    // specific ones are checked against it.
    mediaTypes: [
      'application/json',
      'application/vnd.cyclonedx+json',
      'application/spdx+json',
      'application/ld+json',
      'application/vnd.cyclonedx+xml',
      'application/xml',
      'text/xml',
      'text/spdx',
      'text/plain',
      ...ATTESTATION_MEDIA_TYPES,
    ],
    maxBytes: 64 * MB,
  },
  sarif: {
    label: 'SARIF 2.1.0 log, or a cosign vulnerability attestation whose scan result is one',
    mediaTypes: ['application/sarif+json', 'application/json', ...ATTESTATION_MEDIA_TYPES],
    maxBytes: 64 * MB,
  },
  vex: {
    label: 'VEX document (OpenVEX, CycloneDX VEX or CSAF VEX JSON), or an in-toto attestation of an OpenVEX document',
    mediaTypes: ['application/json', 'application/vnd.openvex+json', 'application/vnd.cyclonedx+json', 'application/csaf+json', ...ATTESTATION_MEDIA_TYPES],
    maxBytes: 16 * MB,
  },
  checksums: { label: 'checksums file (sha256sum or BSD format)', mediaTypes: ['text/plain'], maxBytes: 4 * MB },
  provenance: {
    label: 'in-toto / SLSA provenance: a statement, DSSE envelope or Sigstore bundle, or JSON Lines of them (.intoto.jsonl)',
    mediaTypes: ['application/vnd.in-toto+json', 'application/vnd.dsse.envelope.v1+json', 'application/json'],
    maxBytes: 8 * MB,
  },
  manifests: {
    label: 'rendered Kubernetes manifests (YAML)',
    mediaTypes: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'application/json'],
    maxBytes: 16 * MB,
  },
  junit: { label: 'JUnit XML report', mediaTypes: ['application/xml', 'text/xml', 'application/junit+xml'], maxBytes: 16 * MB },
  custom: { label: 'custom JSON', mediaTypes: ['application/json'], maxBytes: 16 * MB },
};

/** The largest upload of any kind: the endpoint's own limit. */
export const MAX_EVIDENCE_BYTES = Math.max(...Object.values(EVIDENCE_KIND_SPECS).map((spec) => spec.maxBytes));

export function isEvidenceKind(value: string): value is EvidenceKind {
  return (EVIDENCE_KINDS as readonly string[]).includes(value);
}

/** "application/json; charset=utf-8" → "application/json"; null when a charset other than UTF-8 is named. */
export function normalizeMediaType(header: string | null | undefined): { mediaType: string; charsetOk: boolean } {
  const [type = '', ...parameters] = (header ?? '').split(';');
  const charset = parameters
    .map((parameter) => parameter.trim().toLowerCase())
    .find((parameter) => parameter.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  return { mediaType: type.trim().toLowerCase(), charsetOk: !charset || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii' };
}

/**
 * The media type the CLI sends for a kind, whatever the file is called: the server reads the
 * format from the content (a name says nothing: `sbom.json` is CycloneDX or SPDX, `bom.xml` may be
 * anything). For an SBOM and manifests that is a generic type that leaves the format to the content.
 */
export function mediaTypeFor(kind: EvidenceKind): string {
  return EVIDENCE_KIND_SPECS[kind].mediaTypes[0]!;
}

export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
