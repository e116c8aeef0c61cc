import { type Interval } from './interval.js';

/** mulberry32's increment: its state steps by this (mod 2^32) for each number drawn. */
const STEP = 0x6d2b79f5;

/**
 * The number in [0, 1) mulberry32 draws at state `t` (an int32: a state kept as a uint32 would be a
 * heap number, allocated at every draw). Hot loops step `t` in a local and call this.
 */
function draw(t: number): number {
  let r = Math.imul(t ^ (t >>> 15), 1 | t);
  r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
  return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
}

/** Deterministic PRNG (mulberry32): a rerun on the same data gives the same bootstrap. */
export function rng(seed: number): () => number {
  let t = seed | 0;
  return () => draw((t = (t + STEP) | 0));
}

/** A seed from text (the metric name and the data size), so each metric's bootstrap is stable. */
export function seedFrom(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Bootstrap replicates of a paired statistic, sorted (for percentile intervals at any level). */
export interface Bootstrap {
  estimate: number;
  replicates: Float64Array;
  /** Replicates were computed on a subsample of m of n pairs; widths scale by sqrt(m / n). */
  scale: number;
}

/**
 * Paired bootstrap: resample cases (pairs) with replacement and recompute
 * stat(candidate) − stat(baseline). Above `maxPairs` pairs, replicates come from a random
 * subsample of `maxPairs` pairs and their spread is scaled by sqrt(m / n) (m-out-of-n), which keeps
 * the cost bounded for very large suites.
 */
export function pairedBootstrap(
  cand: Float64Array,
  base: Float64Array,
  stat: (values: Float64Array) => number,
  seed: number,
  replicates = 1000,
  maxPairs = 5000,
): Bootstrap {
  const estimate = stat(cand) - stat(base);
  const { c, b, scale, state } = subsample(cand, base, seed, maxPairs);
  let t = state;
  const m = c.length;
  const rc = new Float64Array(m);
  const rb = new Float64Array(m);
  const out = new Float64Array(replicates);
  const centre = stat(c) - stat(b);
  for (let r = 0; r < replicates; r++) {
    for (let i = 0; i < m; i++) {
      const j = Math.floor(draw((t = (t + STEP) | 0)) * m);
      rc[i] = c[j]!;
      rb[i] = b[j]!;
    }
    // Scaled deviations around the full-data estimate.
    out[r] = estimate + (stat(rc) - stat(rb) - centre) * scale;
  }
  out.sort();
  return { estimate, replicates: out, scale };
}

/**
 * At most `maxPairs` pairs drawn at random (m-out-of-n), the sqrt(m / n) their spread is scaled by,
 * and the generator's state after the draws (the seed's when none were needed).
 */
function subsample(cand: Float64Array, base: Float64Array, seed: number, maxPairs: number) {
  const n = cand.length;
  let t = seed | 0;
  if (n <= maxPairs) return { c: cand, b: base, scale: 1, state: t };
  const c = new Float64Array(maxPairs);
  const b = new Float64Array(maxPairs);
  for (let i = 0; i < maxPairs; i++) {
    const j = Math.floor(draw((t = (t + STEP) | 0)) * n);
    c[i] = cand[j]!;
    b[i] = base[j]!;
  }
  return { c, b, scale: Math.sqrt(maxPairs / n), state: t };
}

/**
 * `pairedBootstrap` of a quantile (R type 7, as `quantile`), the same replicates from the same draws,
 * without a selection per resample: each side is sorted once, a resample is counts over the sorted
 * ranks, and its order statistics are read walking the counts from the nearer end (for a p95, a few
 * ranks from the top).
 */
export function pairedQuantileBootstrap(
  cand: Float64Array,
  base: Float64Array,
  p: number,
  seed: number,
  replicates = 1000,
  maxPairs = 5000,
): Bootstrap {
  const { c, b, scale, state } = subsample(cand, base, seed, maxPairs);
  let t = state;
  const m = c.length;
  const sides = [c, b].map((values) => {
    const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => values[x]! - values[y]!);
    const rank = new Int32Array(m);
    order.forEach((i, r) => (rank[i] = r));
    return { sorted: Float64Array.from(order, (i) => values[i]!), rank, counts: new Int32Array(m) };
  });
  const [sc, sb] = sides as [(typeof sides)[0], (typeof sides)[0]];
  const h = (m - 1) * p;
  const lo = Math.floor(h);
  const resampled = (side: typeof sc) => {
    const value = orderStatistics(side.counts, side.sorted, lo);
    side.counts.fill(0);
    return value;
  };
  const full = (values: Float64Array) => {
    const sorted = Float64Array.from(values).sort();
    return quantileOfSorted(sorted, (sorted.length - 1) * p);
  };
  const estimate = full(cand) - full(base);
  const centre = quantileOfSorted(sc.sorted, h) - quantileOfSorted(sb.sorted, h);
  const out = new Float64Array(replicates);
  for (let r = 0; r < replicates; r++) {
    t = countDraws(t, m, sc.rank, sc.counts, sb.rank, sb.counts);
    const [xc, yc] = resampled(sc);
    const [xb, yb] = resampled(sb);
    const qc = h === lo || lo + 1 >= m ? xc : xc + (h - lo) * (yc - xc);
    const qb = h === lo || lo + 1 >= m ? xb : xb + (h - lo) * (yb - xb);
    out[r] = estimate + (qc - qb - centre) * scale;
  }
  out.sort();
  return { estimate, replicates: out, scale };
}

/**
 * One resample of m pairs as counts over each side's sorted ranks, drawn from generator state `t`;
 * the state after. A small function of its own: V8 optimizes it in a millisecond, where the loop
 * inside the whole bootstrap waited 25 ms for its optimized code, running slow (and allocating a
 * heap number per draw) meanwhile.
 */
function countDraws(
  t: number,
  m: number,
  rankC: Int32Array,
  countsC: Int32Array,
  rankB: Int32Array,
  countsB: Int32Array,
) {
  for (let i = 0; i < m; i++) {
    const j = Math.floor(draw((t = (t + STEP) | 0)) * m);
    countsC[rankC[j]!]!++;
    countsB[rankB[j]!]!++;
  }
  return t;
}

/** Type 7 at position h of sorted values (the same arithmetic as `quantile`). */
function quantileOfSorted(sorted: Float64Array, h: number): number {
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The order statistics at positions lo and lo + 1 of a resample given as counts over sorted ranks. */
function orderStatistics(counts: Int32Array, sorted: Float64Array, lo: number): [number, number] {
  const m = sorted.length;
  let x = NaN;
  let y = NaN;
  if (2 * lo >= m) {
    // From the top: position lo is the (m - 1 - lo)-th from it, lo + 1 one nearer.
    for (let r = m - 1, above = 0; r >= 0; r--) {
      above += counts[r]!;
      if (Number.isNaN(y) && above > m - 2 - lo) y = sorted[r]!;
      if (above > m - 1 - lo) return [sorted[r]!, Number.isNaN(y) ? sorted[r]! : y];
    }
  } else {
    for (let r = 0, below = 0; r < m; r++) {
      below += counts[r]!;
      if (Number.isNaN(x) && below > lo) x = sorted[r]!;
      if (below > lo + 1) return [x, sorted[r]!];
    }
  }
  return [x, y];
}

/** Percentile interval from bootstrap replicates. */
export function bootstrapInterval(bs: Bootstrap, confidence = 0.95): Interval {
  const r = bs.replicates;
  if (r.length === 0) return [-Infinity, Infinity];
  const alpha = (1 - confidence) / 2;
  const at = (q: number) => r[Math.min(r.length - 1, Math.max(0, Math.round(q * (r.length - 1))))]!;
  return [at(alpha), at(1 - alpha)];
}
