/**
 * Group commit for audit appends. Every append to a chain waits for the chain head's row lock,
 * which is held until commit (log.ts), so appends to one chain are written one after another
 * whatever we do. Here the appends that arrive for a chain while one is being written wait in this
 * process instead of in the database, and then go together: one transaction, its statements sent
 * at once, one commit, one lock wait. A lone append goes at once, as before; under load each
 * commit carries several. If a group fails, its appends are retried one by one, so only the one
 * at fault fails (a transaction that failed wrote nothing). Inside a caller's transaction an
 * append runs in it, at once.
 */
import { databaseUnavailableReason } from '@/db/faults';
import { isTransaction, runInOneTransaction, type CompiledStatement, type StatementHandle } from '@/db/statement';

/** Enough to share one commit under any load a process sees; bounds one transaction's size. */
const MAX_GROUP = 32;

interface Pending {
  statement: CompiledStatement<unknown>;
  values: Record<string, unknown>;
  resolve(rows: unknown[]): void;
  reject(error: unknown): void;
}

const queues = new WeakMap<StatementHandle, Map<string, Pending[]>>();

export function runGrouped<Row>(db: StatementHandle, chain: string, statement: CompiledStatement<Row>, values: Record<string, unknown>): Promise<Row[]> {
  if (isTransaction(db)) return statement(db, values);
  let chains = queues.get(db);
  if (!chains) queues.set(db, (chains = new Map()));
  let queue = chains.get(chain);
  const writing = queue !== undefined;
  if (!queue) chains.set(chain, (queue = []));
  const result = new Promise<unknown[]>((resolve, reject) => queue.push({ statement: statement as CompiledStatement<unknown>, values, resolve, reject }));
  if (!writing) void drain(db, chain, chains, queue);
  return result as Promise<Row[]>;
}

/** Writes the chain's queue until it is empty: whatever arrived during one write goes in the next. */
async function drain(db: StatementHandle, chain: string, chains: Map<string, Pending[]>, queue: Pending[]): Promise<void> {
  while (queue.length > 0) {
    const group = queue.splice(0, MAX_GROUP);
    if (group.length === 1) {
      await runAlone(db, group[0]!);
      continue;
    }
    let results: unknown[][];
    try {
      results = await runInOneTransaction(db, group);
    } catch (error) {
      // The connection failed or timed out: whether the group committed is unknown, so running its
      // appends again could write them twice. They fail (503: retry, with an idempotency key for the gate).
      if (databaseUnavailableReason(error)) {
        for (const pending of group) pending.reject(error);
        continue;
      }
      // A statement failed: Postgres rolled the group back; each append again alone, so only the one at fault fails.
      for (const pending of group) await runAlone(db, pending);
      continue;
    }
    group.forEach((pending, index) => pending.resolve(results[index]!));
  }
  chains.delete(chain);
}

async function runAlone(db: StatementHandle, pending: Pending): Promise<void> {
  try {
    pending.resolve(await pending.statement(db, pending.values));
  } catch (error) {
    pending.reject(error);
  }
}
