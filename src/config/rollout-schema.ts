import * as z from './shape.js';
import { parseDuration } from './duration.js';

export const githubLogin = z.string().describe('A GitHub login such as "@alice".');

/** A duration such as 30m, parsed here: the config carries milliseconds from then on. */
const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, { message: 'is not a duration: write it like 30m, 1h, 2h30m or 1d' })
  .transform((s) => parseDuration(s)!)
  .describe('A duration such as 30m, 1h, 2h30m or 1d.');

/** A required key whose absence gets a message that says what to write. */
const needed = (message: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? message : undefined) }).min(1);

/** A discriminated union whose discriminator may be left out (then `fallback`). */
function withDefaultProvider<T extends z.Schema<unknown, unknown>>(fallback: string, union: T) {
  return z.preprocess(
    (v) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { provider?: unknown }).provider === undefined
        ? { ...v, provider: fallback }
        : v,
    union,
  );
}

const flagKey = z.string().min(1).describe('The flag key in the provider.');

/**
 * The environment variable holding a service's token. Never one of the runner's own (GITHUB_*,
 * ACTIONS_*, INPUT_*): a config could otherwise send the workflow's GitHub token to any URL.
 */
const tokenEnv = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'is not an environment variable name' })
  .refine((name) => !/^(GITHUB_|ACTIONS_|INPUT_|RUNNER_)/i.test(name), {
    message:
      "names one of the runner's own variables (GITHUB_*, ACTIONS_*, INPUT_*, RUNNER_*): pass the service's token in a variable of its own",
  })
  .optional()
  .describe(
    'Name of the environment variable that holds the API token (not GITHUB_*, ACTIONS_*, INPUT_* or RUNNER_*).',
  );

/** The keys every remote service shares: its URL and the environment variable holding its token. */
function service(provider: string, what = '') {
  return {
    url: z
      .string({
        error: (iss) =>
          iss.input === undefined
            ? what
              ? `the ${provider} source needs url`
              : `${provider} needs url: the address of the service`
            : undefined,
      })
      .url()
      .describe('The service URL.'),
    token_env: tokenEnv,
  };
}

const RolloutMetric = z
  .strictObject({
    name: z.string().min(1).describe('X_rate (counts.X / requests) or a name looked up in means.'),
    max_increase: z.number().nonnegative().optional().describe('Canary − control may rise by at most this much.'),
    max_drop: z.number().nonnegative().optional().describe('Canary − control may fall by at most this much.'),
    max: z.number().optional().describe('Absolute upper bound on the canary (judged with an always-valid interval).'),
    min: z.number().optional().describe('Absolute lower bound on the canary (judged with an always-valid interval).'),
    query: z
      .strictObject({
        canary: z.string().min(1).describe('PromQL for the canary.'),
        control: z.string().min(1).describe('PromQL for control.'),
      })
      .optional()
      .describe('Prometheus: a PromQL query per variant. An X_rate query returns a ratio in [0, 1].'),
    sd_query: z
      .strictObject({
        canary: z.string().min(1).describe('PromQL for the canary.'),
        control: z.string().min(1).describe('PromQL for control.'),
      })
      .optional()
      .describe(
        'Prometheus, mean metrics: a PromQL query per variant for the standard deviation per request. With it a mean is judged with error control; without it, on its value once the stage has baked.',
      ),
  })
  .superRefine((m, ctx) => {
    if ([m.max_increase, m.max_drop, m.max, m.min].every((v) => v === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'sets no threshold: add max_increase, max_drop, max or min' });
    }
  });

const Stage = z.strictObject({
  percent: z.number().gt(0).max(100).describe('Share of traffic on the new version at this stage.'),
  min_duration: duration.optional().describe('How long the stage bakes before it may advance.'),
  min_samples: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Canary requests the stage needs before it may advance (the online metrics count them).'),
  approval: z.boolean().default(false).describe('true: a promote run by an approver is needed to leave this stage.'),
});

/**
 * Keys of the other providers, accepted (and ignored) on every provider: configs written before the
 * per-provider schema stay valid. Unknown keys are still rejected.
 */
const unused = 'Not used by this provider (accepted so that switching provider needs no other edit).';
const otherFlagKeys = {
  path: z.string().optional().describe(unused),
  url: z.string().optional().describe(unused),
  project: z.string().optional().describe(unused),
  environment: z.string().optional().describe(unused),
  token_env: tokenEnv,
};
const otherSourceKeys = {
  path: z.string().optional().describe(unused),
  url: z.string().optional().describe(unused),
  token_env: tokenEnv,
  requests: z
    .strictObject({ canary: z.string().describe(unused), control: z.string().describe(unused) })
    .optional()
    .describe(unused),
  freshness: z.string().optional().describe(unused),
  max_age: z.string().optional().describe(unused),
};

export const Rollout = z
  .strictObject({
    environment: z
      .string()
      .min(1)
      .default('production')
      .describe('The GitHub Deployments environment the rollout is recorded in.'),
    flag: withDefaultProvider(
      'flagd-file',
      z.discriminatedUnion('provider', [
        z.strictObject({
          ...otherFlagKeys,
          provider: z
            .literal('flagd-file')
            .describe('The flag lives in a flagd JSON file in the repository (the default).'),
          key: flagKey,
          path: needed('flagd-file needs path: the flagd JSON file, e.g. flags/flags.json').describe(
            'flagd-file: the flagd JSON file in the repository.',
          ),
        }),
        z.strictObject({
          ...otherFlagKeys,
          provider: z.literal('unleash').describe('An Unleash feature toggle (its first flexibleRollout strategy).'),
          key: flagKey,
          ...service('unleash'),
          project: z.string().optional().describe('unleash: the project (default "default").'),
          environment: z.string().optional().describe('unleash: the environment (default "production").'),
        }),
        z.strictObject({
          ...otherFlagKeys,
          provider: z.literal('launchdarkly').describe('A LaunchDarkly boolean flag (its fallthrough rollout).'),
          key: flagKey,
          ...service('launchdarkly'),
          project: z.string().optional().describe('launchdarkly: the project key (default "default").'),
          environment: z.string().optional().describe('launchdarkly: the environment key (default "production").'),
        }),
        z.strictObject({
          ...otherFlagKeys,
          provider: z
            .literal('webhook')
            .describe(
              'Your own service: each step POSTs {flag, percent, release} to url (it keeps no state the gate reads back).',
            ),
          key: flagKey,
          ...service('webhook'),
        }),
      ]),
    ).describe('The feature flag that carries the rollout: provider, key and where it lives.'),
    stages: z
      .array(Stage)
      .min(1)
      .describe('The stages, rising to 100% (default 1%, 10%, 50%, 100%).')
      .default([
        { percent: 1, approval: false },
        { percent: 10, approval: false },
        { percent: 50, approval: false },
        { percent: 100, approval: false },
      ])
      .superRefine((stages, ctx) => {
        stages.forEach((s, i) => {
          if (i > 0 && s.percent <= stages[i - 1]!.percent) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'percent'],
              message: `stages must rise: ${s.percent}% follows ${stages[i - 1]!.percent}%`,
            });
          }
        });
        const last = stages[stages.length - 1];
        if (last && last.percent !== 100)
          ctx.addIssue({
            code: 'custom',
            path: [stages.length - 1, 'percent'],
            message: `the last stage must be 100%, found ${last.percent}%`,
          });
      }),
    analysis: z
      .strictObject({
        source: withDefaultProvider(
          'file',
          z.discriminatedUnion('provider', [
            z.strictObject({
              ...otherSourceKeys,
              provider: z.literal('file').describe('Online metrics from a JSON file (the default).'),
              path: needed('the file source needs path: the online metrics JSON').describe(
                'file: the online metrics JSON (its format: the README, Staged rollout).',
              ),
            }),
            z.strictObject({
              ...otherSourceKeys,
              provider: z.literal('http').describe('Online metrics from a URL answering the same JSON as the file.'),
              ...service('http', 'source'),
            }),
            z.strictObject({
              ...otherSourceKeys,
              provider: z.literal('prometheus').describe('Online metrics from Prometheus queries.'),
              ...service('prometheus', 'source'),
              requests: z
                .strictObject({
                  canary: z.string().min(1).describe('PromQL for the canary.'),
                  control: z.string().min(1).describe('PromQL for control.'),
                })
                .optional()
                .describe('Prometheus: a PromQL query per variant for its request count (X_rate metrics need it).'),
              freshness: z
                .string()
                .min(1)
                .optional()
                .describe(
                  'Prometheus: PromQL answering the Unix time of the newest sample, e.g. max(timestamp(llm_requests_total)). Data older than max_age is then missing, not evidence.',
                ),
              max_age: duration
                .optional()
                .describe('Prometheus: how old the newest sample may be (with freshness; default 10m).'),
            }),
          ]),
        ).describe('Where the online metrics come from: file (default), http or prometheus.'),
        metrics: z.array(RolloutMetric).min(1).describe('What the canary is judged on against control.'),
        max_errors: z
          .number()
          .int()
          .min(0)
          .default(3)
          .describe('Ticks in a row with missing or unreadable metric data before the rollout holds and alerts.'),
      })
      .optional()
      .describe('Canary-versus-control analysis at every stage; without it stages advance on time alone.'),
    on_regression: z
      .enum(['rollback', 'pause'])
      .default('rollback')
      .describe('What a regression does: set the flag to 0% (rollback) or hold the stage and alert (pause).'),
    approvers: z
      .array(githubLogin)
      .default([])
      .describe('GitHub logins allowed to promote a stage that needs approval.'),
    state_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The CLI only: where the rollout record is kept between runs (default .llm-release-gate/rollout-state.json). The action keeps it in a GitHub Deployment.',
      ),
  })
  .superRefine((r, ctx) => {
    // A stage the provider cannot serve exactly would serve nobody (or someone else's share).
    const provider = r.flag.provider;
    r.stages.forEach((s, i) => {
      const problem =
        provider === 'unleash' && !Number.isInteger(s.percent)
          ? 'Unleash serves whole percentages only: use a whole number'
          : (provider === 'launchdarkly' || provider === 'flagd-file') &&
              Math.abs(s.percent * 1000 - Math.round(s.percent * 1000)) > 1e-9
            ? `${provider === 'flagd-file' ? 'flagd weights' : 'LaunchDarkly weights'} are in thousandths of a percent: use at most 3 decimals`
            : undefined;
      if (problem)
        ctx.addIssue({ code: 'custom', path: ['stages', i, 'percent'], message: `${s.percent}%: ${problem}` });
    });
    const src = r.analysis?.source;
    if (src?.provider === 'prometheus') {
      r.analysis!.metrics.forEach((m, i) => {
        if (!m.query)
          ctx.addIssue({
            code: 'custom',
            path: ['analysis', 'metrics', i, 'query'],
            message: 'the prometheus source needs a query per variant: query: { canary: ..., control: ... }',
          });
        else if (m.name.endsWith('_rate') && !src.requests)
          ctx.addIssue({
            code: 'custom',
            path: ['analysis', 'source', 'requests'],
            message: `${m.name} is a rate: the prometheus source needs requests: { canary: ..., control: ... } to weigh it`,
          });
      });
    }
  });

export type RolloutConfig = z.infer<typeof Rollout>;
