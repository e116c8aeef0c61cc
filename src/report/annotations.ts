import type { Verdict } from '../gate/verdict.js';
import { metricLabel } from './icons.js';

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  file: string;
  line?: number;
  title: string;
  message: string;
}

/**
 * Annotations on the lines that fail, from the verdict alone: input problems, metric thresholds,
 * failing bars (at the config key of their first failing finding, else its section), then failing
 * samples that have a position in their file. Capped at `max`.
 */
export function annotationsFor(
  v: Verdict,
  configFile: string,
  lineOf: (path: string) => number | undefined,
  max = 50,
): Annotation[] {
  const out: Annotation[] = [];
  for (const e of v.errors)
    out.push({
      level: 'error',
      file: e.file,
      line: e.line,
      title: 'llm-release-gate: input problem',
      message: e.message,
    });
  for (const m of v.metrics) {
    if (m.status === 'pass') continue;
    out.push({
      level: m.blocks ? 'error' : 'warning',
      file: configFile,
      line: lineOf(m.config_path),
      title: `${metricLabel(m)}: ${m.status}`,
      message: m.reason,
    });
  }
  for (const b of v.bars) {
    if (b.status === 'pass' || b.status === 'blocked') continue;
    // Metric findings are annotated above, at their own threshold line.
    const failing = b.findings.filter((f) => f.status === 'fail' && !f.metric);
    if (failing.length === 0) continue;
    const key = failing[0]!.config_path;
    out.push({
      level: b.status === 'fail' ? 'error' : 'warning',
      file: configFile,
      line: lineOf(key) ?? lineOf(key.split('.')[0]!) ?? 1,
      title: `Readiness bar ${b.id} (${b.name}): ${b.status}`,
      message: failing.map((f) => f.text).join('\n'),
    });
  }
  for (const f of v.failing.shown) {
    if (!f.file || !f.line) continue;
    out.push({
      level: 'warning',
      file: f.file,
      line: f.line,
      title: `Eval case ${f.outcome === 'error' ? 'errored' : 'failed'}: ${f.id}`,
      message: f.message ?? f.outcome,
    });
  }
  return out.slice(0, max);
}
