/**
 * A streaming, strict (RFC 8259) JSON scanner over bytes. Evidence documents can be tens of
 * megabytes; this reads them chunk by chunk and reports every primitive value with its path and
 * byte offsets, so summaries and the sanitizer run in memory bounded by the largest single string
 * rather than by the document. A hand-written scanner because the sanitizer needs exact byte
 * offsets of string tokens (to rewrite only redacted values and keep every other byte, and so the
 * digest, unchanged), which the streaming parsers on the registry do not expose reliably.
 */

export type JsonPathSegment = string | number;

/**
 * A string value, valid only during the callback. Decoding is lazy: most strings of a large
 * document are never needed, and not decoding them is most of this scanner's speed.
 */
export interface JsonStringToken {
  /** Byte offsets of the token, quotes included. */
  readonly start: number;
  readonly end: number;
  text(): string;
}

export interface JsonScanHandler {
  /** A string value. */
  string?(path: readonly JsonPathSegment[], token: JsonStringToken): void;
  /** A number, boolean or null. `start`/`end` are the token's byte offsets. */
  primitive?(path: readonly JsonPathSegment[], value: number | boolean | null, start: number, end: number): void;
  /** An object or array begins; `path` is the container's own path. */
  open?(path: readonly JsonPathSegment[], type: 'object' | 'array'): void;
  /** An object or array ends; `path` is the container's own path. */
  close?(path: readonly JsonPathSegment[], type: 'object' | 'array'): void;
}

export interface JsonScanOptions {
  maxDepth?: number;
  /** Largest string (in bytes, as written) accepted; bounds memory. */
  maxStringBytes?: number;
}

export class JsonScanError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`invalid JSON at line ${line}, column ${column} (byte ${offset}): ${reason}`);
    this.name = 'JsonScanError';
  }
}

/** "$.runs[0].results[3].level": how a path is shown to people. */
/** RFC 6901 JSON Pointer ("/metadata/properties/0/value"): how redactions name where they were. */
export function formatJsonPointer(path: readonly (string | number)[]): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function formatJsonPath(path: readonly JsonPathSegment[]): string {
  let out = '$';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

const enum State {
  Value, // a value must come next
  ValueOrArrayEnd, // just after '['
  KeyOrObjectEnd, // just after '{'
  Key, // after ',' in an object
  Colon,
  AfterValue,
  String,
  Number,
  Literal,
  Done,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NUMBER_PATTERN = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const LITERALS: Record<string, boolean | null> = { true: true, false: false, null: null };

interface Frame {
  type: 'object' | 'array';
}

export class JsonScanner {
  private state: State = State.Value;
  private readonly stack: Frame[] = [];
  private readonly path: JsonPathSegment[] = [];
  private offset = 0; // bytes consumed before the current chunk
  private line = 1;
  private lineStart = 0;
  private readonly maxDepth: number;
  private readonly maxStringBytes: number;

  // The token in progress (string, number or literal), possibly spanning chunks: the parts from
  // earlier chunks are copied, the part in the current chunk is a view (no copy in the common case).
  private chunk: Buffer = Buffer.alloc(0);
  private tokenStart = 0;
  private tokenParts: Buffer[] = [];
  private tokenBytes = 0;
  private partFrom = 0; // where the token's part in the current chunk begins
  private partTo = 0;
  private readonly stringToken = new LazyString();
  private stringIsKey = false;
  private stringHasEscape = false;
  private escape = 0; // 0: none, 1: after '\', 2..5: inside \uXXXX
  private literal = '';

  constructor(
    private readonly handler: JsonScanHandler,
    options: JsonScanOptions = {},
  ) {
    this.maxDepth = options.maxDepth ?? 512;
    this.maxStringBytes = options.maxStringBytes ?? 16 * 1024 * 1024;
  }

  /** Scans all of `bytes` (one or several chunks) and ends the document. */
  static scan(bytes: Uint8Array, handler: JsonScanHandler, options?: JsonScanOptions): void {
    const scanner = new JsonScanner(handler, options);
    scanner.write(bytes);
    scanner.end();
  }

  write(bytes: Uint8Array): void {
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.chunk = chunk;
    const n = chunk.length;
    let i = 0;
    if (this.state === State.String || this.state === State.Number) this.partFrom = this.partTo = 0;
    // RFC 8259 lets a parser ignore a leading UTF-8 byte order mark; Windows tools write one.
    if (this.offset === 0 && n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
      i = 3;
      this.lineStart = 3;
    }
    while (i < n) {
      switch (this.state) {
        case State.String: {
          i = this.scanString(chunk, i);
          break;
        }
        case State.Number: {
          const from = i;
          while (i < n && isNumberByte(chunk[i]!)) i++;
          this.appendToken(from, i);
          if (i < n) this.finishNumber(this.offset + i);
          break;
        }
        case State.Literal: {
          const c = chunk[i]!;
          if (c >= 0x61 && c <= 0x7a) {
            this.literal += String.fromCharCode(c);
            i++;
            if (this.literal.length > 5) this.fail(`unexpected "${this.literal}"`, this.tokenStart);
          } else {
            this.finishLiteral(this.offset + i);
          }
          break;
        }
        default: {
          let c = chunk[i]!;
          while (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) {
            i++;
            if (c === 0x0a) {
              this.line++;
              this.lineStart = this.offset + i;
            }
            if (i === n) break;
            c = chunk[i]!;
          }
          if (i === n) break;
          this.structural(c, this.offset + i, i);
          i++;
        }
      }
    }
    // A token still open at the end of the chunk keeps a copy of its part; the chunk may be reused.
    if ((this.state === State.String || this.state === State.Number) && this.partTo > this.partFrom) {
      this.tokenParts.push(Buffer.from(chunk.subarray(this.partFrom, this.partTo)));
    }
    this.partFrom = this.partTo = 0;
    this.offset += n;
  }

  end(): void {
    if (this.state === State.Number) this.finishNumber(this.offset);
    else if (this.state === State.Literal) this.finishLiteral(this.offset);
    if (this.state === State.String) this.fail('the document ends inside a string', this.offset);
    if (this.state !== State.Done) {
      if (this.stack.length === 0 && this.state === State.Value) this.fail('the document is empty', this.offset);
      const open = this.stack.length;
      this.fail(
        open > 0
          ? `the document ends early: ${open} object${open === 1 ? '' : 's'}/array${open === 1 ? '' : 's'} still open`
          : 'the document ends early',
        this.offset,
      );
    }
  }

  private structural(c: number, at: number, index: number): void {
    switch (this.state) {
      case State.Value:
      case State.ValueOrArrayEnd:
        if (c === 0x5d && this.state === State.ValueOrArrayEnd) return this.closeContainer('array', at);
        return this.beginValue(c, at, index);
      case State.KeyOrObjectEnd:
      case State.Key:
        if (c === QUOTE) {
          this.beginString(at, true, index);
          return;
        }
        if (c === 0x7d && this.state === State.KeyOrObjectEnd) return this.closeContainer('object', at);
        return this.fail(`expected a property name in double quotes, found ${describe(c)}`, at);
      case State.Colon:
        if (c === 0x3a) {
          this.state = State.Value;
          return;
        }
        return this.fail(`expected ':' after a property name, found ${describe(c)}`, at);
      case State.AfterValue: {
        const frame = this.stack[this.stack.length - 1];
        if (!frame) return this.fail(`unexpected ${describe(c)} after the document`, at);
        if (c === 0x2c) {
          if (frame.type === 'array') {
            (this.path[this.path.length - 1] as number)++;
            this.state = State.Value;
          } else {
            this.state = State.Key;
          }
          return;
        }
        if (c === 0x7d && frame.type === 'object') return this.closeContainer('object', at);
        if (c === 0x5d && frame.type === 'array') return this.closeContainer('array', at);
        return this.fail(
          frame.type === 'object'
            ? `expected ',' or '}' after a value in an object, found ${describe(c)}`
            : `expected ',' or ']' after a value in an array, found ${describe(c)}`,
          at,
        );
      }
      case State.Done:
        return this.fail(`unexpected ${describe(c)} after the end of the document`, at);
      default:
        return this.fail(`unexpected ${describe(c)}`, at);
    }
  }

  private beginValue(c: number, at: number, index: number): void {
    if (c === QUOTE) return this.beginString(at, false, index);
    if (c === 0x7b || c === 0x5b) {
      const type = c === 0x7b ? 'object' : 'array';
      if (this.stack.length >= this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`, at);
      this.handler.open?.(this.path, type);
      this.stack.push({ type });
      this.path.push(type === 'array' ? 0 : '');
      this.state = type === 'array' ? State.ValueOrArrayEnd : State.KeyOrObjectEnd;
      return;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.state = State.Number;
      this.tokenStart = at;
      this.tokenParts = [];
      this.tokenBytes = 1;
      this.partFrom = index;
      this.partTo = index + 1;
      return;
    }
    if (c === 0x74 || c === 0x66 || c === 0x6e) {
      this.state = State.Literal;
      this.tokenStart = at;
      this.literal = String.fromCharCode(c);
      return;
    }
    this.fail(`expected a value, found ${describe(c)}`, at);
  }

  private closeContainer(type: 'object' | 'array', at: number): void {
    void at;
    this.stack.pop();
    this.path.pop();
    this.handler.close?.(this.path, type);
    this.afterValue();
  }

  private afterValue(): void {
    this.state = this.stack.length === 0 ? State.Done : State.AfterValue;
  }

  private beginString(at: number, isKey: boolean, index: number): void {
    this.state = State.String;
    this.stringIsKey = isKey;
    this.stringHasEscape = false;
    this.escape = 0;
    this.tokenStart = at;
    this.tokenParts = [];
    this.tokenBytes = 0;
    this.partFrom = this.partTo = index + 1;
  }

  /** Consumes string bytes from `i`; returns where it stopped. */
  private scanString(chunk: Uint8Array, start: number): number {
    const n = chunk.length;
    let i = start;
    while (i < n) {
      const c = chunk[i]!;
      if (this.escape === 0) {
        if (c === QUOTE) {
          this.appendToken(start, i);
          this.finishString(this.offset + i + 1);
          return i + 1;
        }
        if (c === BACKSLASH) {
          this.escape = 1;
          this.stringHasEscape = true;
        } else if (c < 0x20) {
          this.fail('a control character (such as a raw line break) inside a string must be escaped', this.offset + i);
        }
      } else if (this.escape === 1) {
        if (c === 0x75) this.escape = 2;
        else if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) this.escape = 0;
        else this.fail(`invalid escape sequence "\\${String.fromCharCode(c)}" in a string`, this.offset + i);
      } else {
        if (!isHexByte(c)) this.fail('invalid \\u escape in a string: expected four hex digits', this.offset + i);
        this.escape = this.escape === 5 ? 0 : this.escape + 1;
      }
      i++;
    }
    this.appendToken(start, n);
    return n;
  }

  /** The token continues over chunk[from, to): extends the current chunk's part (no copy). */
  private appendToken(from: number, to: number): void {
    if (to <= from) return;
    this.tokenBytes += to - from;
    if (this.state === State.String && this.tokenBytes > this.maxStringBytes) {
      this.fail(`a string longer than ${this.maxStringBytes} bytes`, this.tokenStart);
    }
    if (this.state === State.Number && this.tokenBytes > 512) this.fail('a number longer than 512 characters', this.tokenStart);
    if (this.partTo === this.partFrom) this.partFrom = from;
    this.partTo = to;
  }

  /** The raw text of the finished token (between the quotes for strings). */
  private tokenText(): string {
    const parts = this.tokenParts;
    const text =
      parts.length === 0
        ? this.chunk.toString('utf8', this.partFrom, this.partTo)
        : Buffer.concat([...parts, this.chunk.subarray(this.partFrom, this.partTo)]).toString('utf8');
    this.tokenParts = [];
    this.partFrom = this.partTo = 0;
    return text;
  }

  private finishString(end: number): void {
    if (this.stringIsKey) {
      this.path[this.path.length - 1] = this.decodeString();
      this.state = State.Colon;
      return;
    }
    if (this.handler.string) {
      this.stringToken.reset(this.tokenStart, end, this);
      this.handler.string(this.path, this.stringToken);
      this.stringToken.reset(0, 0, null);
    }
    this.tokenParts = [];
    this.partFrom = this.partTo = 0;
    this.afterValue();
  }

  /** @internal Decodes the string token in progress (escapes resolved). */
  decodeString(): string {
    const raw = this.tokenText();
    return this.stringHasEscape ? (JSON.parse(`"${raw}"`) as string) : raw;
  }

  private finishNumber(end: number): void {
    const text = this.tokenText();
    if (!NUMBER_PATTERN.test(text)) this.fail(`"${text}" is not a valid number`, this.tokenStart);
    // Out-of-range numbers are valid JSON (RFC 8259 leaves the range to the reader): Infinity, as JSON.parse does.
    const value = Number(text);
    this.handler.primitive?.(this.path, value, this.tokenStart, end);
    this.afterValue();
  }

  private finishLiteral(end: number): void {
    if (!(this.literal in LITERALS)) {
      this.fail(`unexpected "${this.literal}" (expected true, false, null, a number, a string, an object or an array)`, this.tokenStart);
    }
    this.handler.primitive?.(this.path, LITERALS[this.literal]!, this.tokenStart, end);
    this.afterValue();
  }

  private fail(reason: string, at: number): never {
    const column = at - this.lineStart + 1;
    throw new JsonScanError(reason, at, this.line, Math.max(1, column));
  }
}

class LazyString implements JsonStringToken {
  start = 0;
  end = 0;
  private scanner: JsonScanner | null = null;
  private decoded: string | undefined;

  reset(start: number, end: number, scanner: JsonScanner | null): void {
    this.start = start;
    this.end = end;
    this.scanner = scanner;
    this.decoded = undefined;
  }

  text(): string {
    if (this.decoded === undefined) {
      if (!this.scanner) throw new Error('a JsonStringToken is only valid during its callback');
      this.decoded = this.scanner.decodeString();
    }
    return this.decoded;
  }
}

function isNumberByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

function isHexByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function describe(c: number): string {
  if (c >= 0x21 && c <= 0x7e) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}
