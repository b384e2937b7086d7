import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEndpoint } from './endpoint';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi';

const evaluate = defineEndpoint({
  id: 'evaluateGate',
  method: 'POST',
  path: '/api/v1/gate/evaluate',
  summary: 'Evaluate a release',
  tags: ['Gate'],
  auth: 'token',
  verb: 'gate.evaluate',
  body: z.object({ service: z.string().min(1), environment: z.string(), sourceSha: z.string().regex(/^[0-9a-f]{40}$/) }),
  status: 200,
  response: z.object({ decision: z.enum(['allow', 'warn', 'deny']), blocking: z.boolean() }),
  errors: [402, 404, 422],
});
const keys = defineEndpoint({
  id: 'workspaceKeys',
  method: 'GET',
  path: '/api/v1/workspaces/{workspace}/keys',
  summary: 'Public keys',
  tags: ['Passports'],
  auth: 'public',
  verb: null,
  params: z.object({ workspace: z.string() }),
  status: 200,
  response: z.object({ keys: z.array(z.object({ id: z.string(), publicKeyPem: z.string() })) }),
  errors: [404],
});
const upload = defineEndpoint({
  id: 'uploadEvidence',
  method: 'POST',
  path: '/api/v1/evidence',
  summary: 'Upload evidence',
  tags: ['Evidence'],
  auth: 'token-or-session',
  verb: 'evidence.write',
  rawBody: { mediaTypes: ['application/json', 'application/vnd.cyclonedx+json'], maxBytes: 50_000_000 },
  query: z.object({ kind: z.enum(['sbom', 'sarif']) }),
  status: 201,
  response: z.object({ sha256: z.string() }),
  errors: [],
});

function refsOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsOf(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else refsOf(inner, found);
    }
  }
  return found;
}

function resolve(document: OpenApiDocument, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
}

describe('the generated OpenAPI document', () => {
  const document = buildOpenApiDocument([evaluate, keys, upload], { version: '1.2.3' });

  it('is OpenAPI 3.1 with every $ref resolving', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toBe('1.2.3');
    const refs = refsOf(document);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(resolve(document, ref), ref).toBeDefined();
  });

  it('describes the request body from the same zod schema the handler validates with', () => {
    const operation = document.paths!['/api/v1/gate/evaluate']!.post!;
    const schema = (operation.requestBody as { content: Record<string, { schema: Record<string, unknown> }> }).content['application/json']!.schema;
    expect(schema).toMatchObject({ type: 'object', required: ['service', 'environment', 'sourceSha'] });
    expect((schema.properties as Record<string, { pattern?: string }>).sourceSha!.pattern).toBe('^[0-9a-f]{40}$');
  });

  it('states the credentials and the scope each operation needs', () => {
    expect(document.paths!['/api/v1/gate/evaluate']!.post!.security).toEqual([{ apiToken: ['gate:evaluate'] }]);
    expect(document.paths!['/api/v1/workspaces/{workspace}/keys']!.get!.security).toEqual([]);
    expect(document.paths!['/api/v1/evidence']!.post!.security).toEqual([{ apiToken: ['evidence:write'] }, { session: [] }]);
    expect(document.components!.securitySchemes).toHaveProperty('apiToken');
  });

  it('lists the endpoint errors and the wrapper errors as problem+json', () => {
    const responses = document.paths!['/api/v1/gate/evaluate']!.post!.responses as Record<string, { content?: Record<string, unknown> }>;
    expect(Object.keys(responses).sort()).toEqual(['200', '400', '401', '402', '403', '404', '422', '429', '500']);
    expect(responses['401']!.content).toHaveProperty(['application/problem+json']);
    const publicResponses = document.paths!['/api/v1/workspaces/{workspace}/keys']!.get!.responses as Record<string, unknown>;
    expect(Object.keys(publicResponses)).not.toContain('401');
  });

  it('documents path and query parameters and raw uploads with their media types', () => {
    expect(document.paths!['/api/v1/workspaces/{workspace}/keys']!.get!.parameters).toEqual([
      expect.objectContaining({ in: 'path', name: 'workspace', required: true }),
    ]);
    const upload = document.paths!['/api/v1/evidence']!.post!;
    expect(upload.parameters).toEqual([expect.objectContaining({ in: 'query', name: 'kind' })]);
    expect(Object.keys((upload.requestBody as { content: object }).content)).toEqual(['application/json', 'application/vnd.cyclonedx+json']);
  });

  it('refuses definitions it cannot describe faithfully', () => {
    expect(() => buildOpenApiDocument([evaluate, evaluate], { version: '1' })).toThrow(/share the id/);
    expect(() => buildOpenApiDocument([{ ...keys, query: z.string() }], { version: '1' })).toThrow(/must be a z.object/);
  });
});
