/**
 * Which of the two builds this process belongs to (docs/architecture.md).
 * `RP_TARGET` is read at build time by next.config.ts and inlined into the bundles,
 * so a runtime build can never be switched into the public site at start.
 */
export type Target = 'public' | 'runtime';

export function parseTarget(value: string | undefined): Target {
  if (value === undefined || value === '' || value === 'runtime') return 'runtime';
  if (value === 'public') return 'public';
  throw new Error(`RP_TARGET must be "public" or "runtime", got "${value}"`);
}

// eslint-disable-next-line no-restricted-syntax -- a build-time constant (inlined by next.config.ts), not a setting
export const currentTarget: Target = parseTarget(process.env.RP_TARGET);
