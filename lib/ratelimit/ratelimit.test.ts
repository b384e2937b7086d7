/**
 * The rate limiter on each backend: in memory, real Redis through the ioredis adapter (the Redis
 * here is 7.0, which rejects @upstash/ratelimit's `#!lua flags=` line), and the Upstash REST
 * client against a local stand-in of the Upstash REST API that executes on the same real Redis.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { backendFromEnv, createRateLimiter, rateLimitHeaders } from './index';
import { parseLimitSpec } from './limit-spec';
import { parseSettings } from '@/lib/config/settings';
import { MemorySlidingWindow } from './memory';
import { IoRedisRatelimitAdapter, stripLuaShebang } from './redis-adapter';

const redisUrl = process.env.TEST_REDIS_URL;
// CI runs these on the Redis it provides (.ci/run sets TEST_REDIS_URL): missing there is a failure, not a skip.
if (process.env.CI && !redisUrl) throw new Error('CI must run the rate-limit tests on Redis: set TEST_REDIS_URL.');
const prefix = () => `rp-test:${crypto.randomBytes(6).toString('hex')}`;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function exhaust(limit: (id: string) => Promise<{ success: boolean; remaining: number; limit: number; reset: number }>, tokens: number) {
  const results = [];
  for (let i = 0; i < tokens + 2; i++) results.push(await limit('client-a'));
  return results;
}

function expectLimitedAfter(results: Array<{ success: boolean; remaining: number; limit: number }>, tokens: number) {
  expect(results.slice(0, tokens).every((r) => r.success)).toBe(true);
  expect(results.slice(tokens).every((r) => !r.success)).toBe(true);
  expect(results[0]).toMatchObject({ limit: tokens, remaining: tokens - 1 });
  expect(results[tokens]!.remaining).toBe(0);
}

describe('limit settings', () => {
  it('parse "N/window" and nothing else', () => {
    expect(parseLimitSpec('600/60s')).toEqual({ tokens: 600, windowMs: 60_000 });
    expect(parseLimitSpec('10/5m')).toEqual({ tokens: 10, windowMs: 300_000 });
    expect(parseLimitSpec('1000 / 1h')).toEqual({ tokens: 1000, windowMs: 3_600_000 });
    expect(parseLimitSpec('lots')).toBeNull();
    expect(parseLimitSpec('0/60s')).toBeNull();
  });

  it('default when unset, and stop the start when written wrong (naming the setting)', () => {
    expect(parseSettings({}).settings.rateLimits.api).toEqual({ tokens: 600, windowMs: 60_000 });
    expect(parseSettings({ RP_RATE_LIMIT_API: '1000000' }).problems).toEqual([
      'RP_RATE_LIMIT_API must be requests per window such as 600/60s (units ms, s, m, h), got "1000000".',
    ]);
  });

  it('become RateLimit-* headers and Retry-After on a refusal', () => {
    const now = 1_000_000;
    expect(rateLimitHeaders({ success: true, limit: 10, remaining: 3, reset: now + 4500 }, now)).toEqual({ 'ratelimit-limit': '10', 'ratelimit-remaining': '3', 'ratelimit-reset': '5' });
    expect(rateLimitHeaders({ success: false, limit: 10, remaining: 0, reset: now + 200 }, now)).toMatchObject({ 'retry-after': '1', 'ratelimit-remaining': '0' });
  });
});

describe('in memory', () => {
  it('allows N per window per identifier, then refuses until the window slides', () => {
    const limiter = new MemorySlidingWindow(3, 1000);
    const t = 10_000; // start of a window
    expect([1, 2, 3, 4].map(() => limiter.limit('a', t).success)).toEqual([true, true, true, false]);
    expect(limiter.limit('b', t).success).toBe(true);
    // Halfway through the next window half of the previous count (1 of 3) still weighs: 2 left.
    expect(limiter.limit('a', t + 1500)).toMatchObject({ success: true, remaining: 1 });
    expect(limiter.limit('a', t + 1500)).toMatchObject({ success: true, remaining: 0 });
    expect(limiter.limit('a', t + 1500).success).toBe(false);
    expect(limiter.limit('a', t + 3000).success).toBe(true);
  });

  it('is the backend without Redis settings', async () => {
    const limiter = createRateLimiter('memory-test', { tokens: 2, windowMs: 60_000 }, {});
    expect(limiter.backend).toBe('memory');
    expectLimitedAfter(await exhaust((id) => limiter.limit(id), 2), 2);
  });

  it('gives each of N server processes a 1/N share (rounded up), so the server allows about the limit, not N times it', async () => {
    const shares = [1, 2, 3].map((process) => createRateLimiter(`memory-share-${process}`, { tokens: 10, windowMs: 60_000 }, { processes: 3 }));
    const allowed = await Promise.all(shares.map(async (limiter) => (await exhaust((id) => limiter.limit(id), 10)).filter((result) => result.success).length));
    expect(allowed).toEqual([4, 4, 4]); // ceil(10 / 3) each
    // A limit smaller than the processes still lets each one through once.
    const tight = createRateLimiter('memory-share-tight', { tokens: 2, windowMs: 60_000 }, { processes: 4 });
    expect((await exhaust((id) => tight.limit(id), 2)).map((result) => result.success)).toEqual([true, false, false, false]);
  });

  it('counts one process outside the launcher\u2019s workers', () => {
    expect(backendFromEnv({ RP_WORKERS: '4' }).processes).toBe(1);
  });
});

describe.skipIf(!redisUrl)('on Redis through the ioredis adapter', () => {
  it('strips the flags line Redis 7.0 rejects', async () => {
    const client = new Redis(redisUrl!);
    cleanups.push(async () => void client.disconnect());
    const flagged = "#!lua flags=allow-key-locking\nreturn 'ok'";
    await expect(client.eval(flagged, 0)).rejects.toThrow(); // the reason the adapter exists
    expect(stripLuaShebang(flagged)).toBe("return 'ok'");
    const adapter = new IoRedisRatelimitAdapter(client);
    await expect(adapter.evalsha(crypto.createHash('sha1').update(flagged).digest('hex'), [], [])).rejects.toThrow(/NOSCRIPT/);
    expect(await adapter.eval(flagged, [], [])).toBe('ok');
    expect(await adapter.evalsha(crypto.createHash('sha1').update(flagged).digest('hex'), [], [])).toBe('ok');
  });

  it('limits across limiter instances sharing Redis (two replicas)', async () => {
    const config = { redisUrl, prefix: prefix() };
    const replicaA = createRateLimiter('api', { tokens: 4, windowMs: 60_000 }, config);
    const replicaB = createRateLimiter('api', { tokens: 4, windowMs: 60_000 }, config);
    expect(replicaA.backend).toBe('redis');
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await (i % 2 ? replicaB : replicaA).limit('token:1'));
    expectLimitedAfter(results, 4);
    expect(results[0]!.reset).toBeGreaterThan(Date.now());
    expect((await replicaA.limit('token:2')).success).toBe(true);
  });

  it('falls back to memory when Redis is unreachable instead of failing requests', async () => {
    const limiter = createRateLimiter('down', { tokens: 2, windowMs: 60_000 }, { redisUrl: 'redis://127.0.0.1:1', prefix: prefix() });
    const results = await exhaust((id) => limiter.limit(id), 2);
    expectLimitedAfter(results, 2);
  });
});

describe.skipIf(!redisUrl)('on Upstash REST', () => {
  it('uses the REST client when UPSTASH_REDIS_REST_URL and _TOKEN are set', async () => {
    const { url, token } = await upstashStandIn();
    const limiter = createRateLimiter('api', { tokens: 3, windowMs: 60_000 }, { upstash: { url, token }, redisUrl: 'redis://ignored:1', prefix: prefix() });
    expect(limiter.backend).toBe('upstash');
    expectLimitedAfter(await exhaust((id) => limiter.limit(id), 3), 3);
  });
});

/**
 * A stand-in for Upstash's REST API (POST a command as a JSON array, get {result}, strings
 * base64-encoded when asked) executing on the real Redis. Like Upstash, it accepts scripts with
 * the flags line (through the same adapter).
 */
async function upstashStandIn(): Promise<{ url: string; token: string }> {
  const token = crypto.randomBytes(16).toString('hex');
  const client = new Redis(redisUrl!);
  const scripts = new IoRedisRatelimitAdapter(client);
  const encode = (value: unknown, base64: boolean): unknown =>
    typeof value === 'string' && base64 && value !== 'OK' ? Buffer.from(value).toString('base64') : Array.isArray(value) ? value.map((v) => encode(v, base64)) : value;
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      void (async () => {
        if (request.headers.authorization !== `Bearer ${token}`) {
          response.writeHead(401).end(JSON.stringify({ error: 'Unauthorized' }));
          return;
        }
        const [command, ...args] = JSON.parse(body) as [string, ...Array<string | number>];
        try {
          let result: unknown;
          const name = command.toUpperCase();
          if (name === 'EVAL' || name === 'EVALSHA') {
            const [scriptOrSha, numKeys, ...rest] = args;
            const keys = rest.slice(0, Number(numKeys)).map(String);
            const argv = rest.slice(Number(numKeys));
            result = name === 'EVAL' ? await scripts.eval(String(scriptOrSha), keys, argv) : await scripts.evalsha(String(scriptOrSha), keys, argv);
          } else {
            result = await client.call(name, ...args.map(String));
          }
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: encode(result, request.headers['upstash-encoding'] === 'base64') }));
        } catch (error) {
          response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String((error as Error).message) }));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.close();
    client.disconnect();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token };
}
