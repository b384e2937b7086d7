import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalHash, canonicalJson, CanonicalJsonError } from './canonical';
import { plainJson } from './plain';

describe('canonical JSON (RFC 8785)', () => {
  it('gives the bytes of the RFC’s own number and ordering examples', () => {
    // RFC 8785 section 3.2.2.3 (numbers) and 3.2.3 (property sorting by UTF-16 code units).
    // Parsed from text, as the RFC writes them (the first has more digits than a double keeps).
    expect(canonicalJson(JSON.parse('[333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001, -0, 1e21, 1e-7]'))).toBe(
      '[333333333.3333333,1e+30,4.5,0.002,1e-27,0,1e+21,1e-7]',
    );
    expect(canonicalJson({ '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\u{1f600}': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' })).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","\u{1f600}":"Emoji: Grinning Face","דּ":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(canonicalJson({ b: [true, false, null, 'x\n"y'], a: { d: 1, c: {} } })).toBe('{"a":{"c":{},"d":1},"b":[true,false,null,"x\\n\\"y"]}');
  });

  it('produces exactly what the reference implementation (the canonicalize package) produces, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('orders keys as the reference does whatever their number and characters (small objects and large ones are sorted apart)', () => {
    const key = fc.string({ unit: fc.constantFrom('a', 'B', '1', '\u00f6', '\u20ac', '\ufb33', '\u{1f600}', '\r', '_'), maxLength: 4 });
    fc.assert(
      fc.property(fc.dictionary(key, fc.integer(), { maxKeys: 80 }), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 500 },
    );
  });

  it('orders keys that look like array indices as text, and keeps a "__proto__" key as a key', () => {
    // JavaScript enumerates array-index keys first and numerically; RFC 8785 sorts them as text.
    expect(canonicalJson({ b: 1, '10': 2, '9': 3, a: { '2': 0, '10': 1 } })).toBe('{"10":2,"9":3,"a":{"10":1,"2":0},"b":1}');
    expect(canonicalJson(JSON.parse('{"z":[{"__proto__":{"x":1},"a":2}]}'))).toBe('{"z":[{"__proto__":{"x":1},"a":2}]}');
  });

  it('refuses what JSON cannot represent, naming where it is', () => {
    const refusal = (value: unknown) => {
      try {
        canonicalJson(value);
      } catch (error) {
        expect(error).toBeInstanceOf(CanonicalJsonError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal({ a: [1, { b: undefined }] })).toBe('$.a[1].b is undefined, which JSON cannot represent');
    expect(refusal({ n: Number.NaN })).toBe('$.n is NaN, which JSON cannot represent');
    expect(refusal([Infinity])).toBe('$[0] is Infinity, which JSON cannot represent');
    expect(refusal({ at: new Date(0) })).toBe('$.at is a Date; pass an ISO string');
    expect(refusal({ 'odd key': '\ud800' })).toBe('$["odd key"] is a string with a lone UTF-16 surrogate, which RFC 8785 refuses');
    expect(refusal({ big: 1n })).toBe('$.big is a bigint, which JSON cannot represent');
    expect(refusal(new Map())).toBe('$ is a Map instance, not plain JSON');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(refusal(circular)).toMatch(/nested more than 256 levels deep \(or circular\)/);
  });

  it('hashes equal values equally whatever their key order', () => {
    expect(canonicalHash({ a: 1, b: [1, 2] })).toBe(canonicalHash({ b: [1, 2], a: 1 }));
    expect(canonicalHash({ a: 1 })).not.toBe(canonicalHash({ a: 2 }));
  });
});

describe('plain JSON', () => {
  it('is what JSON.stringify and a read back give, for anything a caller may send', () => {
    fc.assert(
      fc.property(fc.anything({ withDate: true, withNullPrototype: true, withSparseArray: false }), (value) => {
        const viaText = JSON.stringify(value);
        if (viaText === undefined) return;
        const plain = plainJson(value);
        // Dates reach JSON as strings either way; the rest must be identical.
        expect(plain).toStrictEqual(JSON.parse(viaText));
      }),
      { numRuns: 1000 },
    );
  });

  it('replaces lone surrogates and keeps bigints, where JSON.stringify would fail', () => {
    expect(plainJson({ text: 'a\ud800b', count: 10n, when: new Date(0), skip: undefined, list: [undefined, () => 1] })).toStrictEqual({
      text: 'a\ufffdb',
      count: '10',
      when: '1970-01-01T00:00:00.000Z',
      list: [null, null],
    });
    expect(canonicalJson(plainJson({ text: '\udc00' }))).toBe('{"text":"\ufffd"}');
  });

  it('keeps a "__proto__" key a caller sent as a key, never as a prototype', () => {
    const sent = JSON.parse('{"__proto__": {"admin": true}, "name": "x"}') as Record<string, unknown>;
    const plain = plainJson(sent) as Record<string, unknown>;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect((plain as { admin?: unknown }).admin).toBeUndefined();
    expect(Object.keys(plain)).toEqual(['__proto__', 'name']);
    expect(canonicalJson(plain)).toBe('{"__proto__":{"admin":true},"name":"x"}');
  });
});
