import { z } from 'zod';
import { parseDuration } from './duration.js';
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
    max_drop: z.number().nonnegative().optional().describe('Largest allowed drop against the baseline (higher-is-better metrics).'),
    max_increase: z.number().nonnegative().optional().describe('Largest allowed increase against the baseline (lower-is-better metrics).'),
    blocking: z.boolean().default(true).describe('false: a failure warns instead of blocking.'),
  })
  .superRefine((m, ctx) => {
    if (m.min === undefined && m.max === undefined && m.max_drop === undefined && m.max_increase === undefined) {
      ctx.addIssue({ code: 'custom', message: 'sets no threshold: add min, max, max_drop or max_increase' });
    }
    if (m.min !== undefined && m.max !== undefined && m.min > m.max) {
      ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${m.min}) is above max (${m.max}): no value can pass` });
    }
    const info = metricInfo(m.name);
    if (info && m.max_drop !== undefined && !info.higherIsBetter) {
      ctx.addIssue({ code: 'custom', path: ['max_drop'], message: `${m.name} is lower-is-better: use max_increase instead of max_drop` });
    }
    if (info && m.max_increase !== undefined && info.higherIsBetter) {
      ctx.addIssue({ code: 'custom', path: ['max_increase'], message: `${m.name} is higher-is-better: use max_drop instead of max_increase` });
    }
    if (info?.kind === 'rate') {
      for (const key of ['min', 'max'] as const) {
        const v = m[key];
        if (v !== undefined && (v < 0 || v > 1)) {
          ctx.addIssue({ code: 'custom', path: [key], message: `${m.name} is a rate between 0 and 1, found ${v} (write 90% as 0.9)` });
        }
      }
    }
  });
export type MetricThreshold = z.infer<typeof MetricThreshold>;

/** A duration such as 30m, parsed here: the config carries milliseconds from then on. */
const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, { message: 'is not a duration: write it like 30m, 1h, 2h30m or 1d' })
  .transform((s) => parseDuration(s)!)
  .describe('A duration such as 30m, 1h, 2h30m or 1d.');

/** A required key whose absence gets a message that says what to write. */
const needed = (message: string) => z.string({ error: (iss) => (iss.input === undefined ? message : undefined) }).min(1);

/** A discriminated union whose discriminator may be left out (then `fallback`). */
function withDefaultProvider<T extends z.ZodType>(fallback: string, union: T) {
  return z.preprocess((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { provider?: unknown }).provider === undefined ? { ...v, provider: fallback } : v), union);
}

const githubLogin = z
  .string()
  .describe('A GitHub login such as "@alice".');

const pathOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const FORMATS = ['auto', 'promptfoo', 'inspect', 'lm-eval', 'openai-evals', 'deepeval', 'junit', 'braintrust', 'native'] as const;
export const TIERS = ['low', 'medium', 'high', 'critical'] as const;
export type Tier = (typeof TIERS)[number];

const Evals = z.strictObject({
  results: pathOrList.optional().describe('Eval results: a path, a glob, or a list of them.'),
  format: z.enum(FORMATS).default('auto').describe('Results format; auto detects it from the content.'),
  baseline: z
    .union([z.string().min(1), z.strictObject({ ref: z.string().min(1), path: z.string().min(1) })])
    .optional()
    .describe('Baseline results: a path, or { ref, path } read from git.'),
  baseline_required: z.boolean().default(false).describe('true: a missing baseline blocks instead of making margins inconclusive.'),
  min_samples: z.number().int().min(1).default(1).describe('Fewest scored samples (errors and skipped excluded) the gate accepts.'),
  require_commit: z.boolean().default(false).describe('true: results must name the commit under test.'),
  max_error_rate: probability.default(0.05).describe('Largest share of samples that may be infrastructure errors.'),
  statistics: z
    .strictObject({
      confidence: z.number().gt(0.5).lt(1).default(0.95).describe('Confidence level of every interval.'),
      on_inconclusive: z.enum(['warn', 'block']).default('warn').describe('What an inconclusive metric does.'),
      threshold_on: z.enum(['interval', 'estimate']).default('interval').describe('Judge absolute thresholds on the confidence interval (default) or on the point estimate.'),
    })
    .prefault({}),
  metrics: z.array(MetricThreshold).default([]).describe('The pass bar: thresholds on metrics of the whole run.'),
  slices: z
    .array(z.strictObject({ tag: z.string().min(1), metrics: z.array(MetricThreshold).min(1) }))
    .default([])
    .describe('Thresholds on the samples carrying a tag.'),
});

const flagKey = z.string().min(1).describe('The flag key in the provider.');

/** The keys every remote service shares: its URL and the environment variable holding its token. */
function service(provider: string, what = '') {
  return {
    url: z
      .string({ error: (iss) => (iss.input === undefined ? (what ? `the ${provider} source needs url` : `${provider} needs url: the address of the service`) : undefined) })
      .url()
      .describe('The service URL.'),
    token_env: z.string().optional().describe('Name of the environment variable that holds the API token.'),
  };
}

const RolloutMetric = z
  .strictObject({
    name: z.string().min(1).describe('X_rate (counts.X / requests) or a name looked up in means.'),
    max_increase: z.number().nonnegative().optional(),
    max_drop: z.number().nonnegative().optional(),
    max: z.number().optional(),
    min: z.number().optional(),
    query: z.strictObject({ canary: z.string().min(1), control: z.string().min(1) }).optional().describe('Prometheus: a PromQL query per variant.'),
  })
  .superRefine((m, ctx) => {
    if ([m.max_increase, m.max_drop, m.max, m.min].every((v) => v === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'sets no threshold: add max_increase, max_drop, max or min' });
    }
  });

const Stage = z.strictObject({
  percent: z.number().gt(0).max(100).describe('Share of traffic on the new version at this stage.'),
  min_duration: duration.optional(),
  min_samples: z.number().int().min(0).optional(),
  approval: z.boolean().default(false).describe('true: a promote run by an approver is needed to leave this stage.'),
});

const Rollout = z
  .strictObject({
    environment: z.string().min(1).default('production'),
    flag: withDefaultProvider(
      'flagd-file',
      z.discriminatedUnion('provider', [
        z.strictObject({
          provider: z.literal('flagd-file').describe('The flag lives in a flagd JSON file in the repository (the default).'),
          key: flagKey,
          path: needed('flagd-file needs path: the flagd JSON file, e.g. flags/flags.json').describe('flagd-file: the flagd JSON file in the repository.'),
        }),
        z.strictObject({ provider: z.literal('unleash'), key: flagKey, ...service('unleash'), project: z.string().optional(), environment: z.string().optional() }),
        z.strictObject({ provider: z.literal('launchdarkly'), key: flagKey, ...service('launchdarkly'), project: z.string().optional(), environment: z.string().optional() }),
        z.strictObject({ provider: z.literal('webhook'), key: flagKey, ...service('webhook') }),
      ]),
    ),
    stages: z
      .array(Stage)
      .min(1)
      .default([{ percent: 1, approval: false }, { percent: 10, approval: false }, { percent: 50, approval: false }, { percent: 100, approval: false }])
      .superRefine((stages, ctx) => {
        stages.forEach((s, i) => {
          if (i > 0 && s.percent <= stages[i - 1]!.percent) {
            ctx.addIssue({ code: 'custom', path: [i, 'percent'], message: `stages must rise: ${s.percent}% follows ${stages[i - 1]!.percent}%` });
          }
        });
        const last = stages[stages.length - 1];
        if (last && last.percent !== 100) ctx.addIssue({ code: 'custom', path: [stages.length - 1, 'percent'], message: `the last stage must be 100%, found ${last.percent}%` });
      }),
    analysis: z
      .strictObject({
        source: withDefaultProvider(
          'file',
          z.discriminatedUnion('provider', [
            z.strictObject({ provider: z.literal('file'), path: needed('the file source needs path: the online metrics JSON') }),
            z.strictObject({ provider: z.literal('http'), ...service('http', 'source') }),
            z.strictObject({
              provider: z.literal('prometheus'),
              ...service('prometheus', 'source'),
              requests: z
                .strictObject({ canary: z.string().min(1), control: z.string().min(1) })
                .optional()
                .describe('Prometheus: a PromQL query per variant for its request count (X_rate metrics need it).'),
            }),
          ]),
        ),
        metrics: z.array(RolloutMetric).min(1),
        max_errors: z.number().int().min(0).default(3),
      })
      .optional(),
    on_regression: z.enum(['rollback', 'pause']).default('rollback'),
    approvers: z.array(githubLogin).default([]),
  });

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1).describe('Config format version; 1 is the only one.'),
    service: z.string().min(1).describe('Name of the LLM feature or service this config gates.'),
    owner: z
      .strictObject({
        name: githubLogin.describe('The one person who owns this feature: a GitHub login, not a team.'),
        oncall: z.string().min(1).optional().describe('Where incidents go: an on-call schedule URL or rotation name.'),
        backup: githubLogin.optional(),
      })
      .optional(),
    risk: z
      .strictObject({
        tier: z.enum(TIERS).describe('Blast radius: decides which readiness bars block.'),
        bad_output_cost: z.string().min(1).optional().describe('What one wrong output costs, in words.'),
      })
      .optional(),
    evals: Evals.optional(),
    deploy: z
      .strictObject({
        model: z.string().min(1).optional().describe('The model version in production; pin it (no latest-style alias).'),
        workflow: z.string().min(1).optional().describe('The deploy workflow file, e.g. .github/workflows/deploy.yml.'),
      })
      .optional(),
    observability: z
      .strictObject({
        tracing: z.string().min(1).optional().describe('Tracing backend, e.g. langfuse, langsmith, otel.'),
        require_trace_ids: z.boolean().default(false),
      })
      .optional(),
    guardrails: z
      .strictObject({
        checks: z.array(MetricThreshold).default([]),
        human_approval: z.strictObject({ environment: z.string().min(1) }).optional(),
      })
      .optional(),
    cost: z
      .strictObject({
        max_cost_per_request_usd: z.number().positive().optional(),
        requests_per_day: z.number().positive().optional(),
        monthly_budget_usd: z.number().positive().optional(),
      })
      .optional(),
    rollout: Rollout.optional(),
  })
  .describe('llm-release-gate readiness config (.github/llm-release-gate.yml).');

export type Config = z.infer<typeof ConfigSchema>;
export type RolloutConfig = z.infer<typeof Rollout>;

/** The JSON Schema editors use to complete and check the config, generated from the zod schema. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  optionalDefaultProvider(schema, ['flagd-file', 'file']);
  return {
    ...schema,
    $id: 'https://github.com/llm-release-gate/llm-release-gate/blob/main/schema/config.schema.json',
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
