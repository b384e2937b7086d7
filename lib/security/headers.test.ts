import { describe, expect, it } from 'vitest';
import { portalIssuerOrigin } from '@/lib/config/portal-issuer';
import { contentSecurityPolicy } from './headers';

const directive = (policy: string, name: string) => policy.split('; ').find((part) => part.startsWith(`${name} `));

describe('the pages\' content security policy', () => {
  it('lets a form lead to this site only, or also to the portal\'s identity provider when the site sends it there', () => {
    expect(directive(contentSecurityPolicy('n', { development: false, https: true }), 'form-action')).toBe("form-action 'self'");
    const issuer = portalIssuerOrigin({ PORTAL_OIDC_ISSUER: 'https://id.acme.example/realms/buyers' });
    expect(issuer).toBe('https://id.acme.example');
    expect(directive(contentSecurityPolicy('n', { development: false, https: true, formActionOrigins: [issuer!] }), 'form-action')).toBe("form-action 'self' https://id.acme.example");
  });

  it('reads an issuer that is not an http(s) address as none, never as a source expression', () => {
    for (const value of ['', 'id.acme.example', "https://id.acme.example'; script-src *", 'javascript:alert(1)']) {
      const origin = portalIssuerOrigin({ PORTAL_OIDC_ISSUER: value });
      expect(origin === null || /^https?:\/\/[^\s;']+$/.test(origin), value).toBe(true);
    }
    expect(portalIssuerOrigin({ PORTAL_OIDC_ISSUER: 'javascript:alert(1)' })).toBeNull();
  });
});
