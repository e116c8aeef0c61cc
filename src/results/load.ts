import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError, type Problem } from '../errors.js';
import { checkUnread, lengthOf, type Adapter, type Probe } from './adapter.js';
import {
  checkMemory,
  depthProblem,
  HEAD_BYTES,
  insideRoot,
  lineTooLong,
  readFirstLine,
  readHead,
  unreadable,
} from './files.js';
import { readDocument, readSmallDocument, TrailingContent } from './json-stream.js';
import { RunBuilder, type Format, type Run, type RunMeta, type RunOptions } from './model.js';
import { braintrust } from './adapters/braintrust.js';
import { deepeval } from './adapters/deepeval.js';
import { inspectJson, inspectZip } from './adapters/inspect.js';
import { junit } from './adapters/junit.js';
import { lmEvalResults, lmEvalSamples } from './adapters/lm-eval.js';
import { native } from './adapters/native.js';
import { openaiEvals } from './adapters/openai-evals.js';
import { promptfoo } from './adapters/promptfoo.js';
import { promptfooCsv } from './adapters/promptfoo-csv.js';

/** Every adapter, in detection order (the most specific shapes first). */
export const ADAPTERS: readonly Adapter[] = [
  promptfoo,
  deepeval,
  inspectJson,
  lmEvalResults,
  inspectZip,
  junit,
  openaiEvals,
  braintrust,
  lmEvalSamples,
  native,
  promptfooCsv,
];

/** The arrays of JSON documents read one element at a time (the samples of each format). */
const STREAMED = ADAPTERS.flatMap((a) => a.streams ?? []);
const MAX_PROBLEMS = 20;
const SUPPORTED = [
  'promptfoo (JSON, CSV)',
  'inspect (.json, .eval)',
  'lm-eval (results_*.json, samples_*.jsonl)',
  'openai-evals (record JSONL)',
  'deepeval (test run JSON)',
  'junit (XML)',
  'braintrust (--jsonl summaries)',
  'native (JSONL)',
].join(', ');

/** Paths and globs (relative to `cwd`) to the files they name, sorted, each at most once. */
export async function resolveResultFiles(patterns: readonly string[], cwd: string, root = cwd): Promise<string[]> {
  const files = new Set<string>();
  for (const pattern of patterns) {
    const isGlob = /[*?[\]{}]/.test(pattern);
    if (!isGlob) {
      const abs = path.resolve(cwd, pattern);
      const st = await stat(abs).catch((err: unknown) => {
        throw unreadable(pattern, err);
      });
      // A FIFO or a device would block the read (or never end): only regular files are results.
      if (!st.isFile()) throw unreadable(pattern, { code: st.isDirectory() ? 'EISDIR' : 'ENOTREG' });
      await insideRoot(abs, root, pattern, 'eval results');
      files.add(abs);
      continue;
    }
    // Loaded when a glob is given: a path alone needs none of it.
    const { glob } = await import('tinyglobby');
    const matched = await glob(pattern, {
      cwd,
      absolute: true,
      onlyFiles: true,
      dot: true,
      followSymbolicLinks: false,
    });
    if (matched.length === 0) {
      throw new ConfigurationError(`No eval results match ${pattern}.`, [
        {
          file: pattern,
          message: `the glob matched no file under ${cwd}: check evals.results (or the results input), and that the eval step ran first`,
        },
      ]);
    }
    for (const f of matched.sort()) {
      await insideRoot(f, root, path.relative(cwd, f) || f, 'eval results');
      files.add(path.resolve(f));
    }
  }
  return [...files];
}

export interface LoadOptions extends RunOptions {
  format: Format | 'auto';
  cwd: string;
  /** The boundary results must stay inside (the workspace; default cwd). */
  root?: string;
}

/** Read every file into one run. A bad file fails the whole load, named with its problems. */
export async function loadRun(patterns: readonly string[], options: LoadOptions): Promise<Run> {
  if (patterns.length === 0) {
    throw new ConfigurationError('No eval results are configured.', [
      {
        file: 'config',
        path: 'evals.results',
        message: 'set evals.results in the config (or the results input) to the eval output file',
      },
    ]);
  }
  const files = await resolveResultFiles(patterns, options.cwd, options.root);
  const builder = new RunBuilder(options);
  const formats = new Set<Format>();
  const metas: RunMeta[] = [];
  for (const file of files) {
    const shown = path.relative(options.cwd, file) || file;
    const probe = await makeProbe(file, shown);
    const candidates = options.format === 'auto' ? ADAPTERS : ADAPTERS.filter((a) => a.format === options.format);
    const adapter = candidates.find((a) => a.detect(probe));
    if (!adapter) {
      throw new ConfigurationError(
        options.format === 'auto'
          ? `Eval results ${shown} are in a format the gate does not recognise.`
          : `Eval results ${shown} are not ${options.format} output.`,
        [
          {
            file: shown,
            message:
              options.format === 'auto'
                ? `the file looks like ${lookLike(probe)}; supported formats: ${SUPPORTED} (set evals.format, or the CLI's --format, to name one)`
                : `the format is set to ${options.format} (evals.format, or the CLI's --format), but the file looks like ${lookLike(probe)}; fix it or use auto`,
          },
        ],
      );
    }
    if (probe.jsonl) builder.expect(await linesIn(file, probe.head));
    const problems: Problem[] = [];
    let extra = 0;
    let emitted = 0;
    const meta = await adapter.read(probe, {
      file: shown,
      emit: (s) => {
        builder.add(s, shown);
        if (++emitted % 4096 === 0) checkMemory(shown);
      },
      problem: (p) => (problems.length < MAX_PROBLEMS ? problems.push({ ...p, file: shown }) : extra++),
      aggregate: (key, value) => builder.aggregates.set(key, value),
      runError: (message) => builder.runErrors.push(`${shown}: ${message}`),
    });
    checkUnread(probe);
    if (problems.length > 0) {
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      if (extra > 0)
        problems.push({ file: shown, message: `and ${extra} more problem${extra === 1 ? '' : 's'} like these` });
      throw new ConfigurationError(`Eval results ${shown} (${adapter.format}) could not be read.`, problems);
    }
    formats.add(adapter.format);
    metas.push(meta);
  }
  const [first] = formats;
  return builder.build(
    formats.size === 1 ? first! : ([...formats].join('+') as Format),
    files.map((f) => path.relative(options.cwd, f) || f),
    mergeMeta(metas),
  );
}

/**
 * About how many lines a JSON-lines file has: its size over the mean length of the lines in its
 * head; at most 2 million (room reserved, 56 MB, for cases that may repeat: more still fit as they come).
 */
async function linesIn(file: string, head: string): Promise<number> {
  let lines = 0;
  for (let i = head.indexOf('\n'); i !== -1; i = head.indexOf('\n', i + 1)) lines++;
  const { size } = await stat(file);
  return lines === 0 ? 0 : Math.min(1 << 21, Math.ceil(size / (Buffer.byteLength(head) / lines)));
}

/** Run metadata of several files: a field is kept when every file that states it agrees. */
function mergeMeta(metas: RunMeta[]): RunMeta {
  const out: RunMeta = {};
  for (const key of ['tool', 'model', 'dataset', 'commit'] as const) {
    const values = new Set(metas.map((m) => m[key]).filter((v): v is string => Boolean(v)));
    if (values.size > 0) out[key] = [...values].join(', ');
  }
  return out;
}

async function makeProbe(file: string, shown: string): Promise<Probe> {
  const bytes = await readHead(file);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    throw new ConfigurationError(`Eval results ${shown} are UTF-16 text.`, [
      { file: shown, message: 'the file is encoded as UTF-16: save or export it as UTF-8' },
    ]);
  const head = bytes.toString('utf8');
  const probe: Probe = { file, head };
  const trimmed = head.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return probe;
  // JSON lines: a first line in the head, and more after it.
  const newline = trimmed.indexOf('\n');
  if (trimmed.startsWith('{') && newline !== -1 && trimmed.slice(newline).trim() !== '') {
    if (parseFirstLine(probe, trimmed.slice(0, newline), shown)) return probe;
  }
  // One JSON document (pretty-printed, or on one line): parsed whole when it is small, else read
  // with its large arrays left in the file.
  try {
    const doc = readSmallDocument(file) ?? readDocument(file, shown, STREAMED);
    probe.json = doc.value;
    probe.streamed = doc.streamed;
    // A document on one line is also JSON lines of one line.
    if (doc.oneLine) probe.firstLine = doc.value;
  } catch (err) {
    // A first value with more after it: JSON lines whose first line is longer than the head.
    if (!(err instanceof TrailingContent) || !trimmed.startsWith('{')) throw err;
    const line = await readFirstLine(file, Buffer.byteLength(head.slice(0, head.length - trimmed.length)));
    if (line === undefined) throw lineTooLong(shown, 1);
    if (!parseFirstLine(probe, line, shown)) throw err;
  }
  return probe;
}

/** The first line of JSON lines, parsed into the probe; false when it is not one JSON value. */
function parseFirstLine(probe: Probe, line: string, shown: string): boolean {
  if (depthProblem(line, shown)) return false;
  try {
    probe.firstLine = JSON.parse(line);
    probe.jsonl = true;
    return true;
  } catch {
    return false;
  }
}

/** A short description of an unrecognised file, so the user sees what the gate saw. */
function lookLike(probe: Probe): string {
  const head = probe.head.trimStart();
  if (head.length === 0) return 'an empty file';
  const keys = (v: unknown) =>
    Object.keys(v as object)
      .slice(0, 8)
      .join(', ');
  if (probe.json !== undefined && typeof probe.json === 'object' && probe.json !== null) {
    return Array.isArray(probe.json)
      ? `a JSON list of ${lengthOf(probe, probe.json)}`
      : `a JSON object with keys ${keys(probe.json)}`;
  }
  if (probe.firstLine !== undefined) return `JSON lines whose first line has keys ${keys(probe.firstLine)}`;
  // The content of a file that is not results is never quoted (it may be anything: a token, /etc/passwd).
  if (head.startsWith('<')) return 'XML that is not a JUnit report (no <testsuite> or <testsuites> first)';
  if (head.startsWith('PK')) return 'a ZIP archive (an inspect .eval log holds header.json and samples/)';
  const firstLine = head.split('\n', 1)[0]!;
  if (firstLine.includes(','))
    return `a CSV of ${firstLine.split(',').length} columns (a promptfoo CSV needs its Status column or [PASS]/[FAIL] cells)`;
  const whole = Buffer.byteLength(probe.head) < HEAD_BYTES;
  const lone = whole ? loneJsonValue(head) : undefined;
  if (lone) return `a lone JSON ${lone}, not an object or list of results`;
  const size = whole ? `${Buffer.byteLength(probe.head)} bytes` : `${HEAD_BYTES} bytes or more`;
  return `text of ${size} that is not JSON, JSON lines, XML or CSV`;
}

/** What a text that is one JSON number, string, boolean or null is (the value itself is never quoted). */
function loneJsonValue(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v === null ? 'null' : typeof v === 'object' ? undefined : typeof v;
  } catch {
    return undefined;
  }
}
