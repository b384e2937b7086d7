import { describe, expect, it } from 'vitest';
import { continueToSignInPage, formMayRedirectTo, portalReturnPath, runtimeLoginUrl } from './login';

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

  it('redirects the sign-in form only where the page lets a form lead, else offers a link', () => {
    const site = 'https://releasepassport.example';
    const issuer = 'https://id.acme.example';
    expect(formMayRedirectTo(new URL('https://id.acme.example/authorize?client_id=x'), site, issuer)).toBe(true);
    expect(formMayRedirectTo(new URL('https://releasepassport.example/api/auth/error?error=Configuration'), site, issuer)).toBe(true);
    // Amazon Cognito: the issuer is cognito-idp.<region>.amazonaws.com, its sign-in page the pool's own domain.
    const hostedUi = new URL('https://acme.auth.eu-west-1.amazoncognito.com/oauth2/authorize?client_id=x&state=a"b<c');
    expect(formMayRedirectTo(hostedUi, site, 'https://cognito-idp.eu-west-1.amazonaws.com')).toBe(false);
    expect(formMayRedirectTo(hostedUi, site, null)).toBe(false);
    const page = continueToSignInPage(hostedUi);
    expect(page).toContain(`<a href="${hostedUi.href.replaceAll('&', '&#38;').replaceAll('"', '&#34;').replaceAll('<', '&#60;')}">Continue to acme.auth.eu-west-1.amazoncognito.com</a>`);
    expect(page).not.toContain('<script');
  });
});

