/**
 * A 53-bit hash of a case id. Two ids of a million-case run collide with probability about 5e-5.
 */
export function hashId(id: string): number {
  // Two independent 32-bit FNV-1a variants, combined into an integer below 2^53.
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  const hi = (h1 >>> 0) % 0x200000; // 21 bits
  return hi * 0x100000000 + (h2 >>> 0) || 1;
}

export interface CaseRecord {
  /** Repetitions seen (epochs, repeats). */
  n: number;
  /** Scored repetitions (pass + fail) and how many passed. */
  scored: number;
  passed: number;
  errors: number;
  scoreSum: number;
  scoreN: number;
  latencySum: number;
  latencyN: number;
  costSum: number;
  costN: number;
}

const COLUMNS = ['n', 'scored', 'passed', 'errors', 'scoreN', 'latencyN', 'costN'] as const;
/** Counts per case saturate at 65,535 repeats, far above any eval's epochs. */
const MAX_COUNT = 0xffff;
/** Repeats 0–7 of a case are checked for duplicates; an eval rarely runs more epochs. */
const CHECKED_REPEATS = 8;

/**
 * Per-case totals keyed by the id hash, in typed-array columns: about 45 bytes a case (a 4-byte
 * open-addressing slot at load factor ≤ 0.75, the hash, 16-bit counts, 32-bit sums), so a
 * million-case run stays small yet every case can be paired with its baseline.
 */
export class CaseTable {
  /** Open-addressing slots holding row + 1 (0 = empty). */
  private slots: Int32Array;
  private hashes: Float64Array;
  private repeats: Uint8Array;
  private counts: Record<(typeof COLUMNS)[number], Uint16Array>;
  private sums: { score: Float32Array; latency: Float32Array; cost: Float32Array };
  size = 0;

  /** `expected`: how many cases to make room for up front. */
  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity < expected) capacity *= 2;
    this.slots = new Int32Array(capacity * 2);
    this.hashes = new Float64Array(capacity);
    this.repeats = new Uint8Array(capacity);
    this.counts = Object.fromEntries(COLUMNS.map((c) => [c, new Uint16Array(capacity)])) as CaseTable['counts'];
    this.sums = { score: new Float32Array(capacity), latency: new Float32Array(capacity), cost: new Float32Array(capacity) };
  }

  /** Row of a case id hash, created when new. */
  row(hash: number): number {
    const found = this.find(hash);
    if (found >= 0) return found;
    if ((this.size + 1) * 4 > this.slots.length * 3) this.rehash(this.slots.length * 2);
    if (this.size === this.hashes.length) this.growColumns();
    const row = this.size++;
    this.hashes[row] = hash;
    this.place(row);
    return row;
  }

  /** Row of a case id hash, or -1 when the table has not seen it. */
  find(hash: number): number {
    const mask = this.slots.length - 1;
    for (let i = hash % this.slots.length; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === 0) return -1;
      if (this.hashes[slot - 1] === hash) return slot - 1;
    }
  }

  /** Marks repeat r of a row as seen; false when it was already (a duplicate case). */
  markRepeat(row: number, repeat: number): boolean {
    if (repeat >= CHECKED_REPEATS) return true;
    const bit = 1 << repeat;
    if (this.repeats[row]! & bit) return false;
    this.repeats[row]! |= bit;
    return true;
  }

  add(row: number, outcome: 'pass' | 'fail' | 'error' | 'skipped', score?: number, latency?: number, cost?: number): void {
    const c = this.counts;
    if (c.n[row]! === MAX_COUNT) return;
    c.n[row]! += 1;
    if (outcome === 'error') c.errors[row]! += 1;
    if (outcome !== 'pass' && outcome !== 'fail') return;
    c.scored[row]! += 1;
    if (outcome === 'pass') c.passed[row]! += 1;
    if (score !== undefined && Number.isFinite(score)) {
      c.scoreN[row]! += 1;
      this.sums.score[row]! += score;
    }
    if (latency !== undefined && Number.isFinite(latency)) {
      c.latencyN[row]! += 1;
      this.sums.latency[row]! += latency;
    }
    if (cost !== undefined && Number.isFinite(cost)) {
      c.costN[row]! += 1;
      this.sums.cost[row]! += cost;
    }
  }

  get(row: number): CaseRecord {
    const c = this.counts;
    return {
      n: c.n[row]!,
      scored: c.scored[row]!,
      passed: c.passed[row]!,
      errors: c.errors[row]!,
      scoreSum: this.sums.score[row]!,
      scoreN: c.scoreN[row]!,
      latencySum: this.sums.latency[row]!,
      latencyN: c.latencyN[row]!,
      costSum: this.sums.cost[row]!,
      costN: c.costN[row]!,
    };
  }

  hashOf(row: number): number {
    return this.hashes[row]!;
  }

  private place(row: number): void {
    const mask = this.slots.length - 1;
    let i = this.hashes[row]! % this.slots.length;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = row + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let row = 0; row < this.size; row++) this.place(row);
  }

  private growColumns(): void {
    const cap = this.hashes.length * 2;
    const grow = <T extends Uint8Array | Uint16Array | Float32Array | Float64Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(cap);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes, Float64Array);
    this.repeats = grow(this.repeats, Uint8Array);
    for (const c of COLUMNS) this.counts[c] = grow(this.counts[c], Uint16Array);
    this.sums = { score: grow(this.sums.score, Float32Array), latency: grow(this.sums.latency, Float32Array), cost: grow(this.sums.cost, Float32Array) };
  }
}
