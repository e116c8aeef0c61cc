import * as z from './shape.js';
import { FORMAT_NAMES } from '../results/model.js';
import { githubLogin, Rollout } from './rollout-schema.js';
import { pathProblem, refProblem } from './refs.js';
import { BUILTIN_METRICS, metricInfo } from '../metrics/registry.js';

const builtinList = Object.keys(BUILTIN_METRICS).join(', ');

const metricName = z
  .string()
  .refine((n) => metricInfo(n) !== undefined, {
    message: `is not a metric the gate knows: use one of ${builtinList}, or score.<name> for a named score in the results`,
  })
  .describe(`A built-in metric (${builtinList}) or score.<name>, a named score from the results.`);

const probability = z.number().min(0).max(1);

export const MetricThreshold = z
  .strictObject({
    name: metricName,
    min: z.number().optional().describe('Absolute lower bound (the value must be at least this).'),
    max: z.number().optional().describe('Absolute upper bound (the value must be at most this).'),
    max_drop: z
      .number()
      .nonnegative()
      .optional()
      .describe('Largest allowed drop against the baseline (higher-is-better metrics).'),
    max_increase: z
      .number()
      .nonnegative()
      .optional()
      .describe('Largest allowed increase against the baseline (lower-is-better metrics).'),
    blocking: z.boolean().default(true).describe('false: a failure warns instead of blocking.'),
  })
  .superRefine((m, ctx) => {
    if (m.min === undefined && m.max === undefined && m.max_drop === undefined && m.max_increase === undefined) {
      ctx.addIssue({ code: 'custom', message: 'sets no threshold: add min, max, max_drop or max_increase' });
    }
    if (m.min !== undefined && m.max !== undefined && m.min > m.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `min (${m.min}) is above max (${m.max}): no value can pass`,
      });
    }
    const info = metricInfo(m.name);
    if (info && m.max_drop !== undefined && !info.higherIsBetter) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_drop'],
        message: `${m.name} is lower-is-better: use max_increase instead of max_drop`,
      });
    }
    if (info && m.max_increase !== undefined && info.higherIsBetter) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_increase'],
        message: `${m.name} is higher-is-better: use max_drop instead of max_increase`,
      });
    }
    if (info?.kind === 'rate') {
      for (const key of ['min', 'max'] as const) {
        const v = m[key];
        if (v !== undefined && (v < 0 || v > 1)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `${m.name} is a rate between 0 and 1, found ${v} (write 90% as 0.9)`,
          });
        }
      }
    }
  });
export type MetricThreshold = z.infer<typeof MetricThreshold>;

const pathOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** The results formats the config may name; `auto` detects it from the content. */
export const FORMATS = ['auto', ...FORMAT_NAMES] as const;
export const TIERS = ['low', 'medium', 'high', 'critical'] as const;
export type Tier = (typeof TIERS)[number];

const Evals = z.strictObject({
  results: pathOrList.optional().describe('Eval results: a path, a glob, or a list of them.'),
  format: z.enum(FORMATS).default('auto').describe('Results format; auto detects it from the content.'),
  baseline: z
    .union([
      z.string().min(1),
      z.strictObject({
        ref: z
          .string()
          .min(1)
          .superRefine((ref, ctx) => {
            const problem = refProblem(ref);
            if (problem) ctx.addIssue({ code: 'custom', message: `is not a branch, tag or commit: it ${problem}` });
          })
          .describe('The branch, tag or commit the baseline results are read from (git show).'),
        path: z
          .string()
          .min(1)
          .superRefine((file, ctx) => {
            const problem = pathProblem(file);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          })
          .describe('The results file at that ref, relative to the repository root.'),
      }),
    ])
    .optional()
    .describe('Baseline results: a path, or { ref, path } read from git.'),
  baseline_required: z
    .boolean()
    .default(false)
    .describe('true: a missing baseline blocks instead of making margins inconclusive.'),
  min_samples: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'Fewest distinct scored cases (errors, skipped and repeats excluded) the gate accepts. Default by risk.tier: low 1, medium 30, high 100, critical 200.',
    ),
  require_commit: z
    .boolean()
    .default(false)
    .describe('true: results must name the commit under test (a SHA of at least 7 hex characters).'),
  max_error_rate: probability.default(0.05).describe('Largest share of samples that may be infrastructure errors.'),
  statistics: z
    .strictObject({
      confidence: z.number().gt(0.5).lt(1).default(0.95).describe('Confidence level of every interval.'),
      on_inconclusive: z
        .enum(['warn', 'block'])
        .optional()
        .describe(
          'What an inconclusive blocking metric does. Default by risk.tier: low warn; medium blocks when its estimate misses the bar; high and critical block.',
        ),
      threshold_on: z
        .enum(['interval', 'estimate'])
        .default('interval')
        .describe('Judge absolute thresholds on the confidence interval (default) or on the point estimate.'),
    })
    .prefault({})
    .describe('How the statistics are judged.'),
  metrics: z.array(MetricThreshold).default([]).describe('The pass bar: thresholds on metrics of the whole run.'),
  slices: z
    .array(
      z.strictObject({
        tag: z.string().min(1).describe('The tag the slice is made of (tags come from the results).'),
        metrics: z.array(MetricThreshold).min(1).describe('Thresholds on the slice.'),
      }),
    )
    .default([])
    .describe('Thresholds on the samples carrying a tag.'),
});

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema URL, for editors; ignored by the gate.'),
    version: z.literal(1).describe('Config format version; 1 is the only one.'),
    service: z.string().min(1).describe('Name of the LLM feature or service this config gates.'),
    owner: z
      .strictObject({
        name: githubLogin.describe('The one person who owns this feature: a GitHub login, not a team.'),
        oncall: z.string().min(1).optional().describe('Where incidents go: an on-call schedule URL or rotation name.'),
        backup: githubLogin.optional().describe('Who stands in for the owner: a GitHub login.'),
      })
      .optional()
      .describe('Bar 7: one accountable person and where incidents go.'),
    risk: z
      .strictObject({
        tier: z.enum(TIERS).describe('Blast radius: decides which readiness bars block.'),
        bad_output_cost: z.string().min(1).optional().describe('What one wrong output costs, in words.'),
      })
      .optional()
      .describe('Bar 1: how much a wrong output hurts; the tier sets which bars block and the statistics defaults.'),
    evals: Evals.optional().describe('Bar 2: the eval results, the baseline and the pass bar.'),
    deploy: z
      .strictObject({
        model: z
          .string()
          .min(1)
          .optional()
          .describe(
            'The model version in production. Pinned when its id is dated or versioned (gpt-4o-2024-08-06, mistral-large-2411, gemini-1.5-pro-002, @<commit>, @sha256:…, :v3); latest-style aliases fail.',
          ),
        model_pinned: z
          .boolean()
          .default(false)
          .describe(
            'true: count deploy.model as pinned although its id carries no date or version (a provider that guarantees the id never changes); say why in model_pinned_reason.',
          ),
        model_pinned_reason: z
          .string()
          .min(1)
          .optional()
          .describe('Why deploy.model is pinned although its id says nothing of it; required with model_pinned: true.'),
        workflow: z.string().min(1).optional().describe('The deploy workflow file, e.g. .github/workflows/deploy.yml.'),
      })
      .superRefine((d, ctx) => {
        if (d.model_pinned && !d.model_pinned_reason)
          ctx.addIssue({
            code: 'custom',
            path: ['model_pinned_reason'],
            message:
              'is required with model_pinned: true: say why the id cannot change (e.g. "Google stable ids are fixed")',
          });
      })
      .optional()
      .describe('Bar 3: a pinned model and a way back (a flag or a deploy workflow).'),
    observability: z
      .strictObject({
        tracing: z.string().min(1).optional().describe('Tracing backend, e.g. langfuse, langsmith, otel.'),
        require_trace_ids: z
          .boolean()
          .default(false)
          .describe(
            'true: every sample in the results must carry a trace id (trace_id), so a failure can be found in the traces.',
          ),
      })
      .optional()
      .describe('Bar 4: where production traces go.'),
    guardrails: z
      .strictObject({
        checks: z
          .array(MetricThreshold)
          .default([])
          .describe('Thresholds on safety metrics (refusals, jailbreaks, PII), judged like evals.metrics.'),
        human_approval: z
          .strictObject({
            environment: z
              .string()
              .min(1)
              .describe('The GitHub environment whose required reviewers approve a production deploy.'),
          })
          .optional()
          .describe('A person approves before production: a GitHub environment with required reviewers.'),
      })
      .optional()
      .describe('Bar 5: checks that stop harmful output, and a human in the loop.'),
    cost: z
      .strictObject({
        max_cost_per_request_usd: z
          .number()
          .positive()
          .optional()
          .describe("Most a request may cost in USD, judged on the results' cost_per_sample_usd."),
        requests_per_day: z
          .number()
          .positive()
          .optional()
          .describe('Expected production traffic, for the monthly projection (cost per request × requests × 30).'),
        monthly_budget_usd: z
          .number()
          .positive()
          .optional()
          .describe('The monthly budget in USD the projection must stay within.'),
      })
      .optional()
      .describe('Bar 6: what the feature costs per request and per month.'),
    rollout: Rollout.optional().describe('The staged rollout after merge: flag, stages, analysis.'),
  })
  .describe('llm-release-gate readiness config (.github/llm-release-gate.yml).');

export type Config = z.infer<typeof ConfigSchema>;
export type { RolloutConfig } from './rollout-schema.js';

/** The schema at a stable raw URL (the main branch's file; a release tag's path for a pinned version). */
export const SCHEMA_URL =
  'https://raw.githubusercontent.com/llm-release-gate/llm-release-gate/main/schema/config.schema.json';

/** The JSON Schema editors use to complete and check the config, generated from the schema. */
export function configJsonSchema(): Record<string, unknown> {
  const rates = Object.entries(BUILTIN_METRICS)
    .filter(([, m]) => m.kind === 'rate')
    .map(([name]) => name);
  // What the refinements check, said in JSON Schema where it can be: known metric names, rates in [0, 1].
  const schema = z.toJSONSchema(ConfigSchema, (node, jsonSchema) => {
    if (node === metricName) {
      const description = jsonSchema.description;
      for (const k of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[k];
      Object.assign(jsonSchema, {
        description,
        anyOf: [
          { type: 'string', enum: Object.keys(BUILTIN_METRICS) },
          { type: 'string', pattern: '^score\\..+' },
        ],
      });
    } else if (node === MetricThreshold) {
      jsonSchema.allOf = [
        {
          if: { properties: { name: { enum: rates } }, required: ['name'] },
          then: { properties: { min: { minimum: 0, maximum: 1 }, max: { minimum: 0, maximum: 1 } } },
        },
      ];
    }
  });
  optionalDefaultProvider(schema, ['flagd-file', 'file']);
  return {
    ...schema,
    $id: SCHEMA_URL,
    title: 'llm-release-gate config',
  };
}

/** In the JSON Schema, the default branch of a provider union may leave `provider` out (as the loader allows). */
function optionalDefaultProvider(node: unknown, defaults: readonly string[]): void {
  if (typeof node !== 'object' || node === null) return;
  const n = node as { properties?: { provider?: { const?: unknown; default?: unknown } }; required?: string[] };
  const provider = n.properties?.provider;
  if (provider && typeof provider.const === 'string' && defaults.includes(provider.const) && n.required) {
    n.required = n.required.filter((k) => k !== 'provider');
    provider.default = provider.const;
  }
  for (const v of Object.values(node)) optionalDefaultProvider(v, defaults);
}
