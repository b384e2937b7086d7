#!/usr/bin/env node
// `npm run dev` / `npm run dev:public`: next dev on the embedded PostgreSQL of the data directory
// (started here, stopped when next dev ends), or on DATABASE_URL when it is set.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { embeddedPostgresDir, startEmbeddedPostgres } from './embedded-postgres.mjs';

const target = process.argv[2] ?? 'runtime';
const root = path.resolve(import.meta.dirname, '..');
const env = { ...process.env, RP_TARGET: target };
let embedded = null;
if (!env.DATABASE_URL) {
  const dataRoot = path.resolve(env.RP_DATA_DIR ?? path.join(root, '.data'));
  try {
    embedded = await startEmbeddedPostgres(embeddedPostgresDir(dataRoot, target), { purpose: `npm run dev (${target})`, log: (line) => console.log(`dev: ${line}`) });
  } catch (error) {
    console.error(`dev: ${error.message}`);
    process.exit(1);
  }
  env.DATABASE_URL = embedded.url;
  env.RP_DATABASE_ENGINE = 'embedded';
}
const args = ['dev', ...(target === 'public' ? ['--port', '3001'] : []), ...process.argv.slice(3)];
const child = spawn(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), ...args], { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], env });
void readableLogs(child.stdout);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', async (code, signal) => {
  if (embedded) await embedded.stop();
  process.exit(code ?? (signal ? 1 : 0));
});

/**
 * The server logs JSON lines (lib/http/logger.ts), which is what log collectors want; in development
 * they are shown readable (pino-pretty): time, level, message, then the request id and the rest.
 * Anything else next dev prints passes through unchanged.
 */
async function readableLogs(stream) {
  const { prettyFactory } = await import('pino-pretty');
  const pretty = prettyFactory({ colorize: Boolean(process.stdout.isTTY), translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' });
  const { createInterface } = await import('node:readline');
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    process.stdout.write(line.startsWith('{"level":') ? pretty(line) : `${line}\n`);
  }
}
