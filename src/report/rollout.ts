import type { RolloutDecision } from '../rollout/reconcile.js';
import { escapeMarkdown, table } from './markdown.js';

const ICON = { start: '🚀', advance: '⏫', hold: '⏸️', rollback: '⏪', complete: '✅', none: '➖' } as const;

/** The job summary of a rollout tick: the decision, the evidence, what happens next. */
export function renderRollout(d: RolloutDecision, log: string[], issueUrl: string | undefined, flag: string): string {
  const out = [
    `## ${ICON[d.action]} Rollout of ${escapeMarkdown(flag, 80)}: **${d.action}** → ${d.percent}%`,
    '',
    `**Why:** ${escapeMarkdown(d.reason, 600)}`,
    '',
    `**Next:** ${escapeMarkdown(d.next, 300)}`,
  ];
  if (d.alert) out.push('', `⚠️ ${escapeMarkdown(d.alert, 600)}${issueUrl ? ` ([issue](${issueUrl}))` : ''}`);
  for (const w of d.warnings) out.push('', `⚠️ ${escapeMarkdown(w, 400)}`);
  if (d.evidence.length > 0) {
    out.push('', '### Canary against control', '');
    out.push(
      table(
        ['Metric', 'Status', 'Canary', 'Control', 'Evidence'],
        d.evidence.map((e) => [
          escapeMarkdown(e.name, 80),
          e.status,
          e.canary === null ? '—' : String(Number(e.canary.toPrecision(4))),
          e.control === null ? '—' : String(Number(e.control.toPrecision(4))),
          escapeMarkdown(e.detail, 300),
        ]),
      ),
    );
  }
  if (log.length > 0) out.push('', ...log.map((l) => `- ${escapeMarkdown(l, 300)}`));
  return `${out.join('\n')}\n`;
}
