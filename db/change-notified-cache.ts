/**
 * A per-process cache that a database notification empties (LISTEN/NOTIFY): what a server reads
 * on every request (an API token, the installed license) without a read each time, yet exact on
 * change. Triggers (db/migrations/runtime/post/) announce each change on commit, whatever made
 * it: the console, the API, the CLI, or psql during an incident. The payload names the entry that
 * changed, or "*" for all.
 *
 * It must never serve what a change replaced. The cache is used only while the listener is
 * connected: nothing is cached before the database confirms the LISTEN, everything is dropped each
 * time it is (re)established, and entries expire after a few seconds in any case, which bounds what
 * a notification lost with a dropped connection could leave behind. A read that began before a
 * change is not kept (see `version`).
 */
import type { RuntimeDb } from '@/db/runtime';

const DEFAULT_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface ListeningClient {
  /** postgres.js: the third argument runs each time the LISTEN is (re)established. */
  listen?: (channel: string, onNotify: (payload: string) => void, onListen?: () => void) => Promise<unknown>;
}

export class ChangeNotifiedCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  private listening = false;
  /** Moves on every forget: a read that began before a change must not be cached after it. */
  private changes = 0;

  constructor(private readonly ttlMs = DEFAULT_TTL_MS) {}

  /** Take this before reading the database; pass it to set(). */
  get version(): number {
    return this.changes;
  }

  get(key: string, now = Date.now()): T | undefined {
    if (!this.listening) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps what a read found, unless a change was announced since `readSince` (its version before the read). */
  set(key: string, value: T, readSince: number, now = Date.now()): void {
    if (!this.listening || readSince !== this.changes) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, until: now + this.ttlMs });
  }

  /** A key, or "*" for every entry. */
  forget(key: string): void {
    this.changes++;
    if (key === '*') this.entries.clear();
    else this.entries.delete(key);
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

/** Every cache of this process per channel (one per database handle; one in a running server). */
const byChannel = new Map<string, { caches: WeakMap<RuntimeDb, ChangeNotifiedCache<unknown>>; all: Set<ChangeNotifiedCache<unknown>> }>();

function channelState(channel: string) {
  let state = byChannel.get(channel);
  if (!state) {
    state = { caches: new WeakMap(), all: new Set() };
    byChannel.set(channel, state);
  }
  return state;
}

/** The cache of `channel` for this database handle; the first call starts listening. */
export function changeNotifiedCache<T>(db: RuntimeDb, channel: string, ttlMs?: number): ChangeNotifiedCache<T> {
  const state = channelState(channel);
  let cache = state.caches.get(db);
  if (!cache) {
    cache = new ChangeNotifiedCache<unknown>(ttlMs);
    state.caches.set(db, cache);
    state.all.add(cache);
    const client = (db as { $client?: ListeningClient }).$client;
    const listening = cache;
    // A driver without LISTEN: never cache.
    client?.listen?.(channel, (payload) => listening.forget(payload), () => listening.listenerReady()).catch(() => listening.listenerLost());
  }
  return cache as ChangeNotifiedCache<T>;
}

/** Drops a key from every cache of `channel` in this process at once (the changing request does not wait for the notification). */
export function forgetEverywhere(channel: string, key: string): void {
  for (const cache of channelState(channel).all) cache.forget(key);
}
