import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../src/errors.js';
import { MAX_LINE_BYTES, readLines } from '../src/results/files.js';
import { loadRun } from '../src/results/load.js';
import type { Sample } from '../src/results/model.js';
import { summarizeRun } from '../src/metrics/summary.js';
import { FIXTURES, SAMPLES } from './helpers.js';

async function problems(files: string[], format: 'auto' | 'native' | 'promptfoo' = 'auto') {
  try {
    await loadRun(files, { format, cwd: '/' });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return err as ConfigurationError;
  }
  throw new Error('expected the results to be rejected');
}

describe('promptfoo adapter', () => {
  it('reads the real promptfoo 0.121.20 export: 40 rows, 35 pass, 5 fail', async () => {
    const run = await loadRun([path.join(SAMPLES, 'promptfoo/results.json')], { format: 'auto', cwd: SAMPLES });
    expect(run.format).toBe('promptfoo');
    const s = summarizeRun(run);
    expect(s.samples).toEqual({ total: 40, passed: 35, failed: 5, errors: 0, skipped: 0 });
    expect(s.meta.tool).toBe('promptfoo 0.121.20');
    // recall is asserted on 2 tests × 2 prompts × 2 providers
    expect(s.metrics['score.recall']).toMatchObject({ value: 1, n: 8 });
    expect(s.metrics.tokens_per_sample!.value).toBeCloseTo(911 / 40, 10);
    expect(run.failing.map((f) => f.message)).toContain('Expected output to contain "console.log"');
  });

  it('gives every row a stable, distinct id from test + prompt + provider', async () => {
    const file = path.join(SAMPLES, 'promptfoo/results.json');
    const ids = async () => {
      const run = await loadRun([file], { format: 'promptfoo', cwd: SAMPLES, keepFailing: 100 });
      return run.failing.map((f) => f.id);
    };
    const first = await ids();
    expect(first).toEqual(await ids());
    expect(new Set(first).size).toBe(first.length);
    expect(first.some((id) => id.startsWith('console.log flagged [json-review · fake-reviewer]'))).toBe(true);
  });

  it('reads the trimmed 0.121.11 export with its top-level metadata', async () => {
    const run = await loadRun([path.join(SAMPLES, 'promptfoo/results-0.121.11-trimmed.json')], {
      format: 'auto',
      cwd: SAMPLES,
    });
    expect(run.meta.tool).toBe('promptfoo 0.121.11');
    expect(run.all.total).toBe(2);
    expect(run.all.failed).toBe(2);
  });

  it('counts failureReason 2 as an infrastructure error and reads tags, latency, cost and tokens', async () => {
    const run = await loadRun([path.join(FIXTURES, 'promptfoo-mixed.json')], {
      format: 'auto',
      cwd: FIXTURES,
      sliceTags: ['pii'],
    });
    expect(summarizeRun(run).samples).toEqual({ total: 4, passed: 2, failed: 1, errors: 1, skipped: 0 });
    const err = run.failing.find((f) => f.outcome === 'error')!;
    expect(err.message).toBe('Request timed out after 30000ms');
    // the error's 30 s latency is not a model latency
    expect([...run.all.latency.sorted()]).toEqual([100, 100, 100]);
    const pii = run.slices.get('pii')!;
    expect([pii.passed, pii.failed]).toEqual([1, 1]);
    expect(run.all.named.get('faithfulness')!.mean).toBeCloseTo((0.9 + 0.3 + 1) / 3, 10);
    expect(run.meta.model).toBe('anthropic:claude-3-5-haiku-20241022, openai:gpt-4o-mini');
  });
});

describe('native JSONL adapter', () => {
  it('reads meta, outcomes, named scores, tags, errors and skipped samples', async () => {
    const run = await loadRun([path.join(FIXTURES, 'native.jsonl')], {
      format: 'auto',
      cwd: FIXTURES,
      sliceTags: ['pii'],
    });
    expect(run.format).toBe('native');
    expect(run.meta).toEqual({
      tool: 'my-harness 1.2',
      model: 'gpt-4o-2024-08-06',
      dataset: 'tickets-v3',
      commit: '4bf92f3577b34da6a3ce929d0e0e4736aaaaaaaa',
    });
    expect(summarizeRun(run).samples).toEqual({ total: 5, passed: 2, failed: 1, errors: 1, skipped: 1 });
    expect(run.all.withTraceId).toBe(1);
    expect(run.slices.get('pii')!.passed).toBe(1);
    const failing = run.failing.map((f: Sample) => [f.id, f.outcome, f.line, f.message]);
    expect(failing).toEqual([
      ['case-2', 'fail', 3, 'dropped the refund amount'],
      ['case-3', 'error', 4, 'HTTP 503 from provider'],
    ]);
  });

  it('lists every bad line with its number and what to write instead', async () => {
    const err = await problems([path.join(FIXTURES, 'native-bad.jsonl')], 'native');
    expect(err.message).toMatch(/native-bad.jsonl \(native\) could not be read/);
    expect(err.problems.map((p) => [p.line, p.path])).toEqual([
      [2, 'pass'],
      [3, undefined],
      [4, 'id'],
      [5, 'pass'],
      [6, undefined],
    ]);
    expect(err.problems[0]!.message).toBe('pass should be true or false, found "yes"');
    expect(err.problems[1]!.message).toMatch(/not valid JSON/);
  });

  it('streams a large file with flat memory per sample', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-'));
    const file = path.join(dir, 'big.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++)
      lines.push(JSON.stringify({ id: `c${i}`, pass: i % 10 !== 0, latency_ms: i % 1000 }));
    writeFileSync(file, lines.join('\n'));
    const run = await loadRun([file], { format: 'auto', cwd: dir });
    expect(run.all.total).toBe(50_000);
    expect(run.all.failed).toBe(5_000);
    expect(run.failing).toHaveLength(200);
    expect(run.failingTotal).toBe(5_000);
  });
});

describe('reading lines', () => {
  it('splits at newline bytes across chunks: multi-byte characters cut by a chunk, a BOM, CRLF, blank lines, no last newline', async () => {
    // The é line is cut by the first 256 KiB chunk inside a 2-byte character; the € of the next
    // line straddles the second chunk boundary.
    const lines = ['\uFEFF{"a":1}', '', '  ', `{"s":"${'é'.repeat(200_000)}"}`];
    const before = Buffer.byteLength(lines.join('\n') + '\n');
    expect((262_144 - before + Buffer.byteLength(lines[3]!) + 1 - 6) % 2).toBe(1);
    lines.push(`{"t":"${'x'.repeat(2 * 262_144 - 1 - before - 6)}€"}\r`, '{"z":"🙂"}');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'lrg-lines-')), 'r.jsonl');
    writeFileSync(file, lines.join('\n'));
    const got: { text: string; line: number }[] = [];
    for await (const batch of readLines(file)) got.push(...batch);
    expect(got.map((l) => l.line)).toEqual([1, 4, 5, 6]);
    expect(got.map((l) => l.text)).toEqual([lines[0]!.slice(1), ...lines.slice(3)]);
  });

  it('limits a line in UTF-8 bytes, not counting a byte order mark', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-limit-'));
    const read = async (text: string) => {
      const file = path.join(dir, 'r.jsonl');
      writeFileSync(file, text);
      const got: number[] = [];
      for await (const batch of readLines(file)) got.push(...batch.map((l) => l.text.length));
      return got;
    };
    const max = `"${'x'.repeat(MAX_LINE_BYTES - 2)}"`;
    expect(await read(`\uFEFF${max}\n1\n`)).toEqual([MAX_LINE_BYTES, 1]);
    await expect(read(`${max} \n1\n`)).rejects.toThrow(/line longer than 16 MiB/);
    // 16 MiB of bytes is fewer characters when they take two bytes each
    await expect(read(`"${'é'.repeat(MAX_LINE_BYTES / 2)}"\n`)).rejects.toThrow(/line longer than 16 MiB/);
  });
});

describe('loading results', () => {
  it('names a missing file and says what to check', async () => {
    const err = await problems(['/nope/results.json']);
    expect(err.problems[0]).toMatchObject({
      file: '/nope/results.json',
      message: expect.stringMatching(/does not exist.*eval step/),
    });
  });

  it('names a glob that matches nothing', async () => {
    const err = await problems([path.join(FIXTURES, 'nothing-*.json')]);
    expect(err.message).toMatch(/No eval results match/);
  });

  it('points a JSON syntax error at its line and column', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-'));
    writeFileSync(
      path.join(dir, 'r.json'),
      '{\n  "results": {\n    "version": 3,\n    "results": [\n      {"success": true,}\n    ]\n  }\n}\n',
    );
    const err = await problems([path.join(dir, 'r.json')]);
    expect(err.problems[0]).toMatchObject({ line: 5, column: 24 });
    expect(err.problems[0]!.message).toMatch(/invalid JSON/);
  });

  it('says a truncated JSON file ends early', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-'));
    writeFileSync(path.join(dir, 'r.json'), '{"results": {"version": 3, "results": [{"success": tr');
    const err = await problems([path.join(dir, 'r.json')]);
    expect(err.problems[0]!.message).toMatch(/ends early \(is the file truncated\?\)/);
  });

  it('refuses a file that is not the format the config names', async () => {
    const err = await problems([path.join(FIXTURES, 'native.jsonl')], 'promptfoo');
    expect(err.problems[0]!.message).toMatch(
      /the format is set to promptfoo \(evals.format, or the CLI's --format\), but the file looks like JSON lines/,
    );
  });

  it('merges several files into one run; an id seen again is the same case again (clustered), and said', async () => {
    const f = path.join(FIXTURES, 'native.jsonl');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-'));
    const copy = path.join(dir, 'again.jsonl');
    writeFileSync(copy, '{"id": "case-2", "pass": false}\n');
    const run = await loadRun([f, copy], { format: 'auto', cwd: '/' });
    expect(run.all.total).toBe(6);
    expect(run.failing.map((s) => s.id)).toEqual(['case-2', 'case-3', 'case-2']);
    expect(run.duplicates).toEqual({ total: 1, ids: ['case-2'] });
    expect(run.cases.size).toBe(5);
  });
});
