/**
 * What this process recently learned about API tokens, so that a CI job's burst of requests
 * (`rp gate`: each evidence upload, then the evaluation) costs one token lookup instead of one per
 * request. Only found tokens are kept, and their expiry and revocation are checked again on every
 * use (lookupApiToken), so the cache only saves the read.
 *
 * It must never let a revoked token through. Every change to a token or its workspace is announced
 * by the database on commit (db/migrations/runtime/post/030_api_token_changes.sql, whatever made
 * the change) and this process drops the entry when the notification arrives; the process that
 * revokes drops it itself before answering. The cache is used only while the listener is
 * connected: nothing is cached before the database confirms the LISTEN, everything is dropped each
 * time it is (re)established, and entries expire after a few seconds in any case, which bounds what
 * a notification lost with a dropped connection could leave behind. Recording a token's last use
 * (at most once a minute, or when its address changes) is a change too: it drops the entry, which
 * keeps the cached last use fresh, so that recording stays that rare instead of once a request.
 */
import type { RuntimeDb } from '@/db/runtime';

const TOKEN_CHANGES_CHANNEL = 'rp_api_token_changes';
const ENTRY_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface ListeningClient {
  /** postgres.js: the third argument runs each time the LISTEN is (re)established. */
  unsafe?: unknown;
  listen?: (channel: string, onNotify: (payload: string) => void, onListen?: () => void) => Promise<unknown>;
}

export class TokenLookupCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  private listening = false;
  /** Moves on every forget: a read that began before a change must not be cached after it. */
  private changes = 0;

  /** Take this before reading the database; pass it to set(). */
  get version(): number {
    return this.changes;
  }

  get(tokenHash: string, now = Date.now()): T | undefined {
    if (!this.listening) return undefined;
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps what a read found, unless a change was announced since `readSince` (its version before the read). */
  set(tokenHash: string, value: T, readSince: number, now = Date.now()): void {
    if (!this.listening || readSince !== this.changes) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(tokenHash, { value, until: now + ENTRY_TTL_MS });
  }

  /** A token hash, or "*" for every token (a workspace changed, the table was truncated). */
  forget(tokenHash: string): void {
    this.changes++;
    if (tokenHash === '*') this.entries.clear();
    else this.entries.delete(tokenHash);
  }

  /** Called when the database confirms the LISTEN (again): anything cached before may have missed a change. */
  listenerReady(): void {
    this.forget('*');
    this.listening = true;
  }

  listenerLost(): void {
    this.listening = false;
    this.forget('*');
  }
}

const caches = new WeakMap<RuntimeDb, TokenLookupCache<unknown>>();
/** Every cache of this process (one per database handle; one in a running server). */
const allCaches = new Set<TokenLookupCache<unknown>>();

/** Drops a token from every cache of this process at once (the revoking request does not wait for the notification). */
export function forgetCachedToken(tokenHash: string): void {
  for (const cache of allCaches) cache.forget(tokenHash);
}

/** The cache for this database handle; the first call starts listening for token changes. */
export function tokenLookupCache<T>(db: RuntimeDb): TokenLookupCache<T> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new TokenLookupCache<unknown>();
    caches.set(db, cache);
    allCaches.add(cache);
    startListening(db, cache);
  }
  return cache as TokenLookupCache<T>;
}

function startListening(db: RuntimeDb, cache: TokenLookupCache<unknown>): void {
  const client = (db as { $client?: ListeningClient }).$client;
  if (!client?.listen) return; // a driver without LISTEN: never cache
  const onNotify = (payload: string) => cache.forget(payload);
  client.listen(TOKEN_CHANGES_CHANNEL, onNotify, () => cache.listenerReady()).catch(() => cache.listenerLost());
}
