import type { Run } from '../results/model.js';

/** Candidate and baseline runs joined on stable case ids. */
export interface Pairing {
  cand: Run;
  base: Run;
  /** Table rows of the cases both runs have, aligned. */
  candRows: Int32Array;
  baseRows: Int32Array;
  added: { total: number; ids: string[] };
  removed: { total: number; ids: string[] };
  newlyFailing: { total: number; ids: string[] };
  newlyPassing: { total: number; ids: string[] };
  /** Set when the dataset identity differs (name/hash, or the number of cases). */
  datasetChange?: string;
  /** Some paired case has more than one sample in a run (epochs, repeats, duplicated ids). */
  repeats: boolean;
}

const LISTED = 50;

/** A case passes when most of its scored repeats pass. */
function passes(run: Run, row: number): boolean | undefined {
  const o = run.cases.outcomes(row);
  return o.scored === 0 ? undefined : o.passed * 2 > o.scored;
}

export function pairRuns(cand: Run, base: Run): Pairing {
  const candRows: number[] = [];
  const baseRows: number[] = [];
  const added = { total: 0, ids: [] as string[] };
  const newlyFailing = { total: 0, ids: [] as string[] };
  const newlyPassing = { total: 0, ids: [] as string[] };
  const note = (list: { total: number; ids: string[] }, id: string | undefined) => {
    list.total += 1;
    if (list.ids.length < LISTED && id !== undefined) list.ids.push(id);
  };
  const seenBase = new Uint8Array(base.cases.size);
  let repeats = false;
  for (let row = 0; row < cand.cases.size; row++) {
    const b = base.cases.find(cand.cases.hashOf(row));
    if (b < 0) {
      note(added, cand.ids?.[row]);
      continue;
    }
    seenBase[b] = 1;
    if (cand.cases.outcomes(row).n > 1 || base.cases.outcomes(b).n > 1) repeats = true;
    candRows.push(row);
    baseRows.push(b);
    const now = passes(cand, row);
    const before = passes(base, b);
    if (before === true && now === false) note(newlyFailing, cand.ids?.[row]);
    if (before === false && now === true) note(newlyPassing, cand.ids?.[row]);
  }
  const removed = { total: 0, ids: [] as string[] };
  for (let row = 0; row < base.cases.size; row++) if (!seenBase[row]) note(removed, base.ids?.[row]);

  let datasetChange: string | undefined;
  const [cd, bd] = [cand.meta.dataset, base.meta.dataset];
  if (cd && bd && cd !== bd) datasetChange = `the dataset changed: baseline "${bd}", candidate "${cd}"`;
  else if (added.total + removed.total > 0.1 * Math.max(1, base.cases.size)) {
    datasetChange = `the case set changed: ${added.total} added, ${removed.total} removed of ${base.cases.size} baseline cases`;
  }
  return {
    cand,
    base,
    candRows: Int32Array.from(candRows),
    baseRows: Int32Array.from(baseRows),
    added,
    removed,
    newlyFailing,
    newlyPassing,
    datasetChange,
    repeats,
  };
}
