/** The public OpenAPI document of this version, generated once per process from the registry. */
import { productVersion } from '@/lib/version';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi';
import { endpoints } from './registry';

let document: OpenApiDocument | null = null;

export function publicOpenApiDocument(): OpenApiDocument {
  document ??= buildOpenApiDocument(endpoints, { version: productVersion });
  return document;
}
