#!/usr/bin/env node
// The production entry point, copied into each standalone build as `rp-server.mjs` (the container
// image runs it too). It binds 127.0.0.1 unless RP_BIND says otherwise (seed 003), and with
// RP_WORKERS=N and Postgres it runs N server processes behind one port (node:cluster), so one
// machine's cores are all used. The embedded database admits one process, so it refuses N > 1.
import cluster from 'node:cluster';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bind = process.env.RP_BIND || '127.0.0.1';
const requested = process.env.RP_WORKERS === 'auto' ? os.availableParallelism() : Number(process.env.RP_WORKERS || 1);

if (!Number.isInteger(requested) || requested < 1) {
  console.error(`RP_WORKERS must be a positive whole number or "auto", got "${process.env.RP_WORKERS}".`);
  process.exit(2);
}
if (requested > 1 && !process.env.DATABASE_URL) {
  console.error('RP_WORKERS > 1 needs Postgres (DATABASE_URL): the embedded database admits one process at a time.');
  process.exit(2);
}

// One machine, no secret given: a random session key kept in the data directory (mode 0600).
// Several replicas must share one: give them AUTH_SECRET from a Kubernetes Secret.
if (!process.env.AUTH_SECRET && cluster.isPrimary) {
  const dataDir = path.resolve(process.env.RP_DATA_DIR ?? path.join(process.cwd(), '.data'));
  process.env.AUTH_SECRET = localSecret(path.join(dataDir, process.env.RP_TARGET ?? 'runtime', 'auth-secret'));
}

// Next's standalone server reads HOSTNAME; containers set HOSTNAME to their own name, so it is
// always replaced by the explicit bind address.
process.env.HOSTNAME = bind;

if (requested > 1 && cluster.isPrimary) {
  console.log(`rp-server: ${requested} worker processes on ${bind}:${process.env.PORT ?? 3000}`);
  let stopping = false;
  for (let i = 0; i < requested; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`rp-server: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
      setTimeout(() => process.exit(0), 10_000).unref();
      cluster.disconnect(() => process.exit(0));
    });
  }
} else {
  await import(path.join(here, 'server.js'));
  if (cluster.isPrimary) void warmUp();
}

/**
 * Next runs instrumentation (migrations, the first-start bootstrap and its one-time sign-in link)
 * on the first request, not at start: ask /api/ready once the port is open so that work happens
 * now and the link is printed without waiting for a visitor.
 */
async function warmUp() {
  const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${process.env.PORT ?? 3000}/api/ready`;
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      await fetch(url, { headers: { 'x-request-id': 'start-up-warm-up' } });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function localSecret(file) {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error; // another process made it first
    }
  }
  return fs.readFileSync(file, 'utf8').trim();
}
