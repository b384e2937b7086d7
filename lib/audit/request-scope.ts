/**
 * Lets the route wrapper know whether a handler already audited its mutation (in its own
 * transaction, through a data-access function): every append inside the request's scope counts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface Scope {
  appended: number;
}

const storage = new AsyncLocalStorage<Scope>();

export function runInAuditScope<T>(run: () => Promise<T>): { result: Promise<T>; appended: () => number } {
  const scope: Scope = { appended: 0 };
  return { result: storage.run(scope, run), appended: () => scope.appended };
}

export function noteAuditAppend(): void {
  const scope = storage.getStore();
  if (scope) scope.appended++;
}
