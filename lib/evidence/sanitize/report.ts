/**
 * What the sanitizer removed, for the evidence summary and the audit log: the kind of secret and
 * where it was (a JSON path, a document and path, a line), never the value.
 */
import type { SecretKind } from './patterns';

export interface Redaction {
  kind: SecretKind;
  location: string;
}

export interface RedactionReport {
  count: number;
  byKind: Partial<Record<SecretKind, number>>;
  /** The first redactions, in document order (at most MAX_LISTED). */
  items: Redaction[];
  /** True when more were redacted than listed. */
  truncated: boolean;
}

const MAX_LISTED = 200;

export class RedactionCollector {
  private readonly items: Redaction[] = [];
  private readonly byKind: Partial<Record<SecretKind, number>> = {};
  private count = 0;

  add(kind: SecretKind, location: string): void {
    this.count++;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
    if (this.items.length < MAX_LISTED) this.items.push({ kind, location });
  }

  /** Drops one earlier redaction of this kind (when a later decision supersedes it). */
  retract(kind: SecretKind, location: string): void {
    const index = this.items.findIndex((item) => item.kind === kind && item.location === location);
    if (index >= 0) this.items.splice(index, 1);
    this.count--;
    const left = (this.byKind[kind] ?? 1) - 1;
    if (left > 0) this.byKind[kind] = left;
    else delete this.byKind[kind];
  }

  get size(): number {
    return this.count;
  }

  report(): RedactionReport {
    const byKind = Object.fromEntries(Object.entries(this.byKind).sort(([a], [b]) => a.localeCompare(b)));
    return { count: this.count, byKind, items: [...this.items], truncated: this.count > this.items.length };
  }
}

export const EMPTY_REDACTIONS: RedactionReport = { count: 0, byKind: {}, items: [], truncated: false };
