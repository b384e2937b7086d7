import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayPrefix, generateToken, hashToken, isWellFormedToken } from './format';

describe('API token format', () => {
  it('makes rp_-prefixed tokens with a valid checksum, all different', () => {
    const tokens = new Set(Array.from({ length: 200 }, generateToken));
    expect(tokens.size).toBe(200);
    for (const token of tokens) {
      expect(token).toMatch(/^rp_[0-9A-Za-z]{46}$/);
      expect(isWellFormedToken(token)).toBe(true);
    }
  });

  it('refuses any single-character change (the checksum catches typos)', () => {
    const token = generateToken();
    fc.assert(
      fc.property(fc.integer({ min: 3, max: token.length - 1 }), fc.constantFrom(...'0123456789abcdefXYZ'), (index, char) => {
        fc.pre(token[index] !== char);
        const typo = token.slice(0, index) + char + token.slice(index + 1);
        expect(isWellFormedToken(typo)).toBe(false);
      }),
    );
  });

  it('refuses truncated, prefixed and foreign strings', () => {
    const token = generateToken();
    for (const bad of [token.slice(0, -1), token + 'a', token.replace('rp_', 'pk_'), ' ' + token, '', 'Bearer', 'ghp_' + 'a'.repeat(36)]) {
      expect(isWellFormedToken(bad), bad).toBe(false);
    }
  });

  it('stores a sha256 and shows a short prefix only', () => {
    const token = generateToken();
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(displayPrefix(token)).toBe(token.slice(0, 11));
  });
});
