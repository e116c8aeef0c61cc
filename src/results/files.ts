import { createReadStream } from 'node:fs';
import { open, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import { getHeapStatistics } from 'node:v8';
import path from 'node:path';
import { ConfigurationError, type Problem } from '../errors.js';

const MiB = 1024 * 1024;
export const HEAD_BYTES = 64 * 1024;

/** The first bytes of a file, for format detection. */
export async function readHead(file: string, bytes = HEAD_BYTES): Promise<Buffer> {
  const fh = await openOrExplain(file);
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function openOrExplain(file: string) {
  try {
    return await open(file, 'r');
  } catch (err) {
    throw unreadable(file, err);
  }
}

export function unreadable(file: string, err: unknown): ConfigurationError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'does not exist: check the path, and that the eval step wrote it before this step ran'
      : code === 'EISDIR'
        ? 'is a directory: point at the results file, or use a glob such as dir/*.json'
        : code === 'EACCES'
          ? 'cannot be read (permission denied)'
          : code === 'ENOTREG'
            ? 'is not a regular file (a FIFO, a device or a socket): point at the results file'
            : `cannot be read (${code ?? String(err)})`;
  return new ConfigurationError(`Cannot read eval results ${file}.`, [{ file, message: why }]);
}

/**
 * The largest file read whole (one JSON document, a JUnit report, a CSV): an eighth of the heap, at
 * most 512 MiB (near the longest string V8 makes); parsing takes several times the file's size.
 */
export function maxDocumentBytes(): number {
  return Math.min(512 * MiB, Math.floor(oldSpaceLimit() / 8));
}

/** The old generation's limit, where V8 runs out of memory: the heap limit less the young generation's 48 MiB. */
function oldSpaceLimit(): number {
  const limit = getHeapStatistics().heap_size_limit;
  return Math.max(limit / 2, limit - 48 * MiB);
}

/**
 * Stops a read that would exhaust the heap with a clear error, before V8 aborts the process (checked
 * every few thousand samples; a crash would leave no verdict).
 */
export function checkMemory(file: string): void {
  const used = getHeapStatistics().used_heap_size;
  const limit = oldSpaceLimit();
  if (used > 0.85 * limit)
    throw new ConfigurationError(`Eval results ${file} need more memory than this process has.`, [
      {
        file,
        message: `reading them used ${Math.round(used / MiB)} MB of the ${Math.round(limit / MiB)} MB heap; split the results into several files or gate fewer at once (or raise it: NODE_OPTIONS=--max-old-space-size=8192)`,
      },
    ]);
}

/** Refuses a file too large to read whole (see maxDocumentBytes) before it is read. */
export async function checkDocumentSize(file: string, shown = file): Promise<void> {
  const { size } = await stat(file);
  const max = maxDocumentBytes();
  if (size > max)
    throw new ConfigurationError(`Eval results ${shown} are too large to read whole.`, [
      {
        file: shown,
        message: `the file is ${Math.round(size / MiB)} MiB; a whole-document file (XML, CSV) is read up to ${Math.round(max / MiB)} MiB: write JSON lines (the native format) or split the run into several files`,
      },
    ]);
}

/** A whole text file; a failure to read it is the user's to fix, named by `shown`. */
export async function readText(file: string, shown = file): Promise<string> {
  try {
    await checkDocumentSize(file, shown);
    const text = await readFile(file, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    throw unreadable(shown, err);
  }
}

/** Nesting of arrays and objects a results document may have (real eval outputs stay under 30). */
export const MAX_JSON_DEPTH = 512;
/** Longest line a JSON-lines results file may have. */
export const MAX_LINE_BYTES = 16 * MiB;

/**
 * Offset where `text` nests arrays and objects deeper than `limit`, or -1. A linear scan that skips
 * strings; run before JSON.parse, which takes seconds and hundreds of MB on millions of "[".
 */
export function depthExceeded(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: to its closing quote, skipping escapes
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/** The problem of a JSON text nested too deeply, at its line and column; undefined when it is not. */
export function depthProblem(text: string, file: string, firstLine = 1): Problem | undefined {
  // Depth needs a bracket per level: a short text cannot exceed the limit.
  if (text.length <= MAX_JSON_DEPTH) return undefined;
  const at = depthExceeded(text);
  if (at < 0) return undefined;
  const { line, column } = lineColumn(text, at);
  return {
    file,
    line: firstLine + line - 1,
    column,
    message: `arrays and objects nested deeper than ${MAX_JSON_DEPTH} levels at line ${firstLine + line - 1}, column ${column}; the limit is ${MAX_JSON_DEPTH}`,
  };
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    last = i;
  }
  return { line, column: offset - last };
}

/**
 * Offset of the first JSON syntax error in `text` (V8's messages do not always carry one).
 * A small recursive-descent scanner, run only after JSON.parse has already failed.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    } else {
      for (const lit of ['true', 'false', 'null']) if (text.startsWith(lit, i)) return void (i += lit.length);
      fail();
    }
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)) : !e || !'"\\/bfnrt'.includes(e)) fail();
        i += e === 'u' ? 6 : 2;
      } else if (c < ' ') fail();
      else i++;
    }
    fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (pos) {
    return Math.min(pos as number, text.length);
  }
}

/**
 * Lines of a file, streamed in chunks (memory stays flat however large the file is), in batches:
 * one await per chunk rather than per line. Empty lines are skipped; each has its 1-based number.
 * A line longer than MAX_LINE_BYTES (UTF-8 bytes, a byte order mark not counted) stops the read
 * with a named error (`shown` names the file). Read as bytes and split at newline bytes (never part
 * of a longer UTF-8 character), each line decoded on its own: decoding whole chunks made a 256 KiB
 * string per chunk and a slice of it per line, ~40% of the time of reading a million lines.
 */
export async function* readLines(file: string, shown = file): AsyncGenerator<{ text: string; line: number }[]> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw unreadable(file, err);
  }
  const buf = Buffer.allocUnsafe(1 << 18);
  // The unfinished line, as pieces: a long line is joined once, not re-copied with every chunk.
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let line = 0;
  let first = true;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const batch: { text: string; line: number }[] = [];
      // A byte order mark is not part of the first line.
      let start = first && bytesRead >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
      first = false;
      for (let nl = buf.indexOf(10, start); nl !== -1 && nl < bytesRead; nl = buf.indexOf(10, start)) {
        line += 1;
        if (pendingLength + nl - start > MAX_LINE_BYTES) throw lineTooLong(shown, line);
        let text: string;
        if (pending.length > 0) {
          pending.push(buf.subarray(start, nl));
          text = Buffer.concat(pending).toString('utf8');
          pending = [];
          pendingLength = 0;
        } else text = buf.toString('utf8', start, nl);
        start = nl + 1;
        if (text.trim()) batch.push({ text, line });
      }
      if (start < bytesRead) {
        pending.push(Buffer.from(buf.subarray(start, bytesRead)));
        pendingLength += bytesRead - start;
        if (pendingLength > MAX_LINE_BYTES) throw lineTooLong(shown, line + 1);
      }
      if (batch.length > 0) yield batch;
    }
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    throw unreadable(file, err);
  } finally {
    await handle.close();
  }
  const rest = Buffer.concat(pending).toString('utf8');
  if (rest.trim()) yield [{ text: rest, line: line + 1 }];
}

export function lineTooLong(file: string, line: number): ConfigurationError {
  const limit = `${MAX_LINE_BYTES / 1024 / 1024} MiB`;
  return new ConfigurationError(`Eval results ${file} have a line longer than ${limit}.`, [
    {
      file,
      line,
      message: `line ${line} is longer than ${limit}; the limit is ${limit} per line (one JSON object per line: is the file JSON lines?)`,
    },
  ]);
}

/** The line starting at byte `start` of a file; undefined when no newline comes within MAX_LINE_BYTES. */
export async function readFirstLine(file: string, start = 0): Promise<string | undefined> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 18, start });
  const pieces: string[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const nl = chunk.indexOf('\n');
      if (nl !== -1) return pieces.join('') + chunk.slice(0, nl);
      pieces.push(chunk);
      length += chunk.length;
      if (length > MAX_LINE_BYTES) return undefined;
    }
  } catch (err) {
    throw unreadable(file, err);
  } finally {
    stream.destroy();
  }
  return pieces.join('');
}

/**
 * The workspace is the boundary: `abs` must resolve, symbolic links followed, inside `root`. A path
 * that leaves it ("..", an absolute path, a link committed in a pull request) is refused before it is
 * read, so no outside content reaches a report.
 */
export async function insideRoot(abs: string, root: string, shown: string, what: string): Promise<void> {
  let real: string;
  try {
    real = await realpath(abs);
  } catch {
    return; // missing: the reader names it
  }
  const top = await realpath(root).catch(() => path.resolve(root));
  const prefix = top.endsWith(path.sep) ? top : top + path.sep;
  if (real !== top && !real.startsWith(prefix))
    throw new ConfigurationError(`The ${what} ${shown} is outside the workspace.`, [
      {
        file: shown,
        message: `it resolves outside ${top} (through "..", an absolute path or a symbolic link): keep ${what} inside the repository`,
      },
    ]);
}
