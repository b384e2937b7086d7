/**
 * What the server knows about the request it is serving, wherever the code runs in it: the
 * request id (the logger puts it on every line written while serving the request), and whether a
 * handler already audited its mutation (every append inside the scope counts, so the route wrapper
 * does not audit it twice).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface Scope {
  requestId: string | null;
  appended: number;
}

const storage = new AsyncLocalStorage<Scope>();

export function runInRequestScope<T>(requestId: string | null, run: () => Promise<T>): { result: Promise<T>; appended: () => number } {
  const scope: Scope = { requestId, appended: 0 };
  return { result: storage.run(scope, run), appended: () => scope.appended };
}

/** The id of the request being served, or null outside one (the worker, startup). */
export function currentRequestId(): string | null {
  return storage.getStore()?.requestId ?? null;
}

export function noteAuditAppend(): void {
  const scope = storage.getStore();
  if (scope) scope.appended++;
}
