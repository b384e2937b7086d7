/**
 * The in-memory limiter for a single process (the embedded default): the same sliding-window
 * approximation @upstash/ratelimit runs in Redis (this window's count plus the previous window's,
 * weighted by how much of it still overlaps), so limits behave alike whichever backend is used.
 */
import type { RateLimitResult } from './types';

export class MemorySlidingWindow {
  private readonly counts = new Map<string, number>();
  private lastSweep = 0;

  constructor(
    private readonly tokens: number,
    private readonly windowMs: number,
  ) {}

  limit(identifier: string, now = Date.now()): RateLimitResult {
    const window = Math.floor(now / this.windowMs);
    this.sweep(window);
    const currentKey = `${identifier}:${window}`;
    const current = this.counts.get(currentKey) ?? 0;
    const previous = this.counts.get(`${identifier}:${window - 1}`) ?? 0;
    const weightedPrevious = Math.floor((1 - (now % this.windowMs) / this.windowMs) * previous);
    const reset = (window + 1) * this.windowMs;
    if (weightedPrevious + current >= this.tokens) {
      return { success: false, limit: this.tokens, remaining: 0, reset };
    }
    this.counts.set(currentKey, current + 1);
    return { success: true, limit: this.tokens, remaining: Math.max(0, this.tokens - (current + 1 + weightedPrevious)), reset };
  }

  /** Drops windows older than the previous one, at most once per window. */
  private sweep(window: number): void {
    if (this.lastSweep === window) return;
    this.lastSweep = window;
    for (const key of this.counts.keys()) {
      const keyWindow = Number(key.slice(key.lastIndexOf(':') + 1));
      if (keyWindow < window - 1) this.counts.delete(key);
    }
  }
}
