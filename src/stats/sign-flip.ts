import { rng, seedFrom } from './bootstrap.js';
import type { Interval } from './interval.js';

/** Exhaustive below this many pairs (2^n sign vectors); above, a seeded Monte Carlo sample of them. */
const EXHAUSTIVE_UP_TO = 12;
const DRAWS = 4000;

/**
 * The sign-flip (randomization) test of paired differences: under "no change" each difference is as
 * likely positive as negative, so every flip of signs is equally likely. Exact at any n for
 * symmetric differences, whatever their shape (ties, atoms at a score's bound), where Student t is
 * not: the method for fewer than 30 pairs. The interval inverts the same test, so what is shown is
 * what decides.
 */
export class SignFlip {
  private readonly signs: Int8Array[];

  constructor(private readonly d: Float64Array) {
    const n = d.length;
    this.signs = [];
    if (n <= EXHAUSTIVE_UP_TO) {
      for (let mask = 0; mask < 1 << n; mask++) {
        const s = new Int8Array(n);
        for (let i = 0; i < n; i++) s[i] = mask & (1 << i) ? -1 : 1;
        this.signs.push(s);
      }
    } else {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += d[i]! * (i + 1);
      const random = rng(seedFrom(`sign-flip:${n}:${sum}`));
      this.signs.push(new Int8Array(n).fill(1));
      for (let k = 1; k < DRAWS; k++) this.signs.push(Int8Array.from({ length: n }, () => (random() < 0.5 ? -1 : 1)));
    }
  }

  get estimate(): number {
    let s = 0;
    for (let i = 0; i < this.d.length; i++) s += this.d[i]!;
    return s / this.d.length;
  }

  /** P(mean of flipped (d − θ) ≤ observed mean of (d − θ)): small when the differences sit below θ. */
  pBelow(theta: number): number {
    const n = this.d.length;
    let observed = 0;
    for (let i = 0; i < n; i++) observed += this.d[i]! - theta;
    let count = 0;
    for (const s of this.signs) {
      let m = 0;
      for (let i = 0; i < n; i++) m += s[i]! * (this.d[i]! - theta);
      if (m <= observed + 1e-12 * Math.abs(observed)) count += 1;
    }
    return count / this.signs.length;
  }

  /** P(mean of flipped (d − θ) ≥ observed): small when the differences sit above θ. */
  pAbove(theta: number): number {
    return this.flipped().pBelow(-theta);
  }

  /**
   * The θ for which neither one-sided test rejects at (1 − confidence)/2: an end the test cannot
   * reach (too few pairs for that level) is unbounded.
   */
  interval(confidence: number): Interval {
    const tail = (1 - confidence) / 2;
    if (1 / this.signs.length > tail) return [-Infinity, Infinity];
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of this.d) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    const span = hi - lo || Math.abs(hi) || 1;
    // Upper end: the smallest θ at which "the differences sit below θ" is rejected.
    const upper = this.edge((t) => this.pBelow(t) <= tail, this.estimate, hi + span);
    const lower = -this.flipped().edge((t) => this.flipped().pBelow(t) <= tail, -this.estimate, -lo + span);
    return [lower, upper];
  }

  private cachedFlip?: SignFlip;
  private flipped(): SignFlip {
    return (this.cachedFlip ??= new SignFlip(Float64Array.from(this.d, (x) => -x)));
  }

  /** Bisection for the smallest θ in [from, to] where `rejects` holds (Infinity when it never does). */
  private edge(rejects: (theta: number) => boolean, from: number, to: number): number {
    if (!rejects(to)) return Infinity;
    let a = from;
    let b = to;
    for (let i = 0; i < 40; i++) {
      const mid = (a + b) / 2;
      if (rejects(mid)) b = mid;
      else a = mid;
    }
    return b;
  }
}
