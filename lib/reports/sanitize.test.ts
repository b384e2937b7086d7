import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakePrivateKeyPem } from '@/lib/testing/fake-keys';
import { CREDENTIAL_MARKER, sanitizeText, sanitizeValue } from './sanitize';

const KEY = Buffer.from(`${fakePrivateKeyPem('EC')}\n`).toString('base64');

describe('the export sanitizer', () => {
  it('catches kubeconfig credentials and base64 private keys in free text', () => {
    const kubeconfig = `users:\n- name: ci\n  user:\n    client-key-data: ${KEY}\n    token: abcdef0123456789abcdef\n    id-token: zyxwvut9876543210`;
    const out = sanitizeText(kubeconfig);
    expect(out).not.toContain(KEY.slice(10, 40));
    expect(out).not.toContain('abcdef0123456789abcdef');
    expect(out).not.toContain('zyxwvut9876543210');
    expect(out).toContain('client-key-data: [redacted:');
    // A base64 private key on its own, whatever its alignment.
    for (const prefix of ['', 'x', 'xy']) {
      const encoded = Buffer.from(`${prefix}${fakePrivateKeyPem()}`).toString('base64');
      if (!encoded.startsWith('LS0t')) continue;
      expect(sanitizeText(`data ${encoded} end`)).toBe('data [redacted:private-key] end');
    }
    expect(sanitizeText('STRIPE_SECRET_KEY=opaque-value-123 and aws_secret_access_key: AbC123')).toBe(
      'STRIPE_SECRET_KEY=[redacted:password-assignment] and aws_secret_access_key: [redacted:password-assignment]',
    );
  });

  it('leaves digests, versions, ids and ordinary words alone', () => {
    const plain = 'sha256:' + 'ab'.repeat(32) + ' chart 1.2.3 pkg:npm/left-pad@1.3.0 rule no-critical-or-high token count 3 the tokens rotated';
    expect(sanitizeText(plain)).toBe(plain);
  });

  it('replaces values under credential keys whole, and checks keys as text too', () => {
    expect(
      sanitizeValue({ token: 'anything-at-all', nested: [{ password: 12345678 }], 'client-key-data': 'x'.repeat(20), count: 3, enabled: true, tokenCount: 2, [`ghp_${'a'.repeat(36)}`]: 'v' }),
    ).toEqual({ token: CREDENTIAL_MARKER, nested: [{ password: CREDENTIAL_MARKER }], 'client-key-data': CREDENTIAL_MARKER, count: 3, enabled: true, tokenCount: 2, '[redacted:github-token]': 'v' });
  });

  it('never lets a planted secret through, wherever it sits in a record (property)', () => {
    const secrets = [
      'rp_' + 'Q'.repeat(46),
      'ghp_' + '7'.repeat(36),
      'sk_live_' + 'Z'.repeat(24),
      'whsec_' + 'K'.repeat(32),
      fakePrivateKeyPem('RSA'),
      `client-key-data: ${KEY}`,
      'postgres://user:p4ssw0rdValue@host/db',
    ];
    const secret = fc.constantFrom(...secrets);
    const text = fc.tuple(fc.string({ maxLength: 20 }), secret, fc.string({ maxLength: 20 })).map(([before, value, after]) => `${before} ${value} ${after}`);
    const record = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.string(),
        fc.integer(),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(record, (value) => {
        const out = JSON.stringify(sanitizeValue(value));
        for (const planted of ['Q'.repeat(46), '7'.repeat(36), 'Z'.repeat(24), 'K'.repeat(32), 'MIIBOgIBAAJBAKj34GkxFhD9', KEY.slice(20, 50), 'p4ssw0rdValue']) {
          expect(out).not.toContain(planted);
        }
      }),
      { numRuns: 300 },
    );
  });
});
