/**
 * A 53-bit hash of a case id. Two ids of a million-case run collide with probability about 5e-5.
 */
export function hashId(id: string): number {
  const h = hashLanes(id);
  const hi = (h[0]! >>> 0) % 0x200000; // 21 bits
  return hi * 0x100000000 + (h[1]! >>> 0) || 1;
}

const lanes = new Int32Array(2);

/**
 * Two independent 32-bit FNV-1a variants over `text`, from `h1` and `h2` (a hash of a prefix goes on
 * with the rest: the prefix is hashed once for every text that starts with it). The result is one
 * pair, overwritten by the next call: read it at once (a new array per id would cost a million-line
 * file a million allocations).
 */
export function hashLanes(text: string, h1 = 0x811c9dc5, h2 = 0x9747b28c): Int32Array {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  lanes[0] = h1;
  lanes[1] = h2;
  return lanes;
}

/** murmur3's finalizer: every bit of `h` moves about half the bits of the result. */
export function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function add(ch: Channel, row: number, v: number | undefined): void {
  if (v === undefined || !Number.isFinite(v)) return;
  ch.sum[row]! += v;
  ch.n[row]! += 1;
}

const COUNTS = ['n', 'scored', 'passed', 'errors'] as const;
/** Counts per case saturate at 65,535 repeats, far above any eval's epochs. */
const MAX_COUNT = 0xffff;
/** Repeats 0–31 of a case are checked for duplicates; an eval rarely runs more epochs. */
const CHECKED_REPEATS = 32;

/** Running sum and count of one value per case (a score, latency, cost), over its repeats. */
interface Channel {
  sum: Float64Array;
  n: Uint16Array;
}

/**
 * Per-case totals keyed by the id hash, in typed-array columns: about 28 bytes a case (two 4-byte
 * open-addressing slots, the hash, the repeats seen, 16-bit counts), and 30 more for the value
 * channels a run paired with a baseline keeps (64-bit sums and 16-bit counts): a million-case run
 * stays small yet every case can be paired.
 * Channels: `score`, `latency`, `cost`, plus any asked for (`tokens`, `score.<name>`).
 */
export class CaseTable {
  /** Open-addressing slots holding row + 1 (0 = empty). */
  private slots: Int32Array;
  private hashes: Float64Array;
  private repeats: Uint32Array;
  private counts: Record<(typeof COUNTS)[number], Uint16Array>;
  private readonly channels = new Map<string, Channel>();
  /**
   * A secret per table, mixed into the slot a hash starts probing at: ids crafted to share a slot
   * (FNV is easy to invert) would otherwise make every insert probe every earlier one. The hashes
   * themselves, and so every result and the canonical order, stay the same from run to run. (Not
   * from node:crypto: a results file cannot see this process's random numbers, and crypto costs every
   * start, `--version` too, ~3 ms of loading.)
   */
  private readonly salt = (Math.random() * 2 ** 32) >>> 0;
  size = 0;

  /**
   * `channels`: value channels beyond score, latency and cost; `null` keeps no values (a run that is
   * not paired needs only the cases and their counts: half the memory).
   */
  constructor(channels: readonly string[] | null = []) {
    const capacity = 1024;
    this.slots = new Int32Array(capacity * 2);
    this.hashes = new Float64Array(capacity);
    this.repeats = new Uint32Array(capacity);
    this.counts = Object.fromEntries(COUNTS.map((c) => [c, new Uint16Array(capacity)])) as CaseTable['counts'];
    for (const name of channels ? new Set(['score', 'latency', 'cost', ...channels]) : []) {
      this.channels.set(name, { sum: new Float64Array(capacity), n: new Uint16Array(capacity) });
    }
  }

  get capacity(): number {
    return this.hashes.length;
  }

  /** Room for `n` cases (known up front: no growing and rehashing as they come). */
  reserve(n: number): void {
    let capacity = this.hashes.length;
    while (capacity < n) capacity *= 2;
    if (capacity > this.hashes.length) this.growColumns(capacity);
    let slots = this.slots.length;
    while (n * 4 > slots * 3) slots *= 2;
    if (slots > this.slots.length) this.rehash(slots);
  }

  /** Row of a case id hash, created when new. */
  row(hash: number): number {
    const found = this.find(hash);
    if (found >= 0) return found;
    if ((this.size + 1) * 4 > this.slots.length * 3) this.rehash(this.slots.length * 2);
    if (this.size === this.hashes.length) this.growColumns(this.hashes.length * 2);
    const row = this.size++;
    this.hashes[row] = hash;
    this.place(row);
    return row;
  }

  /** Row of a case id hash, or -1 when the table has not seen it. */
  find(hash: number): number {
    const mask = this.slots.length - 1;
    for (let i = this.start(hash) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === 0) return -1;
      if (this.hashes[slot - 1] === hash) return slot - 1;
    }
  }

  hashOf(row: number): number {
    return this.hashes[row]!;
  }

  /** Marks repeat r of a row as seen; false when it was already (a duplicate case). */
  markRepeat(row: number, repeat: number): boolean {
    if (repeat >= CHECKED_REPEATS) return true;
    const bit = (1 << repeat) >>> 0;
    if ((this.repeats[row]! & bit) >>> 0) return false;
    this.repeats[row] = (this.repeats[row]! | bit) >>> 0;
    return true;
  }

  /** Count one repetition's outcome. Returns false when the case is saturated (values not added). */
  count(row: number, outcome: 'pass' | 'fail' | 'error' | 'skipped'): boolean {
    const c = this.counts;
    if (c.n[row]! === MAX_COUNT) return false;
    c.n[row]! += 1;
    if (outcome === 'error') c.errors[row]! += 1;
    else if (outcome === 'pass' || outcome === 'fail') {
      c.scored[row]! += 1;
      if (outcome === 'pass') c.passed[row]! += 1;
    }
    return true;
  }

  /** Add a value to a channel (ignored for channels the table does not keep, and for non-finite values). */
  value(row: number, channel: string, v: number | undefined): void {
    const ch = this.channels.get(channel);
    if (ch) add(ch, row, v);
  }

  /** Add a sample's score, latency and cost (the channels every table keeps). */
  values(row: number, score: number | undefined, latency: number | undefined, cost: number | undefined): void {
    if (this.channels.size === 0) return;
    add(this.channels.get('score')!, row, score);
    add(this.channels.get('latency')!, row, latency);
    add(this.channels.get('cost')!, row, cost);
  }

  hasChannel(channel: string): boolean {
    return this.channels.has(channel);
  }

  /** Scored repeats and passes of a row. */
  outcomes(row: number): { n: number; scored: number; passed: number; errors: number } {
    const c = this.counts;
    return { n: c.n[row]!, scored: c.scored[row]!, passed: c.passed[row]!, errors: c.errors[row]! };
  }

  /** Mean of a channel's values for a row, or NaN when the row has none. */
  mean(row: number, channel: string): number {
    const ch = this.channels.get(channel);
    if (!ch || ch.n[row] === 0) return NaN;
    return ch.sum[row]! / ch.n[row]!;
  }

  /** The probe's first slot: both halves of the hash through a keyed 32-bit mix (murmur3's finalizer). */
  start(hash: number): number {
    return mix(mix((hash >>> 0) ^ this.salt) ^ Math.floor(hash / 0x100000000));
  }

  private place(row: number): void {
    const mask = this.slots.length - 1;
    let i = this.start(this.hashes[row]!) & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = row + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let row = 0; row < this.size; row++) this.place(row);
  }

  private growColumns(cap: number): void {
    const grow = <T extends Uint16Array | Uint32Array | Float64Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(cap);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes, Float64Array);
    this.repeats = grow(this.repeats, Uint32Array);
    for (const c of COUNTS) this.counts[c] = grow(this.counts[c], Uint16Array);
    for (const ch of this.channels.values()) {
      ch.sum = grow(ch.sum, Float64Array);
      ch.n = grow(ch.n, Uint16Array);
    }
  }
}
