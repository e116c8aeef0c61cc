import type { RunSummary } from '../metrics/summary.js';
import type { LocalTick } from '../rollout/local-tick.js';

/** Plain-text renderings of the CLI's rollout and results commands (the gate's verdict: report/terminal). */
export function renderTick(t: LocalTick, dryRun: boolean): string {
  const d = t.decision;
  const lines = [
    `rollout: ${d.action.toUpperCase()} → ${d.percent}%${dryRun ? ' (dry run: nothing written)' : t.wrote ? ' (flag written)' : ''}`,
    `release: ${t.release}`,
    `flag: ${t.flag}`,
    `why: ${d.reason}`,
    `next: ${d.next}`,
    ...d.evidence.map((e) => `  ${e.status.toUpperCase().padEnd(12)} ${e.name}: ${e.detail}`),
    ...d.warnings.map((w) => `warning: ${w}`),
    ...(d.alert ? [`alert: ${d.alert}`] : []),
    ...t.log.map((l) => `log: ${l}`),
    `state: ${t.state}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function renderRunSummary(s: RunSummary): string {
  const lines = [
    `format: ${s.format}`,
    `samples: ${s.samples.total} total, ${s.samples.passed} passed, ${s.samples.failed} failed, ${s.samples.errors} errors, ${s.samples.skipped} skipped`,
    'metrics:',
    ...Object.entries(s.metrics).map(
      ([k, m]) => `  ${k.padEnd(28)} ${String(Number(m.value.toPrecision(4))).padStart(10)}  n=${m.n}`,
    ),
    ...(s.aggregate_only
      ? ['aggregate-only: thresholds work on these values; per-sample comparison with a baseline is not possible']
      : []),
    ...s.errors.map((e) => `error: ${e}`),
  ];
  return `${lines.join('\n')}\n`;
}
