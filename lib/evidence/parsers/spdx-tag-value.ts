/**
 * SPDX 2.x tag-value documents (`syft -o spdx`, `.spdx` files), read into the same summary as SPDX
 * JSON: packages, and each one's concluded (else declared) license. A small line parser of our
 * own: no maintained npm package reads tag-value. The format is "Tag: value" per line, a value
 * may span lines inside <text>...</text>, and a package's tags follow its PackageName until the
 * next package, file, snippet or license section.
 */
import { rejectDocument } from '../errors';
import { SbomTally, spdxPackageLicense, type SbomSummary } from './sbom';

interface TagValue {
  tag: string;
  value: string;
  line: number;
}

/** Tags that begin a section other than a package's (a package's tags end there). */
const OTHER_SECTIONS = new Set(['FileName', 'SnippetSPDXID', 'LicenseID']);

/** The document's "Tag: value" pairs, <text> values joined across lines. */
export function spdxTagValues(text: string): TagValue[] {
  const pairs: TagValue[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) rejectDocument(`line ${index + 1} is not "Tag: value": ${JSON.stringify(line.slice(0, 80))}`);
    const tag = line.slice(0, colon).trim();
    let value = line.slice(colon + 1).trim();
    const start = index;
    if (value.startsWith('<text>')) {
      const parts = [value.slice('<text>'.length)];
      while (!parts[parts.length - 1]!.includes('</text>')) {
        if (++index >= lines.length) rejectDocument(`the <text> value of ${tag} at line ${start + 1} is never closed with </text>`);
        parts.push(lines[index]!);
      }
      value = parts.join('\n').replace(/<\/text>\s*$/, '');
    }
    pairs.push({ tag, value, line: start + 1 });
  }
  return pairs;
}

export function parseSpdxTagValue(text: string): SbomSummary {
  if (!/^SPDXVersion:/m.test(text)) rejectDocument('this is not an SPDX tag-value document: it has no "SPDXVersion:" line');
  const pairs = spdxTagValues(text);
  const version = pairs.find((pair) => pair.tag === 'SPDXVersion')!;
  if (!/^SPDX-2\.[0-9]+$/.test(version.value)) rejectDocument(`"SPDXVersion: ${version.value}" at line ${version.line}; SPDX 2.x tag-value documents are read`);
  const tally = new SbomTally();
  let current: { name: string; version?: string; concluded?: string; declared?: string } | null = null;
  const close = () => {
    if (!current) return;
    const license = spdxPackageLicense(current.concluded, current.declared);
    tally.add(current, license ? [license] : []);
    current = null;
  };
  for (const { tag, value } of pairs) {
    if (tag === 'PackageName') {
      close();
      current = { name: value };
    } else if (OTHER_SECTIONS.has(tag)) close();
    else if (current && tag === 'PackageVersion') current.version = value;
    else if (current && tag === 'PackageLicenseConcluded') current.concluded = value;
    else if (current && tag === 'PackageLicenseDeclared') current.declared = value;
  }
  close();
  const name = pairs.find((pair) => pair.tag === 'DocumentName')?.value;
  return tally.summary({ format: 'spdx', specVersion: version.value, encoding: 'tag-value', subject: name ? { name } : null });
}
