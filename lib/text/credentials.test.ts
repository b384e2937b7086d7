import { describe, expect, it } from 'vitest';
import { maskCredentials, urlWithoutCredentials } from './credentials';

describe('credentials out of what is shown', () => {
  it('are masked in a URL and in a message quoting several, and nothing else changes', () => {
    expect(maskCredentials('socks5://ci:hunter2@proxy:1080')).toBe('socks5://***@proxy:1080');
    expect(maskCredentials('connect ECONNREFUSED postgres://app:pw@db:5432/rp (redis://:secret@cache:6379)')).toBe('connect ECONNREFUSED postgres://***@db:5432/rp (redis://***@cache:6379)');
    expect(maskCredentials('https://issuer.example/tenant/ said 500; mail ops@example.com')).toBe('https://issuer.example/tenant/ said 500; mail ops@example.com');
  });

  it('are removed from a URL shown as a fact, and a value that is no URL says so', () => {
    expect(urlWithoutCredentials('postgres://app:pw@db.internal:5432/rp')).toBe('postgres://db.internal:5432/rp');
    expect(urlWithoutCredentials('https://proxy.corp:3128/')).toBe('https://proxy.corp:3128');
    expect(urlWithoutCredentials('not a url')).toBe('(not a valid URL)');
  });
});
