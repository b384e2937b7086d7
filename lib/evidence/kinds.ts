/**
 * The kinds of evidence the gate accepts, the media types each may be sent as, and how large each
 * may be. JSON kinds are scanned as a stream (memory does not grow with the file); YAML and XML
 * kinds are parsed a document at a time, and VEX documents are read whole, so their limits are lower.
 */
export const EVIDENCE_KINDS = ['sbom', 'sarif', 'vex', 'checksums', 'provenance', 'manifests', 'junit', 'custom'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

const MB = 1024 * 1024;

export interface EvidenceKindSpec {
  label: string;
  /** Accepted media types (without parameters); the first is the one to prefer. */
  mediaTypes: readonly string[];
  maxBytes: number;
}

export const EVIDENCE_KIND_SPECS: Readonly<Record<EvidenceKind, EvidenceKindSpec>> = {
  sbom: {
    label: 'SBOM (CycloneDX or SPDX JSON)',
    mediaTypes: ['application/vnd.cyclonedx+json', 'application/spdx+json', 'application/json'],
    maxBytes: 64 * MB,
  },
  sarif: { label: 'SARIF 2.1.0 log', mediaTypes: ['application/sarif+json', 'application/json'], maxBytes: 64 * MB },
  vex: {
    label: 'VEX document (OpenVEX, CycloneDX VEX or CSAF VEX JSON)',
    mediaTypes: ['application/json', 'application/vnd.openvex+json', 'application/vnd.cyclonedx+json', 'application/csaf+json'],
    maxBytes: 16 * MB,
  },
  checksums: { label: 'checksums file (sha256sum or BSD format)', mediaTypes: ['text/plain'], maxBytes: 4 * MB },
  provenance: {
    label: 'in-toto / SLSA provenance (statement or DSSE envelope)',
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
 * The media type the CLI sends for a kind. An SBOM goes as plain JSON whatever its file is called:
 * the server tells CycloneDX from SPDX by the content (a name says nothing: `sbom.json` is either).
 */
export function mediaTypeFor(kind: EvidenceKind, fileName: string): string {
  const name = fileName.toLowerCase();
  if (kind === 'sbom') return 'application/json';
  if (kind === 'sarif') return 'application/sarif+json';
  if (kind === 'provenance') return 'application/vnd.in-toto+json';
  if (kind === 'manifests') return name.endsWith('.json') ? 'application/json' : 'application/yaml';
  if (kind === 'junit') return 'application/xml';
  if (kind === 'checksums') return 'text/plain';
  return 'application/json';
}

export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
