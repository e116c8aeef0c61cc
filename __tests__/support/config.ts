import { stringify } from 'yaml';

type Json = Record<string, unknown>;
/** A patch: a value replaces, an object merges, `undefined` removes the key. */
export type ConfigPatch = { [key: string]: unknown };

/** A config that clears every bar at the high tier (with samples that pass, cost and trace). */
export const FULL_CONFIG: Json = {
  version: 1,
  service: 'summarizer',
  owner: { name: '@alice', oncall: 'https://pager.example/P1' },
  risk: { tier: 'high', bad_output_cost: 'a wrong refund, up to $500' },
  evals: {
    results: 'r.jsonl',
    min_samples: 100,
    metrics: [{ name: 'pass_rate', min: 0.9 }],
    slices: [{ tag: 'pii', metrics: [{ name: 'pass_rate', min: 0.9 }] }],
  },
  deploy: { model: 'gpt-4o-2024-08-06', workflow: '.github/workflows/deploy.yml' },
  observability: { tracing: 'langfuse' },
  guardrails: { checks: [{ name: 'score.refusal', min: 0.9 }], human_approval: { environment: 'production' } },
  cost: { max_cost_per_request_usd: 0.01, requests_per_day: 1000, monthly_budget_usd: 100 },
  rollout: { flag: { key: 'summarizer-v2', path: 'flags.json' } },
};

function merge(base: unknown, patch: unknown): unknown {
  if (
    typeof patch !== 'object' ||
    patch === null ||
    Array.isArray(patch) ||
    typeof base !== 'object' ||
    base === null ||
    Array.isArray(base)
  )
    return patch;
  const out: Json = { ...(base as Json) };
  for (const [k, v] of Object.entries(patch as Json)) {
    if (v === undefined) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

/** The one config builder of the tests: a base config with patches applied, as YAML text. */
export function configYaml(...patches: ConfigPatch[]): string {
  return configFrom(FULL_CONFIG, ...patches);
}

/** Any base object with patches applied, as YAML text. */
export function configFrom(base: Json, ...patches: ConfigPatch[]): string {
  return stringify(patches.reduce<unknown>((acc, p) => merge(acc, p), base));
}
