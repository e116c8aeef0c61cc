import { type Interval } from './interval.js';

/** Deterministic PRNG (mulberry32): a rerun on the same data gives the same bootstrap. */
export function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
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
  const n = cand.length;
  const estimate = stat(cand) - stat(base);
  const random = rng(seed);
  let c = cand;
  let b = base;
  let scale = 1;
  if (n > maxPairs) {
    c = new Float64Array(maxPairs);
    b = new Float64Array(maxPairs);
    for (let i = 0; i < maxPairs; i++) {
      const j = Math.floor(random() * n);
      c[i] = cand[j]!;
      b[i] = base[j]!;
    }
    scale = Math.sqrt(maxPairs / n);
  }
  const m = c.length;
  const rc = new Float64Array(m);
  const rb = new Float64Array(m);
  const out = new Float64Array(replicates);
  const centre = stat(c) - stat(b);
  for (let r = 0; r < replicates; r++) {
    for (let i = 0; i < m; i++) {
      const j = Math.floor(random() * m);
      rc[i] = c[j]!;
      rb[i] = b[j]!;
    }
    // Scaled deviations around the full-data estimate.
    out[r] = estimate + (stat(rc) - stat(rb) - centre) * scale;
  }
  out.sort();
  return { estimate, replicates: out, scale };
}

/** Percentile interval from bootstrap replicates. */
export function bootstrapInterval(bs: Bootstrap, confidence = 0.95): Interval {
  const r = bs.replicates;
  if (r.length === 0) return [-Infinity, Infinity];
  const alpha = (1 - confidence) / 2;
  const at = (q: number) => r[Math.min(r.length - 1, Math.max(0, Math.round(q * (r.length - 1))))]!;
  return [at(alpha), at(1 - alpha)];
}
