/**
 * Checksums files as release tooling writes them: GNU coreutils (`sha256sum`: "<hex>  <name>",
 * "<hex> *<name>" in binary mode) and BSD/`shasum --tag` ("SHA256 (<name>) = <hex>"). Blank lines
 * and "#" comments are allowed; anything else is a malformed line, reported by number.
 */
import { rejectDocument } from '../errors';

export interface ChecksumEntry {
  name: string;
  algorithm: string;
  digest: string;
}

export interface ChecksumsSummary {
  format: 'checksums';
  algorithms: string[];
  count: number;
  /** The entries, in file order (at most MAX_ENTRIES). */
  entries: ChecksumEntry[];
  truncated: boolean;
}

const MAX_ENTRIES = 5000;
const GNU_LINE = /^\\?([0-9a-fA-F]+) [ *](.+)$/;
const BSD_LINE = /^(MD5|SHA1|SHA224|SHA256|SHA384|SHA512|SHA512\/256) ?\((.+)\) ?= ?([0-9a-fA-F]+)$/i;
const LENGTH_TO_ALGORITHM: Record<number, string> = { 32: 'md5', 40: 'sha1', 56: 'sha224', 64: 'sha256', 96: 'sha384', 128: 'sha512' };

function parseLine(line: string): ChecksumEntry | 'skip' | null {
  const trimmed = line.replace(/\r$/, '');
  if (trimmed.trim() === '' || trimmed.trimStart().startsWith('#')) return 'skip';
  const gnu = GNU_LINE.exec(trimmed);
  if (gnu) {
    const [, hex, name] = gnu as unknown as [string, string, string];
    const algorithm = LENGTH_TO_ALGORITHM[hex.length];
    if (!algorithm) return null;
    // GNU escapes "\\" and "\n" in names and marks such lines with a leading backslash.
    const unescaped = trimmed.startsWith('\\') ? name.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\')) : name;
    return { name: unescaped, algorithm, digest: hex.toLowerCase() };
  }
  const bsd = BSD_LINE.exec(trimmed);
  if (bsd) {
    const [, tag, name, hex] = bsd as unknown as [string, string, string, string];
    const algorithm = tag.toLowerCase().replace('/', '-');
    const expected = LENGTH_TO_ALGORITHM[hex.length];
    if (expected && (algorithm === expected || algorithm === 'sha512-256')) return { name, algorithm, digest: hex.toLowerCase() };
    return null;
  }
  return null;
}

/** Checks every line (422 naming the first bad one) and summarises the entries. */
export function parseChecksums(text: string): ChecksumsSummary {
  const entries: ChecksumEntry[] = [];
  const algorithms = new Set<string>();
  let count = 0;
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    const parsed = parseLine(line);
    if (parsed === 'skip') continue;
    if (parsed === null) {
      const shown = line.length > 80 ? `${line.slice(0, 77)}...` : line;
      rejectDocument(
        `line ${index + 1} is not a checksum line ("${shown}"): expected "<hex digest>  <file name>" (sha256sum) or "SHA256 (<file name>) = <hex digest>"`,
      );
    }
    count++;
    algorithms.add(parsed.algorithm);
    if (entries.length < MAX_ENTRIES) entries.push(parsed);
  }
  if (count === 0) rejectDocument('the checksums file has no checksum lines');
  return { format: 'checksums', algorithms: [...algorithms].sort(), count, entries, truncated: count > entries.length };
}
