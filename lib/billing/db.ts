import type { OwnerDb } from '@/db/owner';

/** A transaction of the owner database, or the database itself: data access accepts either. */
export type OwnerTx = Parameters<Parameters<OwnerDb['transaction']>[0]>[0];
export type OwnerExecutor = OwnerDb | OwnerTx;
