import { each, isObject, num, str, tagsFrom, type Adapter } from '../adapter.js';
import type { Sample } from '../model.js';

/**
 * DeepEval test runs (`TestRun`, e.g. `.deepeval/.latest_test_run.json` or a saved run): per test
 * case `success` and `metricsData[]` (name, score, threshold, success, error). `tokenCost` and
 * `completionTime` describe the application (cost, latency); `evaluationCost` is the judge's and is
 * kept apart, out of cost_per_sample_usd.
 */
export const deepeval: Adapter = {
  format: 'deepeval',
  detect: ({ json }) =>
    isObject(json) &&
    (Array.isArray(json.testCases) || Array.isArray(json.conversationalTestCases)) &&
    ('testPassed' in json || 'metricsScores' in json || 'testFile' in json),
  streams: [['testCases'], ['conversationalTestCases']],
  async read(probe, ctx) {
    const doc = probe.json as Record<string, unknown>;
    let judgeCost = 0;
    const models = new Set<string>();
    let index = -1;
    const read = (key: string) => (tc: unknown, at: number) => {
      index++;
      if (!isObject(tc)) {
        ctx.problem({ path: `${key}.${at}`, message: 'is not an object; the file is not a DeepEval test run' });
        return;
      }
      const metrics = asArray(tc.metricsData).filter(isObject);
      const scores: Record<string, number> = {};
      const failures: string[] = [];
      let error: string | undefined;
      for (const m of metrics) {
        const name = str(m.name) ?? 'metric';
        const score = num(m.score);
        if (score !== undefined) scores[slug(name)] = score;
        if (str(m.error)) error = `${name}: ${String(m.error)}`;
        else if (m.success === false) {
          failures.push(
            `${name} (score: ${score ?? '?'}, threshold: ${num(m.threshold) ?? '?'}${str(m.reason) ? `, reason: ${String(m.reason)}` : ''})`,
          );
        }
        judgeCost += num(m.evaluationCost) ?? 0;
      }
      const meta = isObject(tc.metadata) ? tc.metadata : {};
      if (str(meta.model)) models.add(String(meta.model));
      const success = typeof tc.success === 'boolean' ? tc.success : failures.length === 0;
      const time = num(tc.completionTime);
      const sample: Sample = {
        id: `${str(tc.name) ?? `test_case_${index}`}`,
        outcome: error !== undefined ? 'error' : success ? 'pass' : 'fail',
        scores,
        tags: tagsFrom(tc.tags),
        latencyMs: time !== undefined ? time * 1000 : undefined,
        costUsd: num(tc.tokenCost),
        repeat: 0,
        message: error ?? (failures.length > 0 ? failures.join('; ') : undefined),
      };
      const values = Object.values(scores);
      if (values.length > 0) sample.score = values.reduce((a, b) => a + b, 0) / values.length;
      ctx.emit(sample);
    };
    each(probe, doc.testCases, read('testCases'));
    each(probe, doc.conversationalTestCases, read('conversationalTestCases'));
    if (judgeCost > 0) ctx.aggregate('judge_cost_usd', { value: judgeCost, higherIsBetter: false });
    const hyper = isObject(doc.hyperparameters) ? doc.hyperparameters : {};
    return {
      tool: 'deepeval',
      model: str(hyper.model) ?? (models.size > 0 ? [...models].join(', ') : undefined),
      dataset: str(doc.datasetAlias) ?? str(doc.testFile),
      commit: str(doc.commit) ?? str(hyper.commit) ?? str(hyper.git_sha),
    };
  },
};

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** "Answer Relevancy" -> "answer_relevancy": named scores as config keys (`score.answer_relevancy`). */
export function slug(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}
