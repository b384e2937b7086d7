/**
 * What the browser downloads stays small: no schema library and no server module reaches a
 * client bundle. One import of a helper from a module that builds zod schemas once put zod
 * (120 KB, about 450 ms of script on Lighthouse's throttled phone) into the policy page.
 * Needs both builds (npm test makes them first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesContaining } from './search';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Code that exists only in zod's runtime: its error class's name. */
const ZOD_MARKER = 'ZodError';

function outputOf(target: 'runtime' | 'public', part: 'static' | 'server'): string {
  const dir = path.join(root, `.next-${target}`, part);
  if (!fs.existsSync(dir)) throw new Error(`No ${target} build in .next-${target}: run "npm run build${target === 'public' ? ':public' : ''}" first.`);
  return dir;
}

describe.each(['runtime', 'public'] as const)('the %s build', (target) => {
  it('sends no zod to the browser', () => {
    expect(filesContaining(outputOf(target, 'static'), [ZOD_MARKER])).toEqual([]);
  });

  it('uses zod on the server, so the search above can find it', () => {
    expect(filesContaining(outputOf(target, 'server'), [ZOD_MARKER]).length).toBeGreaterThan(0);
  });
});
