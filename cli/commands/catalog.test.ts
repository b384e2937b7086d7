/**
 * `rp services`, `rp environments` and `rp report-deployment`: the real CLI (a child process)
 * against an HTTP server serving the real route handlers on the test database, with a real token
 * (catalog:write, deployment:report).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as whoami } from '@/app/api/v1/whoami/route.runtime';
import * as deploymentsRoute from '@/app/api/v1/workspaces/[workspace]/environments/[environment]/deployments/route.runtime';
import { PATCH as patchEnvironment } from '@/app/api/v1/workspaces/[workspace]/environments/[environment]/route.runtime';
import * as environmentsRoute from '@/app/api/v1/workspaces/[workspace]/environments/route.runtime';
import { PUT as setOrder } from '@/app/api/v1/workspaces/[workspace]/promotion-order/route.runtime';
import { PATCH as patchService } from '@/app/api/v1/workspaces/[workspace]/services/[service]/route.runtime';
import * as servicesRoute from '@/app/api/v1/workspaces/[workspace]/services/route.runtime';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { configureSecrets } from '@/lib/secrets';
import { startTestHttpServer, type TestHttpServer } from '@/lib/testing/http-server';
import { testMember, testToken, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const root = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-cli-catalog-'));
let db: RuntimeDb;
let workspace: WorkspaceRef;
let token: string;
let ownerEmail: string;
let server: TestHttpServer;
let url: string;

/** Path pattern → the route module's handler for each method. */
const ROUTES: Array<[RegExp, string[], Record<string, Handler | undefined>]> = [
  [/^\/api\/v1\/whoami$/, [], { GET: whoami as Handler }],
  [/^\/api\/v1\/workspaces\/([^/]+)\/services$/, ['workspace'], { GET: servicesRoute.GET, POST: servicesRoute.POST }],
  [/^\/api\/v1\/workspaces\/([^/]+)\/services\/([^/]+)$/, ['workspace', 'service'], { PATCH: patchService }],
  [/^\/api\/v1\/workspaces\/([^/]+)\/environments$/, ['workspace'], { GET: environmentsRoute.GET, POST: environmentsRoute.POST }],
  [/^\/api\/v1\/workspaces\/([^/]+)\/environments\/([^/]+)$/, ['workspace', 'environment'], { PATCH: patchEnvironment }],
  [/^\/api\/v1\/workspaces\/([^/]+)\/promotion-order$/, ['workspace'], { PUT: setOrder }],
  [/^\/api\/v1\/workspaces\/([^/]+)\/environments\/([^/]+)\/deployments$/, ['workspace', 'environment'], { GET: deploymentsRoute.GET, POST: deploymentsRoute.POST }],
];

async function handle(incoming: http.IncomingMessage, outgoing: http.ServerResponse) {
  const pathname = new URL(incoming.url!, 'http://localhost').pathname;
  const match = ROUTES.map(([pattern, names, methods]) => ({ found: pattern.exec(pathname), names, methods })).find((route) => route.found);
  const route = match?.methods[incoming.method!];
  if (!match || !route) {
    outgoing.writeHead(404).end();
    return;
  }
  const params = Object.fromEntries(match.names.map((name, index) => [name, decodeURIComponent(match.found![index + 1]!)]));
  const hasBody = incoming.method !== 'GET';
  const request = new Request(`http://localhost${incoming.url}`, {
    method: incoming.method,
    headers: incoming.headers as Record<string, string>,
    body: hasBody ? (Readable.toWeb(incoming) as ReadableStream) : undefined,
    duplex: 'half',
  } as RequestInit);
  const response = await route(request, { params: Promise.resolve(params) });
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}

function rp(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'cli/rp.mjs'), ...args], { cwd: dir, env: { ...process.env, RP_URL: url, RP_TOKEN: token, RP_WORKSPACE: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dir } });
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'acme');
  ownerEmail = (await testMember(db, workspace, 'developer')).email;
  token = (await testToken(db, workspace, { name: 'catalog', scopes: ['catalog:write', 'passport:read', 'deployment:report'] })).token;
  server = await startTestHttpServer((incoming, outgoing) => void handle(incoming, outgoing));
  url = server.url;
});

afterAll(async () => {
  await server.close();
  configureSecrets();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('rp services', () => {
  it('creates, renames with owners, archives and lists (the token’s own workspace)', async () => {
    const created = await rp(['services', 'create', 'checkout', '--name', 'Checkout', '--owner', ownerEmail]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe(`service checkout created: name "Checkout", owners ${ownerEmail}\n`);
    expect((await rp(['services', 'update', 'checkout', '--name', 'Checkout API', '--no-owners'])).stdout).toBe('service checkout updated: name "Checkout API", owners none\n');
    expect((await rp(['services', 'archive', 'checkout'])).stdout).toContain('archived (the gate refuses new releases for it)');
    const listed = await rp(['services', 'list', '--archived', '--workspace', 'acme']);
    expect(listed.stdout).toMatch(/checkout\s+Checkout API\s+-\s+archived/);
  });

  it('prints the server’s problem and exits non-zero on a bad request', async () => {
    const refused = await rp(['services', 'create', 'checkout']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('409 This workspace already has a service "checkout"');
    const usage = await rp(['services', 'update', 'checkout']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Nothing to change');
  });
});

describe('rp environments', () => {
  it('creates, orders and lists in promotion order; a token may not set the tier', async () => {
    for (const slug of ['production', 'staging', 'dev']) expect((await rp(['environments', 'create', slug])).code).toBe(0);
    const ordered = await rp(['environments', 'order', 'dev', 'staging', 'production']);
    expect(ordered.stdout).toBe('promotion order: dev → staging → production\n');
    const listed = await rp(['environments', 'list']);
    expect(listed.stdout).toMatch(/1\s+dev\s+dev\s+non-production \(unclassified\)\s+active\n2\s+staging/);
    expect(listed.stdout).toContain('3 environments need a tier');

    const tier = await rp(['environments', 'update', 'production', '--tier', 'production']);
    expect(tier.code).toBe(3);
    expect(tier.stderr).toContain('403 This API token is not allowed to do this');
    expect((await rp(['environments', 'update', 'production', '--tier', 'prod'])).stderr).toContain('--tier prod: use production or non-production');
  });
});

describe('rp report-deployment', () => {
  const digest = `sha256:${'7'.repeat(64)}`;

  it('records what runs and says it has no passport there; a later report of the service replaces it', async () => {
    const first = await rp(['report-deployment', '--environment', 'staging', '--image', `registry.example/checkout@${digest}`, '--service', 'checkout']);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(`staging: registry.example/checkout@${digest} recorded\nstatus: NO PASSPORT: no passport for this digest of service checkout in this environment\n`);
    const tag = await rp(['report-deployment', '--environment', 'staging', '--image', 'registry.example/checkout:2.0', '--service', 'checkout', '--json']);
    expect(JSON.parse(tag.stdout)).toMatchObject({ replaced: 1, deployment: { digest: null, match: { status: 'unpinned', passport: null } } });
  });

  it('exits non-zero with the server’s words on a bad report', async () => {
    const unknown = await rp(['report-deployment', '--environment', 'qa', '--image', `registry.example/checkout@${digest}`]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('404 This workspace has no environment "qa". Check the name, or create it first (rp environments create qa).');
    const bad = await rp(['report-deployment', '--environment', 'staging', '--image', 'registry.example/checkout@sha256:abc']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('image: an image reference');
    expect((await rp(['report-deployment', '--image', `registry.example/checkout@${digest}`])).code).toBe(2);
  });
});
