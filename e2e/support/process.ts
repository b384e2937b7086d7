/**
 * Stopping a server process the tests started. A production server drains its connections on
 * SIGTERM (Next waits for requests in flight), which a browser the suite still holds open can make
 * last past a hook's timeout, so the wait is bounded and SIGKILL follows.
 */
import type { ChildProcess } from 'node:child_process';

export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
  await Promise.race([exited, timer]);
  if (child.exitCode === null && child.signalCode === null) {
    console.warn(`process ${child.pid} had not stopped ${graceMs} ms after SIGTERM: killed`);
    child.kill('SIGKILL');
    await exited;
  }
}
