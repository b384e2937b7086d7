import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configureSecrets } from '@/lib/secrets';
import { ADMIN } from '@/lib/secrets/test-support';
import { collectConnectorReadings } from './collect';
import { pollConnector } from './poll';
import { connectorRuleSpec, judgeConnectorRule, readingDigest, type SnapshotReading } from './rules';
import { createConnector } from './store';
import { connectorTestbed } from './testing/setup';
import { OTHER_SHA, RELEASED_DIGEST, SHA } from './testing/fixture';
import type { StandIn } from './testing/standin';

const TOKEN = 'rules-token-41c2';
let standIn: StandIn;
let workspace: { id: string; slug: string };
const ERROR_RATE = 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))';

const POLICY_RULES = [
  { id: 'errors-low', type: 'metric-below', connector: 'prom', query: 'error-rate', max: 0.05 },
  { id: 'errors-very-low', type: 'metric-below', connector: 'prom', query: 'error-rate', max: 0.01 },
  { id: 'few-panics', type: 'log-count-below', connector: 'logs', query: 'panics', max: 5 },
  { id: 'no-incident', type: 'no-open-incident', connector: 'pd', services: ['PAPI001'] },
  { id: 'synced', type: 'gitops-synced-healthy', connector: 'argo', application: 'api' },
  { id: 'ci', type: 'ci-green', connector: 'gh', repository: 'acme/api' },
  { id: 'api-image', type: 'running-image-matches', connector: 'k8s', namespace: 'production', deployment: 'api' },
  { id: 'web-image', type: 'running-image-matches', connector: 'k8s', namespace: 'production', deployment: 'web' },
  { id: 'sentry', type: 'error-issues-below', connector: 'sentry', project: 'api', max: 2 },
  { id: 'nobody', type: 'gitops-synced-healthy', connector: 'no-such-connector', application: 'api' },
];

/** Validates each rule as the policy would (defaults applied), then judges it. */
function judgeAll(readings: SnapshotReading[], release: { sourceSha: string; imageDigest: string }, evaluatedAt: string) {
  return Object.fromEntries(
    POLICY_RULES.map((raw) => {
      const spec = connectorRuleSpec(raw.type)!;
      const { id: _id, type: _type, ...params } = raw;
      const rule = z.object(spec.params).parse(params);
      return [raw.id, judgeConnectorRule(spec, rule, { readings, release, evaluatedAt })];
    }),
  );
}

beforeAll(async () => {
  ({ workspace, standIn } = await connectorTestbed('rules', TOKEN));
  const make = (name: string, type: Parameters<typeof createConnector>[1]['type'], config: Record<string, unknown>, shared = false) =>
    createConnector(
      { workspace, actor: ADMIN },
      { name, type, environment: shared ? null : 'production', secretRef: shared ? 'store:shared/token' : 'store:production/token', config: { baseUrl: standIn.url, retries: 0, ...config } },
    );
  await make('prom', 'prometheus', { queries: [{ id: 'error-rate', query: ERROR_RATE }] });
  await make('logs', 'loki', { queries: [{ id: 'panics', query: '{app="api"} |= "panic"' }] });
  await make('pd', 'pagerduty', { services: ['PAPI001'] }, true);
  await make('argo', 'argocd', { applications: ['api'] });
  await make('gh', 'github-actions', { repositories: ['acme/api'] }, true);
  await make('k8s', 'kubernetes', { namespaces: ['production'] });
  await make('sentry', 'sentry', { organization: 'acme', projects: ['api'], environment: 'production' });
});

afterAll(async () => {
  await standIn.close();
  configureSecrets();
});

const collect = (environment: string, sourceSha = SHA) =>
  collectConnectorReadings({ workspace, rules: POLICY_RULES, release: { environment, sourceSha }, actor: ADMIN });

describe('connector rules over live readings', () => {
  it('judges each rule with the measured value, the threshold and the reading digest', async () => {
    const before = standIn.requests.length;
    const readings = await collect('production');
    // One read per (connector, target), however many rules use it.
    expect(standIn.requests.length - before).toBe(8); // prom, loki, pd, argo, gh, k8s deployments + pods, sentry
    expect(readings).toHaveLength(8);
    const evaluatedAt = new Date(Date.now() + 1000).toISOString();
    const results = judgeAll(readings, { sourceSha: SHA, imageDigest: RELEASED_DIGEST }, evaluatedAt);
    const status = Object.fromEntries(Object.entries(results).map(([id, r]) => [id, r.status]));
    expect(status).toEqual({
      'errors-low': 'pass',
      'errors-very-low': 'fail',
      'few-panics': 'pass',
      'no-incident': 'fail',
      synced: 'pass',
      ci: 'pass',
      'api-image': 'pass',
      'web-image': 'fail',
      sentry: 'pass',
      nobody: 'missing',
    });
    expect(results['errors-very-low']).toMatchObject({ measured: 0.012, threshold: { max: 0.01 } });
    expect(results['no-incident']!.message).toContain('#101 API latency');
    expect(results['web-image']!.message).toMatch(/runs sha256:22222222222/);
    expect(results.nobody!.message).toContain('no connector named "no-such-connector"');
    const promReading = readings.find((r) => r.connector === 'prom')!;
    expect(results['errors-low']!.evidence).toEqual([readingDigest(promReading)]);

    // The same readings and the same evaluation time give the same judgement (replay).
    expect(judgeAll(readings, { sourceSha: SHA, imageDigest: RELEASED_DIGEST }, evaluatedAt)).toEqual(results);
    // Two hours later the same readings are stale.
    const later = judgeAll(readings, { sourceSha: SHA, imageDigest: RELEASED_DIGEST }, new Date(Date.now() + 2 * 3600_000).toISOString());
    expect(later['errors-low']!.status).toBe('stale');
  });

  it('judges CI for the release SHA, not another', async () => {
    const readings = await collect('production', OTHER_SHA);
    const results = judgeAll(readings, { sourceSha: OTHER_SHA, imageDigest: RELEASED_DIGEST }, new Date().toISOString());
    expect(results.ci).toMatchObject({ status: 'fail', measured: 'failure' });
  });

  it('does not use a connector of another environment for a staging release', async () => {
    const before = standIn.requests.length;
    const readings = await collect('staging');
    const byConnector = Object.fromEntries(readings.map((r) => [r.connector, r]));
    expect(byConnector.prom!.error).toBe('connector "prom" serves environment "production", not "staging"');
    expect(byConnector.k8s!.error).toMatch(/serves environment "production"/);
    // Shared connectors (no environment) read with store:shared/ credentials.
    expect(byConnector.pd!.error).toBeUndefined();
    expect(byConnector.gh!.error).toBeUndefined();
    const sent = standIn.requests.slice(before).map((r) => r.path);
    expect(sent.every((path) => path === '/incidents' || path.startsWith('/repos/'))).toBe(true);
  });

  it('falls back to the polled reading when the server is down, judged by its age', async () => {
    const { listConnectors } = await import('./store');
    const prom = (await listConnectors(workspace.id)).find((c) => c.name === 'prom')!;
    expect(await pollConnector(workspace.id, prom.id, ADMIN)).toMatchObject({ read: 1, failed: 0 });
    standIn.failNext(100, 503);
    try {
      const readings = await collectConnectorReadings({ workspace, rules: [POLICY_RULES[0]!], release: { environment: 'production', sourceSha: SHA }, actor: ADMIN });
      expect(readings[0]).toMatchObject({ connector: 'prom', subject: 'query:error-rate' });
      expect(readings[0]!.error).toBeUndefined();
      expect((readings[0]!.value as { value: number }).value).toBe(0.012);
    } finally {
      standIn.failNext(0, 200);
    }
  });
});
