/**
 * VEX statements applied to a release's findings. A statement whose status says the product is
 * not exposed (not_affected, fixed; CycloneDX false_positive and resolved are read as those)
 * suppresses the findings that name the same vulnerability (its id or an alias: CVE, GHSA...) in
 * the same product:
 * - a product that names the release's image (its digest: pkg:oci/app@sha256%3A..., sha256:...)
 *   covers every finding of the release, or, when the statement lists subcomponents, only the
 *   findings in those components;
 * - a product that names a component (a purl; without a version it names every version) covers the
 *   SBOM vulnerabilities that affect that component. SARIF results name no component, so only
 *   statements about the image apply to them.
 * A statement that the product is affected or under investigation, about the same finding, that
 * is not older than a suppressing one (both dated, the suppressing one later) keeps the finding
 * counted: the latest statement decides, and when that cannot be shown nothing is suppressed.
 * Every statement is accounted for: it suppressed findings (listed with its justification, its
 * impact statement and the VEX document's digest) or it is "not applied", with the reason. Pure:
 * a function of the input snapshot, so a replay gives the same result.
 *
 * Whose VEX counts is the rule's to say (its `vex` parameter, VexTrust): by the authors the document
 * names, and/or only VEX that arrived in an attestation whose signature verified at upload. A
 * document that fails it is ignored whole: none of its statements suppresses or contradicts
 * anything, each is listed as not applied, and the document as untrusted, with why. Without it,
 * every VEX document of the release counts (as before the parameter existed).
 */
import type { SarifSummary } from '@/lib/evidence/parsers/sarif';
import type { SbomSummary } from '@/lib/evidence/parsers/sbom';
import { SUPPRESSING_STATUSES, type VexStatement, type VexStatus, type VexSummary } from '@/lib/evidence/parsers/vex';
import type { GateInputs } from './inputs';
import { signedRefusal, type TrustedIdentity } from './rules/integrity';
import type { RuleContext } from './rules/types';
import { evidenceOfKind, summaryOf } from './rules/types';

export interface VexSuppression {
  /** The vulnerability as the finding names it (an SBOM vulnerability id, a SARIF rule id). */
  vulnerability: string;
  severity: string;
  /** Findings suppressed (a SARIF rule can have several results). */
  count: number;
  /** The SBOM or SARIF evidence the findings are in. */
  evidence: string;
  /** What matched: the release's image, or a component's purl. */
  product: string;
  status: VexStatus;
  statusAsWritten?: string;
  justification?: string;
  impact?: string;
  /** sha256 of the VEX document. */
  vex: string;
}

export interface VexNotApplied {
  vulnerability: string;
  status: VexStatus;
  /** How the statement names its products (the first few). */
  products: string[];
  vex: string;
  reason: string;
}

export interface VexApplication {
  suppressed: VexSuppression[];
  notApplied: VexNotApplied[];
  /** Statements not applied, all of them (`notApplied` lists the first MAX_LISTED). */
  notAppliedTotal: number;
  /** VEX documents the rule's trust settings left out, and why (present only when the rule has them). */
  untrusted?: Array<{ vex: string; reason: string }>;
}

/** Whose VEX a findings rule honours (its `vex` parameter); absent, every VEX document counts. */
export interface VexTrust {
  /** Author or publisher names, as documents state them, compared without regard to case or spacing. */
  trustedAuthors?: string[];
  /** Only VEX sent in an attestation whose signature verified at upload: by a key the policy trusts, or keyless by one of trustedIdentities. */
  requireSigned?: boolean;
  /** Keyless Sigstore signers whose VEX attestations count (with requireSigned). */
  trustedIdentities?: TrustedIdentity[];
}

const normalName = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

/** Why a VEX document is not honoured under `trust`, or null when it is. */
export function untrustedVex(summary: VexSummary, trust: VexTrust | undefined, trustedKeys: RuleContext['trustedKeys']): string | null {
  if (!trust) return null;
  const reasons: string[] = [];
  if (trust.trustedAuthors) {
    const authors = summary.authors ?? (summary.author ? [summary.author] : []);
    const trusted = new Set(trust.trustedAuthors.map(normalName));
    if (!authors.some((author) => trusted.has(normalName(author)))) {
      reasons.push(
        authors.length === 0
          ? 'the document names no author, and only VEX by trusted authors is applied'
          : `${authors.length === 1 ? 'author' : 'authors'} ${authors.map((author) => `'${author}'`).join(', ')} ${authors.length === 1 ? 'is' : 'are'} not among the trusted VEX authors (${trust.trustedAuthors.join(', ')})`,
      );
    }
  }
  if (trust.requireSigned) {
    const refusal = signedRefusal(summary.attestation, trustedKeys, trust.trustedIdentities ?? []);
    if (refusal) reasons.push('unattested' in refusal ? 'it was not sent as a signed attestation, and only signed VEX is applied' : `only signed VEX is applied, and ${refusal.why}`);
  }
  return reasons.length ? reasons.join('; ') : null;
}

const MAX_LISTED = 50;

/** A finding as VEX sees it: its ids, severity, how many, and the components it affects (SBOM only). */
interface Finding {
  evidence: string;
  name: string;
  ids: Set<string>;
  severity: string;
  count: number;
  affects: string[] | null;
}

export interface VexOutcome {
  application: VexApplication;
  /** The VEX documents judged (digests, sorted). */
  evidence: string[];
  /** Findings suppressed, per severity. */
  bySeverity: Record<string, number>;
  /** "severity\u0000name" of each suppressed finding (a SARIF rule's results of one severity). */
  names: Set<string>;
}

/**
 * The findings of `kind` a release's VEX documents suppress, and the statements that suppress
 * nothing (with why); null when the release has no VEX evidence (results read as before VEX).
 */
export function applyVex({ inputs, trustedKeys }: Pick<RuleContext, 'inputs' | 'trustedKeys'>, kind: 'sbom' | 'sarif', trust?: VexTrust): VexOutcome | null {
  const all = evidenceOfKind(inputs, 'vex');
  if (all.length === 0) return null;
  const untrusted = all.flatMap((document) => {
    const reason = untrustedVex(summaryOf<VexSummary>(document), trust, trustedKeys);
    return reason ? [{ document, reason }] : [];
  });
  const documents = all.filter((document) => !untrusted.some((item) => item.document === document));
  const { findings, unindexed } = kind === 'sbom' ? sbomFindings(inputs) : sarifFindings(inputs);
  const imageHex = inputs.release.imageDigest.slice('sha256:'.length).toLowerCase();
  const suppressed: VexSuppression[] = [];
  const suppressedKeys = new Set<Finding>();
  const notApplied: VexNotApplied[] = [];
  let notAppliedTotal = 0;
  const skip = (statement: VexStatement, vex: string, reason: string) => {
    notAppliedTotal++;
    if (notApplied.length < MAX_LISTED) {
      notApplied.push({ vulnerability: statement.vulnerability, status: statement.status, products: statement.products.slice(0, 5).map((product) => product.name), vex, reason });
    }
  };

  // Statements that say the product is (or may be) exposed: a suppression they are not older than does not hold.
  const exposing = documents.flatMap((document) =>
    (summaryOf<VexSummary>(document).statements ?? [])
      .filter((statement) => !SUPPRESSING_STATUSES.includes(statement.status))
      .map((statement) => ({ statement, vex: document.sha256, ids: idsOf(statement), scope: productScope(statement, imageHex) })),
  );
  for (const { document, reason } of untrusted) {
    for (const statement of summaryOf<VexSummary>(document).statements ?? []) skip(statement, document.sha256, `not applied: ${reason}`);
  }
  const contradiction = (statement: VexStatement, finding: Finding) =>
    exposing.find((other) => [...finding.ids].some((id) => other.ids.has(id)) && inScope(finding, other.scope) && !newer(statement, other.statement));

  for (const document of documents) {
    const summary = summaryOf<VexSummary>(document);
    for (const statement of summary.statements ?? []) {
      if (!SUPPRESSING_STATUSES.includes(statement.status)) {
        skip(statement, document.sha256, `its status is ${statement.statusAsWritten ?? statement.status}: only not_affected and fixed statements suppress findings`);
        continue;
      }
      const ids = idsOf(statement);
      const scope = productScope(statement, imageHex);
      const named = findings.filter((finding) => [...finding.ids].some((id) => ids.has(id)));
      const candidates = named.filter((finding) => !suppressedKeys.has(finding) && inScope(finding, scope));
      const contradicted = candidates.map((finding) => contradiction(statement, finding)).find(Boolean);
      const matched = candidates.filter((finding) => !contradiction(statement, finding));
      for (const finding of matched) {
        suppressedKeys.add(finding);
        suppressed.push({
          vulnerability: finding.name,
          severity: finding.severity,
          count: finding.count,
          evidence: finding.evidence,
          product: scope.kind === 'components' ? (firstAffected(finding, scope.purls) ?? '') : `the released image ${inputs.release.imageDigest}`,
          status: statement.status,
          ...(statement.statusAsWritten ? { statusAsWritten: statement.statusAsWritten } : {}),
          ...(statement.justification ? { justification: statement.justification } : {}),
          ...(statement.impact ? { impact: statement.impact } : {}),
          vex: document.sha256,
        });
      }
      if (matched.length > 0) continue;
      if (contradicted) {
        skip(
          statement,
          document.sha256,
          `a statement that it is ${contradicted.statement.statusAsWritten ?? contradicted.statement.status} (VEX sha256:${contradicted.vex.slice(0, 12)}…) is not older: the latest statement decides, and one that cannot be shown to be later suppresses nothing`,
        );
      } else if (named.some((finding) => suppressedKeys.has(finding) && inScope(finding, scope))) {
        skip(statement, document.sha256, 'an earlier statement already suppressed the same findings');
      } else if (scope.kind === 'none') {
        skip(statement, document.sha256, `its products name neither this release's image (${inputs.release.imageDigest}) nor a component of its ${kind === 'sbom' ? 'SBOMs' : 'findings'}`);
      } else if (scope.kind === 'components' && kind === 'sarif') {
        skip(statement, document.sha256, 'it is about components, and SARIF results name no component: only a statement about the released image applies to them');
      } else if (named.length > 0) {
        skip(statement, document.sha256, `the findings that name ${statement.vulnerability} are in other components than the statement names`);
      } else {
        skip(statement, document.sha256, `no ${kind === 'sbom' ? 'SBOM vulnerability' : 'SARIF finding'} of this release names ${statement.vulnerability}${unindexed.length ? ` (${unindexed.length} ${kind === 'sbom' ? 'SBOM' : 'SARIF log'}${unindexed.length === 1 ? ' was' : 's were'} summarised before VEX matching: upload again to match them)` : ''}`);
      }
    }
  }
  const bySeverity: Record<string, number> = {};
  for (const finding of suppressedKeys) bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + finding.count;
  return {
    application: { suppressed, notApplied, notAppliedTotal, ...(trust ? { untrusted: untrusted.map(({ document, reason }) => ({ vex: document.sha256, reason })) } : {}) },
    evidence: all.map((item) => item.sha256).sort(),
    bySeverity,
    names: new Set([...suppressedKeys].map((finding) => `${finding.severity}\u0000${finding.name}`)),
  };
}

function idsOf(statement: VexStatement): Set<string> {
  return new Set([statement.vulnerability, ...statement.aliases].map((id) => id.toUpperCase()));
}

/** `statement` was made after `other`: both have a time, and it is later. */
function newer(statement: VexStatement, other: VexStatement): boolean {
  const at = Date.parse(statement.timestamp ?? '');
  const otherAt = Date.parse(other.timestamp ?? '');
  return Number.isFinite(at) && Number.isFinite(otherAt) && at > otherAt;
}

type Scope = { kind: 'image' } | { kind: 'components'; purls: string[] } | { kind: 'none' };

function productScope(statement: VexStatement, imageHex: string): Scope {
  const image = statement.products.filter((product) => product.identifiers.some((id) => namesImage(id, imageHex)));
  if (image.length > 0) {
    const subcomponents = image.flatMap((product) => product.subcomponents.flatMap((component) => component.identifiers));
    return subcomponents.length > 0 ? { kind: 'components', purls: subcomponents } : { kind: 'image' };
  }
  // An image named by its digest that is not this release's: the statement is about another product.
  const components = statement.products
    .filter((product) => !product.identifiers.some(namesSomeImage))
    .flatMap((product) => [...product.identifiers, ...product.subcomponents.flatMap((component) => component.identifiers)]);
  return components.length > 0 ? { kind: 'components', purls: components } : { kind: 'none' };
}

function inScope(finding: Finding, scope: Scope): boolean {
  if (scope.kind === 'image') return true;
  if (scope.kind === 'none' || !finding.affects) return false;
  return firstAffected(finding, scope.purls) !== undefined;
}

function firstAffected(finding: Finding, identifiers: readonly string[]): string | undefined {
  return finding.affects?.find((affected) => identifiers.some((identifier) => sameComponent(identifier, affected)));
}

/** An image reference by digest ("pkg:oci/...", "registry/app@sha256:..."); a bare file hash is not one. */
function namesSomeImage(identifier: string): boolean {
  return identifier.startsWith('pkg:oci/') || /@sha256:[0-9a-f]{64}/i.test(safeDecode(identifier));
}

/** "pkg:oci/app@sha256%3A<hex>", "registry/app@sha256:<hex>", "sha256:<hex>" all name the image. */
export function namesImage(identifier: string, imageHex: string): boolean {
  return safeDecode(identifier).toLowerCase().includes(`sha256:${imageHex}`);
}

/**
 * The same component: equal identifiers, or purls of the same type, namespace, name and version
 * (qualifiers and subpath aside); a purl without a version names every version.
 */
export function sameComponent(statement: string, affected: string): boolean {
  if (statement === affected) return true;
  const a = purlBase(statement);
  const b = purlBase(affected);
  if (!a || !b || a.name !== b.name) return false;
  return a.version === undefined || a.version === b.version;
}

function purlBase(value: string): { name: string; version?: string } | null {
  if (!value.startsWith('pkg:')) return null;
  const base = value.split(/[?#]/)[0]!;
  const at = base.lastIndexOf('@');
  const name = (at > 0 ? base.slice(0, at) : base).toLowerCase();
  return at > 0 ? { name: safeDecode(name), version: safeDecode(base.slice(at + 1)) } : { name: safeDecode(name) };
}

function sbomFindings(inputs: GateInputs): { findings: Finding[]; unindexed: string[] } {
  const findings: Finding[] = [];
  const unindexed: string[] = [];
  for (const sbom of evidenceOfKind(inputs, 'sbom')) {
    const { vulnerabilities } = summaryOf<SbomSummary>(sbom);
    if (!vulnerabilities) continue;
    if (!vulnerabilities.items) {
      unindexed.push(sbom.sha256);
      continue;
    }
    for (const item of vulnerabilities.items) {
      findings.push({ evidence: sbom.sha256, name: item.id, ids: new Set([item.id, ...item.aliases].map((id) => id.toUpperCase())), severity: item.severity, count: 1, affects: item.affects });
    }
  }
  return { findings, unindexed };
}

function sarifFindings(inputs: GateInputs): { findings: Finding[]; unindexed: string[] } {
  const findings: Finding[] = [];
  const unindexed: string[] = [];
  for (const log of evidenceOfKind(inputs, 'sarif')) {
    const summary = summaryOf<SarifSummary>(log);
    if (!summary.vulnerabilityFindings) {
      unindexed.push(log.sha256);
      continue;
    }
    for (const entry of summary.vulnerabilityFindings) {
      findings.push({ evidence: log.sha256, name: entry.ruleId, ids: new Set([entry.ruleId.toUpperCase(), ...entry.ids]), severity: entry.severity, count: entry.count, affects: null });
    }
  }
  return { findings, unindexed };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
