/**
 * Container packaging, proven without a Docker engine (issue 8): the final stage of each
 * Dockerfile is replayed into an empty directory (only what the image would contain), made
 * read-only, and the server is started from there as an unprivileged user with the image's own
 * environment and command; it must become ready on an empty data volume. Needs both builds.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitForOk } from '../support/ports';
import { readFinalStage } from './dockerfile';

const root = path.resolve(import.meta.dirname, '..', '..');
const started: ChildProcess[] = [];
const made: string[] = [];
afterAll(() => {
  for (const child of started) child.kill('SIGTERM');
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

// Root can write anywhere, so the read-only check only means something as another user.
const asRoot = process.getuid?.() === 0;
const unprivileged = asRoot && spawnSync('runuser', ['--help']).status === 0 ? 'nobody' : null;

for (const target of ['runtime', 'public'] as const) {
  describe(`the ${target} image`, () => {
    const dockerfile = path.join(root, 'deploy', 'docker', `${target}.Dockerfile`);
    const stage = readFinalStage(dockerfile);

    it('runs as a non-root user, binds every interface explicitly and has a health check on /api/health', () => {
      expect(stage.user).toMatch(/^[1-9]\d*(:\d+)?$/);
      expect(stage.env.RP_BIND).toBe('0.0.0.0');
      expect(stage.env.RP_TARGET).toBe(target);
      expect(stage.healthcheck).toContain('/api/health');
      expect(stage.copies.every((copy) => copy.from === 'build')).toBe(true);
    });

    it('starts from a copy of only what the image contains, read-only, and becomes ready', async () => {
      const image = fs.mkdtempSync(path.join(os.tmpdir(), `rp-image-${target}-`));
      made.push(image);
      const appDir = path.join(image, stage.workdir);
      for (const copy of stage.copies) {
        // The build stage's /src is this repository, after `node scripts/build.mjs <target>`.
        const source = path.join(root, path.relative('/src', copy.source));
        expect(fs.existsSync(source), `${copy.source} (run npm run build first)`).toBe(true);
        fs.cpSync(source, path.join(image, copy.destination), { recursive: true });
      }
      const dataDir = path.join(image, 'data');
      fs.mkdirSync(dataDir);
      if (unprivileged) {
        spawnSync('chmod', ['-R', 'a-w,a+rX', appDir]);
        spawnSync('chmod', ['a+rx', image]);
        spawnSync('chown', ['nobody', dataDir]);
      }

      const port = await freePort();
      const env = { NODE_ENV: 'production' as const, PATH: process.env.PATH ?? '', ...stage.env, PORT: String(port), RP_BIND: '127.0.0.1', RP_DATA_DIR: dataDir, HOME: dataDir, TMPDIR: dataDir };
      const [command, ...args] = stage.cmd;
      const child = unprivileged
        ? spawn('runuser', ['-u', unprivileged, '--', process.execPath, ...args], { cwd: appDir, env })
        : spawn(command === 'node' ? process.execPath : command!, args, { cwd: appDir, env });
      started.push(child);
      let output = '';
      child.stdout?.on('data', (chunk) => (output += chunk));
      child.stderr?.on('data', (chunk) => (output += chunk));

      const ready = await waitForOk(`http://127.0.0.1:${port}/api/ready`, 90_000).catch((error: Error) => {
        throw new Error(`${error.message}\n--- server output ---\n${output}`);
      });
      expect(await ready.json()).toMatchObject({ status: 'ready', database: 'postgres', engine: 'embedded' });
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', target });
      // Nothing was written into the image itself: only the data volume changed.
      expect(fs.readdirSync(dataDir)).toContain(target);
      child.kill('SIGTERM');
    }, 120_000);
  });
}
