import { Moments } from '../stats/mean.js';
import { CaseTable, hashId } from './cases.js';

export type Outcome = 'pass' | 'fail' | 'error' | 'skipped';

/** One eval case outcome, normalized across tools (SPEC §4). */
export interface Sample {
  /** Stable across runs of the same case: what pairs a candidate with its baseline. */
  id: string;
  outcome: Outcome;
  score?: number;
  scores: Record<string, number>;
  tags: string[];
  latencyMs?: number;
  costUsd?: number;
  tokens?: number;
  traceId?: string;
  /** Index of this repetition of the case (epochs, repeats); 0 for a single run. */
  repeat: number;
  /** The failure reason or error text, as the tool wrote it (untrusted text). */
  message?: string;
  /** Where the sample sits, for annotations. */
  file?: string;
  line?: number;
}

export interface RunMeta {
  tool?: string;
  model?: string;
  dataset?: string;
  commit?: string;
}

export const FORMAT_NAMES = [
  'promptfoo',
  'inspect',
  'lm-eval',
  'openai-evals',
  'deepeval',
  'junit',
  'braintrust',
  'native',
] as const;
export type Format = (typeof FORMAT_NAMES)[number];

/** Growable float column: latencies kept for quantiles without one object per sample (8 bytes each). */
export class Column {
  private data = new Float64Array(1024);
  length = 0;
  private isSorted = true;
  push(x: number): void {
    this.isSorted = false;
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }
  /** The values in ascending order (sorted in place once, then kept sorted until the next push). */
  sorted(): Float64Array {
    const view = this.data.subarray(0, this.length);
    if (!this.isSorted) {
      view.sort();
      this.isSorted = true;
    }
    return view;
  }
}

/** Streaming totals for one set of samples (the whole run, or one slice). */
export class Tally {
  total = 0;
  passed = 0;
  failed = 0;
  errors = 0;
  skipped = 0;
  withTraceId = 0;
  readonly score = new Moments();
  readonly named = new Map<string, Moments>();
  readonly latency = new Column();
  readonly cost = new Moments();
  readonly tokens = new Moments();
  /** Distinct cases behind these samples, when known: no interval claims more units than this. */
  units?: number;

  add(s: Sample): void {
    this.total += 1;
    if (s.outcome === 'skipped') return void (this.skipped += 1);
    if (s.outcome === 'error') return void (this.errors += 1);
    // Only scored samples (pass/fail) feed score denominators: an infra error is not a wrong answer.
    if (s.outcome === 'pass') this.passed += 1;
    else this.failed += 1;
    if (s.traceId) this.withTraceId += 1;
    if (isNum(s.score)) this.score.add(s.score);
    for (const k in s.scores) {
      const v = s.scores[k];
      if (!isNum(v)) continue;
      let m = this.named.get(k);
      if (!m) this.named.set(k, (m = new Moments()));
      m.add(v);
    }
    if (isNum(s.latencyMs)) this.latency.push(s.latencyMs);
    if (isNum(s.costUsd)) this.cost.add(s.costUsd);
    if (isNum(s.tokens)) this.tokens.add(s.tokens);
  }

  /** pass + fail: the denominator of pass_rate. */
  get scored(): number {
    return this.passed + this.failed;
  }
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export interface SampleCounts {
  total: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
}

/**
 * A metric the tool reports only in aggregate (lm-eval without samples, Braintrust summaries,
 * inspect headers): good for thresholds, not for per-sample comparison.
 */
export interface Aggregate {
  value: number;
  /** Standard error as the tool reports it, when it does. */
  stderr?: number;
  /** Samples behind the value, when known. */
  n?: number;
  higherIsBetter?: boolean;
}

/** A normalized run: totals for the whole run and per configured slice, and the failing cases. */
export interface Run {
  format: Format;
  files: string[];
  meta: RunMeta;
  all: Tally;
  slices: Map<string, Tally>;
  /** Aggregate-only named metrics, keyed like named scores (`score.<key>` in the config). */
  aggregates: Map<string, Aggregate>;
  /** Errors the tool reported for the run as a whole (an eval that crashed or was cancelled). */
  runErrors: string[];
  /** Failing and errored samples, the first `keepFailing` of them (for reports and annotations). */
  failing: Sample[];
  failingTotal: number;
  /** Per-case totals, for pairing with a baseline. */
  cases: CaseTable;
  /** Case id per `cases` row, when the run was read for pairing. */
  ids?: string[];
  /** Per-case tables of the slices that are compared with a baseline. */
  sliceCases?: Map<string, CaseTable>;
  /** Samples whose (id, repeat) was already seen: counted as repeats of that case, never as more cases. */
  duplicates?: { total: number; ids: string[] };
  /** Distinct cases with a scored (pass/fail) sample: what min_samples counts. */
  scoredCases?: number;
}

export interface RunOptions {
  /** Tags to keep separate totals for (the config's slices). */
  sliceTags?: readonly string[];
  /** How many failing samples to keep for the report. */
  keepFailing?: number;
  /** The run will be paired with another: keep each case's id. */
  pairing?: boolean;
  /** Per-case value channels to keep beyond score, latency and cost (`tokens`, `score.<name>`). */
  pairedChannels?: readonly string[];
  /** Slices whose margins are compared with a baseline: they get case tables of their own. */
  pairedSlices?: readonly string[];
}

/** Beyond this a value is garbage, not a score, latency, cost or count. */
export const MAX_MAGNITUDE = 1e15;

export class RunBuilder {
  readonly all = new Tally();
  readonly slices = new Map<string, Tally>();
  readonly failing: Sample[] = [];
  readonly aggregates = new Map<string, Aggregate>();
  readonly runErrors: string[] = [];
  failingTotal = 0;
  readonly duplicates = { total: 0, ids: [] as string[] };
  private readonly sliceRows = new Map<string, Uint8Array>();
  private readonly sliceUnits = new Map<string, number>();
  readonly cases: CaseTable;
  /** Case id per table row, kept when the run will be paired (to name added, removed, newly failing cases). */
  readonly ids: string[] | undefined;
  readonly sliceCases = new Map<string, CaseTable>();
  private readonly keep: number;
  private readonly extraChannels: string[];

  constructor(options: RunOptions = {}) {
    for (const tag of options.sliceTags ?? []) this.slices.set(tag, new Tally());
    this.keep = options.keepFailing ?? 200;
    this.extraChannels = (options.pairedChannels ?? []).filter((c) => c === 'tokens' || c.startsWith('score.'));
    // Per-case values serve only the pairing with a baseline.
    this.cases = new CaseTable(options.pairing ? this.extraChannels : null);
    this.ids = options.pairing ? [] : undefined;
    for (const tag of options.pairing ? (options.pairedSlices ?? []) : [])
      this.sliceCases.set(tag, new CaseTable(this.extraChannels));
  }

  /** About `n` more samples are coming (a JSON-lines file's size over its lines' length). */
  expect(n: number): void {
    this.cases.reserve(this.cases.size + n);
  }

  /** Add one sample; `file` is where it came from (kept on the failing samples shown). */
  add(sample: Sample, file?: string): void {
    this.guard(sample, file);
    // An (id, repeat) seen before is the same case again, clustered with it: never another case.
    const row = this.cases.row(hashId(sample.id));
    if (!this.cases.markRepeat(row, sample.repeat)) {
      this.duplicates.total += 1;
      if (this.duplicates.ids.length < 10 && !this.duplicates.ids.includes(sample.id))
        this.duplicates.ids.push(sample.id);
    }
    if (this.ids) this.ids[row] ??= sample.id;
    this.tabulate(this.cases, row, sample);
    if (this.sliceCases.size > 0) {
      const hash = this.cases.hashOf(row);
      for (const tag of sample.tags) {
        const table = this.sliceCases.get(tag);
        if (table) this.tabulate(table, table.row(hash), sample);
      }
    }
    this.all.add(sample);
    for (let i = 0; i < sample.tags.length; i++) {
      const tag = sample.tags[i]!;
      const t = this.slices.get(tag);
      if (!t) continue;
      t.add(sample);
      // Distinct cases per slice: a bitmap over the run's case rows.
      let seen = this.sliceRows.get(tag);
      if (!seen || seen.length <= row) {
        const grown = new Uint8Array(Math.max(1024, (row + 1) * 2));
        if (seen) grown.set(seen);
        this.sliceRows.set(tag, (seen = grown));
      }
      if (!seen[row]) {
        seen[row] = 1;
        this.sliceUnits.set(tag, (this.sliceUnits.get(tag) ?? 0) + 1);
      }
    }
    if (sample.outcome === 'fail' || sample.outcome === 'error') {
      this.failingTotal += 1;
      if (this.failing.length < this.keep) {
        if (file && !sample.file) sample.file = file;
        this.failing.push(sample);
      }
    }
  }

  /**
   * A value beyond ±1e15 is not a score, latency, cost or count (and sums of such overflow): it is
   * dropped from the sample and reported as a run error (which blocks), naming the sample.
   */
  private guard(sample: Sample, file?: string): void {
    const bad = (what: string, v: number | undefined): boolean => {
      if (v === undefined || !Number.isFinite(v) || Math.abs(v) <= MAX_MAGNITUDE) return false;
      const where = `sample ${JSON.stringify(sample.id.slice(0, 60))}${sample.line ? ` (line ${sample.line}${file ? ` of ${file}` : ''})` : ''}`;
      if (this.runErrors.length < 5)
        this.runErrors.push(`${where}: ${what} is ${v}, beyond ±1e15: not a score, latency, cost or count`);
      return true;
    };
    if (bad('score', sample.score)) sample.score = undefined;
    if (bad('latency', sample.latencyMs)) sample.latencyMs = undefined;
    if (bad('cost', sample.costUsd)) sample.costUsd = undefined;
    if (bad('tokens', sample.tokens)) sample.tokens = undefined;
    for (const k in sample.scores) if (bad(`scores.${k}`, sample.scores[k])) delete sample.scores[k];
  }

  /** Count a sample in a case table, with its per-case values. */
  private tabulate(cases: CaseTable, row: number, sample: Sample): void {
    if (!cases.count(row, sample.outcome) || (sample.outcome !== 'pass' && sample.outcome !== 'fail')) return;
    cases.values(row, sample.score, sample.latencyMs, sample.costUsd);
    for (let i = 0; i < this.extraChannels.length; i++) {
      const ch = this.extraChannels[i]!;
      cases.value(row, ch, ch === 'tokens' ? sample.tokens : sample.scores[ch.slice(6)]);
    }
  }

  build(format: Format, files: string[], meta: RunMeta): Run {
    let scoredCases = 0;
    for (let row = 0; row < this.cases.size; row++) if (this.cases.outcomes(row).scored > 0) scoredCases += 1;
    this.all.units = this.cases.size;
    for (const [tag, t] of this.slices) t.units = this.sliceUnits.get(tag) ?? 0;
    return {
      format,
      files,
      meta,
      all: this.all,
      slices: this.slices,
      aggregates: this.aggregates,
      runErrors: this.runErrors,
      failing: this.failing,
      failingTotal: this.failingTotal,
      cases: this.cases,
      ids: this.ids,
      sliceCases: this.sliceCases,
      duplicates: this.duplicates,
      scoredCases,
    };
  }
}

/** True when the run has aggregate metrics but no per-sample outcomes. */
export function isAggregateOnly(run: Run): boolean {
  return run.all.total === 0 && run.aggregates.size > 0;
}

export function counts(t: Tally): SampleCounts {
  return { total: t.total, passed: t.passed, failed: t.failed, errors: t.errors, skipped: t.skipped };
}
