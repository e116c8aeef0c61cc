import { binomialPmf, logGamma, normalCdf, normalQuantile, tQuantile, zFor } from '../src/stats/distributions.js';
import { meanInterval, Moments } from '../src/stats/mean.js';
import { quantile, quantileInterval } from '../src/stats/quantile.js';
import { wilson } from '../src/stats/wilson.js';
import { bootstrapInterval, pairedBootstrap, pairedQuantileBootstrap } from '../src/stats/bootstrap.js';
import { diffStats, pairedT } from '../src/stats/paired-t.js';
import { holm } from '../src/stats/holm.js';
import { invertInterval } from '../src/stats/invert.js';
import { newcombePaired } from '../src/stats/newcombe.js';

describe('Wilson score interval', () => {
  // Newcombe RG (1998), Two-sided confidence intervals for the single proportion, Stat Med 17:857-872,
  // Table II, method 3 (score interval without continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0.0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i/%i gives [%f, %f]', (x, n, low, high) => {
    const [l, h] = wilson(x, n, 0.95);
    expect(l).toBeCloseTo(low, 4);
    expect(h).toBeCloseTo(high, 4);
  });

  it('is the whole [0, 1] with no data, and closed at the boundaries', () => {
    expect(wilson(0, 0)).toEqual([0, 1]);
    expect(wilson(10, 10)[1]).toBe(1);
    expect(wilson(0, 10)[0]).toBe(0);
  });

  it('narrows as confidence falls', () => {
    const w99 = wilson(81, 263, 0.99);
    const w90 = wilson(81, 263, 0.9);
    expect(w99[1] - w99[0]).toBeGreaterThan(w90[1] - w90[0]);
  });
});

describe('quantile functions', () => {
  it('normal quantiles match tabled values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.644854, 6);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361341, 5);
  });

  // Student t two-sided 95% critical values (any statistics table).
  it.each([
    [1, 12.7062],
    [2, 4.3027],
    [3, 3.1824],
    [5, 2.5706],
    [10, 2.2281],
    [30, 2.0423],
    [120, 1.9799],
  ])('t(0.975, %i) is %f', (df, value) => {
    expect(Math.abs(tQuantile(0.975, df) - value)).toBeLessThan(0.005);
  });
});

describe('means and percentiles', () => {
  it('gives a t interval for continuous scores and a Wilson one for 0/1 scores', () => {
    const m = new Moments();
    [0.8, 0.9, 1.0, 0.7, 0.85].forEach((x) => m.add(x));
    expect(m.mean).toBeCloseTo(0.85, 10);
    expect(m.variance).toBeCloseTo(0.0125, 10);
    const [l, h] = meanInterval(m, 0.95);
    // 0.85 ± 2.7764 × sqrt(0.0125 / 5)
    expect(l).toBeCloseTo(0.85 - 2.7764 * Math.sqrt(0.0025), 2);
    expect(h).toBeCloseTo(0.85 + 2.7764 * Math.sqrt(0.0025), 2);

    const b = new Moments();
    for (let i = 0; i < 20; i++) b.add(1);
    expect(meanInterval(b)).toEqual(wilson(20, 20));
  });

  it('is unbounded with fewer than two observations', () => {
    const m = new Moments();
    m.add(0.5);
    expect(meanInterval(m)).toEqual([-Infinity, Infinity]);
  });

  it('interpolates percentiles (R type 7) and bounds them by order statistics', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50.5);
    expect(quantile(sorted, 0.95)).toBeCloseTo(95.05, 10);
    const [l, h] = quantileInterval(sorted, 0.5);
    expect(l).toBe(40);
    expect(h).toBe(61);
    // With 10 values the 95th percentile cannot be bounded above.
    expect(quantileInterval(sorted.slice(0, 10), 0.95)[1]).toBe(Infinity);
  });
});

describe('paired comparison statistics', () => {
  // Cavo et al. (2012) complete response before/after consolidation therapy: [[59, 6], [16, 80]],
  // the worked example of Fagerland, Lydersen & Laake (2013, 2017).
  const cavo = { a: 59, b: 6, c: 16, d: 80 };

  it("Newcombe's paired square-and-add interval (method 10) matches the published limits", () => {
    const [l, h] = newcombePaired(cavo, 0.95);
    expect((cavo.b - cavo.c) / 161).toBeCloseTo(-0.0621, 4);
    expect(l).toBeCloseTo(-0.1186, 4);
    expect(h).toBeCloseTo(-0.0046, 4);
  });

  it('normal CDF and log-gamma match tabled values', () => {
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 9);
    expect(normalCdf(-8)).toBeCloseTo(6.22096e-16, 20);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(binomialPmf(6, 22, 0.5)).toBeCloseTo(74613 / 4194304, 12);
  });

  it('inverting an interval gives the one-sided p-value of the matching test', () => {
    // For a normal interval est ± z·se the inversion is Φ((est + margin) / se).
    const est = -0.05;
    const se = 0.02;
    const interval = (conf: number): [number, number] => [est - zFor(conf) * se, est + zFor(conf) * se];
    expect(invertInterval(interval, 0.01, true)).toBeCloseTo(normalCdf((est + 0.01) / se), 6);
    expect(invertInterval(interval, 0.1, true)).toBe(1);
  });

  it("Holm's procedure steps down", () => {
    expect(holm([0.01, 0.04, 0.03], 0.05)).toEqual([true, false, false]);
    expect(holm([0.01, 0.02, 0.03], 0.05)).toEqual([true, true, true]);
    expect(holm([], 0.05)).toEqual([]);
  });

  it('bootstraps deterministically from a seed', () => {
    const c = Float64Array.from({ length: 200 }, (_, i) => i % 7);
    const b = Float64Array.from({ length: 200 }, (_, i) => (i % 7) + (i % 3 === 0 ? 1 : 0));
    const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
    const one = pairedBootstrap(c, b, mean, 42);
    expect(one.estimate).toBeCloseTo(-67 / 200, 10);
    expect(bootstrapInterval(one)).toEqual(bootstrapInterval(pairedBootstrap(c, b, mean, 42)));
    const [l, h] = bootstrapInterval(one);
    expect(l).toBeLessThan(one.estimate);
    expect(h).toBeGreaterThan(one.estimate);
  });

  it('gives defined answers in degenerate cases', () => {
    expect(newcombePaired({ a: 0, b: 0, c: 0, d: 0 })).toEqual([-1, 1]);
    // all pass in both: no discordant pairs, the difference is 0 with an interval around it
    const [l, h] = newcombePaired({ a: 50, b: 0, c: 0, d: 0 });
    expect(l).toBeLessThanOrEqual(0);
    expect(h).toBeGreaterThanOrEqual(0);
    // all fail in both is as uncertain as all pass: the same symmetric interval around 0
    const [fl, fh] = newcombePaired({ a: 0, b: 0, c: 0, d: 30 });
    const [pl, ph] = newcombePaired({ a: 30, b: 0, c: 0, d: 0 });
    expect(fl).toBeCloseTo(pl, 12);
    expect(fh).toBeCloseTo(ph, 12);
    expect(fh).toBeCloseTo(-fl, 12);
    expect(pairedT(diffStats([]))).toEqual([-Infinity, Infinity]);
    const [cl, ch] = pairedT(diffStats([0.1, 0.1, 0.1]));
    expect(cl).toBeCloseTo(0.1, 12);
    expect(ch).toBeCloseTo(0.1, 12);
  });
});

describe('the bootstrap of a percentile', () => {
  it('gives the replicates of the generic bootstrap with a sorted quantile, for every p, shape and subsample', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
    const shapes = [
      (n: number) => Array.from({ length: n }, () => rand() * 1000),
      (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 4)),
      (n: number) => Array.from({ length: n }, (_, i) => i),
      (n: number) => Array.from({ length: n }, (_, i) => n - i),
      (n: number) => Array.from({ length: n }, () => 5),
    ];
    for (const n of [1, 2, 3, 5, 10, 99, 400])
      for (const [i, shape] of shapes.entries()) {
        const c = Float64Array.from(shape(n));
        const b = Float64Array.from(shapes[(i + 1) % shapes.length]!(n));
        for (const p of [0, 0.05, 0.5, 0.95, 0.99, 1])
          for (const maxPairs of [5000, 7]) {
            const sortedQuantile = (v: Float64Array) => quantile(Float64Array.from(v).sort(), p);
            const generic = pairedBootstrap(c, b, sortedQuantile, 42, 200, maxPairs);
            const fast = pairedQuantileBootstrap(c, b, p, 42, 200, maxPairs);
            expect(fast.estimate).toBe(generic.estimate);
            expect(fast.scale).toBe(generic.scale);
            expect(fast.replicates).toEqual(generic.replicates);
          }
      }
  });
});
