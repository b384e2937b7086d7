/**
 * The store's 256-bit key and where it comes from (docs/security-model.md: three documented sources).
 *
 *   RP_SECRETS_KEY            the key itself, base64 (32 bytes)
 *   RP_SECRETS_KEY_FILE       a file holding the key (base64 text, or 32 raw bytes)
 *   RP_SECRETS_PASSWORD       a password; the key is PBKDF2-SHA-256 of it, 100,000 iterations,
 *   RP_SECRETS_PASSWORD_FILE  with a random salt stored beside the encrypted data
 *
 * With none of them set, the embedded default is a key file made on first use in the data
 * directory (`.data/<target>/secrets.key`, mode 0600): right for a trial, and the status page says
 * to move the key off the data volume for production. Setting two sources is an error, not a
 * silent choice. Keys are known by a fingerprint (HMAC of a fixed label), never by their bytes.
 */
import 'server-only';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { plural } from '@/lib/text/plural';
import { SecretError } from './errors';

/** Environment variables as the secrets layer reads them (process.env, or a test's own). */
export type Environment = Readonly<Record<string, string | undefined>>;

export const PBKDF2_ITERATIONS = 100_000;
export const KEY_BYTES = 32;

export interface KdfParams {
  algorithm: 'pbkdf2-sha256';
  /** base64 */
  salt: string;
  iterations: number;
}

export type KeySource =
  | { type: 'base64'; variable: string }
  | { type: 'key-file'; path: string; isDefault: boolean }
  | { type: 'password'; variable: string }
  | { type: 'password-file'; path: string };

export interface StoreKey {
  /** Fingerprint: safe to store beside the ciphertext and to print. */
  id: string;
  key: Buffer;
  /** How the key was derived (password sources), null for a direct key. */
  kdf: KdfParams | null;
  source: KeySource;
}

export const KEY_SOURCE_VARIABLES = ['RP_SECRETS_KEY', 'RP_SECRETS_KEY_FILE', 'RP_SECRETS_PASSWORD', 'RP_SECRETS_PASSWORD_FILE'] as const;

/** The configured key source; `defaultKeyFile` when no variable names one. */
export function keySourceFromEnvironment(env: Environment, defaultKeyFile: string): KeySource {
  const set = KEY_SOURCE_VARIABLES.filter((name) => (env[name] ?? '') !== '');
  if (set.length > 1) {
    throw new SecretError('key-source', `Set only one secrets key source; found ${set.join(' and ')}.`);
  }
  switch (set[0]) {
    case 'RP_SECRETS_KEY':
      return { type: 'base64', variable: 'RP_SECRETS_KEY' };
    case 'RP_SECRETS_KEY_FILE':
      return { type: 'key-file', path: path.resolve(env.RP_SECRETS_KEY_FILE!), isDefault: false };
    case 'RP_SECRETS_PASSWORD':
      return { type: 'password', variable: 'RP_SECRETS_PASSWORD' };
    case 'RP_SECRETS_PASSWORD_FILE':
      return { type: 'password-file', path: path.resolve(env.RP_SECRETS_PASSWORD_FILE!) };
    default:
      return { type: 'key-file', path: defaultKeyFile, isDefault: true };
  }
}

/** One line for people: where the key comes from, never what it is. */
export function describeKeySource(source: KeySource): string {
  switch (source.type) {
    case 'base64':
      return `base64 key in ${source.variable}`;
    case 'key-file':
      return source.isDefault ? `key file ${source.path} (embedded default, beside the data)` : `key file ${source.path}`;
    case 'password':
      return `password in ${source.variable} (PBKDF2-SHA-256, ${plural(PBKDF2_ITERATIONS, 'iteration')})`;
    case 'password-file':
      return `password file ${source.path} (PBKDF2-SHA-256, ${plural(PBKDF2_ITERATIONS, 'iteration')})`;
  }
}

export function keyFingerprint(key: Buffer): string {
  return crypto.createHmac('sha256', key).update('release-passport secret store key id').digest('hex').slice(0, 16);
}

export function newKdfParams(): KdfParams {
  return { algorithm: 'pbkdf2-sha256', salt: crypto.randomBytes(16).toString('base64'), iterations: PBKDF2_ITERATIONS };
}

/**
 * Loads the key. `kdf` is the store's recorded derivation (its salt) for password sources; a
 * password source without one gets a fresh salt (a new store). `env` is where variables are read.
 */
export async function loadStoreKey(
  source: KeySource,
  kdf: KdfParams | null,
  env: Environment = process.env,
  options: { createDefaultFile?: boolean } = {},
): Promise<StoreKey> {
  switch (source.type) {
    case 'base64': {
      const key = decodeKey(env[source.variable] ?? '');
      if (!key) throw new SecretError('key-source', `${source.variable} must hold a base64-encoded ${KEY_BYTES}-byte key.`);
      return { id: keyFingerprint(key), key, kdf: null, source };
    }
    case 'key-file': {
      if (source.isDefault && options.createDefaultFile && !fs.existsSync(source.path)) writeNewKeyFile(source.path);
      const key = readKeyFile(source.path);
      return { id: keyFingerprint(key), key, kdf: null, source };
    }
    case 'password':
    case 'password-file': {
      const password = source.type === 'password' ? (env[source.variable] ?? '') : readSmallFile(source.path, 'password file').trimEnd();
      if (password.length < 12) {
        throw new SecretError('key-source', `The secrets password (${describeKeySource(source)}) must be at least 12 characters.`);
      }
      const params = kdf ?? newKdfParams();
      const key = await derive(password, params);
      return { id: keyFingerprint(key), key, kdf: params, source };
    }
  }
}

const derived = new Map<string, Buffer>();

async function derive(password: string, params: KdfParams): Promise<Buffer> {
  if (params.algorithm !== 'pbkdf2-sha256' || params.iterations < PBKDF2_ITERATIONS) {
    throw new SecretError('key-source', `Unsupported key derivation ${params.algorithm} with ${params.iterations} iterations.`);
  }
  // 100,000 iterations cost tens of milliseconds: derive once per password and salt per process.
  const cacheKey = crypto.createHash('sha256').update(password).update('\0').update(params.salt).digest('hex') + params.iterations;
  const cached = derived.get(cacheKey);
  if (cached) return cached;
  const key = await new Promise<Buffer>((resolve, reject) =>
    crypto.pbkdf2(password, Buffer.from(params.salt, 'base64'), params.iterations, KEY_BYTES, 'sha256', (error, out) =>
      error ? reject(error) : resolve(out),
    ),
  );
  derived.set(cacheKey, key);
  return key;
}

/** base64 or base64url of exactly 32 bytes, or null. */
export function decodeKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === KEY_BYTES ? key : null;
}

export function readKeyFile(file: string): Buffer {
  const bytes = readSmallFile(file, 'key file', 'buffer');
  const key = decodeKey(bytes.toString('latin1')) ?? (bytes.length === KEY_BYTES ? bytes : null);
  if (!key) throw new SecretError('key-source', `The key file ${file} must hold a base64-encoded ${KEY_BYTES}-byte key (or ${KEY_BYTES} raw bytes).`);
  return key;
}

/** A new random key, written base64 to `file` (mode 0600); refuses to overwrite. Returns its fingerprint. */
export function writeNewKeyFile(file: string): string {
  const key = crypto.randomBytes(KEY_BYTES);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SecretError('key-source', `${file} already exists; a new key is never written over an old one.`);
    }
    throw error;
  }
  return keyFingerprint(key);
}

function readSmallFile(file: string, what: string): string;
function readSmallFile(file: string, what: string, as: 'buffer'): Buffer;
function readSmallFile(file: string, what: string, as: 'text' | 'buffer' = 'text'): string | Buffer {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > 64 * 1024) throw new SecretError('key-source', `The ${what} ${file} is not a small regular file.`);
    bytes = fs.readFileSync(file);
  } catch (error) {
    if (error instanceof SecretError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new SecretError('key-source', `The ${what} ${file} cannot be read (${code ?? 'error'}).`);
  }
  return as === 'buffer' ? bytes : bytes.toString('utf8');
}
