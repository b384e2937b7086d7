import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatJsonPath, JsonScanError, JsonScanner, type JsonPathSegment, type JsonScanHandler } from './json-scanner';

/** Rebuilds the document from the scanner's events, to compare with JSON.parse. */
function rebuild(): { handler: JsonScanHandler; result: () => unknown } {
  const stack: Array<{ container: unknown[] | Record<string, unknown> }> = [];
  let root: unknown;
  let hasRoot = false;
  const place = (path: readonly JsonPathSegment[], value: unknown) => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      root = value;
      hasRoot = true;
      return;
    }
    const key = path[path.length - 1]!;
    if (Array.isArray(parent.container)) parent.container.push(value);
    else Object.defineProperty(parent.container, key, { value, enumerable: true, writable: true, configurable: true });
  };
  return {
    handler: {
      string: (path, token) => place(path, token.text()),
      primitive: (path, value) => place(path, value),
      open: (path, type) => {
        const container = type === 'array' ? [] : {};
        place(path, container);
        stack.push({ container });
      },
      close: () => void stack.pop(),
    },
    result: () => {
      if (!hasRoot) throw new Error('no value');
      return root;
    },
  };
}

function scanInChunks(bytes: Uint8Array, cuts: number[], handler: JsonScanHandler): void {
  const scanner = new JsonScanner(handler);
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    scanner.write(bytes.subarray(from, cut));
    from = cut;
  }
  scanner.write(bytes.subarray(from));
  scanner.end();
}

function parseWithScanner(text: string, cuts: number[] = []): unknown {
  const { handler, result } = rebuild();
  scanInChunks(Buffer.from(text, 'utf8'), cuts, handler);
  return result();
}

describe('JsonScanner', () => {
  it('reads any JSON value exactly as JSON.parse does, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (value, cuts, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(parseWithScanner(text, cuts)).toEqual(JSON.parse(text));
      }),
      { numRuns: 400 },
    );
  });

  it('accepts exactly the texts JSON.parse accepts (fuzzed near-JSON)', () => {
    const nearJson = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789.eE+- \n\\tfalsenu"ab\u00e9\u0001'.split('')), maxLength: 30 }),
      fc.jsonValue().chain((value) =>
        fc.tuple(fc.constant(JSON.stringify(value)), fc.nat(), fc.string({ maxLength: 2 })).map(
          ([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1) + 1),
        ),
      ),
    );
    fc.assert(
      fc.property(nearJson, (text) => {
        let expected: unknown;
        let parses = true;
        try {
          expected = JSON.parse(text);
        } catch {
          parses = false;
        }
        if (parses) {
          expect(parseWithScanner(text)).toEqual(expected);
        } else {
          expect(() => parseWithScanner(text)).toThrow(JsonScanError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reports byte offsets that slice out exactly the token of each value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const bytes = Buffer.from(JSON.stringify(value, null, 1), 'utf8');
        JsonScanner.scan(bytes, {
          string: (_path, token) => {
            expect(JSON.parse(bytes.subarray(token.start, token.end).toString('utf8'))).toBe(token.text());
          },
          primitive: (_path, scanned, start, end) => {
            expect(JSON.parse(bytes.subarray(start, end).toString('utf8'))).toEqual(scanned);
          },
        });
      }),
    );
  });

  it('gives each value its path', () => {
    const seen: string[] = [];
    JsonScanner.scan(Buffer.from('{"runs":[{"results":[{"level":"error"},{"level":"note"}]}],"a b":[[1]]}'), {
      string: (path, token) => seen.push(`${formatJsonPath(path)}=${token.text()}`),
      primitive: (path, value) => seen.push(`${formatJsonPath(path)}=${String(value)}`),
    });
    expect(seen).toEqual(['$.runs[0].results[0].level=error', '$.runs[0].results[1].level=note', '$["a b"][0][0]=1']);
  });

  it('names what is wrong, with line and column', () => {
    const error = (text: string) => {
      try {
        parseWithScanner(text);
      } catch (caught) {
        return (caught as Error).message;
      }
      return 'no error';
    };
    expect(error('{\n  "a": 1\n  "b": 2\n}')).toBe(
      "invalid JSON at line 3, column 3 (byte 13): expected ',' or '}' after a value in an object, found '\"'",
    );
    expect(error('{"a": [1, 2')).toMatch(/ends early: 2 objects\/arrays still open/);
    expect(error('')).toMatch(/the document is empty/);
    expect(error('{"a": "line\nbreak"}')).toMatch(/control character/);
    expect(error('{"a": tru}')).toMatch(/unexpected "tru"/);
    expect(error('[01]')).toMatch(/"01" is not a valid number/);
    expect(error('[1 2]')).toMatch(/expected ',' or ']' after a value in an array, found '2'/);
    expect(error('{"a":1} x')).toMatch(/after the end of the document/);
    expect(error('{a:1}')).toMatch(/expected a property name in double quotes, found 'a'/);
  });

  it('bounds memory: refuses deeper nesting and longer strings than configured', () => {
    expect(() => JsonScanner.scan(Buffer.from('['.repeat(20) + ']'.repeat(20)), {}, { maxDepth: 10 })).toThrow(/deeper than 10/);
    expect(() => JsonScanner.scan(Buffer.from(JSON.stringify('x'.repeat(100))), {}, { maxStringBytes: 50 })).toThrow(/longer than 50 bytes/);
  });

  it('ignores a leading UTF-8 byte order mark', () => {
    expect(parseWithScanner('\ufeff{"a":1}')).toEqual({ a: 1 });
  });
});
