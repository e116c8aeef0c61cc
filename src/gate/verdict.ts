/** The verdict JSON of SPEC §5: what the gate decided and why. Written to `verdict-file`. */
export type Decision = 'allow' | 'block';
export type BarStatus = 'pass' | 'fail' | 'warn' | 'blocked';
export type MetricStatus = 'pass' | 'fail' | 'warn' | 'inconclusive' | 'error';
/** JSON has no infinity: an unbounded end of an interval is null. */
export type JsonInterval = [number | null, number | null];

export interface Threshold {
  min?: number;
  max?: number;
  max_drop?: number;
  max_increase?: number;
}

export interface MetricResult {
  name: string;
  slice?: string;
  status: MetricStatus;
  value: number | null;
  ci: JsonInterval | null;
  n: number;
  threshold: Threshold;
  baseline: number | null;
  delta: number | null;
  delta_ci: JsonInterval | null;
  /** Cases (or samples, unpaired) behind delta. */
  paired_n: number | null;
  /** The smallest regression this suite would detect with 80% power (same unit as delta). */
  mde: number | null;
  blocking: boolean;
  /** Which bar the metric belongs to. */
  bar: 'evals' | 'guardrails';
  /** One sentence a reviewer can act on. */
  reason: string;
  /** Dotted config key path of the threshold (for annotations). */
  config_path: string;
  /** Does this result stop the release (at its tier, under statistics.on_inconclusive)? */
  blocks: boolean;
}

export type FindingStatus = 'pass' | 'warn' | 'fail';

/** One observation behind a bar's status: what reports show and annotate, with the config key it is about. */
export interface Finding {
  /** fail: the bar does not pass on it; warn: passes, but a reviewer should look; pass. */
  status: FindingStatus;
  text: string;
  /** Dotted config key path the finding is about (where its annotation points). */
  config_path: string;
  /** Set when the finding is a metric's result (annotated at the metric's own line). */
  metric?: true;
}

export interface BarResult {
  id: number;
  name: string;
  status: BarStatus;
  blocking: boolean;
  findings: Finding[];
  /** The bars this one depends on that did not pass (when its status is blocked). */
  blocked_by: string[];
  /** The findings as lines (✓ ⚠ ✗), for readers of verdict schema 1. */
  details: string[];
}

export interface FailingSample {
  id: string;
  outcome: 'fail' | 'error';
  message?: string;
  file?: string;
  line?: number;
}

export interface Verdict {
  schema: 1;
  decision: Decision;
  readiness: { passed: number; total: number };
  reasons: string[];
  /** What does not block but a reviewer should see (warn-only bars, inconclusive or non-blocking metrics). */
  warnings: string[];
  /** How the gate ran that a reviewer should know (the base branch's config was used, a read-only token, ...). */
  notices: string[];
  bars: BarResult[];
  metrics: MetricResult[];
  samples: { total: number; passed: number; failed: number; errors: number; skipped: number };
  inputs: { config: string; results: string[]; baseline: string | null; format: string | null };
  service: string | null;
  tier: string;
  /** Confidence level of every interval in this verdict. */
  confidence: number;
  run: { tool?: string; model?: string; dataset?: string; commit?: string } | null;
  failing: { shown: FailingSample[]; total: number };
  /** Config or results problems that made the gate fail closed. */
  errors: { file: string; path?: string; line?: number; message: string }[];
  /** The candidate paired with its baseline on case ids (null without a per-case baseline). */
  comparison: {
    baseline: { files: string[]; format: string };
    paired: number;
    added: CaseList;
    removed: CaseList;
    newly_failing: CaseList;
    newly_passing: CaseList;
    dataset_change: string | null;
  } | null;
}

/** A count of cases and the first of their ids. */
export interface CaseList {
  total: number;
  ids: string[];
}
