import { describe, expect, it } from 'vitest';
import { belongsToOtherTarget, needsSession, workspaceSlugOf } from './routes';

describe('the route split', () => {
  it('hides the public site, the portal and the Stripe webhook from the runtime', () => {
    for (const path of ['/pricing', '/portal', '/portal/license', '/api/webhooks/stripe', '/docs/api', '/openapi.json']) {
      expect(belongsToOtherTarget('runtime', path), path).toBe(true);
      expect(belongsToOtherTarget('public', path), path).toBe(false);
    }
  });

  it('hides the console, settings, account and the API from the public site', () => {
    for (const path of ['/console', '/console/acme', '/settings/acme/tokens', '/account', '/api/v1/gate/evaluate']) {
      expect(belongsToOtherTarget('public', path), path).toBe(true);
      expect(belongsToOtherTarget('runtime', path), path).toBe(false);
    }
  });

  it('matches whole path segments only', () => {
    expect(belongsToOtherTarget('runtime', '/pricingx')).toBe(false);
    expect(belongsToOtherTarget('public', '/consoles')).toBe(false);
  });

  it('shares the landing, login and health paths', () => {
    for (const path of ['/', '/login', '/api/health', '/api/ready']) {
      expect(belongsToOtherTarget('runtime', path)).toBe(false);
      expect(belongsToOtherTarget('public', path)).toBe(false);
    }
  });

  it('requires a session for the console, settings and account, and for the portal', () => {
    expect(needsSession('runtime', '/console')).toBe(true);
    expect(needsSession('runtime', '/settings/acme/members')).toBe(true);
    expect(needsSession('runtime', '/account')).toBe(true);
    expect(needsSession('runtime', '/login')).toBe(false);
    expect(needsSession('public', '/portal')).toBe(true);
    expect(needsSession('public', '/pricing')).toBe(false);
  });

  it('reads the workspace of console and settings paths', () => {
    expect(workspaceSlugOf('/console/acme/passports')).toBe('acme');
    expect(workspaceSlugOf('/settings/acme')).toBe('acme');
    expect(workspaceSlugOf('/console')).toBeNull();
    expect(workspaceSlugOf('/account')).toBeNull();
  });

  it('does not throw on a workspace segment that is not valid UTF-8 (no workspace has that slug)', () => {
    expect(workspaceSlugOf('/console/%ED%A0%80/passports')).toBe('%ED%A0%80');
    expect(workspaceSlugOf('/console/caf%C3%A9')).toBe('café');
  });
});
