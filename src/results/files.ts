import { createReadStream } from 'node:fs';
import { open, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '../errors.js';

/** The first bytes of a file, for format detection. */
export async function readHead(file: string, bytes = 64 * 1024): Promise<Buffer> {
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
          : `cannot be read (${code ?? String(err)})`;
  return new ConfigurationError(`Cannot read eval results ${file}.`, [{ file, message: why }]);
}

/** A whole text file; a failure to read it is the user's to fix, named by `shown`. */
export async function readText(file: string, shown = file): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw unreadable(shown, err);
  }
}

/** A whole JSON file, with a syntax error reported at its line and column. */
export async function readJson(file: string, shown = file): Promise<unknown> {
  return parseJsonText(await readText(file, shown), shown);
}

export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const { line, column } = lineColumn(text, offset);
    const what =
      offset >= text.trimEnd().length || /end of JSON input/.test((err as Error).message)
        ? 'the JSON ends early (is the file truncated?)'
        : `invalid JSON (${(err as Error).message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '')})`;
    throw new ConfigurationError(`Eval results ${file} are not valid JSON.`, [
      {
        file,
        line: line,
        column,
        message: `${what} at line ${line}, column ${column} (byte ${offset}); re-run the eval or re-export the results`,
      },
    ]);
  }
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
      if (c === '\\') i += 2;
      else if (c < ' ') fail();
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
 */
export async function* readLines(file: string): AsyncGenerator<{ text: string; line: number }[]> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 18 });
  let rest = '';
  let line = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      const batch: { text: string; line: number }[] = [];
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
        line += 1;
        const l = text.slice(start, nl);
        start = nl + 1;
        if (l.trim()) batch.push({ text: l, line });
      }
      rest = text.slice(start);
      if (batch.length > 0) yield batch;
    }
  } catch (err) {
    throw unreadable(file, err);
  }
  if (rest.trim()) yield [{ text: rest, line: line + 1 }];
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
