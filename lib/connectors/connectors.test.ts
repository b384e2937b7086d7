import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { connectors, environments } from '@/db/schema/runtime';
import { configureSecrets } from '@/lib/secrets';
import { ADMIN } from '@/lib/secrets/test-support';
import { ConnectorError, connectorHttp } from './http';
import { connectorKind } from './kinds';
import { takeReading } from './read';
import { ScopeError } from './scope';
import { createConnector, getConnector, type Connector, type ConnectorInput } from './store';
import { connectorTestbed } from './testing/setup';
import { OLD_DIGEST, RELEASED_DIGEST, SHA } from './testing/fixture';
import type { StandIn } from './testing/standin';

const TOKEN = 'standin-token-7f3a9c';
let standIn: StandIn;
let workspace: { id: string; slug: string };

beforeAll(async () => {
  ({ workspace, standIn } = await connectorTestbed('connectors', TOKEN, { RP_HOST_TOKEN: TOKEN }));
});

afterAll(async () => {
  await standIn.close();
  configureSecrets();
});

let counter = 0;
async function connector(type: ConnectorInput['type'], config: Record<string, unknown>, extra: Partial<ConnectorInput> = {}): Promise<Connector> {
  return createConnector(
    { workspace, actor: ADMIN },
    { name: `${type}-${++counter}`, type, environment: 'production', secretRef: 'store:production/token', config: { baseUrl: standIn.url, retries: 0, ...config }, ...extra },
  );
}

/** Runs `work` and returns the requests the stand-in received meanwhile. */
async function sent(work: () => Promise<unknown>): Promise<StandIn['requests']> {
  const before = standIn.requests.length;
  await work();
  return standIn.requests.slice(before);
}

async function refused(work: () => Promise<unknown>) {
  const requests = await sent(async () => {
    const error = await work().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScopeError);
  });
  expect(requests, 'an out-of-scope request reached the server').toEqual([]);
}

/** A client with the connector's allowlist, used as a read function with a bug would use it. */
function rawClient(c: Connector) {
  const kind = connectorKind(c.type);
  const config = kind.configSchema.parse(c.config) as { baseUrl: string };
  return connectorHttp({ name: c.name, baseUrl: config.baseUrl, allowed: kind.allowedRequests(config), authorize: (h) => h.set('authorization', `Bearer ${TOKEN}`), timeoutMs: 2000, retries: 0 });
}

const read = (c: Connector, target: string, sha?: string) => takeReading(c, target, { actor: ADMIN, subject: sha ? { sha } : {} });

describe('scoped connectors against their APIs', () => {
  it('Kubernetes: deployments and running digests of the configured namespaces only', async () => {
    const k8s = await connector('kubernetes', { namespaces: ['production'] });
    const requests = await sent(async () => {
      const { reading, digest } = await read(k8s, 'production');
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      const deployments = reading.data.deployments as Array<{ name: string; containers: Array<{ runningDigests: string[] }> }>;
      expect(deployments.map((d) => [d.name, d.containers[0]!.runningDigests])).toEqual([
        ['api', [RELEASED_DIGEST]],
        ['web', [OLD_DIGEST]],
      ]);
    });
    expect(requests.map((r) => r.path)).toEqual(['/apis/apps/v1/namespaces/production/deployments', '/api/v1/namespaces/production/pods']);
    expect(requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    await refused(() => read(k8s, 'kube-system'));
    await refused(() => rawClient(k8s).getJson('/apis/apps/v1/namespaces/kube-system/deployments'));
    await refused(() => rawClient(k8s).getJson('/api/v1/pods'));
    await refused(() => rawClient(k8s).getJson('/api/v1/namespaces/production/secrets'));
    await refused(() => rawClient(k8s).getJson('/api/v1/namespaces/production/pods', { fieldSelector: 'x' }));

    const onlyApi = await connector('kubernetes', { namespaces: ['production'], deployments: ['api'] });
    const narrow = await sent(() => read(onlyApi, 'production'));
    expect(narrow.map((r) => r.path)).toEqual(['/apis/apps/v1/namespaces/production/deployments/api', '/api/v1/namespaces/production/pods']);
    await refused(() => rawClient(onlyApi).getJson('/apis/apps/v1/namespaces/production/deployments'));
  });

  it('Prometheus: configured queries only, the largest sample as the value', async () => {
    const query = 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))';
    const prom = await connector('prometheus', { queries: [{ id: 'error-rate', query }] });
    const requests = await sent(async () => {
      const { reading } = await read(prom, 'error-rate');
      expect(reading.data).toMatchObject({ queryId: 'error-rate', value: 0.012, series: 2 });
    });
    expect(requests.map((r) => [r.path, r.query])).toEqual([['/api/v1/query', [['query', query]]]]);
    await refused(() => read(prom, 'up'));
    await refused(() => rawClient(prom).getJson('/api/v1/query', { query: 'up{job="secret-internal"}' }));
    await refused(() => rawClient(prom).getJson('/api/v1/series', { 'match[]': 'up' }));
  });

  it('Loki: configured LogQL queries over their window, with the tenant header', async () => {
    const logs = await connector('loki', { tenant: 'team-a', queries: [{ id: 'panics', query: '{app="api"} |= "panic"', rangeSeconds: 600 }] });
    const requests = await sent(async () => {
      const { reading } = await read(logs, 'panics');
      expect(reading.data).toMatchObject({ queryId: 'panics', count: 2, truncated: false, rangeSeconds: 600 });
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['x-scope-orgid']).toBe('team-a');
    const params = Object.fromEntries(requests[0]!.query);
    expect(BigInt(params.end!) - BigInt(params.start!)).toBe(600n * 1_000_000_000n);
    await refused(() => rawClient(logs).getJson('/loki/api/v1/query_range', { query: '{app=~".+"}', start: '1', end: '2' }));
    await refused(() => rawClient(logs).getJson('/loki/api/v1/labels'));
  });

  it('GitHub Actions: the runs of the configured repositories for the release SHA', async () => {
    const ci = await connector('github-actions', { repositories: ['acme/api'] });
    const requests = await sent(async () => {
      const { reading } = await read(ci, 'acme/api', SHA);
      // ci.yml failed in run 7 and passed in run 8: the latest run decides.
      expect(reading.data).toMatchObject({ conclusion: 'success', sha: SHA });
      expect((reading.data.runs as unknown[]).length).toBe(2);
    });
    expect(requests.map((r) => [r.path, r.query])).toEqual([['/repos/acme/api/actions/runs', [['head_sha', SHA], ['per_page', '100']]]]);
    expect(requests[0]!.headers['x-github-api-version']).toBe('2022-11-28');

    const required = await connector('github-actions', { repositories: ['acme/api'], workflows: ['ci.yml', 'deploy.yml'] });
    expect((await read(required, 'acme/api', SHA)).reading.data).toMatchObject({ conclusion: 'pending', missingWorkflows: ['deploy.yml'] });
    await expect(read(ci, 'acme/api')).rejects.toThrow(/needs the release's 40-character source SHA/);
    await refused(() => read(ci, 'acme/secret-project', SHA));
    await refused(() => rawClient(ci).getJson('/repos/acme/secret-project/actions/runs', { head_sha: SHA }));
    await refused(() => rawClient(ci).getJson('/repos/acme/api/actions/runs'));
    await refused(() => rawClient(ci).getJson('/repos/acme/api/actions/secrets'));
  });

  it('Argo CD: the configured applications by name', async () => {
    const argo = await connector('argocd', { applications: ['api'] });
    const requests = await sent(async () => {
      const { reading } = await read(argo, 'api');
      expect(reading.data).toMatchObject({ application: 'api', sync: 'Synced', health: 'Healthy', revision: SHA });
    });
    expect(requests.map((r) => r.path)).toEqual(['/api/v1/applications/api']);
    await refused(() => read(argo, 'billing'));
    await refused(() => rawClient(argo).getJson('/api/v1/applications'));
  });

  it('PagerDuty: open incidents of the configured services, never the whole account', async () => {
    const pd = await connector('pagerduty', { services: ['PAPI001'] });
    const requests = await sent(async () => {
      const { reading } = await read(pd, 'PAPI001');
      expect(reading.data).toMatchObject({ service: 'PAPI001', open: 2, openHighUrgency: 1 });
      expect(JSON.stringify(reading.data)).not.toContain('HR system');
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.authorization).toBe(`Token token=${TOKEN}`);
    expect(requests[0]!.query.filter(([name]) => name === 'service_ids[]')).toEqual([['service_ids[]', 'PAPI001']]);
    await refused(() => read(pd, 'PHR0001'));
    await refused(() => rawClient(pd).getJson('/incidents', { 'statuses[]': ['triggered'] }));
    await refused(() => rawClient(pd).getJson('/incidents', { 'service_ids[]': ['PAPI001', 'PHR0001'] }));
  });

  it('Sentry: unresolved issues of the configured projects, in the configured environment', async () => {
    const errors = await connector('sentry', { organization: 'acme', projects: ['api'], environment: 'production' });
    const requests = await sent(async () => {
      const { reading } = await read(errors, 'api');
      expect(reading.data).toMatchObject({ project: 'api', unresolved: 2, unresolvedErrors: 1, byLevel: { error: 1, warning: 1 } });
    });
    expect(requests.map((r) => r.path)).toEqual(['/api/0/projects/acme/api/issues/']);
    await refused(() => read(errors, 'payroll'));
    await refused(() => rawClient(errors).getJson('/api/0/organizations/acme/issues/'));
    await refused(() => rawClient(errors).getJson('/api/0/projects/acme/api/issues/', { query: 'is:unresolved' }));
  });
});

describe('the connector transport', () => {
  it('refuses other hosts and base paths before sending', async () => {
    const prom = await connector('prometheus', { baseUrl: `${standIn.url}/prom`, queries: [{ id: 'q', query: 'up' }] });
    const client = rawClient(prom);
    await refused(() => client.getJson('/../api/v1/query', { query: 'up' }));
    const requests = await sent(() => read(prom, 'q').catch(() => null));
    expect(requests.map((r) => r.path)).toEqual(['/prom/api/v1/query']);
  });

  it('retries transient failures, then records the status without the credential', async () => {
    const argo = await connector('argocd', { applications: ['api'], retries: 2 });
    standIn.failNext(2, 503);
    const requests = await sent(() => read(argo, 'api'));
    expect(requests).toHaveLength(3);
    const ok = await getConnector(workspace.id, argo.id);
    expect(ok!.lastSuccessAt).not.toBeNull();
    expect(ok!.consecutiveFailures).toBe(0);

    // The server echoes the credential in a 401 body: it appears neither in the error nor the status.
    standIn.failNext(1, 401, JSON.stringify({ message: 'bad token', received: `Bearer ${TOKEN}` }));
    const error = await read(argo, 'api').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toMatch(/answered 401 \(check the credential/);
    const failed = await getConnector(workspace.id, argo.id);
    expect(failed!.lastError).toMatch(/answered 401/);
    expect(failed!.consecutiveFailures).toBe(1);
    expect(JSON.stringify([error, (error as Error).message, failed])).not.toContain(TOKEN);
  });

  it('gives up after the timeout, and never follows a redirect', async () => {
    const argo = await connector('argocd', { applications: ['api'], timeoutMs: 500 });
    standIn.delayMs = 1_500;
    try {
      await expect(read(argo, 'api')).rejects.toThrow(/no answer within 500 ms/);
    } finally {
      standIn.delayMs = 0;
    }
    standIn.failNext(1, 302, '{}');
    await expect(read(argo, 'api')).rejects.toThrow(/do not follow redirects/);
  });
});

describe('connector credentials and the secrets policy', () => {
  it('refuses to save a connector whose flow may not read its credential', async () => {
    await expect(connector('argocd', { applications: ['api'] }, { environment: 'staging' })).rejects.toThrow(
      /connector for environment "staging" cannot read store:production\/token/,
    );
    await expect(connector('argocd', { applications: ['api'] }, { secretRef: 'env:RP_HOST_TOKEN' })).rejects.toThrow(/cannot read env:RP_HOST_TOKEN/);
    await expect(connector('argocd', { applications: ['api'] }, { secretRef: null })).rejects.toThrow(/needs a credential/);
    await expect(connector('argocd', { applications: ['API!'] })).rejects.toThrow(/config.applications.0/);
    const shared = await connector('argocd', { applications: ['api'] }, { environment: null, secretRef: 'store:shared/token' });
    expect((await read(shared, 'api')).reading.data).toMatchObject({ sync: 'Synced' });
  });

  it('sends nothing when the policy denies the credential at read time', async () => {
    const argo = await connector('argocd', { applications: ['api'] });
    // The connector is moved to staging behind the API's back: its flow is now staging's.
    const db = await getRuntimeDb();
    const [staging] = await db.select().from(environments).where(eq(environments.slug, 'staging'));
    await db.update(connectors).set({ environmentId: staging!.id }).where(eq(connectors.id, argo.id));
    const moved = (await getConnector(workspace.id, argo.id))!;
    const requests = await sent(async () => {
      await expect(read(moved, 'api')).rejects.toMatchObject({ code: 'denied' });
    });
    expect(requests).toEqual([]);
    expect((await getConnector(workspace.id, argo.id))!.lastError).toMatch(/secrets policy does not let a connector flow for environment "staging"/);
  });
});
