/** Plain-text output for people reading a CI log: aligned tables, no colour codes. */

export function table(headers: string[], rows: string[][], maxWidths: number[] = []): string {
  const clip = (text: string, index: number) => {
    const max = maxWidths[index];
    return max && text.length > max ? `${text.slice(0, max - 1)}…` : text;
  };
  const cells = [headers, ...rows].map((row) => row.map((cell, index) => clip(cell.replace(/\s+/g, ' '), index)));
  const widths = headers.map((_, index) => Math.max(...cells.map((row) => (row[index] ?? '').length)));
  const line = (row: string[]) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!))).join('  ');
  return [line(cells[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function shortDigest(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return `sha256:${hex.slice(0, 12)}`;
}
