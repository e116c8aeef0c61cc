import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../src/errors.js';
import { loadRun } from '../src/results/load.js';
import { compareMetric } from '../src/gate/compare.js';
import { decide } from '../src/gate/decide.js';
import { pairRuns } from '../src/gate/pairing.js';
import type { Verdict } from '../src/gate/verdict.js';
import { RunBuilder, type Run, type Sample } from '../src/results/model.js';
import { incompleteBeta, tQuantile } from '../src/stats/distributions.js';
import { meanInterval, Moments } from '../src/stats/mean.js';
import { quantileInterval } from '../src/stats/quantile.js';
import { clopperPearson } from '../src/stats/wilson.js';
import { SignFlip } from '../src/stats/sign-flip.js';
import { parseConfig } from './helpers.js';

/** The edges of issue #12: tiny, duplicated, reordered, renamed and degenerate inputs. */
const CONFIG = (metrics: string, extra = '', tier = 'low') => `
version: 1
service: s
owner: { name: "@alice", oncall: "#oncall" }
risk: { tier: ${tier}, bad_output_cost: "low" }
evals:
  results: r.jsonl
  metrics:
${metrics}
${extra}
deploy: { model: m-2024-01-01, workflow: deploy.yml }
`;

function runOf(samples: Partial<Sample>[], meta = {}): Run {
  const b = new RunBuilder({ pairing: true, pairedChannels: [] });
  for (const s of samples) b.add({ id: 'x', outcome: 'pass', scores: {}, tags: [], repeat: 0, ...s } as Sample);
  return b.build('native', ['r.jsonl'], meta);
}

function gate(yaml: string, cand: Run, base?: Run): Verdict {
  return decide({
    config: parseConfig(yaml, 'gate.yml'),
    run: cand,
    baseline: base,
    facts: { fileExists: () => true, commits: ['abc1234def5678'] },
    inputs: { config: 'gate.yml', results: ['r.jsonl'], baseline: null, format: 'native' },
  });
}

describe('published values', () => {
  it.each([
    // Student t, two-sided 95% and 99% (any table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)
    [0.975, 1, 12.706],
    [0.975, 2, 4.303],
    [0.975, 3, 3.182],
    [0.975, 4, 2.776],
    [0.975, 5, 2.571],
    [0.995, 1, 63.657],
    [0.995, 3, 5.841],
    [0.995, 5, 4.032],
    [0.975, 30, 2.042],
  ])('t(%s, df %s) = %s', (p, df, value) => {
    expect(tQuantile(p, df)).toBeCloseTo(value, 3);
    expect(tQuantile(1 - p, df)).toBeCloseTo(-value, 3);
  });

  it('Clopper–Pearson matches its tables (x = 0 and 5 of 10, 95%)', () => {
    const [l0, h0] = clopperPearson(0, 10);
    expect([l0, h0.toFixed(4)]).toEqual([0, '0.3085']);
    const [l5, h5] = clopperPearson(5, 10);
    expect([l5.toFixed(4), h5.toFixed(4)]).toEqual(['0.1871', '0.8129']);
  });

  it('the sign-flip test is exact: five positive differences are 1 in 32', () => {
    const flips = new SignFlip(Float64Array.from([1, 2, 3, 4, 5]));
    expect(flips.pAbove(0)).toBeCloseTo(1 / 32, 12);
    expect(flips.pBelow(0)).toBe(1);
    // 1/32 > 2.5%: five pairs cannot reach a 95% interval's ends
    expect(flips.interval(0.95)).toEqual([-Infinity, Infinity]);
    expect(flips.interval(0.9)[0]).toBeGreaterThan(0);
  });

  it('the incomplete beta matches closed forms', () => {
    // I_x(1, 1) = x; I_x(2, 1) = x²; I_x(1, b) = 1 − (1 − x)^b
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 12);
    expect(incompleteBeta(0.3, 1, 5)).toBeCloseTo(1 - 0.7 ** 5, 12);
  });

  it('bounds a p95 exactly from order statistics: an upper end from 72 values on', () => {
    const sorted = (n: number) => Float64Array.from({ length: n }, (_, i) => i + 1);
    expect(quantileInterval(sorted(71), 0.95)[1]).toBe(Infinity);
    expect(quantileInterval(sorted(72), 0.95)[1]).toBe(72); // 1 − 0.95^72 = 0.9751 ≥ 0.975
    // n = 100: P(Bin(100, .95) ≤ 98) = 0.9629 < 0.975 ≤ P(≤ 99) = 0.9941 → X(100); the lower end X(90)
    expect(quantileInterval(sorted(100), 0.95)).toEqual([90, 100]);
  });
});

describe('degenerate data is no evidence either way', () => {
  it('two identical scores do not make a zero-width interval (nor a block against min 0.8)', () => {
    const m = new Moments();
    m.add(0.79);
    m.add(0.79);
    expect(meanInterval(m)).toEqual([-Infinity, Infinity]);
    const v = gate(
      CONFIG('    - { name: score, min: 0.8 }'),
      runOf([
        { id: 'a', score: 0.79 },
        { id: 'b', score: 0.79 },
      ]),
    );
    expect(v.metrics[0]!.status).toBe('inconclusive');
  });

  it.each([1, 2, 3, 5])('one to five identical pairs never give a zero-width difference (n = %s)', (n) => {
    const c = runOf(Array.from({ length: n }, (_, i) => ({ id: `c${i}`, score: 0.5 })));
    const b = runOf(Array.from({ length: n }, (_, i) => ({ id: `c${i}`, score: 0.6 })));
    const cmp = compareMetric('score', pairRuns(c, b), c, b);
    if ('unavailable' in cmp) expect(cmp.unavailable).toMatch(/one paired case/);
    else expect(cmp.interval(0.95)).toEqual([-Infinity, Infinity]);
  });

  it('a percentile is compared from 30 paired cases on; below, inconclusive with the reason', () => {
    const c = runOf(Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, latencyMs: 500 + i })));
    const b = runOf(Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, latencyMs: 400 + i })));
    expect(compareMetric('latency_p95_ms', pairRuns(c, b), c, b)).toEqual({
      unavailable: expect.stringMatching(/from 30 paired cases on .* 10 paired/),
    });
  });

  it('a mean overflowing to ±∞ blocks with what to look for, never "inconclusive, allowed"', () => {
    const v = gate(
      CONFIG('    - { name: score, min: 0.5 }'),
      runOf([
        { id: 'a', score: 1.7e308 },
        { id: 'b', score: -1.7e308 },
      ]),
    );
    expect(v.metrics[0]!.status).toBe('error');
    expect(v.decision).toBe('block');
    expect(v.reasons.join('\n')).toMatch(/sample "a": score is 1\.7e\+308, beyond ±1e15/);
  });
});

describe('identity: duplicates, order, renames', () => {
  const cases = (n: number, pass: (i: number) => boolean, prefix = 'c'): Partial<Sample>[] =>
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, outcome: pass(i) ? 'pass' : 'fail' }));

  it('duplicated ids are repeats of one case: a 100% → 50% drop is seen, and said', () => {
    const base = runOf(cases(60, () => true));
    // every id twice, once failing: per case 50%
    const cand = runOf([...cases(60, () => true), ...cases(60, () => false)]);
    const v = gate(CONFIG('    - { name: pass_rate, max_drop: 0.05 }'), cand, base);
    expect(v.metrics[0]!.status).toBe('fail');
    expect(v.metrics[0]!.delta).toBeCloseTo(-0.5, 6);
    expect(v.warnings.join('\n')).toMatch(/60 samples repeat an id/);
  });

  it('one case written 300 times is one case: min_samples counts distinct cases', () => {
    const v = gate(
      CONFIG('    - { name: pass_rate, min: 0.5 }', '  min_samples: 300'),
      runOf(Array.from({ length: 300 }, () => ({ id: 'same', outcome: 'pass' }))),
    );
    expect(v.decision).toBe('block');
    expect(v.reasons.join('\n')).toMatch(
      /1 scored cases, under evals.min_samples 300; 300 scored samples, as cases repeat/,
    );
    // and its interval claims one unit, not 300
    expect(v.metrics[0]!.status).toBe('inconclusive');
  });

  it('the same lines in another order give the same decision and the same numbers', () => {
    const lat = (i: number) => 400 + ((i * 7919) % 997);
    const base = Array.from({ length: 80 }, (_, i) => ({ id: `c${i}`, latencyMs: lat(i) }));
    const cand = Array.from({ length: 80 }, (_, i) => ({ id: `c${i}`, latencyMs: lat(i) + 30 }));
    const yaml = CONFIG('    - { name: latency_p95_ms, max_increase: 25 }');
    const a = gate(yaml, runOf(cand), runOf(base));
    const shuffled = [...cand].sort(
      (x, y) => ((Number(x.id.slice(1)) * 37) % 80) - ((Number(y.id.slice(1)) * 37) % 80),
    );
    const b = gate(yaml, runOf(shuffled), runOf([...base].reverse()));
    expect(b.metrics[0]).toEqual(a.metrics[0]);
    expect(b.decision).toBe(a.decision);
  });

  it('renamed ids (a model in the id) fall back to an unpaired comparison, never a waived margin', () => {
    const base = runOf(cases(200, (i) => i % 20 !== 0, 'gpt-4o:'));
    const cand = runOf(cases(200, (i) => i % 5 < 3, 'claude:'));
    const v = gate(CONFIG('    - { name: pass_rate, max_drop: 0.05 }'), cand, base);
    expect(v.metrics[0]!.status).toBe('fail');
    expect(v.metrics[0]!.reason).toMatch(/unpaired: 0 of 200 cases in common/);
    expect(v.decision).toBe('block');
  });

  it('with baseline_required, a margin that cannot be compared blocks', () => {
    const base = runOf(Array.from({ length: 50 }, (_, i) => ({ id: `c${i}`, latencyMs: 400 })));
    const cand = runOf(Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, latencyMs: 900 })));
    const yaml = CONFIG('    - { name: latency_p95_ms, max_increase: 100 }', '  baseline_required: true');
    const v = gate(yaml, cand, base);
    expect(v.metrics[0]!.status).toBe('fail');
    expect(v.metrics[0]!.reason).toMatch(/cannot be checked: .*evals.baseline_required is true/);
  });

  it('skipped samples are not "no error": 10% → 20% errors is seen', () => {
    const base = runOf(
      Array.from({ length: 200 }, (_, i) => ({ id: `c${i}`, outcome: i % 10 === 0 ? 'error' : 'pass' }) as const),
    );
    const cand = runOf(
      Array.from(
        { length: 200 },
        (_, i) =>
          ({
            id: `c${i}`,
            outcome: i % 10 === 0 ? 'error' : i % 10 === 1 ? 'error' : i % 10 === 2 ? 'skipped' : 'pass',
          }) as const,
      ),
    );
    const v = gate(CONFIG('    - { name: error_rate, max_increase: 0.02 }'), cand, base);
    expect(v.metrics[0]!.delta).toBeGreaterThan(0.1);
    expect(v.metrics[0]!.status).toBe('fail');
  });
});

describe('evidence before allow', () => {
  it('0 of 1 against min 0.6 blocks at the medium tier (the estimate misses the bar); low warns', () => {
    const one = runOf([{ id: 'a', outcome: 'fail' }]);
    const medium = gate(CONFIG('    - { name: pass_rate, min: 0.6 }', '  min_samples: 1', 'medium'), one);
    expect(medium.metrics[0]!.status).toBe('inconclusive');
    expect(medium.decision).toBe('block');
    expect(medium.metrics[0]!.reason).toMatch(/the estimate misses the bar/);
    expect(gate(CONFIG('    - { name: pass_rate, min: 0.6 }'), one).decision).toBe('allow');
  });

  it('a commit of "1" is not a commit', () => {
    const v = gate(
      CONFIG('    - { name: pass_rate, min: 0.5 }', '  require_commit: true'),
      runOf([{ id: 'a' }], { commit: '1' }),
    );
    expect(v.decision).toBe('block');
    expect(v.reasons.join('\n')).toMatch(/not a commit SHA/);
  });
});

describe('values as the tools write them', () => {
  it('an aggregate without n or stderr is judged on its value, and the verdict says so', () => {
    const b = new RunBuilder({});
    b.aggregates.set('quality', { value: 0.05 });
    const v = gate(CONFIG('    - { name: score.quality, min: 0.9 }'), b.build('braintrust', ['r.jsonl'], {}));
    expect(v.metrics[0]!.status).toBe('fail');
    expect(v.metrics[0]!.reason).toMatch(
      /judged on the reported value: the tool gave no sample count or standard error/,
    );
    expect(v.decision).toBe('block');
  });

  it('null is absent in the native format: a null named score is not measured, the line still counts', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-null-'));
    const file = path.join(dir, 'r.jsonl');
    writeFileSync(
      file,
      [
        '{"id": "a", "scores": {"faithfulness": null}, "error": "upstream 503"}',
        '{"id": "b", "pass": true, "scores": {"faithfulness": 0.9, "tone": null}, "score": null, "latency_ms": null}',
      ].join('\n'),
    );
    const run = await loadRun([file], { format: 'native', cwd: dir });
    expect(run.all).toMatchObject({ total: 2, errors: 1, passed: 1 });
    expect(run.all.named.get('faithfulness')!.n).toBe(1);
    expect(run.all.named.has('tone')).toBe(false);
  });

  it('a native file may start with a skipped sample (detection does not depend on line order)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-skip-'));
    const file = path.join(dir, 'r.jsonl');
    writeFileSync(file, '{"id": "c", "skipped": true}\n{"id": "a", "pass": true}\n');
    const run = await loadRun([file], { format: 'auto', cwd: dir });
    expect(run.format).toBe('native');
    expect(run.all).toMatchObject({ total: 2, skipped: 1, passed: 1 });
  });

  it('a number beyond ±1e15 is refused at its line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-big-'));
    const file = path.join(dir, 'r.jsonl');
    writeFileSync(file, '{"id": "a", "pass": true}\n{"id": "b", "pass": true, "score": 1.7e308}\n');
    const err = await loadRun([file], { format: 'native', cwd: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as ConfigurationError).problems[0]).toMatchObject({ line: 2, path: 'score' });
    expect((err as ConfigurationError).problems[0]!.message).toMatch(/within ±1e15/);
  });
});

describe('repeats never count as more cases (after an attack)', () => {
  const many = (n: number, s: Partial<Sample>) => Array.from({ length: n }, () => s);

  it('a slice of one case written 100 times claims one case', () => {
    const run = (() => {
      const b = new RunBuilder({ sliceTags: ['pii'] });
      for (let i = 0; i < 100; i++) b.add({ id: `c${i}`, outcome: 'pass', scores: {}, tags: [], repeat: 0 });
      for (let i = 0; i < 100; i++) b.add({ id: 'pii-1', outcome: 'pass', scores: {}, tags: ['pii'], repeat: 0 });
      return b.build('native', ['r.jsonl'], {});
    })();
    const v = gate(
      CONFIG('    - { name: pass_rate, min: 0 }', '  slices: [{ tag: pii, metrics: [{ name: pass_rate, min: 0.9 }] }]'),
      run,
    );
    expect(v.metrics[1]!.status).toBe('inconclusive');
  });

  it('a percentile of one case repeated is no evidence either way', () => {
    const v = gate(
      CONFIG('    - { name: latency_p95_ms, max: 1000 }'),
      runOf(many(100, { id: 'only', latencyMs: 1200 })),
    );
    expect(v.metrics[0]!.status).toBe('inconclusive');
  });

  it('renamed ids with repeats: the unpaired fallback claims cases, not lines', () => {
    const rows = (prefix: string) =>
      Array.from(
        { length: 200 },
        (_, k) =>
          ({ id: `${prefix}${k % 5}`, repeat: Math.floor(k / 5), outcome: k % 10 === 0 ? 'fail' : 'pass' }) as const,
      );
    const v = gate(CONFIG('    - { name: pass_rate, max_drop: 0.1 }'), runOf(rows('renamed')), runOf(rows('case')));
    expect(v.metrics[0]!.status).toBe('inconclusive');
    expect(v.metrics[0]!.reason).toMatch(/5 samples, unpaired/);
  });

  it('at the medium tier a margin that cannot be compared still blocks when the estimate misses it', () => {
    const base = runOf(Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, latencyMs: 500 + i })));
    const cand = runOf(Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, latencyMs: 5000 + i })));
    const v = gate(
      CONFIG('    - { name: latency_p95_ms, max_increase: 100 }', '  min_samples: 1', 'medium'),
      cand,
      base,
    );
    expect(v.metrics[0]!.status).toBe('inconclusive');
    expect(v.decision).toBe('block');
  });
});

describe('what an inconclusive percentile needs', () => {
  it('says from how many samples a 95th percentile has an upper end (72 at 95%: 1 − 0.95^72 ≥ 0.975)', () => {
    const samples = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, latencyMs: 500 + i * 5 }));
    const config = CONFIG('    - { name: latency_p95_ms, max: 2500 }');
    const at71 = gate(config, runOf(samples(71))).metrics[0]!;
    expect(at71.status).toBe('inconclusive');
    expect(gate(config, runOf(samples(71))).warnings.join('\n')).toMatch(
      /a 95% interval of the 95th percentile has an upper end only from 72 samples on \(n=71\)/,
    );
    expect(gate(config, runOf(samples(72))).metrics[0]!.status).toBe('pass');
  });
});
