import { each, isObject, num, str, tagsFrom, type Adapter } from '../adapter.js';
import { hashLanes, mix } from '../cases.js';
import type { Outcome, Sample } from '../model.js';

/**
 * promptfoo `-o results.json` (results `version` 3). Rows carry `success`, `score`,
 * `namedScores`, `latencyMs`, `cost`, `tokenUsage` and `failureReason` (0 pass, 1 assertion
 * failure, 2 error). `error` is also set on plain assertion failures, so it alone is not an
 * infrastructure error.
 */
export const promptfoo: Adapter = {
  format: 'promptfoo',
  detect: ({ json }) =>
    isObject(json) && isObject(json.results) && Array.isArray(json.results.results) && 'version' in json.results,
  streams: [['results', 'results']],
  async read(probe, ctx) {
    const doc = probe.json as {
      results: Record<string, unknown>;
      metadata?: Record<string, unknown>;
      config?: Record<string, unknown>;
    };
    const version = doc.results.version;
    if (typeof version !== 'number' || version < 3) {
      ctx.problem({
        path: 'results.version',
        message: `promptfoo results version ${JSON.stringify(version)} is not supported; re-run with a current promptfoo (results version 3) and \`-o results.json\``,
      });
      return {};
    }
    const prompts = Array.isArray(doc.results.prompts) ? doc.results.prompts : [];
    const rows = doc.results.results;
    const models = new Set<string>();
    // The provider is part of a case's identity only when the run compares several side by side:
    // a run on a new model must pair with the baseline's cases, not look like a new suite. promptfoo
    // lists a prompt per provider; only a file without them has its rows read twice.
    let providers = new Set(prompts.map((p) => (isObject(p) ? str(p.provider) : undefined)));
    if (prompts.length === 0 || providers.has(undefined)) {
      providers = new Set();
      each(probe, rows, (row) => isObject(row) && providers.add(providerOf(row)));
    }
    const multiProvider = providers.size > 1;
    each(probe, rows, (row, index) => {
      if (!isObject(row)) {
        ctx.problem({
          path: `results.results.${index}`,
          message: 'is not an object; the file is not a promptfoo results export',
        });
        return;
      }
      const sample = toSample(row, index, prompts, multiProvider);
      const provider = isObject(row.provider) ? str(row.provider.id) : str(row.provider);
      if (provider) models.add(provider);
      ctx.emit(sample);
    });
    const meta = isObject(doc.metadata) ? doc.metadata : {};
    return {
      tool: `promptfoo${str(meta.promptfooVersion) ? ` ${String(meta.promptfooVersion)}` : ''}`,
      model: models.size > 0 ? [...models].sort().join(', ') : undefined,
      dataset: isObject(doc.config) ? str(doc.config.description) : undefined,
      commit: str(meta.commit) ?? str(meta.gitCommit),
    };
  },
};

function providerOf(row: Record<string, unknown>): string {
  const providerObj = isObject(row.provider) ? row.provider : {};
  return str(providerObj.label) ?? str(providerObj.id) ?? str(row.provider) ?? '';
}

function toSample(row: Record<string, unknown>, index: number, prompts: unknown[], multiProvider: boolean): Sample {
  const test = isObject(row.testCase) ? row.testCase : {};
  const vars = isObject(row.vars) ? row.vars : isObject(test.vars) ? test.vars : {};
  const description = str(test.description);
  const provider = multiProvider ? providerOf(row) : '';
  const promptIdx = num(row.promptIdx);
  const promptEntry =
    promptIdx !== undefined && isObject(prompts[promptIdx])
      ? (prompts[promptIdx] as Record<string, unknown>)
      : undefined;
  const prompt = isObject(row.prompt) ? row.prompt : {};
  const promptLabel = str(prompt.label) ?? str(promptEntry?.label) ?? '';
  // A prompt's user label comes before promptfoo's "label: file: template" composite; keying on it
  // keeps a case paired with its baseline when the template text changes.
  const promptKey = promptLabel.split(': ')[0] ?? '';
  const id = promptfooCaseId(
    description ?? `test ${num(row.testIdx) ?? index}`,
    description ?? '',
    vars,
    promptKey,
    provider,
  );

  const failureReason = num(row.failureReason);
  const outcome: Outcome =
    failureReason === 2
      ? 'error'
      : row.success === true
        ? 'pass'
        : failureReason === undefined && str(row.error) && !isObject(row.gradingResult)
          ? 'error'
          : 'fail';
  const grading = isObject(row.gradingResult) ? row.gradingResult : {};
  const named = isObject(row.namedScores) ? row.namedScores : isObject(grading.namedScores) ? grading.namedScores : {};
  const scores: Record<string, number> = {};
  for (const [k, v] of Object.entries(named)) if (num(v) !== undefined) scores[k] = v as number;
  const usage = isObject(row.tokenUsage)
    ? row.tokenUsage
    : isObject(row.response) && isObject(row.response.tokenUsage)
      ? row.response.tokenUsage
      : {};
  const metadata = isObject(test.metadata) ? test.metadata : {};
  const rowMeta = isObject(row.metadata) ? row.metadata : {};
  const responseMeta = isObject(row.response) && isObject(row.response.metadata) ? row.response.metadata : {};
  return {
    id,
    outcome,
    score: num(row.score),
    scores,
    tags: tagsFrom(metadata.tag, metadata.tags),
    latencyMs: num(row.latencyMs),
    costUsd: num(row.cost),
    tokens: num(usage.total),
    traceId: str(rowMeta.traceId) ?? str(rowMeta.trace_id) ?? str(responseMeta.traceId) ?? str(responseMeta.trace_id),
    repeat: num(row.repeatIndex) ?? 0,
    message: outcome === 'pass' ? undefined : (str(row.error) ?? str(grading.reason)),
  };
}

/**
 * The stable id of a promptfoo case: test description and vars, the prompt's label, and the provider
 * when the run has several (empty otherwise, so a model swap still pairs). Shared by the JSON and CSV
 * readers so either pairs with the other.
 */
export function promptfooCaseId(
  title: string,
  description: string,
  vars: Record<string, unknown>,
  promptKey: string,
  provider: string,
): string {
  return promptfooCaseIds(title, description, vars)(promptKey, provider);
}

/**
 * The ids of one test case under each prompt and provider: the vars are serialised and hashed once
 * (a CSV row has a column per prompt; hashing its vars per column would be quadratic). Not a
 * cryptographic hash: the ten hex digits only tell apart cases that share a title, and node:crypto
 * costs every run ~7 ms of loading.
 */
export function promptfooCaseIds(
  title: string,
  description: string,
  vars: Record<string, unknown>,
): (promptKey: string, provider: string) => string {
  // The hash of JSON.stringify([description, vars, promptKey, provider]).
  const prefix = hashLanes(`[${JSON.stringify(description)},${JSON.stringify(sortKeys(vars))},`);
  const p1 = prefix[0];
  const p2 = prefix[1];
  return (promptKey, provider) => {
    const h = hashLanes(`${JSON.stringify(promptKey)},${JSON.stringify(provider)}]`, p1, p2);
    const hex = (mix(h[0]!).toString(16).padStart(8, '0') + mix(h[1]!).toString(16).padStart(8, '0')).slice(0, 10);
    return `${title} [${[promptKey, provider].filter(Boolean).join(' · ')}] ${hex}`;
  };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}
