/**
 * The streaming JSON reader (issue #15): a document read with its sample arrays left in the file gives
 * exactly what JSON.parse gives, in any chunk size (so every value, string, escape and multi-byte
 * character crosses a chunk boundary somewhere), refuses exactly what JSON.parse refuses, and names
 * the line and column of what it refuses.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ConfigurationError } from '../src/errors.js';
import { eachElement, readDocument, readSmallDocument, TrailingContent } from '../src/results/json-stream.js';
import { loadRun } from '../src/results/load.js';
import { SAMPLES } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-json-stream-'));
let n = 0;
const fileOf = (text: string | Buffer) => {
  const file = path.join(dir, `${n++}.json`);
  writeFileSync(file, text);
  return file;
};
const PATHS = [['results', 'results'], ['samples'], ['testCases']];

/** The document as read: the skeleton with each streamed array filled from the file again. */
function readBack(file: string, chunk: number, maxSizes?: number): unknown {
  const doc = readDocument(file, path.basename(file), PATHS, { chunk, maxSizes });
  for (const [stand, array] of doc.streamed) eachElement(array, (value) => stand.push(value));
  return doc.value;
}

function problemOf(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    const [p] = err.problems;
    return `${err instanceof TrailingContent ? 'trailing ' : ''}${p!.line}:${p!.column} ${p!.message}`;
  }
  throw new Error('no error');
}

describe('streaming JSON documents', () => {
  it('reads exactly what JSON.parse reads, in every chunk size, with the sample arrays streamed', () => {
    fc.assert(
      fc.property(
        fc.record({
          head: fc.jsonValue(),
          elements: fc.array(fc.jsonValue(), { maxLength: 8 }),
          tail: fc.jsonValue(),
          text: fc.string({ unit: 'binary' }),
          indent: fc.constantFrom('', ' ', '\t', '\r\n '),
          chunk: fc.constantFrom(1, 2, 3, 5, 16, 4096),
          maxSizes: fc.constantFrom(0, 2, undefined),
        }),
        ({ head, elements, tail, text, indent, chunk, maxSizes }) => {
          const doc = { head, results: { version: 3, results: elements, text }, samples: [text, head], tail };
          const json = JSON.stringify(doc, null, indent);
          expect(readBack(fileOf(json), chunk, maxSizes)).toEqual(JSON.parse(json));
        },
      ),
      { seed: 20261129, numRuns: 300 },
    );
  });

  it('refuses what JSON.parse refuses, and reads what it reads, whatever is cut or inserted', () => {
    const base = readFileSync(path.join(SAMPLES, 'promptfoo/results-0.121.11-trimmed.json'), 'utf8');
    fc.assert(
      fc.property(
        fc.nat(base.length),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('', '"', '\\', ',', ']', '}', '{', '[', 'x', '1', '\u0001', ' ', 'é'),
        fc.constantFrom(7, 4096),
        fc.constantFrom(0, undefined),
        (at, cut, insert, chunk, maxSizes) => {
          const text = base.slice(0, at) + insert + base.slice(at + cut);
          let valid = true;
          try {
            JSON.parse(text);
          } catch {
            valid = false;
          }
          const file = fileOf(text);
          if (valid) expect(readBack(file, chunk, maxSizes)).toEqual(JSON.parse(text));
          else expect(() => readBack(file, chunk, maxSizes)).toThrow(ConfigurationError);
        },
      ),
      { seed: 20261129, numRuns: 400 },
    );
  });

  it('reads the real samples as JSON.parse does', () => {
    for (const tool of ['promptfoo', 'deepeval', 'inspect_ai']) {
      for (const name of readdirSync(path.join(SAMPLES, tool)).filter((f) => f.endsWith('.json'))) {
        const file = path.join(SAMPLES, tool, name);
        expect(readBack(file, 777)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
      }
    }
  });

  it('counts the elements it leaves in the file, and keeps "__proto__" an own key', () => {
    const doc = readDocument(fileOf('{"__proto__": {"x": 1}, "samples": [1, [2], {"a": "]"}, "\\"["]}'), 'f', PATHS);
    expect([...doc.streamed.values()].map((a) => a.length)).toEqual([4]);
    expect(Object.getPrototypeOf(doc.value)).toBe(Object.prototype);
    expect(Object.keys(doc.value as object)).toEqual(['__proto__', 'samples']);
  });

  it('names the line and column of a syntax error, counted in characters, inside a streamed element', () => {
    const text = '{\n  "samples": [\n    {"id": "é—ü", "pass": tru},\n    {"id": "b"}\n  ]\n}\n';
    for (const [chunk, maxSizes] of [
      [1, 0],
      [3, undefined],
      [4096, undefined],
    ])
      expect(problemOf(() => readBack(fileOf(text), chunk!, maxSizes))).toMatch(
        /^3:27 invalid JSON \(Unexpected token .}.\) at line 3, column 27 \(byte 47\); re-run the eval/,
      );
  });

  it('names a truncated file, a missing comma, an empty value and trailing content', () => {
    expect(problemOf(() => readBack(fileOf('{"samples": [{"id": "a"}, {"id": "b'), 1))).toMatch(
      /^1:36 the JSON ends early \(is the file truncated\?\)/,
    );
    expect(problemOf(() => readBack(fileOf('{"samples": [1 2]}'), 4096))).toMatch(
      /^1:16 invalid JSON \(expected "," or "\]" after an element\)/,
    );
    expect(problemOf(() => readBack(fileOf('{"samples": [1,]}'), 4096))).toMatch(
      /^1:16 invalid JSON \(expected a value\)/,
    );
    expect(problemOf(() => readBack(fileOf('{"a": 1}\n{"a": 2}\n'), 4096))).toMatch(
      /^trailing 2:1 invalid JSON \(more content after the end of the document\)/,
    );
    expect(problemOf(() => readBack(fileOf(''), 4096))).toMatch(/^1:1 the JSON ends early/);
  });

  it('names nesting past 512 levels where it passes the limit, in the spine, a value or an element', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(problemOf(() => readBack(fileOf(`{"samples": [${deep(511)}]}`), 64))).toMatch(
      /^1:524 arrays and objects nested/,
    );
    expect(problemOf(() => readBack(fileOf(`{"x": ${deep(600)}}`), 64))).toMatch(/^1:518 arrays and objects nested/);
    expect(() => readBack(fileOf(`{"samples": [${deep(510)}]}`), 64)).not.toThrow();
  });

  it('reads past a byte order mark', () => {
    const file = fileOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"samples": [1]}')]));
    expect(readBack(file, 2)).toEqual({ samples: [1] });
  });

  it('is linear in a string of escapes with no quote in its chunk, and in long strings', () => {
    const escapes = `{"samples": ["${'\\n'.repeat(2_000_000)}"], "x": "${'a'.repeat(3_000_000)}"}`;
    const t0 = performance.now();
    const doc = readBack(fileOf(escapes), 1 << 20) as { samples: string[] };
    expect(doc.samples[0]).toHaveLength(2_000_000);
    // A hang detector (a quadratic scan takes minutes here), not a benchmark.
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});

describe('small JSON documents, parsed whole', () => {
  it('read exactly what JSON.parse and the streaming read read, on one line or not', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.constantFrom('', ' ', '\t', '\r\n '),
        fc.constantFrom('', '\n', ' \n\n'),
        (value, indent, around) => {
          const json = around + JSON.stringify({ samples: [value], value }, null, indent) + around;
          const file = fileOf(json);
          const small = readSmallDocument(file)!;
          expect(small.value).toEqual(JSON.parse(json));
          expect(small.streamed.size).toBe(0);
          expect(small.oneLine).toBe(readDocument(file, 'f', PATHS).oneLine);
        },
      ),
      { seed: 20261205, numRuns: 200 },
    );
  });

  it('are left to the streaming read when JSON.parse refuses them, they nest past 512 levels, or they are large', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(readSmallDocument(fileOf('{"samples": [1,]}'))).toBeUndefined();
    expect(readSmallDocument(fileOf('{"a": 1}\n{"a": 2}\n'))).toBeUndefined();
    expect(readSmallDocument(fileOf(''))).toBeUndefined();
    expect(readSmallDocument(path.join(dir, 'no-such-file.json'))).toBeUndefined();
    // 512 levels are read (the root, the samples array, 510 more); 513 are not, and the streaming read names where.
    expect(readSmallDocument(fileOf(`{"samples": [${deep(510)}]}`))).toBeDefined();
    const tooDeep = fileOf(`{"samples": [${deep(511)}], "x": {"y": ${deep(600)}}}`);
    expect(readSmallDocument(tooDeep)).toBeUndefined();
    await expect(loadRun([tooDeep], { format: 'auto', cwd: dir, pairing: false })).rejects.toMatchObject({
      problems: [expect.objectContaining({ line: 1, column: 524 })],
    });
    // Past 2 MiB a document is streamed (its samples stay in the file).
    const large = fileOf(
      JSON.stringify({ samples: Array.from({ length: 50_000 }, (_, i) => ({ id: 'x'.repeat(80) + i })) }),
    );
    expect(readSmallDocument(large)).toBeUndefined();
  });

  it('read past a byte order mark and keep "__proto__" an own key', () => {
    const file = fileOf(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"__proto__": {"x": 1}, "samples": [1]}')]),
    );
    const doc = readSmallDocument(file)!;
    expect(Object.getPrototypeOf(doc.value)).toBe(Object.prototype);
    expect(Object.keys(doc.value as object)).toEqual(['__proto__', 'samples']);
    expect(doc.oneLine).toBe(true);
  });
});

describe('streaming JSON documents: what an attack found', () => {
  const results = (file: string) => loadRun([file], { format: 'auto', cwd: dir, pairing: false });

  it('refuses a document whose unread part (the samples key of another format, a replaced duplicate) JSON.parse refuses', async () => {
    const body = '"results":{"version":3,"prompts":[],"results":[{"success":true}]}';
    for (const text of [
      `{"testCases":[tru, {"a":}],${body}}`,
      `{"results":{"version":3,"prompts":[],"results":[tru]},${body}}`,
    ])
      await expect(results(path.basename(fileOf(text)))).rejects.toThrow(/are not valid JSON/);
    const run = await results(path.basename(fileOf(`{"testCases":[1, {"a": 2}],${body}}`)));
    expect(run.all.total).toBe(1);
  });

  it('reads 200,000 duplicate sample keys in linear time, keeping the last', async () => {
    const text = `{"results":{"version":3,"prompts":[],${'"results":[],'.repeat(200_000)}"results":[{"success":true},{"success":false}]}}`;
    const t0 = performance.now();
    const run = await results(path.basename(fileOf(text)));
    expect(run.all).toMatchObject({ total: 2, passed: 1, failed: 1 });
    // A hang detector (quadratic or a table per duplicate takes tens of seconds), not a benchmark.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('reads a one-line document after blank lines as JSON lines of one line', async () => {
    for (const text of ['\n{"id":"a","pass":true}\n', '  \n\n{"id":"a","pass":true}\n\n'])
      expect((await results(path.basename(fileOf(text)))).all).toMatchObject({ total: 1, passed: 1 });
  });

  it('names the sample that throws the bracket count off, not where the count ends', () => {
    const row = (i: number) => `{"id":"${i}","pass":true}`;
    const text = `{"samples":[${row(0)},\n{"a":[1},\n${row(2)},\n{"o":"say "[x" now"},\n${row(4)}]}`;
    expect(problemOf(() => readBack(fileOf(text), 4096))).toMatch(/^2:8 invalid JSON/);
    const quote = `{"samples":[${row(0)},\n{"o":"say "[x" now"},\n${row(2)}]}`;
    expect(problemOf(() => readBack(fileOf(quote), 4096))).toMatch(/^2:12 invalid JSON/);
  });

  it('names a stray quote or a bad escape in a sample where JSON.parse refuses it, even when the rest becomes a string', () => {
    const promptfoo = (rows: string) => `{"results":{"version":3,"prompts":[],"results":[${rows}]}}`;
    const cases: [string, RegExp][] = [
      [promptfoo('{"success":true},{"a":"x"y"},{"success":true}'), /^1:74 invalid JSON \(Expected ',' or '}'/],
      [promptfoo('{"success":true},\n{"a":"\\q",\n"b":1}'), /^2:7 invalid JSON \(Bad escaped character\)/],
      [promptfoo('{"a":"\\\\"}, {"b":"\\"},\n{"c":1}'), /^1:\d+ invalid JSON \(Bad control character/],
    ];
    for (const [text, expected] of cases)
      for (const maxSizes of [0, undefined])
        expect(problemOf(() => readBack(fileOf(text), 4096, maxSizes))).toMatch(expected);
  });

  it('drops the arrays of a replaced duplicate object in linear time', async () => {
    const text = `{${'"results":{"results":[]},'.repeat(50_000)}"results":{"version":3,"prompts":[],"results":[{"success":true}]}}`;
    const t0 = performance.now();
    expect((await results(path.basename(fileOf(text)))).all.total).toBe(1);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('calls a misspelled literal outside the samples by what it is', () => {
    expect(problemOf(() => readBack(fileOf('{"x": tru, "samples": []}'), 4096))).toMatch(
      /^1:7 invalid JSON \(a value that is cut short or misspelled\)/,
    );
  });
});
