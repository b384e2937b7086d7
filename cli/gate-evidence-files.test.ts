/**
 * What rp gate refuses about its evidence files before it sends anything: more pieces of evidence
 * than one evaluation judges (a folder of one JUnit report per test class), files given without a
 * flag. A server records the requests: none may arrive, but for the reports that are sent.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_GATE_EVIDENCE } from '@/lib/domain/primitives';
import { startTestHttpServer, type TestHttpServer } from '@/lib/testing/http-server';

const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-gate-files-'));
const report = '<?xml version="1.0"?><testsuite name="a" tests="1"><testcase name="t"/></testsuite>\n';
let server: TestHttpServer;
/** What reached the server ("POST /api/v1/evidence?... <first bytes of the body>"). */
const received: string[] = [];

beforeAll(async () => {
  server = await startTestHttpServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(`${request.method} ${request.url} ${body.slice(0, 120)}`);
      response.writeHead(400, { 'content-type': 'application/problem+json' }).end('{"title":"stop here"}');
    });
  });
});

afterEach(() => {
  received.length = 0;
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

  it("other XML in a reports folder (TestNG's testng-results.xml beside Surefire's TEST-*.xml) is left out and said, not sent", async () => {
    const folder = path.join(dir, 'testng-surefire-reports');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'TEST-com.acme.CartTest.xml'), report);
    fs.copyFileSync(path.join(root, 'lib/evidence/testing/real/testng-results.xml'), path.join(folder, 'testng-results.xml'));
    fs.writeFileSync(path.join(folder, 'com.acme.CartTest.txt'), 'Tests run: 1\n');
    const run = await gate('--junit', folder);
    expect(run.stderr).toContain(`rp: --junit ${folder}: left out a file that is not a JUnit report: testng-results.xml`);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatch(/^POST \/api\/v1\/evidence\?kind=junit\S* <\?xml version="1\.0"\?><testsuite /);
    const onlyTestng = path.join(dir, 'only-testng');
    fs.mkdirSync(onlyTestng);
    fs.copyFileSync(path.join(root, 'lib/evidence/testing/real/testng-results.xml'), path.join(onlyTestng, 'testng-results.xml'));
    const none = await gate('--junit', onlyTestng);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`--junit ${onlyTestng} is a folder with no JUnit report in it (testng-results.xml is other XML)`);
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
