import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runGate } from '../src/engine/run-gate.js';
import { compareMetric } from '../src/gate/compare.js';
import { pairRuns } from '../src/gate/pairing.js';
import { decide } from '../src/gate/decide.js';
import type { Verdict } from '../src/gate/verdict.js';
import { RunBuilder, type Run, type Sample } from '../src/results/model.js';
import { rng } from '../src/stats/bootstrap.js';
import { parseConfig } from './helpers.js';

const CONFIG = (metrics: string, extra = '', results = 'r.jsonl') => `
version: 1
service: s
owner: { name: "@alice", oncall: "#oncall" }
risk: { tier: low, bad_output_cost: "low" }
evals:
  results: ${results}
  metrics:
${metrics}
${extra}
deploy: { model: m-2024-01-01, workflow: deploy.yml }
`;

interface Gen {
  n: number;
  pass: (i: number) => boolean;
  score?: (i: number) => number;
  latency?: (i: number) => number;
  repeats?: number;
  prefix?: string;
  dataset?: string;
}

function run(g: Gen, channels: string[] = []): Run {
  const b = new RunBuilder({ pairing: true, pairedChannels: channels });
  for (let r = 0; r < (g.repeats ?? 1); r++) {
    for (let i = 0; i < g.n; i++) {
      const s: Sample = {
        id: `${g.prefix ?? 'case'}-${i}`,
        outcome: g.pass(i + r * 7919) ? 'pass' : 'fail',
        score: g.score?.(i),
        scores: g.score ? { faith: g.score(i) } : {},
        tags: [],
        latencyMs: g.latency?.(i),
        repeat: r,
      };
      b.add(s);
    }
  }
  return b.build('native', ['r.jsonl'], { dataset: g.dataset });
}

function gate(yaml: string, cand: Run, base?: Run | { missing: string }): Verdict {
  return decide({
    config: parseConfig(yaml, 'gate.yml'),
    run: cand,
    baseline: base,
    facts: { fileExists: () => true, commits: [] },
    inputs: { config: 'gate.yml', results: ['r.jsonl'], baseline: null, format: 'native' },
  });
}

/** Bernoulli outcomes with a fixed seed: case i passes with probability p. */
const bern = (p: number, seed: number) => {
  const r = rng(seed);
  const draws = Array.from({ length: 100_000 }, () => r());
  return (i: number) => draws[i % draws.length]! < p;
};

describe('pairing on case ids', () => {
  it('pairs shared cases, lists added, removed, newly failing and newly passing ones', () => {
    const base = run({ n: 10, pass: (i) => i !== 3 });
    const cand = run({ n: 12, pass: (i) => i !== 5 && i < 11 });
    const p = pairRuns(cand, base);
    expect(p.candRows.length).toBe(10);
    expect(p.added).toEqual({ total: 2, ids: ['case-10', 'case-11'] });
    expect(p.removed.total).toBe(0);
    expect(p.newlyFailing).toEqual({ total: 1, ids: ['case-5'] });
    expect(p.newlyPassing).toEqual({ total: 1, ids: ['case-3'] });
    expect(p.datasetChange).toMatch(/the case set changed: 2 added, 0 removed of 10/);
  });

  it('flags a changed dataset identity', () => {
    const p = pairRuns(
      run({ n: 5, pass: () => true, dataset: 'tickets@v4' }),
      run({ n: 5, pass: () => true, dataset: 'tickets@v3' }),
    );
    expect(p.datasetChange).toBe('the dataset changed: baseline "tickets@v3", candidate "tickets@v4"');
  });
});

describe('margins against the baseline', () => {
  const passRate = CONFIG('    - { name: pass_rate, max_drop: 0.02 }');

  it('passes a change identical to its baseline (A/A)', () => {
    const outcome = bern(0.9, 1);
    const v = gate(passRate, run({ n: 2000, pass: outcome }), run({ n: 2000, pass: outcome }));
    expect(v.metrics[0]).toMatchObject({ status: 'pass', delta: 0, paired_n: 2000 });
    expect(v.decision).toBe('allow');
  });

  it('blocks a real drop beyond the margin and says by how much, with its p-value', () => {
    const before = bern(0.92, 2);
    // 8% of the cases that passed now fail
    const flip = bern(0.08, 3);
    const v = gate(passRate, run({ n: 2000, pass: (i) => before(i) && !flip(i) }), run({ n: 2000, pass: before }));
    const m = v.metrics[0]!;
    expect(m.status).toBe('fail');
    expect(m.delta!).toBeLessThan(-0.05);
    expect(m.delta_ci![1]!).toBeLessThan(-0.02);
    expect(m.reason).toMatch(/a drop beyond the allowed 2 pts \(one-sided p = .*Holm-adjusted/);
    expect(v.decision).toBe('block');
  });

  it('calls a small suite inconclusive and states the smallest drop it could detect', () => {
    const before = bern(0.9, 4);
    const v = gate(passRate, run({ n: 40, pass: (i) => before(i) && i !== 7 }), run({ n: 40, pass: before }));
    const m = v.metrics[0]!;
    expect(m.status).toBe('inconclusive');
    expect(m.mde!).toBeGreaterThan(0.1);
    expect(m.reason).toMatch(
      /cannot rule out a drop of 2 pts or more; this suite can detect drops of \d+(\.\d+)? pts or more/,
    );
    expect(v.decision).toBe('allow');
  });

  it('clusters repeated runs of a case', () => {
    const before = bern(0.8, 5);
    const cand = run({ n: 300, pass: before, repeats: 3 });
    const base = run({ n: 300, pass: before, repeats: 3 });
    const cmp = compareMetric('pass_rate', pairRuns(cand, base), cand, base);
    expect('unavailable' in cmp).toBe(false);
    if (!('unavailable' in cmp)) {
      expect(cmp.method).toMatch(/clustered by case/);
      expect(cmp.n).toBe(300);
      expect(cmp.estimate).toBe(0);
    }
  });

  it('compares continuous scores (paired t) and latency percentiles (seeded paired bootstrap)', () => {
    const yaml = CONFIG(
      '    - { name: score.faith, max_drop: 0.01 }\n    - { name: latency_p95_ms, max_increase: 100 }',
    );
    const r = rng(6);
    const noise = Array.from({ length: 500 }, () => r());
    const base = run(
      { n: 500, pass: () => true, score: (i) => 0.8 + 0.1 * noise[i]!, latency: (i) => 500 + 1000 * noise[i]! },
      ['score.faith'],
    );
    const worse = run(
      { n: 500, pass: () => true, score: (i) => 0.75 + 0.1 * noise[i]!, latency: (i) => 900 + 1000 * noise[i]! },
      ['score.faith'],
    );
    const v = gate(yaml, worse, base);
    expect(v.metrics.map((m) => [m.name, m.status])).toEqual([
      ['score.faith', 'fail'],
      ['latency_p95_ms', 'fail'],
    ]);
    expect(v.metrics[0]!.delta).toBeCloseTo(-0.05, 6);
    expect(v.metrics[1]!.delta).toBeCloseTo(400, 0);
    // seeded: the same data gives the same interval
    expect(gate(yaml, worse, base).metrics[1]!.delta_ci).toEqual(v.metrics[1]!.delta_ci);
  });

  it('ignores NaN scores rather than poisoning the comparison', () => {
    const yaml = CONFIG('    - { name: score, max_drop: 0.05 }');
    const v = gate(
      yaml,
      run({ n: 60, pass: () => true, score: (i) => (i % 10 === 0 ? NaN : 0.9) }),
      run({ n: 60, pass: () => true, score: () => 0.9 }),
    );
    expect(v.metrics[0]).toMatchObject({ status: 'pass', delta: 0, paired_n: 54 });
  });

  it("applies Holm's correction across blocking metrics, not to non-blocking ones", () => {
    // Unpaired aggregates with stderr 0.01 each: Δ = −0.03905 against a margin of 0.01 gives a
    // one-sided p of Φ(−2.054) = 0.020: significant alone at 0.025, not after Holm over two (0.0125).
    const agg = (value: number) => {
      const b = new RunBuilder();
      b.aggregates.set('a', { value, stderr: 0.01, n: 1000 });
      b.aggregates.set('b', { value, stderr: 0.01, n: 1000 });
      return b.build('lm-eval', ['results.json'], {});
    };
    const [cand, base] = [agg(0.7), agg(0.73905)];
    const one = gate(CONFIG('    - { name: score.a, max_drop: 0.01 }'), cand, base);
    expect(one.metrics[0]!.status).toBe('fail');
    expect(one.metrics[0]!.reason).toMatch(/one-sided p = 0\.020/);
    const two = gate(
      CONFIG('    - { name: score.a, max_drop: 0.01 }\n    - { name: score.b, max_drop: 0.01 }'),
      cand,
      base,
    );
    expect(two.metrics.map((m) => m.status)).toEqual(['inconclusive', 'inconclusive']);
    const oneBlocking = gate(
      CONFIG('    - { name: score.a, max_drop: 0.01 }\n    - { name: score.b, max_drop: 0.01, blocking: false }'),
      cand,
      base,
    );
    expect(oneBlocking.metrics.map((m) => m.status)).toEqual(['fail', 'warn']);
  });

  it('says plainly when there is no baseline, and blocks when one is required', () => {
    const cand = run({ n: 100, pass: () => true });
    const missing = gate(passRate, cand, { missing: 'the baseline evals/base.json does not exist' });
    expect(missing.metrics[0]!.status).toBe('inconclusive');
    expect(missing.metrics[0]!.reason).toMatch(
      /the allowed drop of 2 pts cannot be checked: the baseline evals\/base.json does not exist/,
    );
    expect(missing.decision).toBe('allow');
    const required = gate(CONFIG('    - { name: pass_rate, max_drop: 0.02 }', '  baseline_required: true'), cand, {
      missing: 'the baseline evals/base.json does not exist',
    });
    expect(required.decision).toBe('block');
    expect(required.reasons.join('\n')).toMatch(
      /baseline_required is true, but the baseline evals\/base.json does not exist/,
    );
  });

  it('compares a slice’s margin on that slice’s own cases', () => {
    // 3000 cases, 1 in 10 tagged pii; the candidate breaks 30% of the pii cases and nothing else.
    const build = (broken: boolean) => {
      const b = new RunBuilder({ pairing: true, sliceTags: ['pii'], pairedSlices: ['pii'] });
      for (let i = 0; i < 3000; i++) {
        const pii = i % 10 === 0;
        const pass = !(broken && pii && i % 30 < 10) && i % 97 !== 0;
        b.add({ id: `case-${i}`, outcome: pass ? 'pass' : 'fail', scores: {}, tags: pii ? ['pii'] : [], repeat: 0 });
      }
      return b.build('native', ['r.jsonl'], {});
    };
    const v = gate(
      CONFIG(
        '    - { name: pass_rate, max_drop: 0.05 }',
        '  slices:\n    - { tag: pii, metrics: [{ name: pass_rate, max_drop: 0.05 }] }',
      ),
      build(true),
      build(false),
    );
    expect(v.metrics.map((m) => [m.name, m.slice, m.status, m.paired_n])).toEqual([
      ['pass_rate', undefined, 'pass', 3000],
      ['pass_rate', 'pii', 'fail', 300],
    ]);
    // 100 pii cases break, 2 of which (0 and 2910) already failed in the baseline
    expect(v.metrics[1]!.delta).toBeCloseTo(-98 / 300, 10);
  });

  it('compares aggregate-only runs unpaired, from their reported standard errors', () => {
    const agg = (value: number) => {
      const b = new RunBuilder();
      b.aggregates.set('arc.acc', { value, stderr: 0.01, n: 2000 });
      return b.build('lm-eval', ['results.json'], {});
    };
    const v = gate(CONFIG('    - { name: score.arc.acc, max_drop: 0.01 }'), agg(0.7), agg(0.76));
    expect(v.metrics[0]).toMatchObject({ status: 'fail', paired_n: 2000 });
    expect(v.metrics[0]!.delta).toBeCloseTo(-0.06, 10);
    expect(v.metrics[0]!.reason).toMatch(/2000 samples, unpaired, from the reported standard errors\)/);
  });
});

describe('baseline sources', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-base-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  const line = (id: string, pass: boolean) => JSON.stringify({ id, pass });
  const results = (fails: number) => Array.from({ length: 200 }, (_, i) => line(`c${i}`, i >= fails)).join('\n');

  beforeAll(() => {
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'ci');
    writeFileSync(path.join(dir, 'results.jsonl'), results(2));
    writeFileSync(path.join(dir, 'deploy.yml'), 'on: push\n');
    git('add', '.');
    git('commit', '-qm', 'baseline');
    git('checkout', '-qb', 'feature');
    writeFileSync(path.join(dir, 'results.jsonl'), results(60));
  });

  const cfg = (baseline: string) =>
    CONFIG('    - { name: pass_rate, max_drop: 0.05 }', `  baseline: ${baseline}`, 'results.jsonl');

  it('reads { ref, path } from git and finds the regression', async () => {
    writeFileSync(path.join(dir, 'gate.yml'), cfg('{ ref: main, path: results.jsonl }'));
    const { verdict, invalidInput } = await runGate({ config: 'gate.yml', cwd: dir });
    expect(invalidInput).toBe(false);
    expect(verdict.inputs.baseline).toBe('main:results.jsonl');
    expect(verdict.comparison).toMatchObject({ paired: 200, newly_failing: { total: 58 } });
    expect(verdict.metrics[0]!.status).toBe('fail');
    expect(verdict.decision).toBe('block');
  });

  it('treats a ref that is not in the checkout as a missing baseline', async () => {
    writeFileSync(path.join(dir, 'gate.yml'), cfg('{ ref: release-9, path: results.jsonl }'));
    const { verdict } = await runGate({ config: 'gate.yml', cwd: dir });
    expect(verdict.metrics[0]!.reason).toMatch(
      /results.jsonl at release-9 is not in the checkout \(check out with fetch-depth: 0/,
    );
  });

  it('fails closed on a baseline that exists but cannot be read', async () => {
    writeFileSync(path.join(dir, 'broken.jsonl'), '{"id": "c1", "pass": tru\n');
    writeFileSync(path.join(dir, 'gate.yml'), cfg('broken.jsonl'));
    const { verdict, invalidInput } = await runGate({ config: 'gate.yml', cwd: dir });
    expect(invalidInput).toBe(true);
    expect(verdict.decision).toBe('block');
    expect(verdict.errors[0]).toMatchObject({ file: 'broken.jsonl', line: 1 });
  });
});
