/**
 * The runtime package carries no local data: no database, key or secret from the machine that
 * built it (file tracing follows code that names the data directory). Runs on the build `npm test`
 * makes before vitest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const standalone = path.join(root, '.next-runtime', 'standalone');
const built = fs.existsSync(standalone);
// In CI a missing build is a failure, not a skip: `npm test` builds before vitest runs.
if (process.env.CI && !built) throw new Error('CI must check the runtime build output, and there is no build: run `npm test` (it builds first).');

describe.skipIf(!built)('the runtime build output', () => {
  it('holds no data directory, even when the build machine has one', () => {
    expect(fs.existsSync(path.join(standalone, '.data'))).toBe(false);
    expect(fs.existsSync(path.join(standalone, '.cache'))).toBe(false);
    const traces = fs.readdirSync(path.join(root, '.next-runtime', 'server'), { recursive: true }).map(String).filter((file) => file.endsWith('.nft.json'));
    const traced = traces.flatMap((file) => (JSON.parse(fs.readFileSync(path.join(root, '.next-runtime', 'server', file), 'utf8')) as { files: string[] }).files);
    expect(traced.filter((file) => /(^|\/)\.data\//.test(file))).toEqual([]);
  });
});
