/**
 * SARIF 2.1.0 summaries: results counted by level and by security severity. A result's level is
 * its own, else its rule's default, else "warning" (SARIF 3.27.10); its severity is the
 * `security-severity` score (GitHub's convention, on the result or its rule: 9+ critical, 7+ high,
 * 4+ medium, above 0 low) or, without one, follows the level (error → high, warning → medium,
 * note → low). Suppressed results, results of kind other than "fail", and results whose baseline
 * state is "absent" (fixed) are not counted as findings. A result is suppressed only when every
 * one of its suppressions is accepted (one without a status is): a suppression still
 * "underReview", or "rejected", keeps it counted, as the SARIF SDK and GitLab read it.
 */
import type { JsonPathSegment, JsonStringToken } from '../json-scanner';
import { formatJsonPath } from '../json-scanner';
import { rejectDocument } from '../errors';
import { article } from './sbom';
import { RootType, type JsonSummarizer } from './summarizer';
import type { CarrierAttestation } from './provenance';

export const SARIF_LEVELS = ['error', 'warning', 'note', 'none'] as const;
export type SarifLevel = (typeof SARIF_LEVELS)[number];
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SarifSummary {
  /** Present when the document arrived inside an in-toto attestation (its predicate): what carried it, and its signature status. */
  attestation?: CarrierAttestation;
  format: 'sarif';
  version: string;
  runs: number;
  tools: string[];
  /** Findings counted (suppressed, non-failing and fixed results excluded). */
  results: number;
  suppressed: number;
  byLevel: Record<SarifLevel, number>;
  bySeverity: Record<Severity, number>;
  /** Rule ids of the findings per severity (at most 20 each), for reasons people can act on. */
  rulesBySeverity: Partial<Record<Severity, string[]>>;
  /**
   * The findings themselves, most severe first (at most MAX_FINDINGS): where each is and what its
   * rule says, so a reviewer sees why without opening the log. Absent from summaries made before
   * it was recorded.
   */
  findings?: SarifFinding[];
  /**
   * Findings that name a vulnerability (a CVE or GHSA id in the rule id, the rule's name or its
   * tags), counted per rule and severity: what VEX statements are matched against
   * (lib/gate/vex.ts). At most MAX_VULNERABILITY_RULES; absent from summaries made before it was
   * recorded.
   */
  vulnerabilityFindings?: SarifVulnerabilityFindings[];
  /** True when more rules named vulnerabilities than listed in `vulnerabilityFindings`. */
  vulnerabilityFindingsTruncated?: boolean;
}

export interface SarifVulnerabilityFindings {
  ruleId: string;
  /** The vulnerability ids the rule names, upper case. */
  ids: string[];
  severity: Severity;
  count: number;
}

export const MAX_VULNERABILITY_RULES = 5000;

/** CVE and GHSA ids within a text (a rule id "CVE-2023-1234-openssl", a tag), upper case. */
export function vulnerabilityIdsIn(text: string): string[] {
  return [...text.matchAll(/(?<![A-Za-z0-9])(CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3})(?![0-9])/gi)].map((match) => match[1]!.toUpperCase());
}

export interface SarifFinding {
  severity: Severity;
  ruleId: string;
  /** The rule's short description. */
  title?: string;
  message?: string;
  /** The first location: the file as the log names it (relative to the source root, usually) and its line. */
  file?: string;
  line?: number;
  /** The rule's help page; http(s) only. */
  helpUri?: string;
}

/** Findings kept in a summary (per log): enough to act on, bounded whatever the log's size. */
export const MAX_FINDINGS = 25;
const MAX_TEXT = 300;

interface RuleInfo {
  /** Vulnerability ids in the rule's name and tags. */
  ids?: string[];
  level?: SarifLevel;
  securitySeverity?: number;
  title?: string;
  helpUri?: string;
  /** Message templates by id ("{0} is hard-coded"), for results whose message names one (a Map: ids are the log's, "constructor" included). */
  messageStrings?: Map<string, string>;
}

interface ResultRecord {
  ruleId?: string;
  ruleIndex?: number;
  level?: SarifLevel;
  securitySeverity?: number;
  /** The status of each of its suppressions ("accepted" when the suppression gives none). */
  suppressions: string[];
  counted: boolean;
  message?: string;
  /** A message given by id and arguments instead of text (SARIF 3.11.7), filled in from the rule's template. */
  messageId?: string;
  messageArguments?: string[];
  file?: string;
  /** artifactLocation.index: the file named in the run's "artifacts" instead of here. */
  artifactIndex?: number;
  line?: number;
}

export function severityOf(level: SarifLevel, securitySeverity: number | undefined): Severity {
  if (securitySeverity !== undefined) {
    if (securitySeverity >= 9) return 'critical';
    if (securitySeverity >= 7) return 'high';
    if (securitySeverity >= 4) return 'medium';
    if (securitySeverity > 0) return 'low';
    return 'none';
  }
  return level === 'error' ? 'high' : level === 'warning' ? 'medium' : level === 'note' ? 'low' : 'none';
}

function parseScore(value: string | number): number | undefined {
  const score = typeof value === 'number' ? value : Number.parseFloat(value);
  return Number.isFinite(score) ? score : undefined;
}

export class SarifSummarizer implements JsonSummarizer<SarifSummary> {
  private readonly root = new RootType();
  private version: string | undefined;
  private sawRuns = false;
  private runs = 0;
  private readonly tools: string[] = [];
  // Per run: rules by index (driver) and by id (driver and extensions), and the run's results.
  private rulesByIndex: RuleInfo[] = [];
  private rulesById = new Map<string, RuleInfo>();
  private currentRule: (RuleInfo & { id?: string; index?: number }) | null = null;
  private results: ResultRecord[] = [];
  private current: ResultRecord | null = null;
  private readonly byLevel: Record<SarifLevel, number> = { error: 0, warning: 0, note: 0, none: 0 };
  private readonly bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, none: 0 };
  private readonly rulesBySeverity: Partial<Record<Severity, string[]>> = {};
  /** Per run: artifacts[k].location.uri, for results that name their file by index. */
  private artifactUris: string[] = [];
  private readonly findingsBySeverity: Record<Severity, SarifFinding[]> = { critical: [], high: [], medium: [], low: [], none: [] };
  private counted = 0;
  private suppressed = 0;
  private readonly vulnerabilityFindings = new Map<string, SarifVulnerabilityFindings>();
  private vulnerabilityFindingsTruncated = false;

  open(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    this.root.open(path, type);
    const depth = path.length;
    if (depth === 1 && path[0] === 'runs') {
      if (type !== 'array') rejectDocument('"runs" must be an array');
      this.sawRuns = true;
    }
    if (type !== 'object' || path[0] !== 'runs') return;
    if (depth === 2) {
      this.runs++;
      this.rulesByIndex = [];
      this.rulesById = new Map();
      this.results = [];
      this.artifactUris = [];
    } else if (depth === 4 && path[2] === 'results') {
      this.current = { suppressions: [], counted: true };
    } else if (isRulePath(path)) {
      this.currentRule = { index: path[3] === 'driver' ? (path[depth - 1] as number) : undefined };
    } else if (this.current && depth === 6 && path[4] === 'suppressions') {
      this.current.suppressions.push('accepted'); // its "status", if any, replaces this below
    }
  }

  close(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    if (type !== 'object' || path[0] !== 'runs') return;
    const depth = path.length;
    if (depth === 4 && path[2] === 'results' && this.current) {
      this.results.push(this.current);
      this.current = null;
    } else if (isRulePath(path) && this.currentRule) {
      const { id, index, ...info } = this.currentRule;
      if (index !== undefined) this.rulesByIndex[index] = info;
      if (id !== undefined && !this.rulesById.has(id)) this.rulesById.set(id, info);
      this.currentRule = null;
    } else if (depth === 2) {
      this.finishRun();
    }
  }

  string(path: readonly JsonPathSegment[], token: JsonStringToken): void {
    this.root.string(path);
    const depth = path.length;
    const key = path[depth - 1];
    if (depth === 1 && key === 'version') {
      this.version = token.text();
      return;
    }
    if (path[0] !== 'runs') return;
    if (depth === 5 && path[2] === 'tool' && path[3] === 'driver' && key === 'name') {
      this.tools.push(token.text());
      return;
    }
    const result = this.current;
    if (result && path[2] === 'results') {
      if (depth === 5 && key === 'ruleId') result.ruleId = token.text();
      else if (depth === 6 && path[4] === 'rule' && key === 'id') result.ruleId ??= token.text();
      else if (depth === 5 && key === 'level') result.level = this.level(token.text(), path);
      else if (depth === 5 && key === 'kind') result.counted &&= token.text() === 'fail';
      else if (depth === 5 && key === 'baselineState') result.counted &&= token.text() !== 'absent';
      else if (depth === 6 && path[4] === 'properties' && key === 'security-severity') result.securitySeverity = parseScore(token.text());
      else if (depth === 7 && path[4] === 'suppressions' && key === 'status') result.suppressions[result.suppressions.length - 1] = token.text();
      else if (depth === 6 && path[4] === 'message' && key === 'text') result.message = clip(plainMessage(token.text()));
      else if (depth === 6 && path[4] === 'message' && key === 'id') result.messageId = clip(token.text(), 100);
      else if (depth === 7 && path[4] === 'message' && path[5] === 'arguments' && typeof key === 'number' && key < MAX_MESSAGE_ARGUMENTS) {
        (result.messageArguments ??= [])[key] = clip(token.text(), 100);
      }
      else if (depth === 9 && isFirstPhysicalLocation(path) && path[7] === 'artifactLocation' && key === 'uri') result.file = clip(token.text());
      return;
    }
    if (depth === 6 && path[2] === 'artifacts' && path[4] === 'location' && key === 'uri' && typeof path[3] === 'number') {
      this.artifactUris[path[3]] = clip(token.text());
      return;
    }
    const rule = this.currentRule;
    if (rule) {
      const ruleDepth = rulePathDepth(path);
      if (depth === ruleDepth + 1 && key === 'id') rule.id = token.text();
      else if (depth === ruleDepth + 2 && path[ruleDepth] === 'defaultConfiguration' && key === 'level') rule.level = this.level(token.text(), path);
      else if (depth === ruleDepth + 2 && path[ruleDepth] === 'properties' && key === 'security-severity') rule.securitySeverity = parseScore(token.text());
      else if (depth === ruleDepth + 2 && path[ruleDepth] === 'shortDescription' && key === 'text') rule.title = clip(token.text());
      else if (depth === ruleDepth + 1 && key === 'helpUri' && /^https?:\/\//i.test(token.text())) rule.helpUri = clip(token.text(), 1000);
      else if (depth === ruleDepth + 3 && path[ruleDepth] === 'messageStrings' && key === 'text' && (rule.messageStrings ??= new Map()).size < MAX_MESSAGE_STRINGS) {
        rule.messageStrings.set(String(path[ruleDepth + 1]), clip(token.text(), 1000));
      }
      else if ((depth === ruleDepth + 1 && key === 'name') || (depth === ruleDepth + 3 && path[ruleDepth] === 'properties' && path[ruleDepth + 1] === 'tags')) {
        const ids = vulnerabilityIdsIn(token.text());
        if (ids.length) rule.ids = [...new Set([...(rule.ids ?? []), ...ids])];
      }
    }
  }

  primitive(path: readonly JsonPathSegment[], value: number | boolean | null): void {
    this.root.primitive(path, value);
    if (typeof value !== 'number' || path[0] !== 'runs') return;
    const depth = path.length;
    const key = path[depth - 1];
    if (this.current && path[2] === 'results') {
      if (depth === 5 && key === 'ruleIndex') this.current.ruleIndex = value;
      else if (depth === 6 && path[4] === 'rule' && key === 'index') this.current.ruleIndex ??= value;
      else if (depth === 6 && path[4] === 'properties' && key === 'security-severity') this.current.securitySeverity = value;
      else if (depth === 9 && isFirstPhysicalLocation(path) && path[7] === 'region' && key === 'startLine' && Number.isInteger(value) && value > 0) this.current.line = value;
      else if (depth === 9 && isFirstPhysicalLocation(path) && path[7] === 'artifactLocation' && key === 'index' && Number.isInteger(value) && value >= 0) this.current.artifactIndex = value;
    } else if (this.currentRule) {
      const ruleDepth = rulePathDepth(path);
      if (depth === ruleDepth + 2 && path[ruleDepth] === 'properties' && key === 'security-severity') this.currentRule.securitySeverity = value;
    }
  }

  finish(): SarifSummary {
    if (this.root.type !== 'object') rejectDocument(`a SARIF log must be a JSON object, this document is ${article(this.root.type)}`);
    if (this.version === undefined) rejectDocument('this is not a SARIF log: it has no "version" (SARIF 2.1.0 logs have "version": "2.1.0")');
    if (this.version !== '2.1.0') rejectDocument(`SARIF version "${this.version}" is not supported; version 2.1.0 is`);
    if (!this.sawRuns) rejectDocument('this is not a SARIF log: it has no "runs" array');
    return {
      format: 'sarif',
      version: this.version,
      runs: this.runs,
      tools: [...new Set(this.tools)].sort(),
      results: this.counted,
      suppressed: this.suppressed,
      byLevel: { ...this.byLevel },
      bySeverity: { ...this.bySeverity },
      rulesBySeverity: Object.fromEntries(SEVERITIES.filter((s) => this.rulesBySeverity[s]).map((s) => [s, this.rulesBySeverity[s]!])),
      findings: SEVERITIES.flatMap((severity) => this.findingsBySeverity[severity]).slice(0, MAX_FINDINGS),
      vulnerabilityFindings: [...this.vulnerabilityFindings.values()],
      ...(this.vulnerabilityFindingsTruncated ? { vulnerabilityFindingsTruncated: true } : {}),
    };
  }

  private finishRun(): void {
    for (const result of this.results) {
      if (!result.counted) continue;
      if (result.suppressions.length > 0 && result.suppressions.every((status) => status === 'accepted')) {
        this.suppressed++;
        continue;
      }
      const rule =
        (result.ruleId !== undefined ? this.rulesById.get(result.ruleId) : undefined) ??
        (result.ruleIndex !== undefined ? this.rulesByIndex[result.ruleIndex] : undefined);
      const level = result.level ?? rule?.level ?? 'warning';
      const severity = severityOf(level, result.securitySeverity ?? rule?.securitySeverity);
      this.counted++;
      this.byLevel[level]++;
      this.bySeverity[severity]++;
      const ruleId = result.ruleId ?? (result.ruleIndex !== undefined ? `#${result.ruleIndex}` : '(no rule)');
      this.countVulnerability(ruleId, rule?.ids ?? [], severity);
      const listed = (this.rulesBySeverity[severity] ??= []);
      if (listed.length < 20 && !listed.includes(ruleId)) listed.push(ruleId);
      const findings = this.findingsBySeverity[severity];
      if (findings.length < MAX_FINDINGS) {
        const file = result.file ?? (result.artifactIndex !== undefined ? this.artifactUris[result.artifactIndex] : undefined);
        findings.push(
          withoutUndefined({ severity, ruleId, title: rule?.title, message: result.message ?? messageFromTemplate(result, rule), file, line: file !== undefined ? result.line : undefined, helpUri: rule?.helpUri }),
        );
      }
    }
    this.results = [];
  }

  private countVulnerability(ruleId: string, ruleIds: readonly string[], severity: Severity): void {
    const ids = [...new Set([...vulnerabilityIdsIn(ruleId), ...ruleIds])];
    if (ids.length === 0) return;
    const key = `${ruleId}\u0000${severity}`;
    const entry = this.vulnerabilityFindings.get(key);
    if (entry) entry.count++;
    else if (this.vulnerabilityFindings.size < MAX_VULNERABILITY_RULES) this.vulnerabilityFindings.set(key, { ruleId, ids, severity, count: 1 });
    else this.vulnerabilityFindingsTruncated = true;
  }

  private level(value: string, path: readonly JsonPathSegment[]): SarifLevel {
    if (!(SARIF_LEVELS as readonly string[]).includes(value)) {
      rejectDocument(`${formatJsonPath(path)} is "${value}", which is not a SARIF level (error, warning, note or none)`);
    }
    return value as SarifLevel;
  }
}

/** runs[r].results[i].locations[0].physicalLocation.… (a result's first location). */
function isFirstPhysicalLocation(path: readonly JsonPathSegment[]): boolean {
  return path[4] === 'locations' && path[5] === 0 && path[6] === 'physicalLocation';
}

/**
 * A result message as a person reads it: SARIF's embedded links to the result's related
 * locations, "[here](1)" (CodeQL writes them), are shown as their text; links to a URI are kept.
 */
function plainMessage(text: string): string {
  return text.includes('](') ? text.replace(/\[([^\]\n]*)\]\(\d+\)/g, '$1') : text;
}

/** Arguments and templates read per result and rule: a message needs a few, the log may hold millions. */
const MAX_MESSAGE_ARGUMENTS = 10;
const MAX_MESSAGE_STRINGS = 50;

/**
 * A message given by id, as its rule's template with the arguments filled in: "{0}" is the first,
 * "{{" and "}}" are literal braces (SARIF 3.11.5); a placeholder without an argument stays as it is.
 */
function messageFromTemplate(result: ResultRecord, rule: RuleInfo | undefined): string | undefined {
  const template = result.messageId !== undefined ? rule?.messageStrings?.get(result.messageId) : undefined;
  if (template === undefined) return undefined;
  const args = result.messageArguments ?? [];
  return clip(plainMessage(template.replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index?: string) => (match === '{{' ? '{' : match === '}}' ? '}' : (args[Number(index)] ?? match)))));
}

function clip(text: string, length = MAX_TEXT): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** runs[r].tool.driver.rules[k] or runs[r].tool.extensions[e].rules[k] (the rule object itself). */
function isRulePath(path: readonly JsonPathSegment[]): boolean {
  const depth = path.length;
  if (path[2] !== 'tool') return false;
  if (depth === 6) return path[3] === 'driver' && path[4] === 'rules';
  if (depth === 7) return path[3] === 'extensions' && path[5] === 'rules';
  return false;
}

/** Depth of the rule object that contains `path` (6 for driver rules, 7 for extensions). */
function rulePathDepth(path: readonly JsonPathSegment[]): number {
  return path[3] === 'extensions' ? 7 : 6;
}
