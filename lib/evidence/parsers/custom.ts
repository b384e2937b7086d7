/** Custom JSON evidence: any JSON document; the summary describes its shape. */
import type { JsonPathSegment, JsonStringToken } from '../json-scanner';
import { RootType, type JsonSummarizer } from './summarizer';

export interface CustomSummary {
  format: 'json';
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  /** Top-level keys of an object (the first 50, in document order). */
  keys: string[];
  /** Number of top-level entries (keys or array items). */
  entries: number;
}

export class CustomSummarizer implements JsonSummarizer<CustomSummary> {
  private readonly root = new RootType();
  private readonly keys: string[] = [];
  private entries = 0;

  private count(path: readonly JsonPathSegment[]): void {
    if (path.length !== 1) return;
    this.entries++;
    const key = path[0];
    if (typeof key === 'string' && this.keys.length < 50) this.keys.push(key);
  }

  open(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    this.root.open(path, type);
    this.count(path);
  }

  string(path: readonly JsonPathSegment[], _token: JsonStringToken): void {
    this.root.string(path);
    this.count(path);
  }

  primitive(path: readonly JsonPathSegment[], value: number | boolean | null): void {
    this.root.primitive(path, value);
    this.count(path);
  }

  finish(): CustomSummary {
    return { format: 'json', type: this.root.type ?? 'null', keys: this.keys, entries: this.entries };
  }
}
