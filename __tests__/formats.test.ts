import { readdirSync, writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../src/errors.js';
import { loadRun } from '../src/results/load.js';
import { summarizeRun } from '../src/metrics/summary.js';
import { FIXTURES, SAMPLES } from './helpers.js';

const F = path.join(FIXTURES, 'formats');

async function summary(file: string, format: Parameters<typeof loadRun>[1]['format'] = 'auto') {
  return summarizeRun(await loadRun([file], { format, cwd: '/' }));
}

async function rejection(file: string): Promise<ConfigurationError> {
  try {
    await loadRun([file], { format: 'auto', cwd: '/' });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return err as ConfigurationError;
  }
  throw new Error(`expected ${file} to be rejected`);
}

describe('format detection from content', () => {
  // Every real sample, with its format and counts; names never decide (see the renamed copies below).
  const expected: Record<string, [string, object]> = {
    'promptfoo/results.json': ['promptfoo', { total: 40, passed: 35, failed: 5, errors: 0, skipped: 0 }],
    'promptfoo/results-0.121.11-trimmed.json': ['promptfoo', { total: 2, passed: 0, failed: 2 }],
    'junit/promptfoo-export.junit.xml': ['junit', { total: 40, passed: 35, failed: 5, errors: 0, skipped: 0 }],
    'junit/pytest_junit_eval_example.xml': ['junit', { total: 3, passed: 2, failed: 1 }],
    'inspect_ai/inspect_ai_log_formats.json': ['inspect', { total: 1, passed: 0, failed: 1 }],
    'inspect_ai/inspect_ai_no-samples_header.json': ['inspect', { total: 3, passed: 2, failed: 1 }],
    'lm_eval/lm_eval_results_example.json': ['lm-eval', { total: 0 }],
    'lm_eval/lm_eval_samples_arc_easy_example.jsonl': ['lm-eval', { total: 1, passed: 1 }],
    'openai_evals/openai_evals_record_test-match.jsonl': ['openai-evals', { total: 3, passed: 1, failed: 2 }],
    'deepeval/deepeval_test_run_example.json': ['deepeval', { total: 1, passed: 0, failed: 1 }],
    'braintrust/braintrust_eval_jsonl_summary_example.jsonl': ['braintrust', { total: 0 }],
  };

  it.each(Object.entries(expected))('%s is %s', async (file, [format, counts]) => {
    const s = await summary(path.join(SAMPLES, file));
    expect(s.format).toBe(format);
    expect(s.samples).toMatchObject(counts);
  });

  it('covers every sample file of every tool', () => {
    const all = readdirSync(SAMPLES, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && /\.(json|jsonl|xml)$/.test(d.name))
      .map((d) => path.relative(SAMPLES, path.join(d.parentPath, d.name)));
    expect(all.filter((f) => !f.startsWith('evalgate/')).sort()).toEqual(Object.keys(expected).sort());
  });

  it('ignores file names: a renamed file is read by its content', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-'));
    const pairs: [string, string][] = [
      ['junit/pytest_junit_eval_example.xml', 'results.json'],
      ['openai_evals/openai_evals_record_test-match.jsonl', 'results.xml'],
      ['deepeval/deepeval_test_run_example.json', 'output.txt'],
    ];
    const formats = [];
    for (const [src, name] of pairs) {
      writeFileSync(path.join(dir, name), readFileSync(path.join(SAMPLES, src)));
      formats.push((await summary(path.join(dir, name))).format);
    }
    expect(formats).toEqual(['junit', 'openai-evals', 'deepeval']);
  });

  it('names what an unrecognised file looks like and lists the supported formats', async () => {
    const err = await rejection(path.join(SAMPLES, 'evalgate/aotp_evalgate_results.json'));
    const msg = err.problems[0]!.message;
    expect(msg).toMatch(/looks like a JSON object with keys overall, scores, failures/);
    for (const f of ['promptfoo', 'inspect', 'lm-eval', 'openai-evals', 'deepeval', 'junit', 'braintrust', 'native'])
      expect(msg).toContain(f);
    expect((await rejection(path.join(F, 'vars-only.csv'))).problems[0]!.message).toMatch(
      /a CSV of 2 columns \(a promptfoo CSV needs its Status column/,
    );
  });

  it('never quotes the content of a file that is not results (a token, /etc/passwd)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-secret-'));
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'ghp_abcdefghijklmnopqrstuvwxyz0123456789 root:x:0:0:root:/root:/bin/bash\n');
    const msg = (await rejection(file)).problems.map((p) => p.message).join('\n');
    expect(msg).toMatch(/text of 73 bytes that is not JSON/);
    expect(msg).not.toMatch(/ghp_|root:x/);
    // A file that is one JSON value: said what it is, not its value; a longer text: of its head.
    for (const [text, what] of [
      ['null\n', 'a lone JSON null'],
      ['5', 'a lone JSON number'],
      ['"ghp_abc"', 'a lone JSON string'],
      ['x'.repeat(70_000), 'text of 65536 bytes or more'],
    ] as const) {
      writeFileSync(file, text);
      const said = (await rejection(file)).problems[0]!.message;
      expect(said).toContain(what);
      expect(said).not.toContain('ghp_');
    }
  });
});

describe('inspect_ai', () => {
  it('reduces epochs per sample: mean score, pass above 0.5, errored epochs left out', async () => {
    const run = await loadRun([path.join(F, 'inspect-epochs.json')], {
      format: 'auto',
      cwd: '/',
      sliceTags: ['pii'],
      keepFailing: 10,
    });
    const s = summarizeRun(run);
    // 1: C C I -> 0.67 pass; 2: I I C -> 0.33 fail; 3: C P C -> 0.83 pass; 4: all errored; 5: C (error) C -> 1 pass
    expect(s.samples).toEqual({ total: 5, passed: 3, failed: 1, errors: 1, skipped: 0 });
    expect(s.metrics['score.match']!.value).toBeCloseTo((2 / 3 + 1 / 3 + 2.5 / 3 + 1) / 4, 10);
    expect(s.metrics['score.rubric.helpful']!.value).toBeCloseTo(0.8, 10);
    expect(s.metrics.tokens_per_sample!.value).toBe(15);
    expect(s.metrics.latency_p50_ms!.value).toBe(1500);
    expect(s.meta).toEqual({
      tool: 'inspect_ai 0.3.120',
      model: 'openai/gpt-4o-mini-2024-07-18',
      dataset: 'refunds, 5 samples',
      commit: '4bf92f35',
    });
    expect(run.failing.map((f) => [f.id, f.outcome, f.message])).toEqual([
      ['2', 'fail', 'checked — answer: no — target: "yes"'],
      ['4', 'error', 'RateLimitError: 429'],
    ]);
    expect(run.slices.get('pii')!.total).toBe(3);
  });

  it('reads the .eval ZIP to the same run as the JSON log', async () => {
    const zip = await summary(path.join(F, 'inspect-epochs.eval'));
    const json = await summary(path.join(F, 'inspect-epochs.json'));
    expect(zip.format).toBe('inspect');
    expect({ ...zip, files: [] }).toEqual({ ...json, files: [] });
  });

  it('uses per-sample reductions of a header-only log, and blocks on a cancelled run', async () => {
    const s = await summary(path.join(SAMPLES, 'inspect_ai/inspect_ai_no-samples_header.json'));
    expect(s.metrics.pass_rate).toMatchObject({ value: 2 / 3, n: 3 });
    expect(s.errors).toEqual([expect.stringMatching(/the inspect eval ended with status "cancelled"/)]);
  });

  it('reads C/I scores and token usage of the older log shape', async () => {
    const s = await summary(path.join(SAMPLES, 'inspect_ai/inspect_ai_log_formats.json'));
    expect(s.metrics['score.match']!.value).toBe(0);
    expect(s.metrics.tokens_per_sample!.value).toBe(68);
    expect(s.meta.commit).toBe('02526f4c');
  });

  it('names a truncated .eval and an unfinished one', async () => {
    expect((await rejection(path.join(F, 'inspect-truncated.eval'))).problems[0]!.message).toMatch(
      /not a readable ZIP archive.*truncated/,
    );
    const unfinished = await summary(path.join(F, 'inspect-unfinished.eval'));
    expect(unfinished.errors[0]).toMatch(/no header.json: the eval did not finish/);
  });
});

describe('lm-evaluation-harness', () => {
  it('reads results as aggregates: "metric,filter" keys, N/A stderr, n-samples', async () => {
    const run = await loadRun([path.join(SAMPLES, 'lm_eval/lm_eval_results_example.json')], {
      format: 'auto',
      cwd: '/',
    });
    expect(run.aggregates.get('arc_easy.acc')).toEqual({
      value: 0.7567,
      stderr: 0.0088,
      n: 2376,
      higherIsBetter: true,
    });
    expect(run.aggregates.get('gsm8k.exact_match.strict-match')).toEqual({
      value: 0.3,
      stderr: undefined,
      n: 1319,
      higherIsBetter: true,
    });
    expect(run.meta).toMatchObject({
      tool: 'lm-evaluation-harness 0.4.9',
      model: 'EleutherAI/pythia-160m',
      commit: '4e7e0d4',
    });
    const s = summarizeRun(run);
    expect(s.aggregate_only).toBe(true);
    // stderr given: estimate ± 1.96 × stderr
    expect(s.metrics['score.arc_easy.acc']!.ci[0]).toBeCloseTo(0.7567 - 1.959964 * 0.0088, 6);
    // "N/A" stderr on a proportion with known n: a Wilson interval
    expect(s.metrics['score.gsm8k.exact_match.strict-match']!.ci[0]).toBeGreaterThan(0.27);
  });

  it('merges samples files with the results into per-sample outcomes', async () => {
    const run = await loadRun([path.join(SAMPLES, 'lm_eval/*.json*'), path.join(F, 'samples_gsm8k_*.jsonl')], {
      format: 'lm-eval',
      cwd: '/',
    });
    const s = summarizeRun(run);
    expect(s.aggregate_only).toBe(false);
    expect(s.samples).toMatchObject({ total: 3, passed: 2, failed: 1 });
    // per-sample values win over the aggregate where both exist
    expect(s.metrics['score.gsm8k.exact_match']).toMatchObject({ value: 0.5, n: 2 });
    expect(s.metrics['score.arc_easy.acc_norm']).toMatchObject({ value: 1, n: 1 });
    expect(run.slices.size).toBe(0);
  });
});

describe('openai/evals', () => {
  it('reads a record in any line order; match events decide, metrics events grade', async () => {
    const run = await loadRun([path.join(F, 'openai-evals-shuffled.jsonl')], {
      format: 'auto',
      cwd: '/',
      keepFailing: 10,
    });
    const s = summarizeRun(run);
    expect(s.samples).toEqual({ total: 5, passed: 2, failed: 2, errors: 1, skipped: 0 });
    expect(s.meta).toEqual({
      tool: 'openai/evals',
      model: 'auto_gpt_completion_fn',
      dataset: 'test-match.s1.simple-v0',
    });
    expect(s.metrics['score.final_report.accuracy']!.value).toBeCloseTo(1 / 3, 10);
    const byId = Object.fromEntries(run.failing.map((f) => [f.id, f]));
    expect(byId['test-match.s1.0']!.message).toBe('expected "time", got "Once upon a time"');
    expect(byId['test-match.s1.3']).toMatchObject({
      outcome: 'error',
      message: 'no match or metrics event was recorded for this sample',
    });
  });

  it('says when the run did not finish (no final_report)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-'));
    const lines = readFileSync(path.join(SAMPLES, 'openai_evals/openai_evals_record_test-match.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => !l.includes('final_report'));
    writeFileSync(path.join(dir, 'r.jsonl'), lines.join('\n'));
    expect((await summary(path.join(dir, 'r.jsonl'))).errors[0]).toMatch(/no final_report line/);
  });
});

describe('DeepEval', () => {
  it('keeps metricsData as named scores, the app cost and latency apart from the judge cost', async () => {
    const run = await loadRun([path.join(SAMPLES, 'deepeval/deepeval_test_run_example.json')], {
      format: 'auto',
      cwd: '/',
      sliceTags: ['refunds'],
    });
    const s = summarizeRun(run);
    expect(s.metrics['score.answer_relevancy']!.value).toBe(0.93);
    expect(s.metrics['score.faithfulness']!.value).toBe(0.5);
    expect(s.metrics.cost_per_sample_usd!.value).toBe(0.00042);
    expect(s.metrics.latency_p50_ms!.value).toBe(1840);
    expect(run.aggregates.get('judge_cost_usd')!.value).toBeCloseTo(0.0055, 10);
    expect(run.failing[0]!.message).toBe(
      "Faithfulness (score: 0.5, threshold: 0.9, reason: Claims 'full refund' while context says ...)",
    );
    expect(s.meta).toMatchObject({ tool: 'deepeval', model: 'gpt-4o-mini', dataset: 'refund-goldens' });
    expect(run.slices.get('refunds')!.failed).toBe(1);
  });
});

describe('JUnit XML', () => {
  it('reads xunit1 properties, skipped apart, <error> as an infrastructure error, nested suites', async () => {
    const run = await loadRun([path.join(F, 'pytest-xunit1.xml')], {
      format: 'auto',
      cwd: '/',
      sliceTags: ['pii', 'refund'],
      keepFailing: 10,
    });
    const s = summarizeRun(run);
    expect(s.samples).toEqual({ total: 5, passed: 2, failed: 1, errors: 1, skipped: 1 });
    expect(s.metrics.pass_rate).toMatchObject({ value: 2 / 3, n: 3 });
    expect(s.metrics['score.faithfulness']).toMatchObject({ n: 2 });
    expect(s.meta).toMatchObject({ model: 'claude-3-5-haiku-20241022', commit: '4bf92f35' });
    expect(run.slices.get('pii')!.total).toBe(2);
    expect(run.slices.get('refund')!.total).toBe(1);
    // lines point at each <testcase>, skipping the commented-out one
    expect(run.failing.map((f) => [f.id, f.outcome, f.line])).toEqual([
      ['evals.test_refunds::test_case[b]', 'fail', 8],
      ['evals.test_refunds::test_case[c]', 'error', 12],
    ]);
    expect(run.failing[0]!.message).toContain('faithfulness too low <script>');
  });

  it('parses DeepEval-style scores out of pytest failure messages and suite properties (xunit2)', async () => {
    const run = await loadRun([path.join(SAMPLES, 'junit/pytest_junit_eval_example.xml')], {
      format: 'auto',
      cwd: '/',
    });
    expect(run.all.named.get('faithfulness')!.mean).toBe(0.5);
    expect(run.all.named.get('answer_relevancy')!.mean).toBe(0.91);
    expect(run.meta).toMatchObject({ model: 'gpt-4o-mini', dataset: 'refund-goldens@v3', commit: '9f1c2ab' });
  });

  it('reads the promptfoo JUnit export with the same counts as its JSON', async () => {
    const s = await summary(path.join(SAMPLES, 'junit/promptfoo-export.junit.xml'));
    expect(s.meta.tool).toBe('promptfoo (JUnit)');
    expect(s.samples).toMatchObject({ total: 40, passed: 35, failed: 5 });
  });

  it('names the line where malformed XML breaks', async () => {
    const err = await rejection(path.join(F, 'broken.xml'));
    expect(err.problems[0]).toMatchObject({
      line: 5,
      message: expect.stringMatching(
        /not well-formed XML \(expected <\/testcase> \(for the tag opened on line \d\) but found <\/testsuite>/,
      ),
    });
  });
});

describe('Braintrust summaries', () => {
  it('reads snake_case summaries as aggregates and a failure line as a run error', async () => {
    const s = await summary(path.join(SAMPLES, 'braintrust/braintrust_eval_jsonl_summary_example.jsonl'));
    expect(s.aggregate_only).toBe(true);
    expect(s.metrics['score.Levenshtein']!.value).toBe(0.83);
    expect(s.errors).toEqual([expect.stringMatching(/evaluator fail-eval failed: Error: boom/)]);
  });

  it('reads Go PascalCase keys, prefixing scores by experiment when there are several', async () => {
    const s = await summary(path.join(F, 'braintrust-go.jsonl'));
    expect(Object.keys(s.metrics).sort()).toEqual([
      'score.pr-12-tone/Tone',
      'score.pr-12/Factuality',
      'score.pr-12/duration',
    ]);
    expect(s.metrics['score.pr-12/Factuality']!.value).toBe(0.91);
  });
});

describe('promptfoo CSV export', () => {
  it('reads the Status, Score and Named Scores columns, multi-line cells included', async () => {
    const run = await loadRun([path.join(F, 'promptfoo-modern.csv')], { format: 'auto', cwd: '/', keepFailing: 10 });
    const s = summarizeRun(run);
    expect(s.samples).toEqual({ total: 3, passed: 1, failed: 1, errors: 1, skipped: 0 });
    expect(s.metrics['score.faithfulness']!.value).toBeCloseTo(0.55, 10);
    expect(run.failing.map((f) => [f.outcome, f.message, f.line])).toEqual([
      ['fail', 'Expected output to contain "tracking"', 3],
      ['error', 'Request timed out', 6],
    ]);
  });

  it('reads the older [PASS]/[FAIL] cells', async () => {
    const s = await summary(path.join(F, 'promptfoo-legacy.csv'));
    expect(s.samples).toMatchObject({ total: 4, passed: 3, failed: 1 });
    expect(s.meta.model).toBe('openai:gpt-4o-mini, anthropic:claude-3-5-haiku-20241022');
  });
});

describe('several files', () => {
  it('merge into one run with distinct ids, any mix of formats', async () => {
    const run = await loadRun(
      [
        path.join(FIXTURES, 'native.jsonl'),
        path.join(F, 'pytest-xunit1.xml'),
        path.join(SAMPLES, 'promptfoo/results.json'),
      ],
      { format: 'auto', cwd: '/' },
    );
    expect(run.format).toBe('native+junit+promptfoo');
    expect(run.all.total).toBe(5 + 5 + 40);
  });

  it('name the one bad file', async () => {
    const err = await (async () => {
      try {
        await loadRun([path.join(FIXTURES, 'native.jsonl'), path.join(F, 'broken.xml')], { format: 'auto', cwd: '/' });
      } catch (e) {
        return e as ConfigurationError;
      }
    })();
    expect(err!.message).toMatch(/broken.xml \(junit\) could not be read/);
  });
});
