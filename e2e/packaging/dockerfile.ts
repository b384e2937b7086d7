/**
 * Reads the final stage of one of our Dockerfiles: what it copies, its environment, user and
 * command. No Docker engine runs here, so the packaging test rebuilds the image's filesystem from
 * these instructions instead (only the forms our Dockerfiles use are understood; anything else fails).
 */
import fs from 'node:fs';

export interface ImageStage {
  env: Record<string, string>;
  workdir: string;
  copies: Array<{ from: string; source: string; destination: string }>;
  user: string | null;
  cmd: string[];
  healthcheck: string | null;
}

export function readFinalStage(file: string): ImageStage {
  // Join continuation lines, drop comments and blank lines.
  const instructions = fs
    .readFileSync(file, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const lastFrom = instructions.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true);
  if (lastFrom < 0) throw new Error(`${file}: no FROM`);
  const stage: ImageStage = { env: {}, workdir: '/', copies: [], user: null, cmd: [], healthcheck: null };
  for (const line of instructions.slice(lastFrom + 1)) {
    const [, keyword = '', rest = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    switch (keyword.toUpperCase()) {
      case 'ENV':
        for (const [, key, value] of rest.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) {
          stage.env[key!] = value!.replace(/^"|"$/g, '');
        }
        break;
      case 'WORKDIR':
        stage.workdir = rest;
        break;
      case 'COPY': {
        const parts = rest.split(/\s+/);
        const from = parts.find((part) => part.startsWith('--from='))?.slice('--from='.length);
        const paths = parts.filter((part) => !part.startsWith('--'));
        if (!from || paths.length !== 2) throw new Error(`${file}: unsupported COPY: ${line}`);
        stage.copies.push({ from, source: paths[0]!, destination: paths[1]! });
        break;
      }
      case 'USER':
        stage.user = rest;
        break;
      case 'CMD':
        stage.cmd = JSON.parse(rest) as string[];
        break;
      case 'HEALTHCHECK':
        stage.healthcheck = rest;
        break;
      case 'EXPOSE':
      case 'VOLUME':
        break;
      default:
        throw new Error(`${file}: the packaging test does not understand: ${line}`);
    }
  }
  return stage;
}
