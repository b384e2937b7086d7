// `npm run openapi:write`: writes the public OpenAPI document to content/openapi.json (see
// lib/api/public-document-file.ts). Run it after changing an endpoint; a test says when it is due.
import fs from 'node:fs';
import path from 'node:path';
import { PUBLIC_DOCUMENT_FILE, serializedPublicDocument } from '@/lib/api/public-document';

const file = path.resolve(import.meta.dirname, '..', PUBLIC_DOCUMENT_FILE);
fs.writeFileSync(file, serializedPublicDocument());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
