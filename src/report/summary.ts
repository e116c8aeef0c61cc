import { showDelta, showInterval, showThreshold, showValue } from '../metrics/display.js';
import { BAR_ICON, METRIC_ICON, metricLabel } from './icons.js';
import type { CaseList, Verdict } from '../gate/verdict.js';
import { formatProblem } from '../errors.js';
import { escapeMarkdown, table } from './markdown.js';

export interface SummaryOptions {
  /** Failing samples listed at most. */
  maxFailing?: number;
  /** The title after the decision icon. */
  title?: string;
  /**
   * full: everything; compact: bars without their evidence, fewer cases listed; minimal: the
   * decision, the reasons and the metric table. Used to fit GitHub's size limits.
   */
  detail?: 'full' | 'compact' | 'minimal';
  /** A line at the end (the PR comment links the run). */
  footer?: string;
}

/** The job summary: readable in ten seconds (decision and why first), details below. */
export function renderSummary(v: Verdict, opts: SummaryOptions = {}): string {
  const detail = opts.detail ?? 'full';
  const maxFailing = detail === 'full' ? (opts.maxFailing ?? 20) : detail === 'compact' ? 5 : 0;
  const listed = detail === 'full' ? 50 : detail === 'compact' ? 10 : 0;
  const out: string[] = [];
  const icon = v.decision === 'allow' ? '✅' : '⛔';
  const service = v.service ? ` — ${escapeMarkdown(v.service, 80)}` : '';
  out.push(`## ${icon} ${opts.title ?? 'LLM release gate'}: **${v.decision}**${service}`);
  const s = v.samples;
  const facts = [
    `readiness **${v.readiness.passed}/${v.readiness.total}**`,
    `tier ${v.tier}`,
    s.total > 0
      ? `${s.total} samples: ${s.passed} passed, ${s.failed} failed, ${s.errors} errors${s.skipped ? `, ${s.skipped} skipped` : ''}`
      : 'no samples read',
    v.inputs.format ? `format ${v.inputs.format}` : undefined,
  ].filter(Boolean);
  out.push('', facts.join(' · '));

  const list = (title: string, items: string[]) => {
    if (items.length === 0) return;
    out.push('', `**${title}**`, '');
    for (const r of items.slice(0, 15)) out.push(`- ${escapeMarkdown(r, 400)}`);
    if (items.length > 15) out.push(`- … and ${items.length - 15} more`);
  };
  for (const n of v.notices) out.push('', `> ${escapeMarkdown(n, 1000)}`);
  list('Why it blocks', v.reasons);
  if (detail !== 'minimal') list('Warnings', v.warnings);

  out.push('', '### Readiness bars', '');
  out.push(
    table(
      ['#', 'Bar', 'Status', 'Blocks at this tier', ...(detail === 'full' ? ['Evidence'] : [])],
      v.bars.map((b) => [
        String(b.id),
        b.name,
        `${BAR_ICON[b.status]} ${b.status}`,
        b.blocking ? 'yes' : 'warn only',
        ...(detail === 'full' ? [b.details.map((d) => escapeMarkdown(d, 240)).join('<br>')] : []),
      ]),
    ),
  );

  if (v.metrics.length > 0) {
    const conf = `${Math.round(v.confidence * 100)}%`;
    const compared = v.metrics.some((m) => m.delta !== null);
    out.push('', '### Metrics', '');
    out.push(
      table(
        [
          'Metric',
          'Value',
          `${conf} interval`,
          'n',
          ...(compared ? ['Baseline → candidate', `Δ (${conf} interval)`] : []),
          'Threshold',
          'Status',
        ],
        v.metrics.map((m) => [
          `${escapeMarkdown(metricLabel(m), 80)}${m.bar === 'guardrails' ? ' (guardrail)' : ''}${m.blocking ? '' : ' (non-blocking)'}`,
          showValue(m.name, m.value),
          showInterval(m.name, m.ci),
          String(m.n),
          ...(compared
            ? [
                m.baseline === null ? '—' : `${showValue(m.name, m.baseline)} → ${showValue(m.name, m.value)}`,
                m.delta === null
                  ? '—'
                  : `${showDelta(m.name, m.delta, true)} (${showDelta(m.name, m.delta_ci?.[0] ?? null, true)} to ${showDelta(m.name, m.delta_ci?.[1] ?? null, true)})`,
              ]
            : []),
          showThreshold(m.name, m.threshold),
          `${METRIC_ICON[m.status]} ${m.status}`,
        ]),
      ),
    );
    const sensitive = v.metrics.filter((m) => m.mde !== null);
    if (sensitive.length > 0) {
      out.push(
        '',
        `Sensitivity (80% power): ${sensitive.map((m) => `${escapeMarkdown(metricLabel(m), 80)} can detect ${m.threshold.max_drop !== undefined ? 'drops' : 'increases'} of ${showDelta(m.name, m.mde)} or more`).join('; ')}.`,
      );
    }
    const notPassing = v.metrics.filter((m) => m.status !== 'pass');
    if (notPassing.length > 0 && detail !== 'minimal') {
      out.push('');
      for (const m of notPassing) out.push(`- ${METRIC_ICON[m.status]} ${escapeMarkdown(m.reason, 400)}`);
    }
  }

  const c = v.comparison;
  if (c) {
    out.push('', '### Against the baseline', '');
    out.push(
      `${c.paired} cases paired with ${escapeMarkdown(c.baseline.files.join(', '), 200)} (${c.baseline.format})` +
        `${c.added.total ? `, ${c.added.total} added` : ''}${c.removed.total ? `, ${c.removed.total} removed` : ''}` +
        ` · ${c.newly_failing.total} newly failing · ${c.newly_passing.total} newly passing`,
    );
    if (c.dataset_change) out.push('', `⚠️ ${escapeMarkdown(c.dataset_change, 300)}`);
    const caseList = (title: string, list: CaseList) => {
      const ids = list.ids.slice(0, listed);
      if (list.total === 0 || ids.length === 0) return;
      out.push(
        '',
        `<details><summary>${title} (${ids.length < list.total ? `first ${ids.length} of ` : ''}${list.total})</summary>`,
        '',
      );
      for (const id of ids) out.push(`- ${escapeMarkdown(id, 160)}`);
      out.push('', '</details>');
    };
    caseList('Newly failing cases', c.newly_failing);
    caseList('Newly passing cases', c.newly_passing);
    caseList('Cases added since the baseline', c.added);
    caseList('Cases removed since the baseline', c.removed);
  }

  if (v.failing.total > 0 && maxFailing > 0) {
    const shown = v.failing.shown.slice(0, maxFailing);
    out.push(
      '',
      `<details><summary>Failing samples (${shown.length < v.failing.total ? `first ${shown.length} of ` : ''}${v.failing.total})</summary>`,
      '',
    );
    out.push(
      table(
        ['Case', 'Outcome', 'Why'],
        shown.map((f) => [escapeMarkdown(f.id, 120), f.outcome, escapeMarkdown(f.message ?? '', 200)]),
      ),
    );
    out.push('', '</details>');
  }

  if (v.errors.length > 0) {
    out.push('', '### Input problems', '');
    for (const e of v.errors.slice(0, 30)) {
      out.push(`- ${escapeMarkdown(formatProblem(e), 700)}`);
    }
  }
  if (opts.footer) out.push('', opts.footer);
  return `${out.join('\n')}\n`;
}
