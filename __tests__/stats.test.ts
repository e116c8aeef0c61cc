import { normalQuantile, tQuantile } from '../src/stats/distributions.js';
import { meanInterval, Moments, quantile, quantileInterval, wilson } from '../src/stats/intervals.js';

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
