#!/usr/bin/env node
// The production entry point, copied into each standalone build as `rp-server.mjs` (the container
// image runs it too). It binds 127.0.0.1 unless RP_BIND says otherwise (docs/security-model.md) and runs the
// server in worker processes (node:cluster) it supervises: one by default, or with RP_WORKERS=N
// N behind one port, so one machine's cores are all used. Without DATABASE_URL it runs the
// embedded PostgreSQL of the data directory for as long as the server runs.
//
// Shutdown is bounded (docs/operations/faults.md): SIGTERM or SIGINT makes readiness fail, stops
// accepting connections, finishes the requests in flight (keep-alive connections are told
// `Connection: close` and closed after them), and exits within RP_SHUTDOWN_TIMEOUT seconds
// (default 10); every worker has exited before the supervisor does. A supervisor killed outright
// takes its workers with it (their IPC channel closes and Node's cluster ends them), and one
// started by `npm start` stops when that parent goes away.
import cluster from 'node:cluster';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import diagnostics from 'node:diagnostics_channel';

const here = path.dirname(fileURLToPath(import.meta.url));
// lib/config/settings.ts, bundled beside this file by scripts/build.mjs: the same schema the
// server reads. A setting that cannot work stops here, before anything starts or is created (the
// data directory, the embedded database), naming every such setting. Exit 78 is sysexits'
// EX_CONFIG, as the server's own start uses (lib/startup/runtime.ts).
const EXIT_CONFIGURATION = 78;
const { parseSettings } = await import('./rp-settings.mjs');
const { settings: config, problems } = parseSettings(process.env);
if (problems.length > 0) {
  for (const problem of problems) console.error(`rp-server: refusing to start: ${problem}`);
  process.exit(EXIT_CONFIGURATION);
}
const bind = config.bind;
const port = config.port ?? 3000;
const shutdownSeconds = config.shutdownSeconds;
const requested = config.workers === 'auto' ? os.availableParallelism() : config.workers;
// No DATABASE_URL: the embedded PostgreSQL in the data directory, started here before the server
// and stopped after it (scripts/embedded-postgres.mjs). Workers get its URL in DATABASE_URL.
const dataRoot = config.dataDir;
let embedded = null;
if (!config.database.url && cluster.isPrimary) {
  const { startEmbeddedPostgres, embeddedPostgresDir } = await import('./embedded-postgres.mjs');
  const dir = embeddedPostgresDir(dataRoot, process.env.RP_TARGET);
  try {
    embedded = await startEmbeddedPostgres(dir, { purpose: `rp-server (${process.env.RP_TARGET ?? 'runtime'})`, log: (line) => console.log(`rp-server: ${line}`) });
  } catch (error) {
    // A second server on the same data directory, data of another version: say so and stop.
    console.error(`rp-server: ${error.message}`);
    process.exit(1);
  }
  process.env.DATABASE_URL = embedded.url;
  process.env.RP_DATABASE_ENGINE = 'embedded';
  console.log(`rp-server: embedded PostgreSQL on 127.0.0.1:${embedded.port} (data in ${embedded.dataDir})`);
  restartWhenItDies(embedded, dir);
}

// One machine, no secret given: a random session key kept in the data directory (mode 0600).
// Several replicas must share one: give them AUTH_SECRET from a Kubernetes Secret.
if (!process.env.AUTH_SECRET && cluster.isPrimary) {
  process.env.AUTH_SECRET = localSecret(path.join(dataRoot, process.env.RP_TARGET ?? 'runtime', 'auth-secret'));
}

// Next's standalone server reads HOSTNAME; containers set HOSTNAME to their own name, so it is
// always replaced by the explicit bind address.
process.env.HOSTNAME = bind;

if (cluster.isPrimary) {
  // The server always runs in worker processes under this small supervisor, one by default: the
  // V8 settings below can only be given when a process starts, and a worker that dies is replaced.
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...v8Tuning()] });
  // One worker accepts its own connections; several take turns (the primary hands them out).
  cluster.schedulingPolicy = requested === 1 ? cluster.SCHED_NONE : cluster.SCHED_RR;
  if (requested > 1) console.log(`rp-server: ${requested} worker processes on ${bind}:${port}`);
  let stopping = false;
  const listening = new WeakSet();
  cluster.on('listening', (worker) => listening.add(worker));
  for (let i = 0; i < requested; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (!listening.has(worker) || code === EXIT_CONFIGURATION) {
      // It failed before it served anything (a port in use), or refused a setting or could not
      // finish its start (EXIT_CONFIGURATION, lib/startup): starting it again would fail the same
      // way, so stop with its exit code, as a single process would.
      console.error(`rp-server: the server process exited (${signal ?? code}) ${code === EXIT_CONFIGURATION ? 'unable to start (the reason is above)' : 'before it was listening'}; stopping`);
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.kill('SIGTERM');
      const exitCode = code || 1;
      const exit = () => void (embedded ? embedded.stop() : Promise.resolve()).finally(() => process.exit(exitCode));
      setTimeout(exit, 10_000).unref();
      cluster.disconnect(exit);
      return;
    }
    console.error(`rp-server: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  const stop = (why) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter(Boolean);
    if (workers.length > 0) console.log(`rp-server: ${why}: finishing requests in flight (at most ${shutdownSeconds} s)`);
    // Each worker drains and exits by itself within the timeout; one that does not is killed.
    for (const worker of workers) worker.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, (shutdownSeconds + 2) * 1000);
    killer.unref();
    const exitWhenAlone = () => {
      if (Object.keys(cluster.workers ?? {}).length > 0) return;
      clearTimeout(killer);
      // The database stops last, once nothing can write to it any more.
      void (embedded ? embedded.stop() : Promise.resolve()).finally(() => process.exit(0));
    };
    cluster.on('exit', exitWhenAlone);
    exitWhenAlone();
  };
  // Where this server listens, for the CLI on the same machine (rp admin sign-in-link builds its
  // link from it when RP_PUBLIC_URL is not set: lib/auth/settings.ts publicBaseUrl); removed at exit.
  const serverFile = path.join(dataRoot, process.env.RP_TARGET ?? 'runtime', 'server.json');
  cluster.once('listening', (_worker, address) => {
    try {
      fs.mkdirSync(path.dirname(serverFile), { recursive: true });
      fs.writeFileSync(`${serverFile}.${process.pid}.tmp`, JSON.stringify({ pid: process.pid, port: address.port, bind, startedAt: new Date().toISOString() }), { mode: 0o600 });
      fs.renameSync(`${serverFile}.${process.pid}.tmp`, serverFile);
    } catch (error) {
      console.error(`rp-server: could not record the listening address in ${serverFile}: ${error.message}`);
    }
  });
  process.on('exit', () => {
    try {
      if (JSON.parse(fs.readFileSync(serverFile, 'utf8')).pid === process.pid) fs.rmSync(serverFile, { force: true });
    } catch {
      // not written, or another server's
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(`${signal} received`));
  // Started with an IPC channel (npm start): when that parent goes away, so do we.
  if (process.send) process.on('disconnect', () => stop('the parent process is gone'));
  void warmUp();
} else {
  // This file handles the signals (below), not Next's own handler, which waits for keep-alive
  // connections without closing them and so never finishes under steady load.
  process.env.NEXT_MANUAL_SIG_HANDLE = 'true';
  drainOnSignal();
  await import(path.join(here, 'server.js'));
}

/**
 * The worker's side of shutdown. Next creates the HTTP server; Node's `http.server.request.start`
 * diagnostics channel names it and each request's response, without patching anything.
 */
function drainOnSignal() {
  const servers = new Set();
  const inFlight = new Set();
  let draining = false;
  diagnostics.subscribe('http.server.request.start', ({ response, server }) => {
    servers.add(server);
    if (draining) response.setHeader('connection', 'close');
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
  });
  const drain = () => {
    if (draining) return;
    draining = true;
    // Readiness answers 503 from now on (lib/http/shutdown-state.ts).
    globalThis[Symbol.for('rp.shuttingDown')] = true;
    for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
    let open = servers.size;
    const done = () => process.exit(0);
    if (open === 0) return done();
    for (const server of servers) {
      server.close(() => {
        if (--open === 0) done();
      });
      server.closeIdleConnections();
    }
    // A connection becomes idle when its last response is written: close it then.
    setInterval(() => {
      for (const server of servers) server.closeIdleConnections();
      if (inFlight.size === 0) done();
    }, 100).unref();
    setTimeout(() => {
      for (const server of servers) server.closeAllConnections();
      done();
    }, shutdownSeconds * 1000).unref();
  };
  process.on('SIGTERM', drain);
  process.on('SIGINT', drain);
}

/**
 * A 32 MB young generation (V8's default is 16): a request allocates about half a megabyte, and
 * with the default the server stops for a minor collection every few dozen requests. Measured with
 * two builds side by side (content/docs/operations/performance.md): gate throughput +9 to +15% and
 * p99 at 10 clients 50 -> 40 ms, for about 32 MB more memory. A value the operator set in
 * NODE_OPTIONS or on the command line wins.
 */
function v8Tuning() {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((flag) => /^--max[-_]semi[-_]space[-_]size\b/.test(flag)) ? [] : ['--max-semi-space-size=32'];
}

/**
 * Next runs instrumentation (migrations, the first-start bootstrap and its one-time sign-in link)
 * on the first request, not at start: ask /api/ready once the port is open so that work happens
 * now and the link is printed without waiting for a visitor.
 */
async function warmUp() {
  const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/api/ready`;
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      await fetch(url, { headers: { 'x-request-id': 'start-up-warm-up' } });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * The embedded PostgreSQL died under a running server (killed, out of memory): start it again on
 * the same port, so the workers' DATABASE_URL stays right. Its crash recovery replays the WAL;
 * meanwhile requests are answered 503 database-unavailable (lib/http/database-outage.ts).
 */
function restartWhenItDies(running, dir) {
  running.onUnexpectedExit(async (outcome) => {
    console.error(`rp-server: the embedded PostgreSQL exited (${outcome.signal ?? `code ${outcome.code}`}); starting it again`);
    const { startEmbeddedPostgres } = await import('./embedded-postgres.mjs');
    for (let attempt = 1; ; attempt++) {
      try {
        embedded = await startEmbeddedPostgres(dir, { port: running.port, purpose: `rp-server (${process.env.RP_TARGET ?? 'runtime'})`, log: (line) => console.log(`rp-server: ${line}`) });
        console.log('rp-server: the embedded PostgreSQL is back');
        restartWhenItDies(embedded, dir);
        return;
      } catch (error) {
        console.error(`rp-server: the embedded PostgreSQL did not start again (attempt ${attempt}): ${error.message}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * attempt, 10_000)));
      }
    }
  });
}

function localSecret(file) {
  if (!fs.existsSync(file)) {
    // Only the secret's own folder is private: the data directory above it is shared with the
    // embedded PostgreSQL's user when run as root (scripts/embedded-postgres.mjs).
    fs.mkdirSync(path.dirname(path.dirname(file)), { recursive: true });
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error; // another process made it first
    }
  }
  return fs.readFileSync(file, 'utf8').trim();
}
