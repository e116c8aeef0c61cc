import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigurationError, type Problem } from '../errors.js';
import { checkMemory, jsonErrorOffset, MAX_JSON_DEPTH, maxDocumentBytes, unreadable } from './files.js';

/**
 * One JSON document read without holding it whole: the "spine" (the objects on the way to the large
 * arrays) is walked member by member, every other value is parsed on its own, and the elements of
 * the arrays at `streamed` paths are only counted, to be read one at a time later (`eachElement`).
 * Memory holds one element at a time, not the document; no size cap applies to the arrays.
 */

/** A large array of a document, left in the file: where it starts and how many elements it has. */
export interface StreamedArray {
  file: string;
  shown: string;
  /** Byte offset of its "[". */
  start: number;
  length: number;
  /** Nesting depth of its elements (the depth limit counts from the document's root). */
  depth: number;
  /** Bytes read at a time (tests make it small to cross chunk boundaries everywhere). */
  chunk: number;
  /** Each element's length in bytes, so the second pass need not scan (absent past `maxSizes` elements). */
  sizes?: Uint32Array;
}

/** How a document is read; tests make both small, to reach every boundary and the second path. */
export interface ReadOptions {
  /** Bytes read at a time. */
  chunk?: number;
  /** Elements whose sizes are kept (16 MiB of them by default); an array longer is scanned again when read. */
  maxSizes?: number;
}

function grow(sizes: Uint32Array, max: number): Uint32Array | undefined {
  if (sizes.length >= max) return undefined;
  const more = new Uint32Array(Math.min(max, sizes.length * 2));
  more.set(sizes);
  return more;
}

export interface JsonDocument {
  /** The document, each streamed array in it an empty array standing for the one in the file. */
  value: unknown;
  /** The document is on one line (JSON lines of one line, too). */
  oneLine: boolean;
  streamed: Map<unknown[], StreamedArray>;
}

const CHUNK = 1 << 20;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isEnd = (c: number) => c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT || isSpace(c);

/** What is wrong at a byte offset of the file (named with its line and column where it is caught). */
class JsonError {
  constructor(
    readonly offset: number,
    readonly kind: 'syntax' | 'early' | 'deep' | 'trailing' | 'large',
    readonly what = '',
  ) {}
}
const deep = (offset: number) => new JsonError(offset, 'deep');
/** What a value is likely to cost parsed: its bytes, and 64 for each object, array and string in it. */
const weight = (bytes: number, tokens: number) => bytes + 64 * tokens;
const early = (offset: number) => new JsonError(offset, 'early');

/**
 * The bytes of a file read forward in 1 MiB chunks. A "mark" keeps the bytes from a point on,
 * so a value that spans several of them can be taken whole.
 */
class Scanner {
  /** The chunk read into, again and again (fresh memory per read would cost page faults). */
  private readonly chunk: Buffer;
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  /** File offset of buf[0]. */
  private base: number;
  private eof = false;
  /** Positions of the next quote and backslash in buf found by the last searches (buf.length: none). */
  private quote = -1;
  private backslash = -1;
  private pieces: Buffer[] | undefined;
  private markPos = 0;
  private marked = 0;
  /** File offset of the first newline read (-1: none yet). */
  firstNewline = -1;

  /** Containers and strings met by skipValue so far: each costs far more heap parsed than its bytes. */
  tokens = 0;
  private markTokens = 0;
  /** What the values taken so far cost (bytes + 64 a token); the last one's alone. */
  taken = 0;
  lastWeight = 0;
  /** Where the search for the first newline starts (the document's first byte). */
  private newlineFrom = 0;

  constructor(
    private readonly fd: number,
    start: number,
    readonly maxValue: number,
    chunk: number,
  ) {
    this.base = start;
    this.chunk = Buffer.allocUnsafe(chunk);
  }

  /** Another scanner of the same file, from `offset` (reading no more than to `end` at a time). */
  at(offset: number, end: number): Scanner {
    return new Scanner(this.fd, offset, this.maxValue, Math.max(1, Math.min(this.chunk.length, end - offset)));
  }

  /** Looks for the first newline from here on (what came before, whitespace, does not count). */
  newlinesFromHere(): void {
    this.newlineFrom = this.offset;
    const newline = this.buf.indexOf(0x0a, this.pos);
    this.firstNewline = newline === -1 ? -1 : this.base + newline;
  }

  /** Moves past a byte order mark at the start of the file, before the first read. */
  skipBom(): void {
    const head = Buffer.alloc(3);
    if (readSync(this.fd, head, 0, 3, this.base) === 3 && head.equals(BOM)) this.base += 3;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  /** Reads the next chunk once buf is used up; false at the end of the file. */
  fill(): boolean {
    while (this.pos >= this.buf.length) {
      if (this.eof) return false;
      if (this.pieces) {
        // A copy: the chunk's memory is read into again.
        if (this.markPos < this.buf.length) this.pieces.push(Buffer.from(this.buf.subarray(this.markPos)));
        this.marked += this.buf.length - this.markPos;
        this.markPos = 0;
        if (this.marked > this.maxValue) throw new JsonError(this.offset, 'large');
      }
      const n = readSync(this.fd, this.chunk, 0, this.chunk.length, this.base + this.buf.length);
      this.pos -= this.buf.length;
      this.base += this.buf.length;
      this.buf = n === this.chunk.length ? this.chunk : this.chunk.subarray(0, n);
      this.quote = this.backslash = -1;
      if (n === 0) this.eof = true;
      if (this.firstNewline === -1) {
        const newline = this.buf.indexOf(0x0a, Math.max(0, this.newlineFrom - this.base));
        if (newline !== -1) this.firstNewline = this.base + newline;
      }
    }
    return true;
  }

  /** The next byte after whitespace, not consumed; -1 at the end of the file. */
  peek(): number {
    for (;;) {
      if (this.pos >= this.buf.length && !this.fill()) return -1;
      const c = this.buf[this.pos]!;
      if (!isSpace(c)) return c;
      this.pos++;
    }
  }

  expect(byte: number, what: string): void {
    if (this.peek() !== byte) throw this.unexpected(what);
    this.pos++;
  }

  unexpected(what: string): JsonError {
    return this.peek() === -1 ? early(this.offset) : new JsonError(this.offset, 'syntax', `expected ${what}`);
  }

  mark(): void {
    this.pieces = [];
    this.markPos = this.pos;
    this.marked = 0;
    this.markTokens = this.tokens;
  }

  /** The text from the mark to here. */
  take(): string {
    const pieces = this.pieces!;
    this.pieces = undefined;
    this.lastWeight = weight(this.marked + this.pos - this.markPos, this.tokens - this.markTokens);
    this.taken += this.lastWeight;
    if (pieces.length === 0) return this.buf.toString('utf8', this.markPos, this.pos);
    pieces.push(this.buf.subarray(0, this.pos));
    return Buffer.concat(pieces).toString('utf8');
  }

  /** Moves `n` (at least 1) bytes on: the last of them is in buf, even at the end of the file. */
  advance(n: number): void {
    this.pos += n - 1;
    if (this.pos >= this.buf.length && !this.fill()) throw early(this.offset);
    this.pos += 1;
  }

  /** Moves past one value (after whitespace) whose containers nest from `depth`; checks brackets only. */
  skipValue(depth: number): void {
    const top = depth;
    if (this.peek() === -1) throw this.unexpected('a value');
    let { buf, pos } = this;
    const first = buf[pos]!;
    if (first === CLOSE_ARRAY || first === CLOSE_OBJECT || first === COMMA || first === COLON)
      throw this.unexpected('a value');
    if (first !== QUOTE && first !== OPEN_ARRAY && first !== OPEN_OBJECT) {
      // A number or a literal: to the next delimiter (JSON.parse judges it).
      for (;;) {
        for (; pos < buf.length && !isEnd(buf[pos]!); pos++);
        this.pos = pos;
        if (pos < buf.length || !this.fill()) return;
        ({ buf, pos } = this);
      }
    }
    for (;;) {
      if (pos >= buf.length) {
        this.pos = pos;
        if (!this.fill()) throw early(this.offset);
        ({ buf, pos } = this);
      }
      const c = buf[pos]!;
      if (c === QUOTE) {
        // Most strings are short keys and values: a byte loop over the first 64 bytes, then indexOf.
        const stop = Math.min(buf.length, pos + 64);
        let p = pos + 1;
        for (; p < stop; p++) {
          const d = buf[p]!;
          if (d === QUOTE) break;
          if (d === BACKSLASH) p++;
        }
        this.tokens++;
        if (p < stop) pos = p + 1;
        else {
          this.pos = p;
          this.skipString();
          ({ buf, pos } = this);
        }
        if (depth === top) {
          this.pos = pos;
          return;
        }
      } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (++depth > MAX_JSON_DEPTH) throw deep(this.base + pos);
        this.tokens++;
        pos++;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        pos++;
        if (--depth === top) {
          this.pos = pos;
          return;
        }
      } else pos++;
    }
  }

  /** Moves past the rest of a string (after its opening quote), finding quotes and escapes with indexOf. */
  private skipString(): void {
    for (;;) {
      if (this.pos >= this.buf.length && !this.fill()) throw early(this.offset);
      const { buf, pos } = this;
      // Each search runs once per occurrence, not once per string: a chunk is searched in linear time.
      if (this.quote < pos) this.quote = nextIndex(buf, QUOTE, pos);
      if (this.backslash < pos) this.backslash = nextIndex(buf, BACKSLASH, pos);
      if (this.backslash < this.quote) {
        // An escape: the next byte is part of it (it may be the first of the next chunk).
        this.pos = this.backslash + 2;
      } else if (this.quote === buf.length) this.pos = buf.length;
      else {
        this.pos = this.quote + 1;
        return;
      }
    }
  }
}

function nextIndex(buf: Buffer, byte: number, from: number): number {
  const i = buf.indexOf(byte, from);
  return i === -1 ? buf.length : i;
}

/**
 * Reads the JSON document in `file`, leaving in the file the elements of arrays whose key path is
 * one of `streamed` (e.g. ["results", "results"]). Errors name the line and column.
 */
export function readDocument(
  file: string,
  shown: string,
  streamed: readonly (readonly string[])[],
  { chunk = CHUNK, maxSizes = 1 << 22 }: ReadOptions = {},
): JsonDocument {
  return withFile(file, shown, 0, chunk, (scanner) => {
    const arrays = new Map<unknown[], StreamedArray>();
    scanner.skipBom();
    scanner.peek();
    scanner.newlinesFromHere();
    let values = 0;
    const onPath = (path: string[], whole: boolean) =>
      streamed.some(
        (s) => (whole ? s.length === path.length : s.length > path.length) && path.every((k, i) => s[i] === k),
      );
    /** A value outside the streamed arrays: parsed alone, all of them together within maxValue. */
    const part = (depth: number): unknown => {
      const start = scanner.offset;
      const v = parsed(scanner, depth);
      // Each value costs its text and the objects in it (millions of tiny ones add up).
      if (scanner.taken > scanner.maxValue) throw new JsonError(start, 'large');
      if (++values % 4096 === 0) checkMemory(shown);
      return v;
    };
    const streamArray = (depth: number): unknown[] => {
      const start = scanner.offset;
      scanner.pos++;
      let length = 0;
      let sizes: Uint32Array | undefined = new Uint32Array(Math.min(16, maxSizes));
      try {
        if (scanner.peek() === CLOSE_ARRAY) scanner.pos++;
        else
          for (;;) {
            scanner.peek();
            const from = scanner.offset;
            const tokens = scanner.tokens;
            scanner.skipValue(depth + 1);
            if (weight(scanner.offset - from, scanner.tokens - tokens) > scanner.maxValue)
              throw new JsonError(from, 'large');
            if (sizes && length === sizes.length) sizes = grow(sizes, maxSizes);
            if (sizes) sizes[length] = scanner.offset - from;
            length++;
            if (scanner.peek() === COMMA) scanner.pos++;
            else {
              scanner.expect(CLOSE_ARRAY, '"," or "]" after an element');
              break;
            }
          }
      } catch (err) {
        // A malformed sample throws the bracket count off: the real error is in the first sample JSON.parse refuses.
        if (err instanceof JsonError && err.kind !== 'large')
          throw firstBadElement(scanner.at(start, err.offset + 1), depth + 1, err);
        throw err;
      }
      const stand: unknown[] = [];
      arrays.set(stand, { file, shown, start, length, depth: depth + 1, chunk, sizes });
      return stand;
    };
    /**
     * A value a duplicate key replaces (JSON.parse keeps the last): its streamed arrays leave the
     * document, read first, since JSON.parse refuses a document whose replaced value is not JSON.
     */
    const drop = (old: unknown, at: string[]) => {
      for (const s of streamed) {
        if (s.length < at.length || !at.every((k, i) => s[i] === k)) continue;
        let v = old;
        for (const k of s.slice(at.length))
          v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : v;
        const array = Array.isArray(v) ? arrays.get(v) : undefined;
        if (!array) continue;
        arrays.delete(v as unknown[]);
        readElements(scanner.at(array.start, scanner.offset), array, () => undefined);
      }
    };
    const value = (path: string[], depth: number): unknown => {
      const c = scanner.peek();
      if (c === OPEN_ARRAY && onPath(path, true)) return streamArray(depth);
      if (c !== OPEN_OBJECT || !onPath(path, false)) return part(depth);
      if (depth + 1 > MAX_JSON_DEPTH) throw deep(scanner.offset);
      scanner.pos++;
      const out: Record<string, unknown> = {};
      if (scanner.peek() === CLOSE_OBJECT) {
        scanner.pos++;
        return out;
      }
      for (;;) {
        if (scanner.peek() !== QUOTE) throw scanner.unexpected('a key in double quotes');
        const key = part(0) as string;
        scanner.expect(COLON, '":" after a key');
        if (Object.hasOwn(out, key)) drop(out[key], [...path, key]);
        // JSON.parse makes "__proto__" an own property, never the prototype.
        Object.defineProperty(out, key, {
          value: value([...path, key], depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        if (scanner.peek() === COMMA) scanner.pos++;
        else {
          scanner.expect(CLOSE_OBJECT, '"," or "}" after a value');
          return out;
        }
      }
    };
    const doc = value([], 0);
    const end = scanner.offset;
    if (scanner.peek() !== -1)
      throw new JsonError(scanner.offset, 'trailing', 'more content after the end of the document');
    return { value: doc, streamed: arrays, oneLine: scanner.firstNewline === -1 || scanner.firstNewline >= end };
  });
}

/**
 * A document small enough to hold whole (at most 2 MiB, and 1/32 of what `readDocument` may hold:
 * parsed, even a million tiny objects stay within it), read at once and parsed by JSON.parse alone,
 * with no scan: most results files, read in a fraction of the time. Undefined when the file is
 * larger, is not one JSON document, or nests deeper than MAX_JSON_DEPTH: `readDocument` then reads
 * it and names what is wrong where it is. Nesting is checked after the parse: JSON.parse takes about
 * as long on 2 MiB of "[" as on 2 MiB of "[],", ~0.5 s, and a scan before it would slow every run.
 */
export function readSmallDocument(file: string): JsonDocument | undefined {
  const text = smallText(file, Math.min(2 * 2 ** 20, Math.floor(maxDocumentBytes() / 32)));
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  if (typeof value === 'object' && value !== null && deeperThan(value, MAX_JSON_DEPTH)) return undefined;
  return { value, streamed: new Map(), oneLine: !text.trim().includes('\n') };
}

/** The text of a file of at most `max` bytes; undefined when it is larger or cannot be read (the streaming read says why). */
function smallText(file: string, max: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = fstatSync(fd);
    if (size > max) return undefined;
    const buf = Buffer.allocUnsafe(size);
    let n = 0;
    for (let r = 1; n < size && r > 0; n += r) r = readSync(fd, buf, n, size - n, n);
    return buf.toString('utf8', 0, n);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The value (an array or object) nests arrays and objects more than `levels` deep. */
function deeperThan(value: object, levels: number): boolean {
  if (levels === 0) return true;
  // Only objects are visited: most values are not (a call for each costs ~1 ms on a results file).
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null && deeperThan(v, levels - 1)) return true;
    }
  } else
    for (const k in value) {
      const v: unknown = (value as Record<string, unknown>)[k];
      if (typeof v === 'object' && v !== null && deeperThan(v, levels - 1)) return true;
    }
  return false;
}

/**
 * The first element of a streamed array (from its "[" at the scanner) that JSON.parse refuses, up to
 * where the first pass failed (`failed`); that failure when every element before it parses.
 */
function firstBadElement(scanner: Scanner, depth: number, failed: JsonError): JsonError {
  try {
    scanner.expect(OPEN_ARRAY, '"["');
    while (scanner.peek() !== CLOSE_ARRAY && scanner.offset < failed.offset) {
      const start = scanner.offset;
      try {
        parsed(scanner, depth);
      } catch (err) {
        // An element whose end cannot be found (a stray quote): JSON.parse of it up to the failure.
        if (err instanceof JsonError && err.kind !== 'syntax' && err.kind !== 'large' && err.kind !== 'deep') {
          const rest = scanner.at(start, failed.offset);
          rest.mark();
          rest.advance(Math.min(failed.offset - start, scanner.maxValue));
          const text = rest.take();
          const found = syntaxIn(text, start);
          // Only a last word cut off (`tr` at the end of the file): the file ends early.
          const tail =
            found && failed.offset - found.offset <= 64 ? Buffer.from(text).subarray(found.offset - start) : undefined;
          return found && !(failed.kind === 'early' && tail && /^[\w.+-]*\s*$/.test(tail.toString())) ? found : failed;
        }
        throw err;
      }
      if (scanner.peek() === COMMA) scanner.pos++;
    }
  } catch (err) {
    if (err instanceof JsonError && err.kind === 'syntax' && err.offset <= failed.offset) return err;
  }
  return failed;
}

/** Calls `each` with every element of the array at the scanner (its "["), parsed one at a time. */
function readElements(scanner: Scanner, array: StreamedArray, each: (value: unknown, index: number) => void): void {
  scanner.expect(OPEN_ARRAY, '"["');
  if (scanner.peek() === CLOSE_ARRAY) return;
  for (let index = 0; ; index++) {
    each(parsed(scanner, array.depth, array.sizes?.[index]), index);
    if (scanner.peek() === COMMA) scanner.pos++;
    else return scanner.expect(CLOSE_ARRAY, '"," or "]" after an element');
  }
}

/** Calls `each` with every element of a streamed array, read one at a time from its file. */
export function eachElement(array: StreamedArray, each: (value: unknown, index: number) => void): void {
  withFile(array.file, array.shown, array.start, array.chunk, (scanner) => readElements(scanner, array, each));
}

/** The first syntax error in `text` (from file offset `start`), as JSON.parse words it; none when it parses or only ends early. */
function syntaxIn(text: string, start: number): JsonError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    // V8's message does not always carry a position: the first error's offset is found by a scan.
    const at = jsonErrorOffset(text);
    // Nothing wrong but the end: the text is cut short (the caller knows why).
    if (at >= text.length) return undefined;
    const message = (err as Error).message;
    // A scalar is parsed alone: V8 calls a misspelled one (`tru`) the end of the input.
    const why = /end of JSON input/.test(message)
      ? 'a value that is cut short or misspelled'
      : message
          .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '')
          .replace(/ (?:in JSON )?at position \d+.*$/s, '');
    return new JsonError(start + Buffer.byteLength(text.slice(0, at)), 'syntax', why);
  }
}

/** The next value, parsed (`size`: its length in bytes, when a first pass measured it). */
function parsed(scanner: Scanner, depth: number, size?: number): unknown {
  scanner.peek();
  const start = scanner.offset;
  scanner.mark();
  if (size === undefined) scanner.skipValue(depth);
  else scanner.advance(size);
  const text = scanner.take();
  if (scanner.lastWeight > scanner.maxValue) throw new JsonError(start, 'large');
  try {
    return JSON.parse(text);
  } catch {
    throw syntaxIn(text, start) ?? new JsonError(start, 'syntax', 'not a JSON value');
  }
}

function withFile<T>(file: string, shown: string, start: number, chunk: number, read: (scanner: Scanner) => T): T {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw unreadable(shown, err);
  }
  try {
    return read(new Scanner(fd, start, maxDocumentBytes(), chunk));
  } catch (err) {
    if (err instanceof JsonError) throw syntaxError(fd, shown, err);
    // A read that failed (EIO, ...); anything else is not the file's doing.
    if (typeof (err as NodeJS.ErrnoException).code === 'string' && !(err instanceof ConfigurationError))
      throw unreadable(shown, err);
    throw err;
  } finally {
    closeSync(fd);
  }
}

/** Thrown for a document that is JSON up to a point and then more follows it (perhaps JSON lines). */
export class TrailingContent extends ConfigurationError {}

function syntaxError(fd: number, shown: string, err: JsonError): ConfigurationError {
  const { line, column } = lineColumnAt(fd, err.offset);
  const at = `at line ${line}, column ${column}`;
  const fix = `${at} (byte ${err.offset}); re-run the eval or re-export the results`;
  let title = 'are not valid JSON';
  let message = `invalid JSON (${err.what}) ${fix}`;
  if (err.kind === 'early') message = `the JSON ends early (is the file truncated?) ${fix}`;
  else if (err.kind === 'deep') {
    title = 'are nested too deeply';
    message = `arrays and objects nested deeper than ${MAX_JSON_DEPTH} levels ${at}; the limit is ${MAX_JSON_DEPTH}`;
  } else if (err.kind === 'large') {
    title = 'hold more than can be read at once';
    message = `more than ${Math.round(maxDocumentBytes() / 2 ** 20)} MiB would be held at once at line ${line}, column ${column}: a sample is read whole, and so is the rest of the document around the samples (together), each up to an eighth of the heap; split the run into several files, or raise the heap (NODE_OPTIONS=--max-old-space-size=8192)`;
  }
  const problems: Problem[] = [{ file: shown, line, column, message }];
  return new (err.kind === 'trailing' ? TrailingContent : ConfigurationError)(
    `Eval results ${shown} ${title}.`,
    problems,
  );
}

/** Line and column (in characters) of a byte offset of the file, counted in one read up to it. */
function lineColumnAt(fd: number, offset: number): { line: number; column: number } {
  const buf = Buffer.allocUnsafe(CHUNK);
  let line = 1;
  let column = 1;
  for (let at = 0; at < offset;) {
    const n = readSync(fd, buf, 0, Math.min(CHUNK, offset - at), at);
    if (n === 0) break;
    for (let i = 0; i < n; i++) {
      const c = buf[i]!;
      if (c === 0x0a) {
        line++;
        column = 1;
      } else if ((c & 0xc0) !== 0x80 && !(at + i < 3 && c === 0xef)) column++;
    }
    at += n;
  }
  return { line, column };
}
