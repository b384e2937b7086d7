/** A rate limit as its settings write it: "600/60s" is 600 requests per sliding 60-second window. */
export interface LimitSpec {
  tokens: number;
  windowMs: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "600/60s", "10/5m", "1000 / 1h"; null for anything else (the settings module names the setting). */
export function parseLimitSpec(value: string): LimitSpec | null {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*(ms|s|m|h)\s*$/.exec(value);
  if (!match) return null;
  const tokens = Number(match[1]);
  const windowMs = Number(match[2]) * UNITS[match[3]!]!;
  return tokens > 0 && windowMs > 0 ? { tokens, windowMs } : null;
}
