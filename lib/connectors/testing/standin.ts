/**
 * A local stand-in for the APIs connectors read: the real paths, parameters, headers and
 * response shapes of Kubernetes, Prometheus, Loki, GitHub, Argo CD, PagerDuty and Sentry, over a
 * fixture that holds more than any one connector may read (other namespaces, services,
 * projects...). It records every request it receives, so a test proves which requests were sent,
 * and answers like the real API would, out-of-scope data included, when asked for it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Array<[string, string]>;
  authorization: string | null;
  headers: http.IncomingHttpHeaders;
}

export interface Fixture {
  /** Bearer token (or PagerDuty token) the stand-in accepts; others get 401. */
  token: string;
  kubernetes: Record<string, { deployments: unknown[]; pods: unknown[] }>;
  prometheus: Record<string, { resultType: 'vector' | 'scalar'; result: unknown }>;
  loki: Record<string, { resultType: 'streams' | 'matrix'; result: unknown[] }>;
  github: Record<string, unknown[]>;
  argocd: Record<string, unknown>;
  pagerduty: unknown[];
  sentry: Record<string, unknown[]>;
}

export interface StandIn {
  url: string;
  requests: RecordedRequest[];
  fixture: Fixture;
  /** Answer the next N requests with this status (transient failures, outages). */
  failNext(count: number, status: number, body?: string): void;
  /** Delay every answer (timeouts). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startStandIn(fixture: Fixture, port = 0): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  let failures: Array<{ status: number; body: string }> = [];
  const state = { delayMs: 0 };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: [...url.searchParams],
      authorization: req.headers.authorization ?? null,
      headers: req.headers,
    });
    const send = (status: number, body: unknown) => {
      const answer = () => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (state.delayMs) setTimeout(answer, state.delayMs);
      else answer();
    };
    const failure = failures.shift();
    if (failure) return send(failure.status, failure.body);
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${fixture.token}` && auth !== `Token token=${fixture.token}`) {
      // Some servers echo what they were sent: a connector must never pass this on.
      return send(401, { message: 'Unauthorized', received: auth });
    }
    send(...route(fixture, url));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    fixture,
    failNext(count, status, body = '{"message":"unavailable"}') {
      failures = Array.from({ length: count }, () => ({ status, body }));
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Answer = [number, unknown];

function route(fixture: Fixture, url: URL): Answer {
  const path = url.pathname;
  const q = url.searchParams;
  let m: RegExpMatchArray | null;

  // Kubernetes (apps/v1 and core/v1), paginated with limit/continue like the API server.
  if ((m = path.match(/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+))?$/))) {
    const namespace = fixture.kubernetes[decodeURIComponent(m[1]!)];
    if (!namespace) return m[2] ? [404, { kind: 'Status', reason: 'NotFound' }] : [200, { kind: 'DeploymentList', items: [], metadata: {} }];
    if (m[2]) {
      const found = namespace.deployments.find((d) => (d as { metadata: { name: string } }).metadata.name === decodeURIComponent(m![2]!));
      return found ? [200, found] : [404, { kind: 'Status', reason: 'NotFound' }];
    }
    return [200, page('DeploymentList', namespace.deployments, q)];
  }
  if ((m = path.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods$/))) {
    const namespace = fixture.kubernetes[decodeURIComponent(m[1]!)];
    return [200, page('PodList', namespace?.pods ?? [], q)];
  }
  // Every pod of the cluster: what a connector without namespace scoping would read.
  if (path === '/api/v1/pods') return [200, page('PodList', Object.values(fixture.kubernetes).flatMap((ns) => ns.pods), q)];

  // Prometheus instant queries.
  if (path === '/api/v1/query') {
    const result = fixture.prometheus[q.get('query') ?? ''];
    return result ? [200, { status: 'success', data: result }] : [200, { status: 'success', data: { resultType: 'vector', result: [] } }];
  }
  // Loki range queries.
  if (path === '/loki/api/v1/query_range') {
    if (!q.get('start') || !q.get('end')) return [400, 'start and end are required'];
    const result = fixture.loki[q.get('query') ?? ''];
    return [200, { status: 'success', data: result ?? { resultType: 'streams', result: [] } }];
  }
  // GitHub Actions workflow runs, filtered by head_sha like the API.
  if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/actions\/runs$/))) {
    const runs = fixture.github[`${m[1]}/${m[2]}`];
    if (!runs) return [404, { message: 'Not Found' }];
    const sha = q.get('head_sha');
    const selected = runs.filter((run) => !sha || (run as { head_sha: string }).head_sha === sha);
    return [200, { total_count: selected.length, workflow_runs: selected }];
  }
  // Argo CD applications.
  if ((m = path.match(/^\/api\/v1\/applications\/([^/]+)$/))) {
    const app = fixture.argocd[decodeURIComponent(m[1]!)];
    return app ? [200, app] : [404, { error: 'application not found', code: 5 }];
  }
  if (path === '/api/v1/applications') return [200, { items: Object.values(fixture.argocd) }];
  // PagerDuty incidents: without service_ids[] the API lists the whole account's incidents.
  if (path === '/incidents') {
    const services = q.getAll('service_ids[]');
    const statuses = q.getAll('statuses[]');
    const incidents = fixture.pagerduty.filter((incident) => {
      const i = incident as { service: { id: string }; status: string };
      return (services.length === 0 || services.includes(i.service.id)) && (statuses.length === 0 || statuses.includes(i.status));
    });
    return [200, { incidents, limit: Number(q.get('limit') ?? 25), offset: 0, more: false }];
  }
  // Sentry project issues.
  if ((m = path.match(/^\/api\/0\/projects\/([^/]+)\/([^/]+)\/issues\/$/))) {
    const issues = fixture.sentry[`${m[1]}/${m[2]}`];
    if (!issues) return [404, { detail: 'The requested resource does not exist' }];
    const query = q.get('query') ?? '';
    const environment = query.match(/environment:(\S+)/)?.[1];
    return [200, issues.filter((issue) => !environment || (issue as { environment?: string }).environment === environment)];
  }
  if ((m = path.match(/^\/api\/0\/organizations\/([^/]+)\/issues\/$/))) return [200, Object.values(fixture.sentry).flat()];
  return [404, { message: `no such path on the stand-in: ${path}` }];
}

function page(kind: string, items: unknown[], q: URLSearchParams) {
  const limit = Number(q.get('limit') ?? items.length) || items.length;
  const start = Number(q.get('continue') ?? 0);
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? String(start + limit) : undefined;
  return { kind, apiVersion: 'v1', items: slice, metadata: next ? { continue: next } : {} };
}
