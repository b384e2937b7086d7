/**
 * Servers a public e2e suite starts with its own configuration: a production build of a target on
 * a port of this suite's range (3410-3419), with a fresh data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertPortFree, waitForOk } from '../../support/ports';
import { stopProcess } from '../../support/process';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

export interface StartedServer {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

export async function startTarget(
  target: 'public' | 'runtime',
  port: number,
  env: Record<string, string>,
  /** A data directory prepared beforehand (a seeded database); removed on stop like a fresh one. */
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `rp-e2e-${target}-`)),
): Promise<StartedServer> {
  await assertPortFree(port);
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs'), target], {
    cwd: root,
    env: { ...process.env, PORT: String(port), RP_DATA_DIR: dataDir, AUTH_SECRET: `e2e-${target}-session-secret-0123456789abcdef`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://localhost:${port}`;
  try {
    await waitForOk(`${url}/api/ready`, 90_000);
  } catch (error) {
    await stopProcess(child);
    throw new Error(`${String(error)}\n${output.join('')}`, { cause: error });
  }
  return {
    url,
    output,
    stop: async () => {
      await stopProcess(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
