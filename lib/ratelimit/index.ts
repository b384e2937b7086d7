/**
 * Rate limits (docs/security-model.md) with @upstash/ratelimit's sliding window. The backend is chosen once per
 * process from the environment:
 *   UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN → Upstash over REST;
 *   REDIS_URL (redis:// or rediss://, Redis or Valkey) → ioredis through ./redis-adapter;
 *   neither → in memory (one process, the embedded default).
 * Shared backends make a limit hold across replicas. When the shared backend fails, the limiter
 * falls back to memory for that call (and logs it) rather than failing every request.
 */
import { logger } from '@/lib/http/logger';
import { Ratelimit } from '@upstash/ratelimit';
import { MemorySlidingWindow } from './memory';
import type { RateLimiter, RateLimitResult } from './types';

type Env = Record<string, string | undefined>;

export type { RateLimiter, RateLimitResult } from './types';

export interface LimitSpec {
  tokens: number;
  windowMs: number;
}

const warnedSettings = new Set<string>();
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "600/60s", "10/5m", "1000/1h"; invalid or absent values give the default. */
export function parseLimit(value: string | undefined, fallback: LimitSpec): LimitSpec {
  const match = value ? /^\s*(\d+)\s*\/\s*(\d+)\s*(ms|s|m|h)\s*$/.exec(value) : null;
  if (!match) {
    if (value && !warnedSettings.has(value)) {
      warnedSettings.add(value);
      logger.warn({ setting: value, using: `${fallback.tokens}/${fallback.windowMs / 1000}s` }, 'rate limit setting is not of the form N/60s: using the default');
    }
    return fallback;
  }
  const tokens = Number(match[1]);
  const windowMs = Number(match[2]) * UNITS[match[3]!]!;
  return tokens > 0 && windowMs > 0 ? { tokens, windowMs } : fallback;
}

export interface BackendConfig {
  redisUrl?: string;
  upstash?: { url: string; token: string };
  /** Prepended to every key (tests use a unique one). */
  prefix?: string;
}

export function backendFromEnv(env: Env = process.env): BackendConfig {
  const upstash =
    env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN ? { url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN } : undefined;
  return { upstash, redisUrl: env.REDIS_URL || undefined, prefix: env.RP_RATE_LIMIT_PREFIX || 'rp:rl' };
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
          client.on('error', (error) => warn(`Redis (${redact(config.redisUrl!)}): ${error.message}`));
          await client.connect().catch((error: Error) => warn(`Redis (${redact(config.redisUrl!)}): ${error.message}`));
          return new IoRedisRatelimitAdapter(client) as unknown as RedisLike;
        }),
      );
    }
    return { backend: 'redis', redis: await clients.get(key)! };
  }
  return null;
}

export function createRateLimiter(name: string, spec: LimitSpec, config: BackendConfig = backendFromEnv()): RateLimiter {
  const memory = new MemorySlidingWindow(spec.tokens, spec.windowMs);
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

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** The limits the API applies, from the environment (documented in the README). */
export const LIMITS = {
  /** Requests per credential (token or signed-in user). */
  api: () => parseLimit(process.env.RP_RATE_LIMIT_API, { tokens: 600, windowMs: 60_000 }),
  /** Failed authentications per client address (token guessing, password guessing). */
  authFailures: () => parseLimit(process.env.RP_RATE_LIMIT_AUTH_FAILURES, { tokens: 30, windowMs: 60_000 }),
  /** Local-account sign-in attempts per address and email. */
  signIn: () => parseLimit(process.env.RP_RATE_LIMIT_SIGN_IN, { tokens: 10, windowMs: 300_000 }),
};

const limiters = new Map<string, RateLimiter>();

/** The process-wide limiter of one kind, from the environment (made anew if the setting changes). */
export function rateLimiter(name: keyof typeof LIMITS): RateLimiter {
  const spec = LIMITS[name]();
  const key = `${name}:${spec.tokens}/${spec.windowMs}`;
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = createRateLimiter(name, spec);
    limiters.set(key, limiter);
  }
  return limiter;
}
