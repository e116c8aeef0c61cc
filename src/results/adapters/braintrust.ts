import { isObject, jsonLines, num, str, type Adapter } from '../adapter.js';

/** Keys in snake_case (JS, Python) or PascalCase (Go) read alike: lower case, no separators. */
function norm(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[-_]/g, '').toLowerCase(), v]));
}

/**
 * `braintrust eval --jsonl` experiment summaries: one line per experiment with `scores`
 * ({name: {score, diff, improvements, regressions}}) and `metrics` ({name: {metric, unit}}), or a
 * failure line `{evaluator_name, errors}`. Aggregate-only: each score is `score.<name>` (prefixed
 * `<experiment>/` when the file holds several experiments); a failure line is a run error.
 */
export const braintrust: Adapter = {
  format: 'braintrust',
  detect: ({ firstLine }) => {
    if (!isObject(firstLine)) return false;
    const o = norm(firstLine);
    return (
      ('experimentname' in o && ('scores' in o || 'metrics' in o)) || ('evaluatorname' in o && Array.isArray(o.errors))
    );
  },
  async read({ file }, ctx) {
    const experiments: { name: string; scores: Record<string, unknown>; metrics: Record<string, unknown> }[] = [];
    const projects = new Set<string>();
    for await (const batch of jsonLines(
      file,
      ctx,
      'each line of `braintrust eval --jsonl` output is one experiment summary',
    )) {
      for (const { value: raw, line } of batch) {
        if (!isObject(raw)) continue;
        const o = norm(raw);
        if (Array.isArray(o.errors) && o.errors.length > 0) {
          ctx.runError(
            `evaluator ${str(o.evaluatorname) ?? '(unnamed)'} failed: ${o.errors.map(String).join('; ').slice(0, 500)}`,
          );
          continue;
        }
        if (str(o.projectname)) projects.add(String(o.projectname));
        experiments.push({
          name: str(o.experimentname) ?? `line ${line}`,
          scores: isObject(o.scores) ? o.scores : {},
          metrics: isObject(o.metrics) ? o.metrics : {},
        });
      }
    }
    const prefix = (exp: string) => (experiments.length > 1 ? `${exp}/` : '');
    for (const exp of experiments) {
      for (const [name, s] of Object.entries(exp.scores)) {
        const v = isObject(s) ? num(norm(s).score) : num(s);
        if (v !== undefined) ctx.aggregate(`${prefix(exp.name)}${name}`, { value: v, higherIsBetter: true });
      }
      for (const [name, m] of Object.entries(exp.metrics)) {
        const v = isObject(m) ? num(norm(m).metric) : num(m);
        if (v !== undefined) ctx.aggregate(`${prefix(exp.name)}${name}`, { value: v, higherIsBetter: false });
      }
    }
    return { tool: 'braintrust', dataset: [...projects].join(', ') || undefined };
  },
};
