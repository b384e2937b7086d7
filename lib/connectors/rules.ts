/**
 * Policy rules over connector readings (docs/architecture.md): metric below a threshold, log matches
 * below a threshold, no open high-urgency incident, GitOps application synced and healthy, CI
 * green for the release's SHA, running image equal to the released digest, unresolved errors
 * below a threshold. Each is a pure judgement of the readings snapshotted into the gate's inputs,
 * the release and the evaluation time, so a replay reaches the same result; each names the
 * digest of the reading it judged. `reads` says which readings a rule needs, so the gate takes
 * exactly those (lib/connectors/collect.ts) and nothing else.
 */
import { z } from 'zod';
import { canonicalHash } from '@/lib/json/canonical';
import type { ConnectorType } from './types';

/** A reading as the gate snapshots it (lib/gate/inputs.ts connectorReadingSchema). */
export interface SnapshotReading {
  /** The connector's name in the workspace. */
  connector: string;
  type: string;
  /** `<what>:<target>`: "namespace:production", "query:error-rate", "repository:acme/api". */
  subject: string;
  value: unknown;
  observedAt: string;
  error?: string;
}

export interface JudgedRelease {
  sourceSha: string;
  imageDigest: string;
}

import { connectorNameSchema, type JsonValue } from '@/lib/domain/primitives';

export type { JsonValue };

export interface Judgement {
  status: 'pass' | 'fail' | 'missing' | 'stale';
  message: string;
  measured: JsonValue;
  threshold: JsonValue;
  evidence: string[];
}

export interface JudgeContext {
  readings: readonly SnapshotReading[];
  release: JudgedRelease;
  evaluatedAt: string;
}

/** One reading a rule needs: a target of a connector of a type. */
export interface ReadRequest {
  connector: string;
  type: ConnectorType;
  /** The target as the connector's configuration names it (namespace, query id, repository...). */
  target: string;
}

export interface ConnectorRuleSpec<TShape extends z.ZodRawShape = z.ZodRawShape> {
  type: string;
  title: string;
  params: TShape;
  reads(rule: z.infer<z.ZodObject<TShape>>): ReadRequest[];
  /** `requests` is `reads(rule)`: what was read for it. */
  judge(rule: z.infer<z.ZodObject<TShape>>, context: JudgeContext, requests: ReadRequest[]): Judgement;
}

/** Judges a rule of a connector type: the one entry point the gate's rule registry calls. */
export function judgeConnectorRule(spec: ConnectorRuleSpec, rule: Record<string, unknown>, context: JudgeContext): Judgement {
  return spec.judge(rule as never, context, spec.reads(rule as never));
}

const SUBJECT_PREFIX: Record<ConnectorType, string> = {
  kubernetes: 'namespace',
  prometheus: 'query',
  loki: 'query',
  'github-actions': 'repository',
  argocd: 'application',
  pagerduty: 'service',
  sentry: 'project',
};

export function subjectOf(type: ConnectorType, target: string): string {
  return `${SUBJECT_PREFIX[type]}:${target}`;
}

/** The digest a reading is known by in rule results: sha256 of its canonical JSON. */
export function readingDigest(reading: SnapshotReading): string {
  return canonicalHash(reading);
}

const connectorName = connectorNameSchema.describe('The name of a connector of this workspace (Settings → Connectors).');
const maxAgeSeconds = z.number().int().min(10).max(7 * 86_400).default(900).describe('A reading older than this many seconds is stale and does not count.');

function define<TShape extends z.ZodRawShape>(spec: ConnectorRuleSpec<TShape>): ConnectorRuleSpec {
  return spec as unknown as ConnectorRuleSpec;
}

type Found = { reading: SnapshotReading; digest: string } | Judgement;

/** The reading a rule judges, or the judgement when there is none usable (missing, error, stale). */
function find(context: JudgeContext, request: ReadRequest, maxAge: number, threshold: JsonValue): Found {
  const subject = subjectOf(request.type, request.target);
  const candidates = context.readings
    .filter((reading) => reading.connector === request.connector && reading.subject === subject)
    .sort((a, b) => (a.observedAt < b.observedAt ? 1 : -1));
  const reading = candidates[0];
  if (!reading) {
    return { status: 'missing', message: `no reading of ${subject} from connector "${request.connector}"`, measured: null, threshold, evidence: [] };
  }
  const digest = readingDigest(reading);
  if (reading.type !== request.type) {
    return { status: 'fail', message: `connector "${request.connector}" is a ${reading.type} connector, not ${request.type}`, measured: null, threshold, evidence: [digest] };
  }
  if (reading.error) {
    return { status: 'missing', message: `connector "${request.connector}" could not read ${subject}: ${reading.error}`, measured: null, threshold, evidence: [digest] };
  }
  const age = (Date.parse(context.evaluatedAt) - Date.parse(reading.observedAt)) / 1000;
  if (age > maxAge) {
    return {
      status: 'stale',
      message: `the reading of ${subject} from "${request.connector}" is ${Math.round(age)} s old; at most ${maxAge} s is accepted`,
      measured: { ageSeconds: Math.round(age) },
      threshold: { maxAgeSeconds: maxAge },
      evidence: [digest],
    };
  }
  return { reading, digest };
}

const isJudgement = (found: Found): found is Judgement => 'status' in found;
const value = <T>(reading: SnapshotReading) => reading.value as T;

export const metricBelow = define({
  type: 'metric-below',
  title: 'A Prometheus query stays below a threshold',
  params: {
    connector: connectorName,
    query: z.string().min(1).describe('The PromQL query; its largest series is compared.'),
    max: z.number().describe('The value must stay below this.'),
    maxAgeSeconds,
  },
  reads: (rule) => [{ connector: rule.connector, type: 'prometheus', target: rule.query }],
  judge(rule, context, [request]) {
    const found = find(context, request!, rule.maxAgeSeconds, { max: rule.max });
    if (isJudgement(found)) return found;
    const measured = value<{ value: number | null; series: number }>(found.reading);
    if (measured.value === null) {
      return { status: 'missing', message: `query "${rule.query}" returned no series`, measured: null, threshold: { max: rule.max }, evidence: [found.digest] };
    }
    const pass = measured.value < rule.max;
    return {
      status: pass ? 'pass' : 'fail',
      message: `query "${rule.query}" is ${measured.value} (${pass ? 'below' : 'not below'} ${rule.max}${measured.series > 1 ? `, largest of ${measured.series} series` : ''})`,
      measured: measured.value,
      threshold: { max: rule.max },
      evidence: [found.digest],
    };
  },
});

export const logCountBelow = define({
  type: 'log-count-below',
  title: 'A Loki query matches fewer lines than a threshold',
  params: {
    connector: connectorName,
    query: z.string().min(1).describe('The LogQL query whose matching lines are counted.'),
    max: z.number().int().min(0).describe('The count of matching lines must stay below this.'),
    maxAgeSeconds,
  },
  reads: (rule) => [{ connector: rule.connector, type: 'loki', target: rule.query }],
  judge(rule, context, [request]) {
    const found = find(context, request!, rule.maxAgeSeconds, { max: rule.max });
    if (isJudgement(found)) return found;
    const measured = value<{ count: number; rangeSeconds: number; truncated: boolean }>(found.reading);
    const pass = measured.count < rule.max;
    return {
      status: pass ? 'pass' : 'fail',
      message: `log query "${rule.query}" matched ${measured.count}${measured.truncated ? '+' : ''} line(s) in the last ${measured.rangeSeconds} s (${pass ? 'below' : 'not below'} ${rule.max})`,
      measured: measured.count,
      threshold: { max: rule.max },
      evidence: [found.digest],
    };
  },
});

export const noOpenIncident = define({
  type: 'no-open-incident',
  title: 'No open incident on the services',
  params: {
    connector: connectorName,
    services: z.array(z.string().regex(/^[A-Z0-9]{5,20}$/)).min(1).describe('PagerDuty service ids (such as PABC123).'),
    urgency: z.enum(['high', 'any']).default('high').describe('high: only high-urgency incidents count; any: every open incident.'),
    maxAgeSeconds,
  },
  reads: (rule) => rule.services.map((service) => ({ connector: rule.connector, type: 'pagerduty' as const, target: service })),
  judge(rule, context, requests) {
    const threshold = { open: 0, urgency: rule.urgency };
    const digests: string[] = [];
    const open: Array<{ service: string; number: number; title: string }> = [];
    for (const request of requests) {
      const found = find(context, request, rule.maxAgeSeconds, threshold);
      if (isJudgement(found)) return { ...found, evidence: [...digests, ...found.evidence] };
      digests.push(found.digest);
      const reading = value<{ incidents: Array<{ number: number; title: string; urgency: string }> }>(found.reading);
      for (const incident of reading.incidents) {
        if (rule.urgency === 'any' || incident.urgency === 'high') open.push({ service: request.target, number: incident.number, title: incident.title });
      }
    }
    const label = rule.urgency === 'high' ? 'high-urgency incident' : 'incident';
    return open.length === 0
      ? { status: 'pass', message: `no open ${label} on ${rule.services.join(', ')}`, measured: 0, threshold, evidence: digests }
      : {
          status: 'fail',
          message: `${open.length} open ${label}${open.length === 1 ? '' : 's'}: ${open.map((i) => `#${i.number} ${i.title} (${i.service})`).join('; ')}`,
          measured: open.length,
          threshold,
          evidence: digests,
        };
  },
});

export const gitopsSyncedHealthy = define({
  type: 'gitops-synced-healthy',
  title: 'The GitOps application is synced and healthy',
  params: { connector: connectorName, application: z.string().min(1).describe('The Argo CD application.'), maxAgeSeconds },
  reads: (rule) => [{ connector: rule.connector, type: 'argocd', target: rule.application }],
  judge(rule, context, [request]) {
    const threshold = { sync: 'Synced', health: 'Healthy' };
    const found = find(context, request!, rule.maxAgeSeconds, threshold);
    if (isJudgement(found)) return found;
    const app = value<{ sync: string; health: string; revision: string | null }>(found.reading);
    const pass = app.sync === 'Synced' && app.health === 'Healthy';
    return {
      status: pass ? 'pass' : 'fail',
      message: `application "${rule.application}" is ${app.sync} and ${app.health}`,
      measured: { sync: app.sync, health: app.health, revision: app.revision },
      threshold,
      evidence: [found.digest],
    };
  },
});

export const ciGreen = define({
  type: 'ci-green',
  title: "CI is green for the release's source SHA",
  params: { connector: connectorName, repository: z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/).describe('The GitHub repository, as owner/name.'), maxAgeSeconds },
  reads: (rule) => [{ connector: rule.connector, type: 'github-actions', target: rule.repository }],
  judge(rule, context, [request]) {
    const threshold = { conclusion: 'success', sha: context.release.sourceSha };
    const found = find(context, request!, rule.maxAgeSeconds, threshold);
    if (isJudgement(found)) return found;
    const ci = value<{ sha: string; conclusion: string; runs: Array<{ name: string | null; conclusion: string | null }>; missingWorkflows: string[] }>(found.reading);
    if (ci.sha !== context.release.sourceSha) {
      return { status: 'missing', message: `the CI reading is for ${ci.sha.slice(0, 12)}, not the release's ${context.release.sourceSha.slice(0, 12)}`, measured: ci.sha, threshold, evidence: [found.digest] };
    }
    if (ci.conclusion === 'none') {
      return { status: 'missing', message: `no workflow run of ${rule.repository} for ${ci.sha.slice(0, 12)}`, measured: 'none', threshold, evidence: [found.digest] };
    }
    const failed = ci.runs.filter((run) => run.conclusion && !['success', 'skipped', 'neutral'].includes(run.conclusion)).map((run) => run.name);
    const detail =
      ci.conclusion === 'failure'
        ? `: ${failed.join(', ')} failed`
        : ci.conclusion === 'pending'
          ? ci.missingWorkflows.length
            ? `: no run yet of ${ci.missingWorkflows.join(', ')}`
            : ': runs are still in progress'
          : '';
    return {
      status: ci.conclusion === 'success' ? 'pass' : 'fail',
      message: `CI of ${rule.repository} for ${ci.sha.slice(0, 12)} is ${ci.conclusion}${detail}`,
      measured: ci.conclusion,
      threshold,
      evidence: [found.digest],
    };
  },
});

export const runningImageMatches = define({
  type: 'running-image-matches',
  title: 'The running image is the released digest',
  params: {
    connector: connectorName,
    namespace: z.string().min(1).describe('The Kubernetes namespace of the deployment.'),
    deployment: z.string().min(1).describe('The deployment whose running image is checked.'),
    container: z.string().min(1).optional().describe("The container to check; the deployment's first container when empty."),
    maxAgeSeconds,
  },
  reads: (rule) => [{ connector: rule.connector, type: 'kubernetes', target: rule.namespace }],
  judge(rule, context, [request]) {
    const threshold = context.release.imageDigest;
    const found = find(context, request!, rule.maxAgeSeconds, threshold);
    if (isJudgement(found)) return found;
    const reading = value<{ deployments: Array<{ name: string; containers: Array<{ name: string; runningDigests: string[] }> }> }>(found.reading);
    const deployment = reading.deployments.find((d) => d.name === rule.deployment);
    const container = rule.container ? deployment?.containers.find((c) => c.name === rule.container) : deployment?.containers[0];
    const where = `${rule.namespace}/${rule.deployment}${rule.container ? ` (${rule.container})` : ''}`;
    if (!container) return { status: 'missing', message: `no deployment ${where} in the reading`, measured: null, threshold, evidence: [found.digest] };
    const digests = container.runningDigests;
    if (digests.length === 0) return { status: 'missing', message: `no running pod of ${where} reports an image digest`, measured: [], threshold, evidence: [found.digest] };
    const pass = digests.length === 1 && digests[0] === threshold;
    return {
      status: pass ? 'pass' : 'fail',
      message: pass
        ? `every running pod of ${where} runs the released digest`
        : `${where} runs ${digests.map((d) => d.slice(0, 19)).join(', ')}; the release is ${threshold.slice(0, 19)}`,
      measured: digests,
      threshold,
      evidence: [found.digest],
    };
  },
});

export const errorIssuesBelow = define({
  type: 'error-issues-below',
  title: 'Unresolved errors in the error tracker stay below a threshold',
  params: {
    connector: connectorName,
    project: z.string().min(1).describe('The Sentry project (its slug).'),
    max: z.number().int().min(0).default(1).describe('The count of unresolved errors must stay below this.'),
    maxAgeSeconds,
  },
  reads: (rule) => [{ connector: rule.connector, type: 'sentry', target: rule.project }],
  judge(rule, context, [request]) {
    const found = find(context, request!, rule.maxAgeSeconds, { max: rule.max });
    if (isJudgement(found)) return found;
    const issues = value<{ unresolvedErrors: number; truncated: boolean }>(found.reading);
    const pass = issues.unresolvedErrors < rule.max;
    return {
      status: pass ? 'pass' : 'fail',
      message: `${issues.unresolvedErrors}${issues.truncated ? '+' : ''} unresolved error-level issue(s) in ${rule.project} (${pass ? 'below' : 'not below'} ${rule.max})`,
      measured: issues.unresolvedErrors,
      threshold: { max: rule.max },
      evidence: [found.digest],
    };
  },
});

export const CONNECTOR_RULE_SPECS: readonly ConnectorRuleSpec[] = [
  metricBelow,
  logCountBelow,
  noOpenIncident,
  gitopsSyncedHealthy,
  ciGreen,
  runningImageMatches,
  errorIssuesBelow,
];

export function connectorRuleSpec(type: string): ConnectorRuleSpec | undefined {
  return CONNECTOR_RULE_SPECS.find((spec) => spec.type === type);
}
