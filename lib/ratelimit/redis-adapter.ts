/**
 * @upstash/ratelimit talks to Redis through two methods, `evalsha` and `eval`, in the shape of
 * @upstash/redis. This adapter gives it an ioredis connection (Redis or Valkey through REDIS_URL).
 * Its Lua scripts start with `#!lua flags=allow-key-locking`, a flag Redis 7.0 rejects: the
 * adapter strips that first line and keeps a map from the library's script hashes to the
 * stripped scripts' hashes, so steady-state calls are one EVALSHA each.
 */
import crypto from 'node:crypto';
import type { Redis as IoRedis } from 'ioredis';

type Arg = string | number;

function sha1(text: string): string {
  return crypto.createHash('sha1').update(text).digest('hex');
}

export function stripLuaShebang(script: string): string {
  return script.startsWith('#!lua') ? script.slice(script.indexOf('\n') + 1) : script;
}

export class IoRedisRatelimitAdapter {
  /** The library's hash of a script → the stripped script and its hash as Redis knows it. */
  private readonly scripts = new Map<string, { script: string; sha: string }>();

  constructor(private readonly client: IoRedis) {}

  async evalsha<TResult = unknown>(hash: string, keys: string[], args: Arg[]): Promise<TResult> {
    const known = this.scripts.get(hash);
    // The library answers NOSCRIPT by sending the whole script through eval(), which registers it here.
    if (!known) throw new Error('NOSCRIPT No matching script. Please use EVAL.');
    try {
      return (await this.client.evalsha(known.sha, keys.length, ...keys, ...args)) as TResult;
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      return (await this.client.eval(known.script, keys.length, ...keys, ...args)) as TResult; // Redis restarted
    }
  }

  async eval<TResult = unknown>(script: string, keys: string[], args: Arg[]): Promise<TResult> {
    const stripped = stripLuaShebang(script);
    this.scripts.set(sha1(script), { script: stripped, sha: sha1(stripped) });
    return (await this.client.eval(stripped, keys.length, ...keys, ...args)) as TResult;
  }

  async get<TResult = unknown>(key: string): Promise<TResult | null> {
    const value = await this.client.get(key);
    if (value === null) return null;
    try {
      return JSON.parse(value) as TResult;
    } catch {
      return value as TResult;
    }
  }

  async set(key: string, value: unknown): Promise<'OK' | null> {
    return this.client.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
}
