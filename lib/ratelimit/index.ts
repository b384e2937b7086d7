/**
 * Rate limits (docs/security-model.md) with @upstash/ratelimit's sliding window. The backend is chosen once per
 * process from the environment:
 *   UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN → Upstash over REST;
 *   REDIS_URL (redis:// or rediss://, Redis or Valkey) → ioredis through ./redis-adapter;
 *   neither → in memory (one process, the embedded default).
 * Shared backends make a limit hold across replicas. When the shared backend fails, the limiter
 * falls back to memory for that call (and logs it) rather than failing every request.
 * In memory, each of a server's RP_WORKERS=N processes allows a 1/N share of each limit, so the
 * server as a whole allows about the limit (a client whose requests reach one process gets its
 * share, never N times the limit across them).
 */
import cluster from 'node:cluster';
import os from 'node:os';
import { logger } from '@/lib/http/logger';
import { settings } from '@/lib/config/settings';
import { maskCredentials } from '@/lib/text/credentials';
import type { LimitSpec } from './limit-spec';
import { Ratelimit } from '@upstash/ratelimit';
import { MemorySlidingWindow } from './memory';
import type { RateLimiter, RateLimitResult } from './types';

type Env = Readonly<Record<string, string | undefined>>;

export type { RateLimiter, RateLimitResult } from './types';
export type { LimitSpec } from './limit-spec';

export interface BackendConfig {
  redisUrl?: string;
  upstash?: { url: string; token: string };
  /** Prepended to every key (tests use a unique one). */
  prefix?: string;
  /** Server processes that each keep their own counts in memory (RP_WORKERS): 1 by default. */
  processes?: number;
}

/** The shared backend the settings name; the Upstash token (a credential) is read here, where it is used. */
export function backendFromEnv(env: Env = process.env): BackendConfig {
  const config = settings(env);
  const { upstashUrl, redisUrl, prefix } = config.rateLimits;
  const token = env.UPSTASH_REDIS_REST_TOKEN;
  // A worker of the launcher (scripts/server.mjs), which starts RP_WORKERS of them ("auto": one per core).
  const processes = cluster.isWorker ? (config.workers === 'auto' ? os.availableParallelism() : config.workers) : 1;
  return { upstash: upstashUrl && token ? { url: upstashUrl, token } : undefined, redisUrl: redisUrl ?? undefined, prefix, processes };
}

type RedisLike = ConstructorParameters<typeof Ratelimit>[0]['redis'];

const clients = new Map<string, Promise<RedisLike>>();

async function sharedClient(config: BackendConfig): Promise<{ backend: 'upstash' | 'redis'; redis: RedisLike } | null> {
  if (config.upstash) {
    const key = `upstash:${config.upstash.url}`;
    if (!clients.has(key)) {
      clients.set(key, import('@upstash/redis').then(({ Redis }) => new Redis({ url: config.upstash!.url, token: config.upstash!.token, enableTelemetry: false }) as unknown as RedisLike));
    }
    return { backend: 'upstash', redis: await clients.get(key)! };
  }
  if (config.redisUrl) {
    const key = `redis:${config.redisUrl}`;
    if (!clients.has(key)) {
      clients.set(
        key,
        Promise.all([import('ioredis'), import('./redis-adapter')]).then(async ([{ Redis }, { IoRedisRatelimitAdapter }]) => {
          // No offline queue: while Redis is down a call fails at once (and falls back to memory)
          // instead of every request waiting for reconnection.
          const client = new Redis(config.redisUrl!, {
            lazyConnect: true,
            maxRetriesPerRequest: 1,
            connectTimeout: 2000,
            commandTimeout: 1000,
            enableOfflineQueue: false,
            enableAutoPipelining: true,
          });
          client.on('error', (error) => warn(maskCredentials(`Redis (${config.redisUrl!}): ${error.message}`)));
          await client.connect().catch((error: Error) => warn(maskCredentials(`Redis (${config.redisUrl!}): ${error.message}`)));
          return new IoRedisRatelimitAdapter(client) as unknown as RedisLike;
        }),
      );
    }
    return { backend: 'redis', redis: await clients.get(key)! };
  }
  return null;
}

export function createRateLimiter(name: string, spec: LimitSpec, config: BackendConfig = backendFromEnv()): RateLimiter {
  const memory = new MemorySlidingWindow(Math.max(1, Math.ceil(spec.tokens / (config.processes ?? 1))), spec.windowMs);
  const prefix = `${config.prefix ?? 'rp:rl'}:${name}`;
  const backend = config.upstash ? 'upstash' : config.redisUrl ? 'redis' : 'memory';
  let shared: Promise<Ratelimit | null> | null = null;
  const sharedLimiter = () =>
    (shared ??= sharedClient(config).then((client) =>
      client
        ? new Ratelimit({
            redis: client.redis,
            limiter: Ratelimit.slidingWindow(spec.tokens, `${spec.windowMs} ms`),
            prefix,
            analytics: false,
            enableTelemetry: false,
            // Blocked identifiers are refused from memory until their window resets: no Redis call.
            ephemeralCache: new Map(),
          })
        : null,
    ));

  return {
    backend,
    async limit(identifier: string): Promise<RateLimitResult> {
      if (backend === 'memory') return memory.limit(identifier);
      try {
        const limiter = await sharedLimiter();
        if (!limiter) return memory.limit(identifier);
        const { success, limit, remaining, reset } = await limiter.limit(identifier);
        return { success, limit, remaining, reset };
      } catch (error) {
        warn(`rate limit backend failed, limiting in memory for now: ${error instanceof Error ? error.message : String(error)}`);
        return memory.limit(identifier);
      }
    },
  };
}

/** RateLimit-* headers (IETF draft) and Retry-After on a refusal. */
export function rateLimitHeaders(result: RateLimitResult, now = Date.now()): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil((result.reset - now) / 1000));
  const headers: Record<string, string> = {
    'ratelimit-limit': String(result.limit),
    'ratelimit-remaining': String(result.remaining),
    'ratelimit-reset': String(resetSeconds),
  };
  if (!result.success) headers['retry-after'] = String(Math.max(1, resetSeconds));
  return headers;
}

let lastWarning = 0;
function warn(message: string): void {
  // At most one line a minute: a Redis outage must not flood the log.
  if (Date.now() - lastWarning < 60_000) return;
  lastWarning = Date.now();
  logger.warn(`ratelimit: ${message}`);
}


const limiters = new Map<string, RateLimiter>();

/**
 * The process-wide limiter of one kind, from the settings (made anew if the setting changes):
 * api, requests per credential (token or signed-in user); authFailures, failed authentications
 * per client address; signIn, local-account sign-in attempts per address and email; webhook,
 * Stripe webhook requests per address.
 */
export function rateLimiter(name: 'api' | 'authFailures' | 'signIn' | 'webhook'): RateLimiter {
  const spec = settings().rateLimits[name];
  const key = `${name}:${spec.tokens}/${spec.windowMs}`;
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = createRateLimiter(name, spec);
    limiters.set(key, limiter);
  }
  return limiter;
}
