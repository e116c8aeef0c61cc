import path from 'node:path';
import { isObject, jsonLines, num, str, type Adapter } from '../adapter.js';

/**
 * lm-evaluation-harness `results_<ts>.json`: per task, `"<metric>,<filter>"` values with
 * `"<metric>_stderr,<filter>"` (a number or the string "N/A"), `higher_is_better`, `n-samples`.
 * Aggregate-only: each becomes `score.<task>.<metric>` (`.<filter>` appended unless it is `none`).
 */
export const lmEvalResults: Adapter = {
  format: 'lm-eval',
  detect: ({ json }) =>
    isObject(json) &&
    isObject(json.results) &&
    (isObject(json['n-samples']) || isObject(json.versions) || 'lm_eval_version' in json),
  async read({ json }, ctx) {
    const doc = json as Record<string, unknown>;
    const results = doc.results as Record<string, unknown>;
    const hib = isObject(doc.higher_is_better) ? doc.higher_is_better : {};
    const nSamples = isObject(doc['n-samples']) ? doc['n-samples'] : {};
    for (const [task, values] of Object.entries(results)) {
      if (!isObject(values)) continue;
      const taskHib = isObject(hib[task]) ? (hib[task] as Record<string, unknown>) : {};
      const ns = isObject(nSamples[task]) ? (nSamples[task] as Record<string, unknown>) : {};
      const n = num(ns.effective) ?? num(ns.original);
      for (const [key, value] of Object.entries(values)) {
        const [metric, filter] = key.split(',');
        if (!metric || filter === undefined || metric.endsWith('_stderr')) continue;
        const v = num(value);
        if (v === undefined) continue;
        const stderrRaw = values[`${metric}_stderr,${filter}`];
        ctx.aggregate(lmEvalKey(task, metric, filter), {
          value: v,
          stderr: num(stderrRaw),
          n,
          higherIsBetter: typeof taskHib[metric] === 'boolean' ? (taskHib[metric] as boolean) : undefined,
        });
      }
    }
    const config = isObject(doc.config) ? doc.config : {};
    return {
      tool: `lm-evaluation-harness${str(doc.lm_eval_version) ? ` ${String(doc.lm_eval_version)}` : ''}`,
      model: str(doc.model_name) ?? str(config.model_args) ?? str(config.model),
      dataset: isObject(doc.task_hashes)
        ? Object.entries(doc.task_hashes)
            .map(([t, h]) => `${t}@${String(h).slice(0, 12)}`)
            .join(', ')
        : Object.keys(results).join(', '),
      commit: str(doc.git_hash),
    };
  },
};

export function lmEvalKey(task: string, metric: string, filter: string): string {
  return filter === 'none' ? `${task}.${metric}` : `${task}.${metric}.${filter}`;
}

/**
 * lm-evaluation-harness `samples_<task>_<ts>.jsonl` (`--log_samples`): one document per line with
 * `doc_id`, the metric names in `metrics` and each metric's per-sample value. The first metric
 * decides pass/fail: a 0/1 metric directly, a continuous one at 0.5 or more. The task name comes
 * from the file name, the only place lm-eval writes it.
 */
export const lmEvalSamples: Adapter = {
  format: 'lm-eval',
  detect: ({ firstLine }) =>
    isObject(firstLine) &&
    'doc_id' in firstLine &&
    ('filtered_resps' in firstLine || 'resps' in firstLine || Array.isArray(firstLine.metrics)),
  async read({ file }, ctx) {
    const task =
      /samples_(.+?)_\d{4}-\d{2}-\d{2}T[\d-:.]+\.jsonl$/.exec(path.basename(file))?.[1] ??
      /samples_(.+?)(?:_[^_]*)?\.jsonl$/.exec(path.basename(file))?.[1] ??
      'task';
    for await (const batch of jsonLines(file, ctx, 'each line of an lm-eval samples file is one JSON document')) {
      for (const { value: doc, line } of batch) {
        if (!isObject(doc)) continue;
        const metrics = Array.isArray(doc.metrics) ? doc.metrics.filter((m): m is string => typeof m === 'string') : [];
        const scores: Record<string, number> = {};
        for (const m of metrics) {
          const v = typeof doc[m] === 'boolean' ? Number(doc[m]) : num(doc[m]);
          if (v !== undefined) scores[`${task}.${m}`] = v;
        }
        const primary = metrics[0] !== undefined ? scores[`${task}.${metrics[0]}`] : undefined;
        if (primary === undefined) {
          ctx.problem({
            line,
            path: 'metrics',
            message: 'the document names no metric with a numeric value; re-run lm-eval with --log_samples',
          });
          continue;
        }
        const docId = num(doc.doc_id) ?? str(doc.doc_id);
        ctx.emit({
          id: `${task}/${String(docId ?? line)}`,
          outcome: primary >= 0.5 ? 'pass' : 'fail',
          score: primary,
          scores,
          tags: [task],
          repeat: 0,
          message: primary >= 0.5 ? undefined : `${metrics[0]} = ${primary} (target ${JSON.stringify(doc.target)})`,
          line,
        });
      }
    }
    return { tool: 'lm-evaluation-harness' };
  },
};
