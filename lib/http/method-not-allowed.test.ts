import { describe, expect, it } from 'vitest';
import * as passportRoute from '@/app/api/v1/passports/[id]/route.runtime';
import * as secretsRoute from '@/app/api/v1/secrets/route.runtime';
import { apiRequest } from '@/lib/testing/identity';

describe('a method a route does not serve', () => {
  it('is a 405 problem naming the methods it does serve, with an Allow header', async () => {
    const response = passportRoute.DELETE(apiRequest('/api/v1/passports/abc', { method: 'DELETE', headers: { 'x-request-id': 'req-405-check' } }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'method-not-allowed', status: 405, requestId: 'req-405-check', detail: expect.stringContaining('GET, HEAD, OPTIONS') });
    expect(secretsRoute.POST(apiRequest('/api/v1/secrets', { method: 'POST', json: {} })).headers.get('allow')).toBe('GET, PUT, DELETE, HEAD, OPTIONS');
  });

  it('OPTIONS says what a route serves', () => {
    const response = passportRoute.OPTIONS(apiRequest('/api/v1/passports/abc', { method: 'OPTIONS' }));
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});
