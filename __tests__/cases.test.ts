import { CaseTable, hashId } from '../src/results/cases.js';

describe('per-case table', () => {
  it('keeps one row per case id across growth, and finds them again', () => {
    const t = new CaseTable();
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const row = t.row(hashId(`case-${i}`));
      t.count(row, i % 3 === 0 ? 'fail' : 'pass');
      t.value(row, 'score', i % 10);
      t.value(row, 'latency', 100 + i);
    }
    // every case seen twice more (two repeats)
    for (let r = 1; r <= 2; r++) {
      for (let i = 0; i < n; i++) {
        const row = t.row(hashId(`case-${i}`));
        t.count(row, 'pass');
        t.value(row, 'score', 1);
      }
    }
    expect(t.size).toBe(n);
    const row = t.find(hashId('case-300'));
    expect(t.outcomes(row)).toEqual({ n: 3, scored: 3, passed: 2, errors: 0 });
    expect(t.mean(row, 'score')).toBeCloseTo(2 / 3, 6);
    expect(t.mean(row, 'latency')).toBe(400);
    expect(t.mean(row, 'cost')).toBeNaN();
    expect(t.find(hashId('case-unknown'))).toBe(-1);
  });

  it('keeps every case when room is reserved first, for fewer or more cases than come', () => {
    for (const [reserved, n] of [
      [10, 5_000],
      [5_000, 5_000],
      [20_000, 3_000],
    ] as const) {
      const t = new CaseTable(null);
      t.row(hashId('before'));
      t.reserve(reserved);
      expect(t.capacity).toBeGreaterThanOrEqual(reserved);
      for (let i = 0; i < n; i++) t.count(t.row(hashId(`case-${i}`)), 'pass');
      expect(t.size).toBe(n + 1);
      expect(t.find(hashId('before'))).toBe(0);
      for (let i = 0; i < n; i += 97) expect(t.outcomes(t.find(hashId(`case-${i}`))).passed).toBe(1);
      // a table without value channels ignores values
      expect(t.hasChannel('score')).toBe(false);
    }
  });

  it('tells a duplicate (id, repeat) from a new repeat of the case', () => {
    const t = new CaseTable();
    const row = t.row(hashId('a'));
    expect(t.markRepeat(row, 0)).toBe(true);
    expect(t.markRepeat(row, 1)).toBe(true);
    expect(t.markRepeat(row, 0)).toBe(false);
  });

  it('hashes ids to distinct integers below 2^53', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) {
      const h = hashId(`id-${i}`);
      expect(Number.isSafeInteger(h) && h > 0).toBe(true);
      seen.add(h);
    }
    expect(seen.size).toBe(200_000);
  });
});
