/**
 * The generated fuzz suite: every /api/v1 endpoint of the registry (lib/api/registry.ts), through
 * its real route module, with the strongest credential it accepts, fed hostile input: strings
 * with lone surrogates, NUL and control characters, huge and deeply nested values, wrong types,
 * wrong content types, traversal and broken encodings in path parameters, unsupported methods.
 * It asserts no 5xx, every 4xx is problem+json carrying the request id, and that a refused request
 * leaves every table's row count as it was.
 *
 * CI runs a fixed seed. Longer, with a random seed (fast-check prints the seed and the shrunk
 * counterexample of a failure; FUZZ_SEED=<that seed> replays it):
 *   FUZZ_RUNS=500 FUZZ_SEED=random npx vitest run lib/http/api-fuzz.test.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import type { EndpointDefinition, HttpMethod } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/registry';
import { configureSecrets } from '@/lib/secrets';
import { setBlobStore } from '@/lib/storage';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { rowCounts as countRows } from '@/lib/testing/row-counts';
import { apiRequest, testMember, testSessionCookie, testToken, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';

const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261205);
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
type Route = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-api-fuzz-'));
let db: RuntimeDb;
let workspace: WorkspaceRef;
let token: string;
let cookie: string;
const rowCounts = () => countRows(db);

/** `/api/v1/passports/{id}` → the route module at app/api/v1/passports/[id]/route.runtime.ts. */
async function routeModule(endpoint: EndpointDefinition): Promise<Record<string, Route | undefined>> {
  const file = endpoint.path.replace(/\{(\w+)\}/g, '[$1]');
  return (await import(/* @vite-ignore */ path.join(import.meta.dirname, '..', '..', 'app', `${file}/route.runtime.ts`))) as Record<string, Route | undefined>;
}

const hostileString = fc.oneof(
  fc.constantFrom('\ud800', 'a\udc00b', '\u0000', 'x\u0000y', '\u0007\u001b[31m', '\r\n', '../../etc/passwd', '..%2f..%2f', '%ED%A0%80', '%00', '\\\\?\\', ''),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 70_000, maxLength: 70_000, unit: fc.constant('a') }),
);
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const deep = fc.integer({ min: 65, max: 3000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);

/**
 * Valid bodies, so that one hostile field reaches the handler past the others' validation (a body
 * hostile everywhere is refused by its first field and tests nothing deeper).
 */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  'gate.evaluate': { service: 'checkout', environment: 'staging', sourceSha: 'd'.repeat(40), imageDigest: `sha256:${'78'.repeat(32)}`, chartVersion: '1.2.3', evidence: [], artifacts: [] },
  'passport.legal_hold': { hold: true, reason: 'litigation' },
  'connector.test': { sourceSha: 'e'.repeat(40) },
  'deployment.report': { image: `registry.example/api@sha256:${'9a'.repeat(32)}`, service: 'api' },
};

/** A body for the endpoint: one hostile field in a valid body, hostile JSON (an object with its own field names, or any value), a deep nest, or the wrong media type. */
function hostileBody(endpoint: EndpointDefinition) {
  const shape = (endpoint.body as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
  const fields = Object.keys(shape);
  const object = fields.length ? fc.record(Object.fromEntries(fields.map((field) => [field, hostileValue])), { requiredKeys: [] }) : fc.dictionary(hostileString, hostileValue);
  const valid = VALID_BODIES[endpoint.id];
  const mutated = valid
    ? fc.tuple(fc.constantFrom(...Object.keys(valid)), hostileValue).map(([field, value]) => ({ body: JSON.stringify({ ...valid, [field]: value }), type: 'application/json' }))
    : object.map((value) => ({ body: JSON.stringify(value), type: 'application/json' }));
  return fc.oneof(
    { arbitrary: mutated, weight: 4 },
    object.map((value) => ({ body: JSON.stringify(value), type: 'application/json' })),
    hostileValue.map((value) => ({ body: JSON.stringify(value) ?? 'null', type: 'application/json' })),
    deep.map((body) => ({ body: `{"x":${body}}`, type: 'application/json' })),
    fc.constantFrom('{"a":', '\u0000', '[1,2', 'not json').map((body) => ({ body, type: 'application/json' })),
    fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml').map((type) => ({ body: 'a=1', type })),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ body: bytes, type: endpoint.rawBody?.mediaTypes[0] ?? 'application/octet-stream' })),
  );
}

function hostileQuery(endpoint: EndpointDefinition) {
  const shape = (endpoint.query as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
  const fields = [...Object.keys(shape), 'service', 'environment'];
  return fc.dictionary(fc.constantFrom(...fields), hostileString, { maxKeys: 3 });
}

/** Path parameters as Next hands them over (already decoded): traversal, NUL, lone surrogates, or a valid-looking value. */
function hostileParams(endpoint: EndpointDefinition) {
  const names = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const value = fc.oneof(hostileString.filter((text) => text.length < 200), fc.constantFrom('a'.repeat(64), '0'.repeat(64), 'fuzz', 'sbom', crypto.randomUUID()));
  return fc.record(Object.fromEntries(names.map((name) => [name, name === 'workspace' ? fc.oneof(fc.constant('fuzz'), value) : value])));
}

function credentials(endpoint: EndpointDefinition): { token?: string; cookie?: string; headers: Record<string, string> } {
  if (endpoint.auth === 'session') return { cookie, headers: { origin: 'http://localhost:3000', 'rp-workspace': 'fuzz' } };
  if (endpoint.auth === 'public') return { headers: {} };
  return { token, headers: {} };
}

function requestFor(endpoint: EndpointDefinition, method: string, params: Record<string, string>, query: Record<string, string>, body: { body: BodyInit; type: string } | null): Request {
  const pathname = endpoint.path.replace(/\{(\w+)\}/g, (_match, name: string) => encodeURIComponent(params[name]!.toWellFormed()));
  const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, value.toWellFormed()])).toString();
  const auth = credentials(endpoint);
  return apiRequest(`${pathname}${search ? `?${search}` : ''}`, {
    method,
    token: auth.token,
    cookie: auth.cookie,
    body: body?.body ?? undefined,
    headers: { ...auth.headers, ...(body ? { 'content-type': body.type } : {}) },
  });
}

async function expectWellFormedRefusal(response: Response, label: string): Promise<void> {
  expect(response.status, `${label}: ${response.status} ${await response.clone().text()}`).toBeLessThan(500);
  if (response.status >= 400) {
    expect(response.headers.get('content-type'), label).toContain('application/problem+json');
    const problem = (await response.json()) as { requestId?: string; status?: number };
    expect(problem.requestId, label).toBe(response.headers.get('x-request-id'));
    expect(problem.status, label).toBe(response.status);
  }
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  setBlobStore(new FilesystemBlobStore(path.join(dataDir, 'blobs')));
  vi.stubEnv('RP_RATE_LIMIT_API', '1000000/60s');
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'fuzz');
  token = (await testToken(db, workspace, { scopes: ['gate:evaluate', 'evidence:write', 'evidence:read', 'passport:read', 'policy:read', 'deployment:report'] })).token;
  const owner = await testMember(db, workspace, 'admin');
  cookie = (await testSessionCookie(db, owner, ['fuzz'])).cookie;
});

afterAll(() => {
  vi.stubEnv('RP_RATE_LIMIT_API', undefined);
  setBlobStore(undefined);
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('every registry endpoint under hostile input', () => {
  it.each(endpoints.map((endpoint) => [`${endpoint.method} ${endpoint.path}`, endpoint] as const))('%s: no 5xx, problems with request ids, no rows from refusals', async (label, endpoint) => {
    const route = (await routeModule(endpoint))[endpoint.method];
    expect(route, `${label} has a route handler`).toBeTypeOf('function');
    const withBody = endpoint.method !== 'GET';
    await fc.assert(
      fc.asyncProperty(hostileParams(endpoint), hostileQuery(endpoint), withBody ? fc.option(hostileBody(endpoint), { nil: null }) : fc.constant(null), async (params, query, body) => {
        const before = await rowCounts();
        const response = await route!(requestFor(endpoint, endpoint.method, params, query, body), { params: Promise.resolve(params) });
        await expectWellFormedRefusal(response, label);
        if (response.status >= 400) expect(await rowCounts(), `${label}: a refused request changed rows`).toEqual(before);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  // Systematic as well as random: each field of a valid body, in turn, gets each of these.
  const CRITICAL: unknown[] = ['\ud800', 'x\u0000y', '\u001b[2J\r\n', 'a'.repeat(200_000), { nested: [[[[]]]] }, 12, [], null, JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`)];
  it.each(endpoints.filter((endpoint) => VALID_BODIES[endpoint.id]).map((endpoint) => [`${endpoint.method} ${endpoint.path}`, endpoint] as const))(
    '%s: each field of a valid body, in turn hostile',
    async (label, endpoint) => {
      const route = (await routeModule(endpoint))[endpoint.method]!;
      const valid = VALID_BODIES[endpoint.id]!;
      const params = Object.fromEntries([...endpoint.path.matchAll(/\{(\w+)\}/g)].map((match) => [match[1]!, match[1] === 'workspace' ? 'fuzz' : 'a'.repeat(64)]));
      for (const field of Object.keys(valid)) {
        for (const value of CRITICAL) {
          const before = await rowCounts();
          const body = { body: JSON.stringify({ ...valid, [field]: value }), type: 'application/json' };
          const response = await route(requestFor(endpoint, endpoint.method, params, {}, body), { params: Promise.resolve(params) });
          await expectWellFormedRefusal(response, `${label} with ${field}=${JSON.stringify(value).slice(0, 40)}`);
          if (response.status >= 400) expect(await rowCounts(), `${label}: a refused request changed rows`).toEqual(before);
        }
      }
    },
  );

  it.each(endpoints.map((endpoint) => [endpoint.path, endpoint] as const))('%s: unsupported methods get a 405 problem with Allow', async (label, endpoint) => {
    const routes = await routeModule(endpoint);
    const served = METHODS.filter((method) => endpoints.some((other) => other.path === endpoint.path && other.method === method));
    for (const method of METHODS.filter((m) => !served.includes(m))) {
      const handler = routes[method];
      expect(handler, `${label} exports ${method}`).toBeTypeOf('function');
      const response = await handler!(apiRequest(endpoint.path, method === 'GET' ? { method } : { method, json: { any: 'body' } }), { params: Promise.resolve({}) });
      expect(response.status, `${method} ${label}`).toBe(405);
      expect(response.headers.get('allow')?.split(', ')).toEqual(expect.arrayContaining(served));
      await expectWellFormedRefusal(response, `${method} ${label}`);
    }
  });
});

// Environment changes are stubs (vi.stubEnv), undone after this file.
afterAll(() => {
  vi.unstubAllEnvs();
});
