import { metricBlocks } from '../gate/metrics.js';
import type { Verdict } from '../gate/verdict.js';
import { metricLabel } from '../metrics/display.js';

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  file: string;
  line?: number;
  title: string;
  message: string;
}

/** The config key each bar is judged from, where its annotation points. */
const BAR_KEY: Record<number, string> = { 1: 'risk', 2: 'evals', 3: 'deploy', 4: 'observability', 5: 'guardrails', 6: 'cost', 7: 'owner' };

/**
 * Annotations on the lines that fail: input problems, metric thresholds, failing bars (at their
 * config section), then failing samples that have a position in their file. Capped at `max`.
 */
export function annotationsFor(
  v: Verdict,
  configFile: string,
  lineOf: (path: string) => number | undefined,
  onInconclusive: 'warn' | 'block',
  max = 50,
): Annotation[] {
  const out: Annotation[] = [];
  for (const e of v.errors) out.push({ level: 'error', file: e.file, line: e.line, title: 'llm-release-gate: input problem', message: e.message });
  for (const m of v.metrics) {
    if (m.status === 'pass') continue;
    out.push({
      level: metricBlocks(m, onInconclusive) ? 'error' : 'warning',
      file: configFile,
      line: lineOf(m.config_path),
      title: `${metricLabel(m)}: ${m.status}`,
      message: m.reason,
    });
  }
  // Metric findings are annotated above at their own threshold line.
  const metricReasons = new Set(v.metrics.map((m) => m.reason));
  for (const b of v.bars) {
    if (b.status === 'pass' || b.status === 'blocked') continue;
    const failing = b.details.filter((d) => d.startsWith('✗')).map((d) => d.slice(2)).filter((d) => !metricReasons.has(d));
    if (failing.length === 0) continue;
    out.push({
      level: b.status === 'fail' ? 'error' : 'warning',
      file: configFile,
      line: lineOf(BAR_KEY[b.id]!) ?? 1,
      title: `Readiness bar ${b.id} (${b.name}): ${b.status}`,
      message: failing.join('\n'),
    });
  }
  for (const f of v.failing.shown) {
    if (!f.file || !f.line) continue;
    out.push({ level: 'warning', file: f.file, line: f.line, title: `Eval case ${f.outcome === 'error' ? 'errored' : 'failed'}: ${f.id}`, message: f.message ?? f.outcome });
  }
  return out.slice(0, max);
}
