/**
 * A resolved secret. The value stays inside until `reveal()` is called at the point of use;
 * printing, logging or JSON-serializing the object shows only its reference, so a secret that
 * slips into a log line or an API body leaks nothing.
 */
import { inspect } from 'node:util';

export type SecretSource = 'environment' | 'file' | 'encrypted store' | 'encrypted file' | 'vault';

export class SecretValue {
  readonly #value: Buffer;
  readonly reference: string;
  readonly source: SecretSource;
  /** Store entries only: the version read. */
  readonly version?: number;

  constructor(reference: string, source: SecretSource, value: Buffer, version?: number) {
    this.reference = reference;
    this.source = source;
    this.#value = Buffer.from(value);
    this.version = version;
  }

  /** The value as UTF-8 text. Call it where the secret is used, not earlier. */
  reveal(): string {
    return this.#value.toString('utf8');
  }

  /** A copy of the raw bytes (binary keys). */
  revealBytes(): Buffer {
    return Buffer.from(this.#value);
  }

  toString(): string {
    return `[secret ${this.reference}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
