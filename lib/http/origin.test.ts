import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { externalOrigin } from './origin';

afterEach(() => {
  vi.stubEnv('RP_PUBLIC_URL', undefined);
});

describe('the origin redirects point to', () => {
  it('is the Host the client used, not the address the server is bound to', () => {
    expect(externalOrigin(new Headers({ host: 'localhost:3000' }), 'http://[::]:3000/console')).toBe('http://localhost:3000');
    expect(externalOrigin(new Headers({ host: 'rp.example.com', 'x-forwarded-proto': 'https' }), 'http://0.0.0.0:3000/x')).toBe('https://rp.example.com');
  });

  it('is RP_PUBLIC_URL when configured, and the request origin when the Host is odd', () => {
    expect(externalOrigin(new Headers({ host: 'evil.example/path' }), 'http://127.0.0.1:3000/x')).toBe('http://127.0.0.1:3000');
    vi.stubEnv('RP_PUBLIC_URL', 'https://rp.example.com/');
    expect(externalOrigin(new Headers({ host: 'internal:3000' }), 'http://[::]:3000/x')).toBe('https://rp.example.com');
  });
});

// Environment changes are stubs (vi.stubEnv), undone after this file.
afterAll(() => {
  vi.unstubAllEnvs();
});
