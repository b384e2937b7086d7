import { describe, expect, it } from 'vitest';
import { parseSecretReference } from './reference';

describe('secret references', () => {
  it('parse env:, file: and store: references', () => {
    expect(parseSecretReference('env:OIDC_CLIENT_SECRET')).toMatchObject({ scheme: 'env', name: 'OIDC_CLIENT_SECRET' });
    expect(parseSecretReference('file:/run/secrets/oidc')).toMatchObject({ scheme: 'file', path: '/run/secrets/oidc' });
    expect(parseSecretReference('store:production/prometheus-token')).toMatchObject({ scheme: 'store', path: 'production/prometheus-token' });
    // Signing key ids are base64url thumbprints: they may start with "_" or "-".
    expect(parseSecretReference('store:signing/_1orQ0KzIXzRdXMIUCJZtDKvJk_rHNi349QyXEyr8yE').scheme).toBe('store');
    expect(parseSecretReference('store:signing/-abc').scheme).toBe('store');
    expect(parseSecretReference('vault:kv/production/prometheus#token')).toMatchObject({ scheme: 'vault', mount: 'kv', secret: 'production/prometheus', field: 'token' });
  });

  it('refuse what could escape or confuse, naming what is expected', () => {
    for (const bad of ['store:../etc', 'store:a/./b', 'store:a//b', 'store:', 'store:a/b c', 'file:relative', 'file:/a/../b', 'env:1X', 'env:A-B', 'vault:x', 'vault:kv#f', 'vault:kv/a', 'vault:kv/a#f#g', 'vault:kv/../a#f', 'x', '']) {
      expect(() => parseSecretReference(bad), bad).toThrow(/not a valid secret reference/);
    }
  });

  it('never quote back what does not look like a reference (it may be a pasted value)', () => {
    expect(() => parseSecretReference('hunter2-password')).toThrow(/^this value is not a valid secret reference/);
  });
});
