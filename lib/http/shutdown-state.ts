/**
 * Whether this server process is shutting down. The server entry (scripts/server.mjs) sets the flag
 * on SIGTERM, before it stops accepting connections; readiness then answers 503 so that a load
 * balancer or Kubernetes stops sending work while in-flight requests finish. Shared through
 * globalThis because the entry and Next's route bundles are separate module graphs in one process.
 */
const FLAG = Symbol.for('rp.shuttingDown');

export function isShuttingDown(): boolean {
  return (globalThis as Record<symbol, unknown>)[FLAG] === true;
}
