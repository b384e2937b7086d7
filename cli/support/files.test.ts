import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '@/lib/testing/http-server';
import { apiClient, assertReadableFile, UsageError } from './api';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-cli-files-'));
let server: TestHttpServer;
let requests = 0;

beforeAll(async () => {
  server = await startTestHttpServer((request, response) => {
    requests++;
    request.resume();
    request.on('end', () => response.writeHead(201, { 'content-type': 'application/json' }).end('{}'));
  });
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('files rp reads', () => {
  it('are checked before anything is sent: missing, a folder, unreadable, each a usage error naming the flag', () => {
    const file = path.join(dir, 'sbom.json');
    fs.writeFileSync(file, '{}');
    expect(() => assertReadableFile(file, '--sbom')).not.toThrow();
    expect(() => assertReadableFile(path.join(dir, 'nope.json'), '--sbom')).toThrow(new UsageError(`--sbom ${path.join(dir, 'nope.json')}: no such file`));
    expect(() => assertReadableFile(dir, '--artifact')).toThrow(new UsageError(`--artifact ${dir} is a folder, not a file`));
    expect(() => assertReadableFile(dir)).toThrow(new UsageError(`${dir} is a folder, not a file`));
  });

  it('an upload whose file cannot be read fails at once, not as "cannot reach" retried until the deadline', async () => {
    const client = apiClient({ url: server.url, token: 'rp_test' }, { log: () => {} });
    const started = Date.now();
    await expect(client.uploadFile('/api/v1/evidence?kind=sbom', dir, 'application/json')).rejects.toThrow('could not read the file being sent (EISDIR)');
    expect(Date.now() - started).toBeLessThan(5_000);
    // And a readable one goes through the same client.
    const file = path.join(dir, 'ok.json');
    fs.writeFileSync(file, '{}');
    await expect(client.uploadFile('/api/v1/evidence?kind=sbom', file, 'application/json')).resolves.toEqual({});
    expect(requests).toBeGreaterThanOrEqual(1);
  });
});
