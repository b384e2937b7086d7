export interface RateLimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends, epoch milliseconds. */
  reset: number;
}

export interface RateLimiter {
  readonly backend: 'redis' | 'upstash' | 'memory';
  limit(identifier: string): Promise<RateLimitResult>;
}
