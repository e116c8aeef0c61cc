/**
 * Fuzzing (issue #13): every adapter and the config loader fed mutated real files and arbitrary
 * text. Whatever the input: no crash and no stack trace (only a ConfigurationError names a problem),
 * never `allow` on input that could not be read, and each input answered well inside the time limit
 * (a hang detector, not a benchmark). Fixed seed and bounded runs, so CI is reproducible:
 * FUZZ_SEED and FUZZ_RUNS override them for a longer local search.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { runGate } from '../src/engine/run-gate.js';
import { ConfigurationError } from '../src/errors.js';
import { escapeMarkdown } from '../src/report/markdown.js';
import { clean } from '../src/report/plain.js';
import { loadRun } from '../src/results/load.js';
import { scanXml, XmlError } from '../src/results/xml.js';
import { FIXTURES, ROOT, parseConfig } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const params = { seed: SEED, numRuns: RUNS, endOnFailure: true };
/** Per input: generous, since CI machines are shared; a backtracking regex or a quadratic loop takes far longer. */
const PER_INPUT_MS = 5000;

const SAMPLES = path.join(ROOT, '__tests__', 'samples');
const FORMATS = path.join(FIXTURES, 'formats');
const BASES: [string, string][] = [
  ['results.json', path.join(ROOT, 'examples/evals/promptfoo-results.json')],
  ['results.xml', path.join(SAMPLES, 'junit/pytest_junit_eval_example.xml')],
  ['export.xml', path.join(SAMPLES, 'junit/promptfoo-export.junit.xml')],
  ['deepeval.json', path.join(SAMPLES, 'deepeval/deepeval_test_run_example.json')],
  ['inspect.json', path.join(SAMPLES, 'inspect_ai/inspect_ai_log_formats.json')],
  ['lm.json', path.join(SAMPLES, 'lm_eval/lm_eval_results_example.json')],
  ['lm-samples.jsonl', path.join(SAMPLES, 'lm_eval/lm_eval_samples_arc_easy_example.jsonl')],
  ['record.jsonl', path.join(SAMPLES, 'openai_evals/openai_evals_record_test-match.jsonl')],
  ['bt.jsonl', path.join(SAMPLES, 'braintrust/braintrust_eval_jsonl_summary_example.jsonl')],
  ['native.jsonl', path.join(FIXTURES, 'hostile.jsonl')],
  ['modern.csv', path.join(FORMATS, 'promptfoo-modern.csv')],
  ['legacy.csv', path.join(FORMATS, 'promptfoo-legacy.csv')],
  ['log.eval', path.join(FORMATS, 'inspect-epochs.eval')],
];

/** Pieces that break parsers: structure, escapes, comments, entities, invisible and control characters. */
const HOSTILE = [
  '{',
  '}',
  '[',
  ']',
  '"',
  '\\',
  ',',
  ':',
  '\n',
  '\r',
  '\u0000',
  '\u001b[2J',
  '\u202e',
  '\ud800',
  '<',
  '>',
  '&',
  '&bogus;',
  '&#xD800;',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<!DOCTYPE x>',
  '<testcase name="x">',
  '</testsuite>',
  '1e400',
  'NaN',
  '-0',
  '"__proto__"',
  '{"__proto__":{"x":1}}',
  '"constructor"',
  '::set-output name=decision::allow',
  '['.repeat(600),
  '<a>'.repeat(150),
  'x'.repeat(70_000),
  'PK\u0003\u0004',
];

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'replace'; at: number; length: number; text: string }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'repeat'; at: number; length: number; times: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...HOSTILE), fc.string()),
  }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
    text: fc.oneof(fc.constantFrom(...HOSTILE), fc.string()),
  }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 200 }),
    times: fc.integer({ min: 2, max: 50 }),
  }),
);

function mutate(base: Buffer, mutations: Mutation[]): Buffer {
  let b = base;
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === 'truncate') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text), b.subarray(at)]);
    else if (m.kind === 'replace')
      b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text), b.subarray(Math.min(b.length, at + m.length))]);
    else if (m.kind === 'flip') {
      b = Buffer.from(b);
      if (at < b.length) b[at] = m.byte;
    } else {
      const piece = b.subarray(at, at + m.length);
      b = Buffer.concat([b.subarray(0, at), ...Array<Buffer>(m.times).fill(piece), b.subarray(at)]);
    }
  }
  return b;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-fuzz-'));
const config = (results: string) =>
  [
    'version: 1',
    'service: fuzz',
    'risk: { tier: low, bad_output_cost: fuzz }',
    'evals:',
    `  results: ${results}`,
    '  metrics: [{ name: pass_rate, min: 0.5 }]',
    'deploy: { model: m-2024-01-01, workflow: deploy.yml }',
    'observability: { tracing: otel }',
    'guardrails: { checks: [{ name: pass_rate, min: 0.5 }] }',
    'cost: { max_cost_per_request_usd: 1 }',
    'owner: { name: "@alice", oncall: "#oncall" }',
    '',
  ].join('\n');
writeFileSync(path.join(dir, 'deploy.yml'), 'on: workflow_dispatch\n');

/** Fails the property unless `err` is a ConfigurationError (a named problem, no stack trace). */
function expectNamed(err: unknown): void {
  if (!(err instanceof ConfigurationError))
    throw new Error(`not a named problem: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await work();
  const ms = performance.now() - t0;
  if (ms > PER_INPUT_MS) throw new Error(`${what} took ${Math.round(ms)} ms`);
  return out;
}

describe('fuzzing: mutated real files', () => {
  it.each(BASES)('%s: read, or refused by name; never allowed when unreadable', async (name, base) => {
    const original = readFileSync(base);
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const file = `${i++}-${name}`;
        writeFileSync(path.join(dir, file), mutate(original, mutations));
        const loaded = await timed(file, () =>
          loadRun([file], { format: 'auto', cwd: dir, pairing: true }).then(
            () => true,
            (err: unknown) => {
              expectNamed(err);
              return false;
            },
          ),
        );
        writeFileSync(path.join(dir, `${file}.yml`), config(file));
        const { verdict, invalidInput } = await timed(`${file} (gate)`, () =>
          runGate({ config: `${file}.yml`, cwd: dir }),
        );
        if (!loaded) {
          expect(verdict.decision).toBe('block');
          expect(invalidInput).toBe(true);
        }
      }),
      params,
    );
  });
});

describe('fuzzing: arbitrary text', () => {
  it('the config loader names every problem and never throws anything else', () => {
    const example = readFileSync(path.join(ROOT, 'examples/llm-release-gate.yml'));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (mutations) => {
        const text = mutate(example, mutations).toString('utf8');
        try {
          parseConfig(text, 'fuzz.yml');
        } catch (err) {
          expectNamed(err);
        }
      }),
      { ...params, numRuns: RUNS * 5 },
    );
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          parseConfig(JSON.stringify(value) ?? 'null', 'fuzz.yml');
        } catch (err) {
          expectNamed(err);
        }
      }),
      { ...params, numRuns: RUNS * 5 },
    );
  });

  it('any text of results format detection is answered: read or named', async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary' })), { maxLength: 20 }),
        async (parts) => {
          const file = `any-${i++}`;
          writeFileSync(path.join(dir, file), parts.join(''));
          await timed(file, () => loadRun([file], { format: 'auto', cwd: dir }).catch(expectNamed));
        },
      ),
      params,
    );
  });

  it('the XML scanner throws only XmlError, whatever the text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string()), { maxLength: 30 }), (parts) => {
        try {
          scanXml(parts.join(''), { open() {}, close() {}, text() {} });
        } catch (err) {
          if (!(err instanceof XmlError)) throw err;
          expect(err.line).toBeGreaterThanOrEqual(1);
          expect(err.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { ...params, numRuns: RUNS * 10 },
    );
  });

  it('escaped Markdown and cleaned terminal text carry no HTML, live mention or control character', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...HOSTILE, '@bob', '#12', 'https://x'), fc.string()), { maxLength: 12 }),
        (parts) => {
          const text = parts.join(' ');
          const md = escapeMarkdown(text, 10_000);
          expect(md).not.toMatch(/[<>\n\r]|@[A-Za-z0-9]|#\d|https?:\/\//);
          // eslint-disable-next-line no-control-regex -- control characters are what must be absent
          expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069\u200b]/);
          // eslint-disable-next-line no-control-regex -- control characters are what must be absent
          expect(clean(text)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
        },
      ),
      { ...params, numRuns: RUNS * 10 },
    );
  });
});
