import { describe, expect, it } from 'vitest';
import { portalReturnPath, runtimeLoginUrl } from './login';

describe('the login entry', () => {
  it('hands a customer off to the sign-in page of their own runtime', () => {
    expect(runtimeLoginUrl('releases.acme.internal')?.href).toBe('https://releases.acme.internal/login');
    expect(runtimeLoginUrl('https://releases.acme.example:8443/console/acme')?.href).toBe('https://releases.acme.example:8443/login');
    expect(runtimeLoginUrl('http://localhost:3000')?.href).toBe('http://localhost:3000/login');
  });

  it('refuses what is not a runtime address', () => {
    for (const input of ['', 'javascript:alert(1)', 'http://releases.acme.example', 'https://user:pw@acme.example', 'acme', 'ftp://acme.example', 'data:text/html,x']) {
      expect(runtimeLoginUrl(input), input).toBeNull();
    }
  });

  it('returns buyers only to portal paths of this site', () => {
    expect(portalReturnPath('/portal/checkout?plan=team')).toBe('/portal/checkout?plan=team');
    for (const input of [undefined, '/console', '//evil.example/portal', 'https://evil.example/portal', '/\\evil.example', '/portalx']) {
      expect(portalReturnPath(input), String(input)).toBe('/portal');
    }
  });
});
