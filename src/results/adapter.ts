import type { Problem } from '../errors.js';
import { depthProblem, readLines } from './files.js';
import { eachElement, type StreamedArray } from './json-stream.js';
import type { Aggregate, Format, RunMeta, Sample } from './model.js';

/** What detection knows about a file before an adapter reads it. */
export interface Probe {
  file: string;
  /** First bytes of the file, decoded as UTF-8. */
  head: string;
  /** The first non-empty line parsed as JSON, when it parses (JSONL formats). */
  firstLine?: unknown;
  /** Other lines follow the first one (the file is JSON lines, not one document). */
  jsonl?: boolean;
  /**
   * The whole file parsed as JSON, when it is one JSON document. The arrays adapters name in
   * `streams` stay in the file: here they are empty, and `each` reads their elements.
   */
  json?: unknown;
  /** The arrays of `json` left in the file, and those an adapter has read. */
  streamed?: ReadonlyMap<unknown[], StreamedArray>;
  read?: Set<StreamedArray>;
}

export interface AdapterContext {
  file: string;
  emit(sample: Sample): void;
  /** Report a problem in the file; reading continues so every problem is listed at once. */
  problem(p: Omit<Problem, 'file'>): void;
  /** A metric the file gives only in aggregate, keyed like a named score. */
  aggregate(key: string, value: Aggregate): void;
  /** An error the tool reported for the whole run (it crashed, was cancelled, ...). */
  runError(message: string): void;
}

export interface Adapter {
  format: Format;
  /** Recognise the format from content, never from the file name. */
  detect(probe: Probe): boolean;
  read(probe: Probe, ctx: AdapterContext): Promise<RunMeta>;
  /**
   * Key paths of the large arrays of a JSON document in this format (e.g. the samples), read one
   * element at a time with `each` rather than held whole.
   */
  streams?: readonly (readonly string[])[];
}

/** Calls `fn` with each element of an array of the probed document (read from the file when it was left there). */
export function each(probe: Probe, array: unknown, fn: (value: unknown, index: number) => void): void {
  if (!Array.isArray(array)) return;
  const streamed = probe.streamed?.get(array);
  if (!streamed) return array.forEach(fn);
  (probe.read ??= new Set()).add(streamed);
  eachElement(streamed, fn);
}

/**
 * The streamed arrays no adapter read (a format's samples key in another format's file): parsed
 * anyway, since a document JSON.parse refuses is refused whatever part of it is not used.
 */
export function checkUnread(probe: Probe): void {
  for (const array of probe.streamed?.values() ?? []) if (!probe.read?.has(array)) eachElement(array, () => undefined);
}

/** The length of an array of the probed document, streamed or not. */
export function lengthOf(probe: Probe, array: unknown[]): number {
  return probe.streamed?.get(array)?.length ?? array.length;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Tags from a `tag` / `tags` field that may be a string, a comma list or an array. */
export function tagsFrom(...values: unknown[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
    for (const t of list) if (typeof t === 'string' && t.trim()) out.add(t.trim());
  }
  return [...out];
}

/**
 * The lines of a JSONL file, parsed, in batches (one await per chunk of the file). A line that is
 * not JSON is reported with its number (`what` says what a line should be) and skipped, so every
 * bad line is listed at once.
 */
export async function* jsonLines(
  file: string,
  ctx: AdapterContext,
  what: string,
): AsyncGenerator<{ value: unknown; line: number }[]> {
  for await (const lines of readLines(file, ctx.file)) {
    const batch: { value: unknown; line: number }[] = [];
    for (const { text, line } of lines) {
      const deep = depthProblem(text, ctx.file, line);
      if (deep) {
        ctx.problem(deep);
        continue;
      }
      try {
        batch.push({ value: JSON.parse(text), line });
      } catch {
        ctx.problem({ line, message: `not valid JSON: ${what} (a cut-off last line means the file is truncated)` });
      }
    }
    yield batch;
  }
}
