import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './return-path';

// Every form of "go elsewhere" seen in open-redirect reports, raw and as a query string decodes it.
const ESCAPES = [
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r/evil.example',
  '/\r\nSet-Cookie: x=1',
  '/%09/evil.example'.replace('%09', '\t'),
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/\\/evil.example',
  '/..//evil.example',
  '/./\t/evil.example',
  'http://evil.example/',
  'https:evil.example',
  '//evil.example/%2F..',
  'javascript:alert(1)',
  ' /console',
  'evil.example',
  '/console\u0000',
  '',
];

describe('a return path', () => {
  it('keeps a path on this site, with its query and fragment, normalized', () => {
    expect(safeReturnPath('/console/acme/passports?decision=deny#why', '/console')).toBe('/console/acme/passports?decision=deny#why');
    expect(safeReturnPath('/console/acme/../acme', '/console')).toBe('/console/acme');
    expect(safeReturnPath('/%2F/evil.example', '/console')).toBe('/%2F/evil.example'); // an encoded slash is a path segment here, not a host
  });

  it.each(ESCAPES)('never leaves the site: %j', (value) => {
    expect(safeReturnPath(value, '/console')).toBe('/console');
  });

  it('can be held within part of the site', () => {
    const portal = (pathname: string) => pathname === '/portal' || pathname.startsWith('/portal/');
    expect(safeReturnPath('/portal/checkout?plan=team', '/portal', portal)).toBe('/portal/checkout?plan=team');
    expect(safeReturnPath('/portal/../admin', '/portal', portal)).toBe('/portal');
    expect(safeReturnPath('/pricing', '/portal', portal)).toBe('/portal');
  });
});
