/**
 * SBOM summaries (CycloneDX JSON 1.2-1.6, SPDX JSON 2.2/2.3): component count, license counts and
 * components without a license. Both formats are read in one pass, because the field that tells
 * them apart (`bomFormat`, `spdxVersion`) may come after the components.
 */
import type { JsonPathSegment, JsonStringToken } from '../json-scanner';
import { rejectDocument } from '../errors';
import { RootType, sortedRecord, tally, type JsonSummarizer } from './summarizer';

export interface SbomSummary {
  format: 'cyclonedx' | 'spdx';
  specVersion: string;
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

export const MAX_VULNERABILITY_ITEMS = 5000;

export const VULNERABILITY_EXAMPLES = 25;

/** CycloneDX rating severities, most severe first; info and unknown count with none. */
const RATING_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4, none: 4, unknown: 4 };

export interface SbomComponent {
  name: string;
  version?: string;
}

export const LICENSE_EXAMPLES = 3;

const NO_LICENSE = new Set(['NOASSERTION', 'NONE', '']);

interface ComponentFrame {
  depth: number;
  licensed: boolean;
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
  private cdxComponents = 0;
  private cdxUnlicensed = 0;
  private readonly cdxLicenses: Record<string, number> = {};
  private readonly componentStack: ComponentFrame[] = [];
  private readonly examples: Record<string, SbomComponent[]> = {};

  private vulnerabilityList: Array<SbomVulnerability & { aliases: string[]; refs: string[] }> | null = null;
  private vulnerability: { id?: string; rank?: number; affects?: string; aliases: string[]; refs: string[] } | null = null;
  /** Vulnerabilities with an analysis state: a VEX document, not an SBOM, when it lists no component. */
  private analyses = 0;
  /** Component bom-ref → purl, to name what a vulnerability affects by its purl. */
  private readonly purlsByRef = new Map<string, string>();

  // SPDX
  private spdxPackages = 0;
  private spdxUnlicensed = 0;
  private readonly spdxLicenses: Record<string, number> = {};
  private packageLicense: { concluded?: string; declared?: string; name?: string; version?: string } | null = null;

  constructor(private readonly expected?: 'cyclonedx' | 'spdx') {}

  open(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    this.root.open(path, type);
    const depth = path.length;
    if (depth === 1 && path[0] === 'vulnerabilities' && type === 'array') this.vulnerabilityList ??= [];
    if (type !== 'object') return;
    if (depth === 2 && path[0] === 'vulnerabilities') this.vulnerability = { aliases: [], refs: [] };
    if (depth >= 2 && path[depth - 2] === 'components' && typeof path[depth - 1] === 'number' && path[0] !== 'metadata' && path[0] !== 'vulnerabilities') {
      this.componentStack.push({ depth, licensed: false, licenses: [] });
    } else if (depth === 2 && path[0] === 'packages') {
      this.packageLicense = {};
    }
  }

  close(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    if (type !== 'object') return;
    const depth = path.length;
    if (depth === 2 && path[0] === 'vulnerabilities' && this.vulnerability) {
      const { id, rank, affects, aliases, refs } = this.vulnerability;
      this.vulnerabilityList?.push({
        id: clip(id ?? '(no id)'),
        severity: rank === undefined ? 'unrated' : VULNERABILITY_SEVERITIES[rank]!,
        ...(affects ? { affects: clip(affects) } : {}),
        aliases,
        refs,
      });
      this.vulnerability = null;
      return;
    }
    const component = this.componentStack[this.componentStack.length - 1];
    if (component && component.depth === depth) {
      this.componentStack.pop();
      this.cdxComponents++;
      if (!component.licensed) this.cdxUnlicensed++;
      if (component['bom-ref'] && component.purl) this.purlsByRef.set(component['bom-ref'], component.purl);
      for (const license of new Set(component.licenses)) this.example(license, component);
    } else if (depth === 2 && path[0] === 'packages' && this.packageLicense) {
      this.spdxPackages++;
      const { concluded, declared } = this.packageLicense;
      const license = concluded && !NO_LICENSE.has(concluded) ? concluded : declared && !NO_LICENSE.has(declared) ? declared : null;
      if (license) {
        tally(this.spdxLicenses, license);
        this.example(license, this.packageLicense);
      } else this.spdxUnlicensed++;
      this.packageLicense = null;
    }
  }

  string(path: readonly JsonPathSegment[], token: JsonStringToken): void {
    this.root.string(path);
    const depth = path.length;
    const key = path[depth - 1];
    if (depth === 1 && typeof key === 'string' && (key === 'bomFormat' || key === 'specVersion' || key === 'spdxVersion' || key === 'SPDXID' || key === 'name')) {
      this.top[key] = token.text();
      return;
    }
    // CycloneDX vulnerabilities[i]: id, ratings[j].severity (the most severe counts), affects[k].ref
    if (this.vulnerability && path[0] === 'vulnerabilities') {
      if (depth === 3 && key === 'id') this.vulnerability.id = token.text();
      else if (depth === 5 && path[2] === 'ratings' && key === 'severity') {
        const rank = RATING_RANK[token.text().toLowerCase()];
        if (rank !== undefined) this.vulnerability.rank = Math.min(this.vulnerability.rank ?? rank, rank);
      } else if (depth === 5 && path[2] === 'affects' && key === 'ref') {
        this.vulnerability.affects ??= token.text();
        this.vulnerability.refs.push(token.text());
      } else if (depth === 5 && path[2] === 'references' && key === 'id') this.vulnerability.aliases.push(clip(token.text()));
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
        if (license) {
          component.licensed = true;
          tally(this.cdxLicenses, license);
          component.licenses.push(license);
        }
        return;
      }
      if (relative === 1 && (key === 'name' || key === 'version')) {
        component[key] = clip(token.text());
        return;
      }
      if (relative === 1 && (key === 'bom-ref' || key === 'purl')) {
        component[key] = token.text();
        return;
      }
    }
    if (path[0] === 'metadata' && path[1] === 'component' && depth === 3 && (key === 'name' || key === 'version')) {
      this.subject[key] = token.text();
      return;
    }
    if (depth === 3 && path[0] === 'packages' && this.packageLicense) {
      if (key === 'licenseConcluded') this.packageLicense.concluded = token.text().trim();
      else if (key === 'licenseDeclared') this.packageLicense.declared = token.text().trim();
      else if (key === 'name') this.packageLicense.name = clip(token.text());
      else if (key === 'versionInfo') this.packageLicense.version = clip(token.text());
    }
  }

  primitive(path: readonly JsonPathSegment[], value: number | boolean | null): void {
    this.root.primitive(path, value);
  }

  finish(): SbomSummary {
    if (this.root.type !== 'object') rejectDocument(`an SBOM must be a JSON object, this document is ${article(this.root.type)}`);
    const { bomFormat, specVersion, spdxVersion } = this.top;
    if (bomFormat !== undefined) {
      if (bomFormat !== 'CycloneDX') rejectDocument(`"bomFormat" is "${bomFormat}"; a CycloneDX SBOM has "bomFormat": "CycloneDX"`);
      if (!specVersion) rejectDocument('the CycloneDX SBOM has no "specVersion"');
      if (this.expected === 'spdx') rejectDocument('the media type says SPDX but the document is a CycloneDX SBOM');
      if (this.cdxComponents === 0 && this.analyses > 0) {
        rejectDocument(
          `this CycloneDX document is VEX, not an SBOM: it lists no component and states an analysis for ${this.analyses === 1 ? 'a vulnerability' : `${this.analyses} vulnerabilities`}; upload it as kind vex ("rp gate --vex FILE")`,
        );
      }
      return {
        format: 'cyclonedx',
        specVersion,
        subject: this.subject.name ? { name: this.subject.name, ...(this.subject.version ? { version: this.subject.version } : {}) } : null,
        components: this.cdxComponents,
        componentsWithoutLicense: this.cdxUnlicensed,
        licenses: sortedRecord(this.cdxLicenses),
        componentsByLicense: sortedRecord(this.examples),
        ...(this.vulnerabilityList ? { vulnerabilities: summarizeVulnerabilities(this.vulnerabilityList, this.purlsByRef) } : {}),
      };
    }
    if (spdxVersion !== undefined) {
      if (!/^SPDX-2\.[0-9]+$/.test(spdxVersion)) rejectDocument(`"spdxVersion" is "${spdxVersion}"; SPDX 2.x JSON documents are accepted`);
      if (this.expected === 'cyclonedx') rejectDocument('the media type says CycloneDX but the document is an SPDX SBOM');
      return {
        format: 'spdx',
        specVersion: spdxVersion,
        subject: this.top.name ? { name: this.top.name } : null,
        components: this.spdxPackages,
        componentsWithoutLicense: this.spdxUnlicensed,
        licenses: sortedRecord(this.spdxLicenses),
        componentsByLicense: sortedRecord(this.examples),
      };
    }
    rejectDocument(
      'this is not an SBOM: a CycloneDX JSON SBOM has "bomFormat": "CycloneDX" and an SPDX JSON SBOM has "spdxVersion"; neither was found',
    );
  }

  /** Keeps a component as an example of a license, up to LICENSE_EXAMPLES per license. */
  private example(license: string, component: { name?: string; version?: string }): void {
    if (!component.name) return;
    const listed = (this.examples[license] ??= []);
    if (listed.length < LICENSE_EXAMPLES) listed.push(component.version ? { name: component.name, version: component.version } : { name: component.name });
  }
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export function article(type: string | undefined): string {
  if (!type) return 'empty';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function summarizeVulnerabilities(list: Array<SbomVulnerability & { aliases: string[]; refs: string[] }>, purlsByRef: ReadonlyMap<string, string>): SbomVulnerabilities {
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
