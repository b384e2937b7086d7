/**
 * Private-key-shaped text for the tests of the sanitizers, which must recognise PEM blocks. Built at
 * run time from a body that is no key at all, so no key-like block sits in the repository for a
 * secret scanner (or a reader) to mistake for a leaked one.
 */
export const FAKE_KEY_BODY = Buffer.from('NOT A KEY: a Release Passport test fixture, nothing to protect here.').toString('base64');

/** A PEM block labelled `<kind> PRIVATE KEY` (RSA, EC, OPENSSH, or plain PKCS#8 when empty). */
export function fakePrivateKeyPem(kind = '', body: string = FAKE_KEY_BODY): string {
  const label = `${kind ? `${kind} ` : ''}PRIVATE KEY`;
  return [`-----BEGIN ${label}-----`, body, `-----END ${label}-----`].join('\n');
}
