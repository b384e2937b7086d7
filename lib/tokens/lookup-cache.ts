/**
 * What this process recently learned about API tokens, so that a CI job's burst of requests
 * (`rp gate`: each evidence upload, then the evaluation) costs one token lookup instead of one per
 * request. Only found tokens are kept, and their expiry and revocation are checked again on every
 * use (lookupApiToken), so the cache only saves the read.
 *
 * It must never let a revoked token through. Every change to a token or its workspace is announced
 * by the database on commit (db/migrations/runtime/post/030_api_token_changes.sql, whatever made
 * the change) and this process drops the entry when the notification arrives; the process that
 * revokes drops it itself before answering (db/change-notified-cache.ts). Recording a token's last use
 * (at most once a minute, or when its address changes) is a change too: it drops the entry, which
 * keeps the cached last use fresh, so that recording stays that rare instead of once a request.
 */
import type { RuntimeDb } from '@/db/runtime';
import { changeNotifiedCache, forgetEverywhere, type ChangeNotifiedCache } from '@/db/change-notified-cache';

const TOKEN_CHANGES_CHANNEL = 'rp_api_token_changes';

/** Drops a token from every cache of this process at once (the revoking request does not wait for the notification). */
export function forgetCachedToken(tokenHash: string): void {
  forgetEverywhere(TOKEN_CHANGES_CHANNEL, tokenHash);
}

/** The cache for this database handle, keyed by token hash; the first call starts listening for token changes. */
export function tokenLookupCache<T>(db: RuntimeDb): ChangeNotifiedCache<T> {
  return changeNotifiedCache<T>(db, TOKEN_CHANGES_CHANNEL);
}
