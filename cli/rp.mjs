#!/usr/bin/env node
// The `rp` binary (npx rp ...): loads the TypeScript CLI through tsx, so the CLI and the server
// share one codebase without a separate build step.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import '../scripts/server-only-outside-next.mjs';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.RP_APP_ROOT ??= appRoot;
register({ tsconfig: path.join(appRoot, 'tsconfig.json') });
await import('./main.ts');
