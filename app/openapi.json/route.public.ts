import { publicOpenApiDocument } from '@/lib/api/public-document';

export const dynamic = 'force-dynamic';

/** The OpenAPI 3.1 document of the runtime's /api/v1, generated from the endpoint definitions. */
export function GET() {
  return Response.json(publicOpenApiDocument(), {
    headers: { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' },
  });
}
