/** The API reference page reads content/openapi.json: it must be what the registry generates. */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { PUBLIC_DOCUMENT_FILE, serializedPublicDocument } from './public-document';

it('content/openapi.json is the document the registry generates (npm run openapi:write rewrites it)', () => {
  const committed = fs.readFileSync(path.resolve(import.meta.dirname, '..', '..', PUBLIC_DOCUMENT_FILE), 'utf8');
  expect(committed, 'content/openapi.json is out of date: run npm run openapi:write').toBe(serializedPublicDocument());
});
