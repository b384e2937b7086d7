/** The public OpenAPI document of this version, generated once per process from the registry. */
import { productVersion } from '@/lib/version';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi';
import { endpoints } from './registry';
import { PUBLIC_DOCUMENT_FILE } from './public-document-file';

let document: OpenApiDocument | null = null;

export function publicOpenApiDocument(): OpenApiDocument {
  document ??= buildOpenApiDocument(endpoints, { version: productVersion });
  return document;
}

/** The document as `npm run openapi:write` writes it to content/openapi.json (a test keeps the two equal). */
export function serializedPublicDocument(): string {
  return `${JSON.stringify(publicOpenApiDocument(), null, 2)}\n`;
}

export { PUBLIC_DOCUMENT_FILE };
