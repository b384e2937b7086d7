/**
 * The installation-level secrets the product uses, each named by a reference, with the sources
 * its reader accepts (`sources`), so the status pages say exactly where each one comes from:
 *   reference    `X_REF` names any reference (`X_REF=store:stripe/secret-key`), else `env:X`,
 *                else `file:<X_FILE>`: read through resolveInstallationSecret, audited;
 *   env-or-file  `env:X`, else `file:<X_FILE>`: read synchronously where it is needed before the
 *                store is available (sign-in settings, storage);
 *   env          only `env:X` (the database URL, the session key the Edge middleware reads).
 * The settings and admin pages list these with their status, never a value.
 */
import type { Target } from '@/lib/target';
import type { Environment } from './keys';
import type { FlowPurpose } from './policy';

export interface InstallationSecretDefinition {
  /** Stable name callers use: `oidc.clientSecret`. */
  name: string;
  label: string;
  /** Environment variable of the default reference; `<variable>_REF` overrides the reference. */
  variable: string;
  targets: readonly Target[];
  /** The flow that reads it. */
  purpose: Extract<FlowPurpose, 'system' | 'signing'>;
  /** Needed before the database opens (so it cannot live in the runtime's encrypted store). */
  bootstrap?: boolean;
  /** Where its reader looks (default `reference`); see above. */
  sources?: 'reference' | 'env-or-file' | 'env';
  /** Whether a missing value is a problem (the page shows it as one) or an optional feature. */
  required: boolean;
  /**
   * A file in `<data dir>/<target>/` where the launcher (scripts/server.mjs) makes a value of its own
   * when the variable is unset, for one machine: the status names it rather than "not set".
   */
  launcherFile?: string;
  description: string;
}

/** The secrets of the shared code and the runtime. The public target's owner secrets are not here. */
const SHARED_SECRETS: readonly InstallationSecretDefinition[] = [
  {
    name: 'database.url',
    label: 'Database URL',
    variable: 'DATABASE_URL',
    targets: ['runtime', 'public'],
    purpose: 'system',
    bootstrap: true,
    sources: 'env',
    required: false,
    description: 'Postgres connection URL (it carries the password); unset means the embedded database.',
  },
  {
    name: 'auth.secret',
    label: 'Session key',
    variable: 'AUTH_SECRET',
    targets: ['runtime', 'public'],
    purpose: 'system',
    bootstrap: true,
    sources: 'env',
    required: true,
    launcherFile: 'auth-secret',
    description: 'Encrypts session cookies; the same on every replica.',
  },
  {
    name: 'oidc.clientSecret',
    label: 'OIDC client secret',
    variable: 'RP_OIDC_CLIENT_SECRET',
    targets: ['runtime'],
    purpose: 'system',
    sources: 'env-or-file',
    required: false,
    description: 'Client secret registered with the OIDC issuer (sign-in with OIDC).',
  },
  {
    name: 'proxy.sharedSecret',
    label: 'Trusted proxy shared secret',
    variable: 'RP_AUTH_PROXY_SECRET',
    targets: ['runtime'],
    purpose: 'system',
    sources: 'env-or-file',
    required: false,
    description: 'Shared secret the authenticating reverse proxy sends with its identity headers.',
  },
  {
    name: 'redis.url',
    label: 'Redis URL',
    variable: 'REDIS_URL',
    targets: ['runtime', 'public'],
    purpose: 'system',
    sources: 'env',
    required: false,
    description: 'Redis or Valkey for rate limits across replicas (it may carry a password).',
  },
  {
    name: 'storage.secretAccessKey',
    label: 'Object storage secret key',
    variable: 'RP_S3_SECRET_ACCESS_KEY',
    targets: ['runtime'],
    purpose: 'system',
    sources: 'env-or-file',
    required: false,
    description: 'Secret access key of the S3-compatible evidence storage.',
  },
];

const registered: InstallationSecretDefinition[] = [];

/**
 * Adds secrets defined outside this shared module: the owner's (Stripe, license signing...) are
 * defined and registered by lib/billing, which only the public build contains, so the customer
 * package never even names them (the owner-separation test searches for their names).
 */
export function registerInstallationSecrets(definitions: readonly InstallationSecretDefinition[]): void {
  for (const definition of definitions) {
    if (!installationSecrets().some((known) => known.name === definition.name)) registered.push(definition);
  }
}

/** Every installation secret this process knows: the shared ones and those registered. */
export function installationSecrets(): readonly InstallationSecretDefinition[] {
  return [...SHARED_SECRETS, ...registered];
}

export function installationSecretDefinition(name: string): InstallationSecretDefinition {
  const definition = installationSecrets().find((candidate) => candidate.name === name);
  if (!definition) throw new Error(`Unknown installation secret "${name}" (lib/secrets/registry.ts lists them).`);
  return definition;
}

/**
 * The configured reference text of an installation secret (not yet validated): `<NAME>_REF` when
 * set (and the reader takes references); else the variable itself when set; else `<NAME>_FILE`
 * (the Docker and Kubernetes convention) as `file:` (unless the reader takes only the variable);
 * else `env:<NAME>`, unset.
 */
export function installationSecretReference(definition: InstallationSecretDefinition, env: Environment): string {
  const { variable } = definition;
  const sources = definition.sources ?? 'reference';
  const override = env[`${variable}_REF`];
  if (override && sources === 'reference') return override;
  if (sources === 'env') return `env:${variable}`;
  if (env[variable]) return `env:${variable}`;
  const file = env[`${variable}_FILE`];
  return file ? `file:${file}` : `env:${variable}`;
}
