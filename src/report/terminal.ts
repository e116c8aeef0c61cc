import { showInterval, showThreshold, showValue } from '../metrics/display.js';
import { metricLabel } from './icons.js';
import type { Verdict } from '../gate/verdict.js';

const CODES = { red: 31, green: 32, yellow: 33, grey: 90, bold: 1 } as const;
type Paint = (code: keyof typeof CODES, s: string) => string;

/** The verdict for a terminal: colour only when `color` (a TTY), plain text otherwise. */
export function renderTerminal(v: Verdict, color: boolean): string {
  const paint: Paint = (code, s) => (color ? `\u001b[${CODES[code]}m${s}\u001b[0m` : s);
  const status = (s: string) =>
    paint(
      s === 'pass' ? 'green' : s === 'warn' || s === 'inconclusive' ? 'yellow' : s === 'blocked' ? 'grey' : 'red',
      s.toUpperCase().padEnd(12),
    );
  const out: string[] = [];
  const decision = v.decision === 'allow' ? paint('green', 'ALLOW') : paint('red', 'BLOCK');
  out.push(
    `${paint('bold', 'llm-release-gate')}: ${decision}${v.service ? `  ${v.service}` : ''}  (readiness ${v.readiness.passed}/${v.readiness.total}, tier ${v.tier})`,
  );
  const s = v.samples;
  if (s.total > 0)
    out.push(
      `samples: ${s.total} total, ${s.passed} passed, ${s.failed} failed, ${s.errors} errors, ${s.skipped} skipped (${v.inputs.format})`,
    );
  out.push('', paint('bold', 'Readiness bars'));
  for (const b of v.bars) {
    out.push(`  ${b.id} ${b.name.padEnd(14)} ${status(b.status)}${b.blocking ? '' : paint('grey', ' (warn only)')}`);
    for (const d of b.details) out.push(paint('grey', `      ${d}`));
  }
  if (v.metrics.length > 0) {
    out.push('', paint('bold', `Metrics (${Math.round(v.confidence * 100)}% intervals)`));
    for (const m of v.metrics) {
      out.push(
        `  ${status(m.status)} ${metricLabel(m).padEnd(28)} ${showValue(m.name, m.value).padStart(10)}  [${showInterval(m.name, m.ci)}]  n=${m.n}  ${showThreshold(m.name, m.threshold)}`,
      );
    }
  }
  if (v.failing.total > 0) {
    out.push('', paint('bold', `Failing samples (${v.failing.total})`));
    for (const f of v.failing.shown.slice(0, 10))
      out.push(
        `  ${f.outcome === 'error' ? 'ERROR' : 'FAIL '} ${f.id}${f.message ? paint('grey', ` — ${oneLine(f.message)}`) : ''}`,
      );
    if (v.failing.total > 10) out.push(paint('grey', `  … and ${v.failing.total - 10} more (--json for all kept)`));
  }
  for (const [title, items] of [
    ['Why it blocks', v.reasons],
    ['Warnings', v.warnings],
  ] as const) {
    if (items.length === 0) continue;
    out.push('', paint('bold', title));
    for (const r of items) out.push(`  - ${r}`);
  }
  return `${out.join('\n')}\n`;
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 119)}…` : t;
}
