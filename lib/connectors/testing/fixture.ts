/** A stand-in fixture with data inside and outside every connector's scope. */
import type { Fixture } from './standin';

export const SHA = 'a'.repeat(40);
export const OTHER_SHA = 'b'.repeat(40);
export const RELEASED_DIGEST = `sha256:${'1'.repeat(64)}`;
export const OLD_DIGEST = `sha256:${'2'.repeat(64)}`;

function deployment(name: string, image: string, labels: Record<string, string>) {
  return {
    metadata: { name, generation: 4 },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { spec: { containers: [{ name: 'app', image }] } } },
    status: { observedGeneration: 4, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 },
  };
}

function pod(name: string, labels: Record<string, string>, digest: string) {
  return {
    metadata: { name, labels },
    status: { phase: 'Running', containerStatuses: [{ name: 'app', image: 'registry.example/api:1.4.0', imageID: `docker-pullable://registry.example/api@${digest}`, ready: true }] },
  };
}

function run(id: number, workflow: string, sha: string, conclusion: string | null, runNumber: number, status = 'completed') {
  return {
    id,
    name: workflow,
    path: `.github/workflows/${workflow}`,
    workflow_id: workflow === 'ci.yml' ? 11 : 12,
    head_sha: sha,
    status,
    conclusion,
    run_number: runNumber,
    run_attempt: 1,
    event: 'push',
    html_url: `https://github.example/runs/${id}`,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:05:00Z',
  };
}

export function makeFixture(token: string): Fixture {
  return {
    token,
    kubernetes: {
      production: {
        deployments: [deployment('api', 'registry.example/api:1.4.0', { app: 'api' }), deployment('web', 'registry.example/web:2.0.0', { app: 'web' })],
        pods: [pod('api-1', { app: 'api' }, RELEASED_DIGEST), pod('api-2', { app: 'api' }, RELEASED_DIGEST), pod('web-1', { app: 'web' }, OLD_DIGEST)],
      },
      'kube-system': {
        deployments: [deployment('coredns', 'registry.k8s.io/coredns:1.11', { k8s: 'dns' })],
        pods: [pod('coredns-1', { k8s: 'dns' }, OLD_DIGEST)],
      },
    },
    prometheus: {
      'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))': {
        resultType: 'vector',
        result: [
          { metric: { service: 'api' }, value: [1767225600, '0.004'] },
          { metric: { service: 'web' }, value: [1767225600, '0.012'] },
        ],
      },
      'up{job="secret-internal"}': { resultType: 'vector', result: [{ metric: {}, value: [1767225600, '1'] }] },
    },
    loki: {
      '{app="api"} |= "panic"': { resultType: 'streams', result: [{ stream: { app: 'api' }, values: [['1', 'panic: a'], ['2', 'panic: b']] }] },
    },
    github: {
      'acme/api': [run(1, 'ci.yml', SHA, 'failure', 7), run(2, 'ci.yml', SHA, 'success', 8), run(3, 'lint.yml', SHA, 'success', 3), run(4, 'ci.yml', OTHER_SHA, 'failure', 9)],
      'acme/secret-project': [run(9, 'ci.yml', SHA, 'success', 1)],
    },
    argocd: {
      api: { metadata: { name: 'api' }, status: { sync: { status: 'Synced', revision: SHA }, health: { status: 'Healthy' }, summary: { images: ['registry.example/api:1.4.0'] }, reconciledAt: '2026-01-01T00:00:00Z' } },
      billing: { metadata: { name: 'billing' }, status: { sync: { status: 'OutOfSync' }, health: { status: 'Degraded' } } },
    },
    pagerduty: [
      { id: 'Q1', incident_number: 101, title: 'API latency', status: 'triggered', urgency: 'high', service: { id: 'PAPI001' }, created_at: '2026-01-01T00:00:00Z', html_url: 'https://pd.example/incidents/Q1' },
      { id: 'Q2', incident_number: 102, title: 'Disk 80%', status: 'acknowledged', urgency: 'low', service: { id: 'PAPI001' }, created_at: '2026-01-01T00:00:00Z', html_url: 'https://pd.example/incidents/Q2' },
      { id: 'Q3', incident_number: 103, title: 'HR system down', status: 'triggered', urgency: 'high', service: { id: 'PHR0001' }, created_at: '2026-01-01T00:00:00Z', html_url: 'https://pd.example/incidents/Q3' },
    ],
    sentry: {
      'acme/api': [
        { id: '1', shortId: 'API-1', title: 'TypeError', level: 'error', count: '12', lastSeen: '2026-01-01T00:00:00Z', permalink: 'https://sentry.example/1', environment: 'production' },
        { id: '2', shortId: 'API-2', title: 'Deprecated call', level: 'warning', count: '3', lastSeen: '2026-01-01T00:00:00Z', permalink: 'https://sentry.example/2', environment: 'production' },
        { id: '3', shortId: 'API-3', title: 'Crash', level: 'fatal', count: '1', lastSeen: '2026-01-01T00:00:00Z', permalink: 'https://sentry.example/3', environment: 'staging' },
      ],
      'acme/payroll': [{ id: '9', shortId: 'PAY-1', title: 'Payroll error', level: 'error', count: '1', lastSeen: '2026-01-01T00:00:00Z', permalink: 'https://sentry.example/9' }],
    },
  };
}
