#!/usr/bin/env node
// `npm start` / `npm run start:public`: builds the target on first use, then runs its standalone
// server bound to 127.0.0.1 (docs/security-model.md) with the embedded defaults. Everything it needs and
// does not find (the session secret) the server creates under .data/, never in the repository.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const target = process.argv[2] ?? 'runtime';
const root = path.resolve(import.meta.dirname, '..');
const server = path.join(root, `.next-${target}`, 'standalone', 'rp-server.mjs');

if (!fs.existsSync(server) || process.env.RP_REBUILD === '1') {
  console.log(`No ${target} build yet: building it once (npm run ${target === 'public' ? 'build:public' : 'build'} rebuilds).`);
  const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), target], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const dataDir = path.resolve(process.env.RP_DATA_DIR ?? path.join(root, '.data'));
const env = {
  ...process.env,
  NODE_ENV: 'production',
  RP_TARGET: target,
  RP_DATA_DIR: dataDir,
  PORT: process.env.PORT ?? (target === 'public' ? '3001' : '3000'),
};

// An IPC channel ties the server to this process: if this one is killed outright, the server sees
// the channel close and shuts down instead of running on as an orphan.
const child = spawn(process.execPath, [server], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
