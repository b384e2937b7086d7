/**
 * SARIF 2.1.0 summaries: results counted by level and by security severity. A result's level is
 * its own, else its rule's default, else "warning" (SARIF 3.27.10); its severity is the
 * `security-severity` score (GitHub's convention, on the result or its rule: 9+ critical, 7+ high,
 * 4+ medium, above 0 low) or, without one, follows the level (error → high, warning → medium,
 * note → low). Suppressed results, results of kind other than "fail", and results whose baseline
 * state is "absent" (fixed) are not counted as findings.
 */
import type { JsonPathSegment, JsonStringToken } from '../json-scanner';
import { formatJsonPath } from '../json-scanner';
import { rejectDocument } from '../errors';
import { article } from './sbom';
import { RootType, type JsonSummarizer } from './summarizer';

export const SARIF_LEVELS = ['error', 'warning', 'note', 'none'] as const;
export type SarifLevel = (typeof SARIF_LEVELS)[number];
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SarifSummary {
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
}

interface RuleInfo {
  level?: SarifLevel;
  securitySeverity?: number;
}

interface ResultRecord {
  ruleId?: string;
  ruleIndex?: number;
  level?: SarifLevel;
  securitySeverity?: number;
  suppressed: boolean;
  counted: boolean;
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
  private counted = 0;
  private suppressed = 0;

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
    } else if (depth === 4 && path[2] === 'results') {
      this.current = { suppressed: false, counted: true };
    } else if (isRulePath(path)) {
      this.currentRule = { index: path[3] === 'driver' ? (path[depth - 1] as number) : undefined };
    } else if (this.current && depth === 6 && path[4] === 'suppressions') {
      this.current.suppressed = true; // a suppression object; one with status "rejected" undoes it below
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
      else if (depth === 7 && path[4] === 'suppressions' && key === 'status' && token.text() === 'rejected') result.suppressed = false;
      return;
    }
    const rule = this.currentRule;
    if (rule) {
      const ruleDepth = rulePathDepth(path);
      if (depth === ruleDepth + 1 && key === 'id') rule.id = token.text();
      else if (depth === ruleDepth + 2 && path[ruleDepth] === 'defaultConfiguration' && key === 'level') rule.level = this.level(token.text(), path);
      else if (depth === ruleDepth + 2 && path[ruleDepth] === 'properties' && key === 'security-severity') rule.securitySeverity = parseScore(token.text());
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
    };
  }

  private finishRun(): void {
    for (const result of this.results) {
      if (!result.counted) continue;
      if (result.suppressed) {
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
      const listed = (this.rulesBySeverity[severity] ??= []);
      if (listed.length < 20 && !listed.includes(ruleId)) listed.push(ruleId);
    }
    this.results = [];
  }

  private level(value: string, path: readonly JsonPathSegment[]): SarifLevel {
    if (!(SARIF_LEVELS as readonly string[]).includes(value)) {
      rejectDocument(`${formatJsonPath(path)} is "${value}", which is not a SARIF level (error, warning, note or none)`);
    }
    return value as SarifLevel;
  }
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
