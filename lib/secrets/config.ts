/**
 * The secrets layer's configuration, read once from the environment: which target (so which
 * store), where the data directory is, the key source and the access policy. Tests and the CLI
 * point it elsewhere with `configureSecrets`.
 */
import path from 'node:path';
import { currentTarget, type Target } from '@/lib/target';
import { keySourceFromEnvironment, type Environment, type KeySource } from './keys';
import { loadSecretPolicy, type SecretPolicy } from './policy';
import { settings } from '@/lib/config/settings';

export interface SecretsConfig {
  target: Target;
  /** `<data dir>/<target>`: the encrypted file, the default key file. */
  targetDataDir: string;
  env: Environment;
  keySource: KeySource;
  policy: SecretPolicy;
}

export interface SecretsConfigOverrides {
  target?: Target;
  env?: Environment;
}

let overrides: SecretsConfigOverrides = {};
let cached: SecretsConfig | undefined;

export function secretsConfig(): SecretsConfig {
  if (cached) return cached;
  const env = overrides.env ?? process.env;
  const target = overrides.target ?? currentTarget;
  const config = settings(env);
  const targetDataDir = path.join(/*turbopackIgnore: true*/ config.dataDir, target);
  cached = {
    target,
    targetDataDir,
    env,
    keySource: keySourceFromEnvironment(env, path.join(targetDataDir, 'secrets.key')),
    policy: loadSecretPolicy(config.secrets.policyFile ?? undefined),
  };
  return cached;
}

/** Re-reads the configuration on next use, with these overrides (tests, `rp --target`). */
export function configureSecrets(next: SecretsConfigOverrides = {}): void {
  overrides = next;
  cached = undefined;
}

/** The encrypted file of the public target (which has no runtime database). */
export function secretsFilePath(config: SecretsConfig): string {
  return path.join(config.targetDataDir, 'secrets.enc');
}
