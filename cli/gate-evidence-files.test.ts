/**
 * What rp gate refuses about its evidence files before it sends anything: more pieces of evidence
 * than one evaluation judges (a folder of one JUnit report per test class), files given without a
 * flag. A server records the requests: none may arrive.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_GATE_EVIDENCE } from '@/lib/domain/primitives';
import { startTestHttpServer, type TestHttpServer } from '@/lib/testing/http-server';

const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-gate-files-'));
const report = '<?xml version="1.0"?><testsuite name="a" tests="1"><testcase name="t"/></testsuite>\n';
let server: TestHttpServer;
/** What reached the server ("POST /api/v1/evidence?..."): nothing may. */
const received: string[] = [];

beforeAll(async () => {
  server = await startTestHttpServer((request, response) => {
    received.push(`${request.method} ${request.url}`);
    response.writeHead(500).end();
  });
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function gate(...evidence: string[]): Promise<{ code: number; stderr: string }> {
  const args = ['gate', '--service', 'api', '--environment', 'staging', '--image-digest', `sha256:${'b'.repeat(64)}`, '--url', server.url, ...evidence];
  const child = spawn(process.execPath, [path.join(root, 'cli/rp.mjs'), ...args], { cwd: dir, env: { ...process.env, RP_TOKEN: 'rp_test', GITHUB_SHA: 'a'.repeat(40) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code: code ?? -1, stderr })));
}

describe('rp gate refuses, before uploading anything', () => {
  it('a folder of more JUnit reports than one evaluation judges, saying how many and what to do', async () => {
    const folder = path.join(dir, 'surefire-reports');
    fs.mkdirSync(folder);
    for (let index = 0; index <= MAX_GATE_EVIDENCE; index++) fs.writeFileSync(path.join(folder, `TEST-com.acme.Case${index}.xml`), report);
    const run = await gate('--junit', folder);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${MAX_GATE_EVIDENCE + 1} pieces of evidence; one gate evaluation judges at most ${MAX_GATE_EVIDENCE}. Merge the test reports into fewer files first`);
    expect(received).toEqual([]);
  });

  it('files after a flag that takes one (a shell pattern), naming them', async () => {
    const a = path.join(dir, 'a.xml');
    const b = path.join(dir, 'b.xml');
    fs.writeFileSync(a, report);
    fs.writeFileSync(b, report);
    const run = await gate('--junit', a, b);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${b}: not after a flag.`);
    expect(received).toEqual([]);
  });
});
