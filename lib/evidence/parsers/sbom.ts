/**
 * SBOM summaries (CycloneDX JSON 1.2-1.7, SPDX JSON 2.x): component count, license counts and
 * components without a license. Both formats are read in one pass, because the field that tells
 * them apart (`bomFormat`, `spdxVersion`) may come after the components. The other encodings
 * (CycloneDX XML, SPDX tag-value) are read in their own modules into the same summary, through
 * SbomTally.
 */
import type { JsonPathSegment, JsonStringToken } from '../json-scanner';
import { rejectDocument } from '../errors';
import { RootType, sortedRecord, tally, type JsonSummarizer } from './summarizer';
import type { CarrierAttestation } from './provenance';

export interface SbomSummary {
  /** Present when the document arrived inside an in-toto attestation (its predicate): what carried it, and its signature status. */
  attestation?: CarrierAttestation;
  format: 'cyclonedx' | 'spdx';
  specVersion: string;
  /** Present when the SBOM was read from inside GitHub's dependency-graph export ({"sbom": …}). */
  readFrom?: 'github-dependency-graph';
  /** How the document is written (absent in summaries made before XML and tag-value were read: JSON). */
  encoding?: SbomEncoding;
  /** The software the SBOM describes, when it says. */
  subject: { name: string; version?: string } | null;
  components: number;
  componentsWithoutLicense: number;
  /** License id, name or expression → number of components declaring it. */
  licenses: Record<string, number>;
  /**
   * License → the first few components declaring it (LICENSE_EXAMPLES at most), so a denied
   * license can be traced to what carries it without opening the SBOM. Absent from summaries made
   * before it was recorded.
   */
  componentsByLicense?: Record<string, SbomComponent[]>;
  /**
   * Known vulnerabilities a CycloneDX SBOM carries (trivy and grype write them there): each counted
   * once, at its most severe rating. Absent when the document has no "vulnerabilities".
   */
  vulnerabilities?: SbomVulnerabilities;
}

export const VULNERABILITY_SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type VulnerabilitySeverity = (typeof VULNERABILITY_SEVERITIES)[number];

export interface SbomVulnerability {
  id: string;
  severity: VulnerabilitySeverity | 'unrated';
  /** The first component it affects (its bom-ref, often a purl). */
  affects?: string;
}

export interface SbomVulnerabilities {
  total: number;
  bySeverity: Record<VulnerabilitySeverity, number>;
  /** Vulnerabilities with no severity rating at all. */
  unrated: number;
  /** The most severe (VULNERABILITY_EXAMPLES at most), most severe first. */
  examples: SbomVulnerability[];
  /**
   * Every vulnerability (MAX_VULNERABILITY_ITEMS at most, in document order) with its other ids and
   * the components it affects (their purls where the SBOM gives them, else their bom-refs): what VEX
   * statements are matched against (lib/gate/vex.ts). Absent from summaries made before it was recorded.
   */
  items?: SbomVulnerabilityItem[];
  itemsTruncated?: boolean;
}

export interface SbomVulnerabilityItem {
  id: string;
  aliases: string[];
  severity: VulnerabilitySeverity | 'unrated';
  affects: string[];
}

/** A vulnerability as read, before it is summarized: its other ids and every component it affects. */
export type SbomVulnerabilityRecord = SbomVulnerability & { aliases: string[]; refs: string[] };

export const MAX_VULNERABILITY_ITEMS = 5000;

export const VULNERABILITY_EXAMPLES = 25;

/** CycloneDX rating severities, most severe first; info counts with none. "unknown" is no rank: such a rating is rated by its score, if any. */
const RATING_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4, none: 4 };

export interface SbomComponent {
  name: string;
  version?: string;
}

export const LICENSE_EXAMPLES = 3;

export type SbomEncoding = 'json' | 'xml' | 'tag-value' | 'json-ld';

const NO_LICENSE = new Set(['NOASSERTION', 'NONE', '']);

/** An SPDX package's license: the concluded one when it concludes one, else the declared one. */
export function spdxPackageLicense(concluded: string | undefined, declared: string | undefined): string | null {
  if (concluded && !NO_LICENSE.has(concluded)) return concluded;
  if (declared && !NO_LICENSE.has(declared)) return declared;
  return null;
}

/** Counts components and their licenses, whatever the SBOM's format and encoding. */
export class SbomTally {
  private components = 0;
  private unlicensed = 0;
  private readonly licenses: Record<string, number> = {};
  private readonly examples: Record<string, SbomComponent[]> = {};

  /** How many components were counted. */
  get count(): number {
    return this.components;
  }

  /** One component with the licenses it declares (none: it is counted as without a license). */
  add(component: { name?: string; version?: string }, licenses: readonly string[]): void {
    this.components++;
    if (licenses.length === 0) this.unlicensed++;
    for (const license of licenses) tally(this.licenses, license);
    if (!component.name) return;
    const example = component.version ? { name: clip(component.name), version: clip(component.version) } : { name: clip(component.name) };
    for (const license of new Set(licenses)) {
      const listed = (this.examples[license] ??= []);
      if (listed.length < LICENSE_EXAMPLES) listed.push(example);
    }
  }

  summary(
    head: { format: SbomSummary['format']; specVersion: string; encoding: SbomEncoding; subject: SbomSummary['subject'] },
    vulnerabilities?: SbomVulnerabilityRecord[] | null,
    purlsByRef: ReadonlyMap<string, string> = new Map(),
  ): SbomSummary {
    return {
      format: head.format,
      specVersion: head.specVersion,
      ...(head.encoding === 'json' ? {} : { encoding: head.encoding }),
      subject: head.subject,
      components: this.components,
      componentsWithoutLicense: this.unlicensed,
      licenses: sortedRecord(this.licenses),
      componentsByLicense: sortedRecord(this.examples),
      ...(vulnerabilities ? { vulnerabilities: summarizeVulnerabilities(vulnerabilities, purlsByRef) } : {}),
    };
  }
}

/** A CycloneDX rating as written: its severity word, its score and the method that scored it. */
export interface CycloneDxRating {
  severity?: string;
  score?: number;
  method?: string;
}

/**
 * The rank of a CycloneDX rating (lower is more severe): its severity, or when it names none (or
 * "unknown") the CVSS qualitative rating of its score (CVSS v3/v4: 9.0 critical, 7.0 high, 4.0
 * medium, above 0 low; v2 has no critical). A score by another method (OWASP, SSVC) is not on that
 * scale: undefined, and the vulnerability is counted as unrated.
 */
export function ratingRank(rating: CycloneDxRating): number | undefined {
  const named = rating.severity === undefined ? undefined : RATING_RANK[rating.severity.trim().toLowerCase()];
  if (named !== undefined) return named;
  const { score } = rating;
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10) return undefined;
  const method = (rating.method ?? '').trim().toUpperCase();
  if (method === 'CVSSV2') return score >= 7 ? 1 : score >= 4 ? 2 : score > 0 ? 3 : 4;
  if (method === 'CVSSV3' || method === 'CVSSV31' || method === 'CVSSV4') return score >= 9 ? 0 : score >= 7 ? 1 : score >= 4 ? 2 : score > 0 ? 3 : 4;
  return undefined;
}

/** A vulnerability as read, from its id, most severe rating rank, the refs it affects and its other ids. */
export function vulnerabilityOf(id: string | undefined, rank: number | undefined, refs: readonly string[], aliases: readonly string[] = []): SbomVulnerabilityRecord {
  return {
    id: clip(id ?? '(no id)'),
    severity: rank === undefined ? 'unrated' : VULNERABILITY_SEVERITIES[rank]!,
    ...(refs[0] ? { affects: clip(refs[0]) } : {}),
    aliases: aliases.map(clip),
    refs: [...refs],
  };
}

interface ComponentFrame {
  depth: number;
  name?: string;
  version?: string;
  'bom-ref'?: string;
  purl?: string;
  licenses: string[];
}

export class SbomSummarizer implements JsonSummarizer<SbomSummary> {
  private readonly root = new RootType();
  private top: Record<string, string> = {};
  private subject: { name?: string; version?: string } = {};

  // CycloneDX
  private readonly cdx = new SbomTally();
  private readonly componentStack: ComponentFrame[] = [];
  private vulnerabilityList: SbomVulnerabilityRecord[] | null = null;
  private vulnerability: { id?: string; rank?: number; aliases: string[]; refs: string[]; rating?: CycloneDxRating } | null = null;
  /** Vulnerabilities with an analysis state: a VEX document, not an SBOM, when it lists no component. */
  private analyses = 0;
  /** Component bom-ref → purl, to name what a vulnerability affects by its purl. */
  private readonly purlsByRef = new Map<string, string>();

  // SPDX 3 JSON-LD: packages, license relationships and license expressions, joined at the end
  // (an element may come before or after the elements it names).
  private readonly spdx3 = new Spdx3Graph();

  // SPDX
  private readonly spdx = new SbomTally();
  private spdxPackage: { concluded?: string; declared?: string; name?: string; version?: string } | null = null;

  open(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    this.root.open(path, type);
    const depth = path.length;
    if (depth === 1 && path[0] === 'vulnerabilities' && type === 'array') this.vulnerabilityList ??= [];
    if (type !== 'object') return;
    if (depth === 2 && path[0] === '@graph') this.spdx3.open();
    if (depth === 2 && path[0] === 'vulnerabilities') this.vulnerability = { aliases: [], refs: [] };
    if (depth === 4 && path[0] === 'vulnerabilities' && path[2] === 'ratings' && this.vulnerability) this.vulnerability.rating = {};
    if (depth >= 2 && path[depth - 2] === 'components' && typeof path[depth - 1] === 'number' && path[0] !== 'metadata' && path[0] !== 'vulnerabilities') {
      this.componentStack.push({ depth, licenses: [] });
    } else if (depth === 2 && path[0] === 'packages') {
      this.spdxPackage = {};
    }
  }

  close(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    if (type !== 'object') return;
    const depth = path.length;
    if (depth === 2 && path[0] === '@graph') return this.spdx3.close();
    if (depth === 4 && path[0] === 'vulnerabilities' && path[2] === 'ratings' && this.vulnerability?.rating) {
      const rank = ratingRank(this.vulnerability.rating);
      if (rank !== undefined) this.vulnerability.rank = Math.min(this.vulnerability.rank ?? rank, rank);
      this.vulnerability.rating = undefined;
      return;
    }
    if (depth === 2 && path[0] === 'vulnerabilities' && this.vulnerability) {
      const { id, rank, refs, aliases } = this.vulnerability;
      this.vulnerabilityList?.push(vulnerabilityOf(id, rank, refs, aliases));
      this.vulnerability = null;
      return;
    }
    const component = this.componentStack[this.componentStack.length - 1];
    if (component && component.depth === depth) {
      this.componentStack.pop();
      if (component['bom-ref'] && component.purl) this.purlsByRef.set(component['bom-ref'], component.purl);
      this.cdx.add(component, component.licenses);
    } else if (depth === 2 && path[0] === 'packages' && this.spdxPackage) {
      const license = spdxPackageLicense(this.spdxPackage.concluded, this.spdxPackage.declared);
      this.spdx.add(this.spdxPackage, license ? [license] : []);
      this.spdxPackage = null;
    }
  }

  string(path: readonly JsonPathSegment[], token: JsonStringToken): void {
    this.root.string(path);
    const depth = path.length;
    const key = path[depth - 1];
    if (depth === 1 && typeof key === 'string' && (key === 'bomFormat' || key === 'specVersion' || key === 'spdxVersion' || key === 'SPDXID' || key === 'name' || key === '@context')) {
      this.top[key] = token.text();
      return;
    }
    if (path[0] === '@graph') {
      if (depth === 3 && typeof key === 'string') this.spdx3.property(key, token.text());
      else if (depth === 4 && path[2] === 'to') this.spdx3.target(token.text());
      return;
    }
    // CycloneDX vulnerabilities[i]: id, ratings[j] (severity and method here, score in primitive(); the most severe counts), affects[k].ref
    if (this.vulnerability && path[0] === 'vulnerabilities') {
      if (depth === 3 && key === 'id') this.vulnerability.id = token.text();
      else if (depth === 5 && path[2] === 'ratings' && (key === 'severity' || key === 'method') && this.vulnerability.rating) this.vulnerability.rating[key] = token.text();
      else if (depth === 5 && path[2] === 'affects' && key === 'ref') this.vulnerability.refs.push(token.text());
      else if (depth === 5 && path[2] === 'references' && key === 'id') this.vulnerability.aliases.push(token.text());
      else if (depth === 4 && path[2] === 'analysis' && key === 'state') this.analyses++;
      return;
    }
    // CycloneDX licenses: components[i].licenses[j].license.{id,name} or .expression
    if (this.componentStack.length > 0) {
      const component = this.componentStack[this.componentStack.length - 1]!;
      const relative = depth - component.depth;
      if (
        (relative === 4 && path[depth - 4] === 'licenses' && path[depth - 2] === 'license' && (key === 'id' || key === 'name')) ||
        (relative === 3 && path[depth - 3] === 'licenses' && key === 'expression')
      ) {
        const license = token.text().trim();
        if (license) component.licenses.push(license);
        return;
      }
      if (relative === 1 && (key === 'name' || key === 'version' || key === 'bom-ref' || key === 'purl')) {
        component[key] = token.text();
        return;
      }
    }
    if (path[0] === 'metadata' && path[1] === 'component' && depth === 3 && (key === 'name' || key === 'version')) {
      this.subject[key] = token.text();
      return;
    }
    if (depth === 3 && path[0] === 'packages' && this.spdxPackage) {
      if (key === 'licenseConcluded') this.spdxPackage.concluded = token.text().trim();
      else if (key === 'licenseDeclared') this.spdxPackage.declared = token.text().trim();
      else if (key === 'name') this.spdxPackage.name = token.text();
      else if (key === 'versionInfo') this.spdxPackage.version = token.text();
    }
  }

  primitive(path: readonly JsonPathSegment[], value: number | boolean | null): void {
    this.root.primitive(path, value);
    if (path.length === 5 && path[0] === 'vulnerabilities' && path[2] === 'ratings' && path[4] === 'score' && typeof value === 'number' && this.vulnerability?.rating) {
      this.vulnerability.rating.score = value;
    }
  }

  finish(): SbomSummary {
    if (this.root.type !== 'object') rejectDocument(`an SBOM must be a JSON object, this document is ${article(this.root.type)}`);
    const { bomFormat, specVersion, spdxVersion } = this.top;
    if (bomFormat !== undefined) {
      if (bomFormat !== 'CycloneDX') rejectDocument(`"bomFormat" is "${bomFormat}"; a CycloneDX SBOM has "bomFormat": "CycloneDX"`);
      if (!specVersion) rejectDocument('the CycloneDX SBOM has no "specVersion"');
      if (this.cdx.count === 0 && this.analyses > 0) {
        rejectDocument(
          `this CycloneDX document is VEX, not an SBOM: it lists no component and states an analysis for ${this.analyses === 1 ? 'a vulnerability' : `${this.analyses} vulnerabilities`}; upload it as kind vex ("rp gate --vex FILE")`,
        );
      }
      const subject = this.subject.name ? { name: this.subject.name, ...(this.subject.version ? { version: this.subject.version } : {}) } : null;
      return this.cdx.summary({ format: 'cyclonedx', specVersion, encoding: 'json', subject }, this.vulnerabilityList, this.purlsByRef);
    }
    const context = this.top['@context'];
    if (context !== undefined && /^https?:\/\/spdx\.org\/rdf\//.test(context)) {
      const version = SPDX3_CONTEXT.exec(context)?.[1];
      if (!version) rejectDocument(`"@context" is "${context}"; SPDX 3.0 JSON-LD documents (https://spdx.org/rdf/3.0.x/spdx-context.jsonld) are read`);
      return this.spdx3.summary(version);
    }
    if (spdxVersion !== undefined) {
      if (!/^SPDX-2\.[0-9]+$/.test(spdxVersion)) rejectDocument(`"spdxVersion" is "${spdxVersion}"; SPDX 2.x JSON documents are accepted`);
      return this.spdx.summary({ format: 'spdx', specVersion: spdxVersion, encoding: 'json', subject: this.top.name ? { name: this.top.name } : null });
    }
    rejectDocument(
      'this is not an SBOM: a CycloneDX JSON SBOM has "bomFormat": "CycloneDX", an SPDX 2 JSON SBOM has "spdxVersion" and an SPDX 3 one an SPDX "@context"; none was found',
    );
  }
}

const SPDX3_CONTEXT = /^https?:\/\/spdx\.org\/rdf\/(3\.0(?:\.[0-9]+)?)\/spdx-context\.jsonld$/;
const SPDX_LISTED_LICENSE = /^https?:\/\/spdx\.org\/licenses\/([^/]+)$/;

/**
 * SPDX 3.0 JSON-LD: the "@graph" elements an SBOM summary needs. Packages are software_Package
 * elements; a package's licenses are the targets of its hasConcludedLicense / hasDeclaredLicense
 * relationships: simplelicensing_LicenseExpression elements, or listed licenses by their IRI.
 */
class Spdx3Graph {
  private element: Record<string, string> | null = null;
  private targets: string[] = [];
  private readonly packages = new Map<string, { name?: string; version?: string }>();
  private readonly expressions = new Map<string, string>();
  private readonly licenses = { hasConcludedLicense: new Map<string, string[]>(), hasDeclaredLicense: new Map<string, string[]>() };
  private documentName: string | undefined;

  open(): void {
    this.element = {};
    this.targets = [];
  }

  property(key: string, value: string): void {
    if (this.element) this.element[key === '@type' ? 'type' : key === '@id' ? 'spdxId' : key] = value;
  }

  target(value: string): void {
    this.targets.push(value);
  }

  close(): void {
    const element = this.element;
    this.element = null;
    if (!element) return;
    const id = element.spdxId;
    if (element.type === 'software_Package' && id) this.packages.set(id, { name: element.name, version: element.software_packageVersion });
    else if (element.type === 'simplelicensing_LicenseExpression' && id && element.simplelicensing_licenseExpression) {
      this.expressions.set(id, element.simplelicensing_licenseExpression.trim());
    } else if (element.type === 'Relationship' && element.from && (element.relationshipType === 'hasConcludedLicense' || element.relationshipType === 'hasDeclaredLicense')) {
      const list = this.licenses[element.relationshipType];
      // "to" is a list; a single string is read as one.
      list.set(element.from, [...(list.get(element.from) ?? []), ...this.targets, ...(element.to ? [element.to] : [])]);
    } else if ((element.type === 'SpdxDocument' || element.type === 'software_Sbom') && element.name) this.documentName ??= element.name;
  }

  summary(specVersion: string): SbomSummary {
    const tally = new SbomTally();
    for (const [id, component] of this.packages) {
      const license = spdxPackageLicense(this.expression(this.licenses.hasConcludedLicense.get(id)), this.expression(this.licenses.hasDeclaredLicense.get(id)));
      tally.add(component, license ? [license] : []);
    }
    return tally.summary({ format: 'spdx', specVersion, encoding: 'json-ld', subject: this.documentName ? { name: this.documentName } : null });
  }

  /** The license expression the targets of a package's relationships make (several: all of them apply). */
  private expression(targets: string[] | undefined): string | undefined {
    const parts = (targets ?? []).map((target) => this.expressions.get(target) ?? SPDX_LISTED_LICENSE.exec(target)?.[1]).filter((part): part is string => !!part && !NO_LICENSE.has(part));
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : parts.map((part) => (/\s/.test(part) ? `(${part})` : part)).join(' AND ');
  }
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export function article(type: string | undefined): string {
  if (!type) return 'empty';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function summarizeVulnerabilities(list: readonly SbomVulnerabilityRecord[], purlsByRef: ReadonlyMap<string, string>): SbomVulnerabilities {
  const bySeverity = Object.fromEntries(VULNERABILITY_SEVERITIES.map((severity) => [severity, 0])) as Record<VulnerabilitySeverity, number>;
  let unrated = 0;
  for (const item of list) {
    if (item.severity === 'unrated') unrated++;
    else bySeverity[item.severity]++;
  }
  const rank = (item: SbomVulnerability) => (item.severity === 'unrated' ? VULNERABILITY_SEVERITIES.length : VULNERABILITY_SEVERITIES.indexOf(item.severity));
  const examples = [...list]
    .sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id))
    .slice(0, VULNERABILITY_EXAMPLES)
    .map(({ id, severity, affects }) => ({ id, severity, ...(affects ? { affects } : {}) }));
  const items = list.slice(0, MAX_VULNERABILITY_ITEMS).map(({ id, aliases, severity, refs }) => ({
    id,
    aliases: [...new Set(aliases)],
    severity,
    affects: [...new Set(refs.map((ref) => purlsByRef.get(ref) ?? ref))],
  }));
  return { total: list.length, bySeverity, unrated, examples, items, ...(list.length > MAX_VULNERABILITY_ITEMS ? { itemsTruncated: true } : {}) };
}
