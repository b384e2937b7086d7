/**
 * The public OpenAPI document as a file in the repository (content/openapi.json), for the public
 * site's API reference page. That page is sent without React (pages/), and the Pages Router refuses
 * the route registry the document is generated from (its modules are server-only); so the page
 * reads the generated file. `npm run openapi:write` writes it, and lib/api/public-document.test.ts
 * fails when it differs from what the registry generates: the zod schemas stay the one source.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OpenApiDocument } from './openapi';

export const PUBLIC_DOCUMENT_FILE = path.join('content', 'openapi.json');

let cached: OpenApiDocument | null = null;

export function readPublicDocumentFile(): OpenApiDocument {
  // Spelled out, not PUBLIC_DOCUMENT_FILE: the build's file tracer must see which file is read.
  cached ??= JSON.parse(fs.readFileSync(path.join(process.cwd(), 'content', 'openapi.json'), 'utf8')) as OpenApiDocument;
  return cached;
}
