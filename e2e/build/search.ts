import fs from 'node:fs';
import path from 'node:path';

function* filesUnder(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (entry.isFile()) yield full;
  }
}

/** Every file of the build output containing one of the markers, as "file: marker". */
export function filesContaining(dir: string, markers: readonly string[]): string[] {
  const needles = markers.map((marker) => Buffer.from(marker));
  const hits: string[] = [];
  for (const file of filesUnder(dir)) {
    const bytes = fs.readFileSync(file);
    for (const [index, needle] of needles.entries()) {
      if (bytes.includes(needle)) hits.push(`${path.relative(dir, file)}: ${markers[index]}`);
    }
  }
  return hits;
}
