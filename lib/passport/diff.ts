/** Where two JSON values differ, as paths: how a replay reports a mismatch to a person. */
export interface JsonDifference {
  path: string;
  stored: unknown;
  replayed: unknown;
}

export function diffJson(stored: unknown, replayed: unknown, path = '$', out: JsonDifference[] = [], limit = 50): JsonDifference[] {
  if (out.length >= limit) return out;
  if (stored === replayed) return out;
  if (Array.isArray(stored) && Array.isArray(replayed)) {
    for (let i = 0; i < Math.max(stored.length, replayed.length); i++) diffJson(stored[i], replayed[i], `${path}[${i}]`, out, limit);
    return out;
  }
  if (isObject(stored) && isObject(replayed)) {
    for (const key of [...new Set([...Object.keys(stored), ...Object.keys(replayed)])].sort()) {
      diffJson(stored[key], replayed[key], `${path}.${key}`, out, limit);
    }
    return out;
  }
  if (JSON.stringify(stored) !== JSON.stringify(replayed)) out.push({ path, stored: stored ?? null, replayed: replayed ?? null });
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
