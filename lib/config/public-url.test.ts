import { describe, expect, it } from 'vitest';
import { externalOrigin } from '@/lib/http/origin';
import { configuredBaseUrl, configuredPublicUrl } from './public-url';

describe('the configured public URL', () => {
  it('is RP_PUBLIC_URL, else AUTH_URL, else none', () => {
    expect(configuredPublicUrl({ RP_PUBLIC_URL: 'https://rp.example.com', AUTH_URL: 'https://other.example.com' })?.origin).toBe('https://rp.example.com');
    expect(configuredPublicUrl({ AUTH_URL: 'https://auth.example.com' })?.origin).toBe('https://auth.example.com');
    expect(configuredPublicUrl({})).toBeNull();
  });

  it('reads a value that is not an http(s) URL as unset, never throwing inside a request', () => {
    expect(configuredPublicUrl({ RP_PUBLIC_URL: 'rp.example.com' })).toBeNull();
    expect(configuredPublicUrl({ RP_PUBLIC_URL: 'javascript:alert(1)' })).toBeNull();
    expect(configuredPublicUrl({ RP_PUBLIC_URL: 'not a url', AUTH_URL: 'https://auth.example.com' })?.origin).toBe('https://auth.example.com');
  });

  it('gives a base for links without a trailing slash', () => {
    expect(configuredBaseUrl({ RP_PUBLIC_URL: 'https://rp.example.com/' })).toBe('https://rp.example.com');
    expect(configuredBaseUrl({ RP_PUBLIC_URL: 'https://example.com/passport/' })).toBe('https://example.com/passport');
  });
});

describe('the origin of redirects and Stripe return links without a configured URL', () => {
  it('comes from the Host the client sent, never from X-Forwarded-Host (any client can write it)', () => {
    const headers = new Headers({ host: 'localhost:3001', 'x-forwarded-host': 'evil.example' });
    expect(externalOrigin(headers, 'http://127.0.0.1:3001/portal')).toBe('http://localhost:3001');
  });
});
