import { BUILTIN_METRICS } from './registry.js';
import { measure } from './measure.js';
import { counts, isAggregateOnly, type Run, type SampleCounts } from '../results/model.js';

export interface RunSummary {
  format: string;
  files: string[];
  meta: Run['meta'];
  samples: SampleCounts;
  metrics: Record<string, { value: number; ci: [number | null, number | null]; n: number }>;
  /** True when the file gives aggregates only: thresholds work, per-sample comparison does not. */
  aggregate_only: boolean;
  errors: string[];
}

/** Every metric a run can give (built-ins and named scores), for `llm-release-gate results`. */
export function summarizeRun(run: Run, confidence = 0.95): RunSummary {
  const named = new Set([...run.all.named.keys(), ...run.aggregates.keys()]);
  const names = [...Object.keys(BUILTIN_METRICS), ...[...named].sort().map((k) => `score.${k}`)];
  const metrics: RunSummary['metrics'] = {};
  for (const name of names) {
    const m = measure(run.all, name, confidence, run.aggregates);
    if ('missing' in m) continue;
    metrics[name] = { value: m.value, ci: [finite(m.ci[0]), finite(m.ci[1])], n: m.n };
  }
  return {
    format: run.format,
    files: run.files,
    meta: run.meta,
    samples: counts(run.all),
    metrics,
    aggregate_only: isAggregateOnly(run),
    errors: run.runErrors,
  };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
