import type { LoadedConfig } from '../config/load.js';
import type { Problem } from '../errors.js';
import { isAggregateOnly, type Run, type Tally } from '../results/model.js';
import { BARS, effectiveTier, isBlocking, modelPinning, ownerShape, resolveStatuses, type BarId, type Finding } from './tiers.js';
import { showValue } from '../metrics/display.js';
import { holm } from '../stats/holm.js';
import { compareMetric, pairRuns, type Pairing } from './compare.js';
import { judgeMetric, measure, metricBlocks, type BaselineView, type DraftMetric, type JudgeOptions } from './metrics.js';
import type { BarResult, MetricResult, Verdict } from './verdict.js';

/** What the gate knows about the repository and the change, gathered by the entry point. */
export interface RepoFacts {
  /** Does a repository-relative file exist in the checkout? */
  fileExists(path: string): boolean;
  /** Commits that count as "this change" (the PR head, the pushed or merge SHA). Empty when unknown. */
  commits: string[];
  /** Answers from the GitHub API; absent without a token or when the API could not be asked. */
  github?: GitHubFacts;
}

export interface GitHubFacts {
  /** The commit the deploy workflow was looked up at. */
  ref?: string;
  workflowExists?: boolean;
  /** 'User', 'Organization', or null when no account has the owner's login. */
  ownerKind?: 'User' | 'Organization' | null;
  /** Required reviewers of guardrails.human_approval.environment; null when it does not exist. */
  environment?: { reviewers: number } | null;
  /** evals.baseline { ref, path } read through the API: null when not there, undefined when it could not be read. */
  baseline?: { ref: string; path: string; text?: string | null };
}

/** Results that could not be read: the problems, and a one-line summary. */
export interface LoadFailure {
  problems: Problem[];
  summary: string;
}

export interface GateInput {
  config: LoadedConfig;
  /** The run, or the problems that stopped it from being read (fail closed). */
  run: Run | LoadFailure;
  /**
   * The baseline run; `missing` when none is configured or it does not exist (margins are then
   * inconclusive, or block with evals.baseline_required); a LoadFailure when it is unreadable.
   */
  baseline?: Run | { missing: string } | LoadFailure;
  facts: RepoFacts;
  inputs: Verdict['inputs'];
}

const DAYS_PER_MONTH = 30;

/** The pure decision: (config, run, repo facts) -> Verdict. */
export function decide({ config: loaded, run: runOrError, baseline: baselineInput, facts, inputs }: GateInput): Verdict {
  const config = loaded.config;
  const tier = effectiveTier(config);
  const evals = config.evals;
  const stats = evals?.statistics ?? { confidence: 0.95, on_inconclusive: 'warn' as const, threshold_on: 'interval' as const };
  const opts: JudgeOptions = { confidence: stats.confidence, thresholdOn: stats.threshold_on, onInconclusive: stats.on_inconclusive };
  const run = 'all' in runOrError ? runOrError : undefined;
  const loadError = 'all' in runOrError ? undefined : runOrError;

  // The baseline: a run to pair with, or why there is none.
  const baselineRun = baselineInput && 'all' in baselineInput ? baselineInput : undefined;
  const baselineError = baselineInput && 'problems' in baselineInput ? baselineInput : undefined;
  const pairing = run && baselineRun && !isAggregateOnly(run) && !isAggregateOnly(baselineRun) ? pairRuns(run, baselineRun) : undefined;
  const view: BaselineView =
    run && baselineRun
      ? {
          value: (name) => {
            const m = measure(baselineRun.all, name, opts.confidence, baselineRun.aggregates);
            return 'missing' in m ? null : m.value;
          },
          compare: (name, slice) => {
            if (slice === undefined) return compareMetric(name, pairing, run, baselineRun);
            const [c, b] = [sliceView(run, slice), sliceView(baselineRun, slice)];
            if (!c || !b) return { unavailable: `the slice "${slice}" has no per-case values in ${c ? 'the baseline' : 'the candidate'}` };
            return compareMetric(name, pairRuns(c, b), c, b);
          },
        }
      : { missing: baselineError ? `the baseline could not be read (${baselineError.summary})` : baselineInput && 'missing' in baselineInput ? baselineInput.missing : 'no baseline is configured (set evals.baseline)' };

  // Metrics: the eval pass bar (whole run and slices) and the guardrail checks.
  const drafts: DraftMetric[] = [];
  if (run) {
    const aggregates = run.aggregates;
    evals?.metrics.forEach((m, i) => drafts.push(judgeMetric(run.all, m, opts, { bar: 'evals', configPath: `evals.metrics.${i}`, aggregates }, view)));
    evals?.slices.forEach((s, si) =>
      s.metrics.forEach((m, i) =>
        drafts.push(judgeMetric(run.slices.get(s.tag) as Tally | undefined, m, opts, { slice: s.tag, bar: 'evals', configPath: `evals.slices.${si}.metrics.${i}` }, view)),
      ),
    );
    config.guardrails?.checks.forEach((m, i) => drafts.push(judgeMetric(run.all, m, opts, { bar: 'guardrails', configPath: `guardrails.checks.${i}`, aggregates }, view)));
  }
  // A regression beyond a margin is declared only when Holm's procedure across the blocking
  // metrics rejects it at (1 − confidence) / 2, one-sided: several metrics do not multiply false blocks.
  const alpha = (1 - opts.confidence) / 2;
  const tested = drafts.map((d, i) => [d, i] as const).filter(([d]) => d.blocking && d.p < 1);
  const rejected = holm(
    tested.map(([d]) => d.p),
    alpha,
  );
  const regression = new Set(tested.filter((_, k) => rejected[k]).map(([, i]) => i));
  const metrics: MetricResult[] = drafts.map((d, i) => d.finish(d.blocking ? regression.has(i) : d.p <= alpha));
  const metricFinding = (m: MetricResult): Finding => ({ ok: !metricBlocks(m, opts.onInconclusive), warn: m.status !== 'pass', text: m.reason });

  const findings: Record<BarId, Finding[]> = { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] };

  // 1 target: a written pass bar and the cost of a bad output.
  const passBar = (evals?.metrics.length ?? 0) + (evals?.slices.length ?? 0);
  findings[1].push(
    passBar > 0
      ? { ok: true, text: `pass bar written: ${evals!.metrics.map((m) => m.name).join(', ') || 'slice thresholds only'}` }
      : { ok: false, text: 'no pass bar: add thresholds under evals.metrics (e.g. { name: pass_rate, min: 0.9 })' },
    config.risk?.tier
      ? { ok: true, text: `risk tier ${config.risk.tier}` }
      : { ok: false, text: 'risk.tier is not set (judged as high, every bar blocking): set low, medium, high or critical' },
    config.risk?.bad_output_cost
      ? { ok: true, text: `cost of a bad output: ${config.risk.bad_output_cost}` }
      : { ok: false, text: 'risk.bad_output_cost is not written: say what one wrong output costs' },
  );

  // 2 evals: results exist, are for this change, are enough, within the error budget, clear the bar.
  if (loadError) {
    findings[2].push({ ok: false, text: loadError.summary }, ...loadError.problems.slice(0, 5).map((p) => ({ ok: false, text: `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}` })));
  } else if (run && evals) {
    const t = run.all;
    const aggregateOnly = isAggregateOnly(run);
    findings[2].push(
      aggregateOnly
        ? { ok: true, warn: true, text: `aggregate-only results from ${run.files.join(', ')} (${run.format}): thresholds are judged on the reported aggregates; per-sample comparison with a baseline is not possible` }
        : { ok: true, text: `${t.total} samples from ${run.files.join(', ')} (${run.format})` },
    );
    for (const e of run.runErrors) findings[2].push({ ok: false, text: `the eval reported an error: ${e}` });
    const commit = run.meta.commit;
    const matches = (c: string) => facts.commits.some((sha) => sha.startsWith(c) || c.startsWith(sha));
    if (commit && facts.commits.length > 0 && !matches(commit)) {
      findings[2].push({ ok: false, text: `stale results: they name commit ${commit.slice(0, 12)}, but this change is ${facts.commits[0]!.slice(0, 12)}; re-run the evals on this commit` });
    } else if (evals.require_commit && !commit) {
      findings[2].push({ ok: false, text: 'evals.require_commit is true but the results name no commit: record the commit in the results metadata' });
    } else if (evals.require_commit && facts.commits.length === 0) {
      findings[2].push({ ok: false, text: 'evals.require_commit is true but the commit under test is unknown (no GITHUB_SHA)' });
    } else if (commit) {
      findings[2].push({ ok: true, text: `results are for commit ${commit.slice(0, 12)}` });
    }
    const scored = aggregateOnly ? Math.max(0, ...[...run.aggregates.values()].map((a) => a.n ?? 0)) : t.scored;
    findings[2].push(
      scored >= evals.min_samples
        ? { ok: true, text: `${scored} scored samples (min_samples ${evals.min_samples})` }
        : { ok: false, text: `${scored} scored samples, under evals.min_samples ${evals.min_samples}${t.errors + t.skipped > 0 ? ` (${t.errors} errors and ${t.skipped} skipped do not count)` : ''}` },
    );
    const attempted = t.total - t.skipped;
    const errorRate = attempted > 0 ? t.errors / attempted : 0;
    findings[2].push(
      errorRate <= evals.max_error_rate
        ? { ok: true, text: `error rate ${pct(errorRate)} within budget ${pct(evals.max_error_rate)}` }
        : { ok: false, text: `${t.errors} of ${attempted} samples were infrastructure errors (${pct(errorRate)}), over evals.max_error_rate ${pct(evals.max_error_rate)}: fix the eval infrastructure and re-run` },
    );
    if (baselineError) {
      findings[2].push({ ok: false, text: `the baseline could not be read: ${baselineError.summary}` });
    } else if (baselineRun) {
      findings[2].push(...baselineFindings(pairing, baselineRun));
    } else if (evals.baseline_required) {
      findings[2].push({ ok: false, text: `evals.baseline_required is true, but ${'missing' in view ? view.missing : 'the baseline is missing'}` });
    } else if (evals.metrics.some((m) => m.max_drop !== undefined || m.max_increase !== undefined)) {
      findings[2].push({ ok: true, warn: true, text: `no baseline comparison: ${'missing' in view ? view.missing : ''}` });
    }
    for (const m of metrics.filter((x) => x.bar === 'evals')) findings[2].push(metricFinding(m));
  } else if (!evals) {
    findings[2].push({ ok: false, text: 'no evals section: add evals.results and evals.metrics' });
  }

  // 3 deploy: pinned model, a rollback path, the deploy workflow in the repository.
  const deploy = config.deploy;
  if (!deploy?.model) findings[3].push({ ok: false, text: 'deploy.model is not set: name the exact model snapshot in production' });
  else {
    const pin = modelPinning(deploy.model);
    findings[3].push({ ok: pin.pinned, text: pin.pinned ? `model pinned: ${pin.why}` : `model not pinned: ${pin.why}; use a dated or versioned model id` });
  }
  findings[3].push(
    config.rollout || deploy?.workflow
      ? { ok: true, text: `rollback path: ${config.rollout ? `feature flag ${config.rollout.flag.key} (${config.rollout.flag.provider})` : `redeploy through ${deploy!.workflow}`}` }
      : { ok: false, text: 'no rollback path: configure rollout (a feature flag) or deploy.workflow' },
  );
  if (deploy?.workflow) {
    const gh = facts.github?.workflowExists;
    const at = facts.github?.ref ? ` at ${facts.github.ref.slice(0, 12)}` : '';
    findings[3].push(
      gh !== undefined
        ? gh
          ? { ok: true, text: `deploy workflow ${deploy.workflow} exists${at}` }
          : { ok: false, text: `deploy.workflow ${deploy.workflow} does not exist${at}: commit it or fix the path` }
        : facts.fileExists(deploy.workflow)
          ? { ok: true, text: `deploy workflow ${deploy.workflow} exists in the checkout` }
          : { ok: false, text: `deploy.workflow ${deploy.workflow} does not exist in the checkout: commit it or fix the path` },
    );
  }

  // 4 observability: a tracing backend; trace ids on results where required.
  const obs = config.observability;
  findings[4].push(obs?.tracing ? { ok: true, text: `tracing: ${obs.tracing}` } : { ok: false, text: 'no tracing backend: set observability.tracing (e.g. langfuse, langsmith, otel)' });
  if (obs?.require_trace_ids && run) {
    const t = run.all;
    findings[4].push(
      t.withTraceId === t.scored
        ? { ok: true, text: `every scored sample carries a trace id (${t.withTraceId})` }
        : { ok: false, text: `${t.scored - t.withTraceId} of ${t.scored} scored samples carry no trace id (observability.require_trace_ids)` },
    );
  }

  // 5 guardrails: guardrail metrics hold; high-consequence tiers need a human approval step.
  const guard = config.guardrails;
  if (!guard || guard.checks.length === 0) findings[5].push({ ok: false, text: 'no guardrail checks: add guardrails.checks (e.g. { name: score.jailbreak_refusal, min: 0.99 })' });
  for (const m of metrics.filter((x) => x.bar === 'guardrails')) findings[5].push(metricFinding(m));
  if (tier === 'high' || tier === 'critical') {
    const env = guard?.human_approval?.environment;
    const gh = facts.github?.environment;
    findings[5].push(
      !env
        ? { ok: false, text: `the ${tier} tier needs a human approval step: set guardrails.human_approval.environment to an environment with required reviewers` }
        : gh === undefined
          ? { ok: true, text: `human approval through environment ${env} (judged from the config; its required reviewers were not checked through the GitHub API)` }
          : gh === null
            ? { ok: false, text: `environment ${env} does not exist: create it under Settings → Environments with required reviewers` }
            : gh.reviewers > 0
              ? { ok: true, text: `environment ${env} requires reviewers (${gh.reviewers})` }
              : { ok: false, text: `environment ${env} has no required reviewers: add them under Settings → Environments, or the approval step is a formality` },
    );
  }

  // 6 cost: measured cost per request × traffic under the monthly budget.
  const cost = config.cost;
  if (!cost?.monthly_budget_usd || !cost.requests_per_day) {
    findings[6].push({ ok: false, text: 'no budget: set cost.requests_per_day and cost.monthly_budget_usd' });
  } else if (!run || run.all.cost.n === 0) {
    findings[6].push({ ok: false, text: 'the results carry no cost per sample, so the monthly cost cannot be projected' });
  } else {
    const perRequest = run.all.cost.mean;
    const monthly = perRequest * cost.requests_per_day * DAYS_PER_MONTH;
    findings[6].push(
      monthly <= cost.monthly_budget_usd
        ? { ok: true, text: `projected ${usd(monthly)}/month (${usd(perRequest)} × ${cost.requests_per_day} requests/day × ${DAYS_PER_MONTH}) within budget ${usd(cost.monthly_budget_usd)}` }
        : { ok: false, text: `projected ${usd(monthly)}/month (${usd(perRequest)} × ${cost.requests_per_day} requests/day × ${DAYS_PER_MONTH}) is over budget ${usd(cost.monthly_budget_usd)}` },
    );
    if (cost.max_cost_per_request_usd !== undefined) {
      findings[6].push(
        perRequest <= cost.max_cost_per_request_usd
          ? { ok: true, text: `${usd(perRequest)} per request within ${usd(cost.max_cost_per_request_usd)}` }
          : { ok: false, text: `${usd(perRequest)} per request is over cost.max_cost_per_request_usd ${usd(cost.max_cost_per_request_usd)}` },
      );
    }
  }

  // 7 owner: one named person with an on-call route.
  const owner = config.owner;
  if (!owner) findings[7].push({ ok: false, text: 'no owner: set owner.name to one person (a GitHub login) and owner.oncall' });
  else {
    const shape = ownerShape(owner.name);
    const kind = facts.github?.ownerKind;
    const login = owner.name.replace(/^@/, '');
    findings[7].push(
      !shape.ok || kind === undefined
        ? shape
        : kind === 'User'
          ? { ok: true, text: `owner @${login}, a person (confirmed through the GitHub API)` }
          : kind === 'Organization'
            ? { ok: false, text: `owner.name @${login} is an organisation: name one person` }
            : { ok: false, text: `owner.name @${login} is not a GitHub account: check the spelling` },
    );
    findings[7].push(owner.oncall ? { ok: true, text: `on-call: ${owner.oncall}` } : { ok: false, text: 'owner.oncall is not set: say where incidents go' });
  }

  const statuses = resolveStatuses(tier, findings);
  const bars: BarResult[] = BARS.map((b) => {
    const status = statuses[b.id];
    const failedDeps = b.deps.filter((d) => statuses[d] === 'fail' || statuses[d] === 'blocked');
    const details = findings[b.id].map((f) => `${!f.ok ? '✗' : f.warn ? '⚠' : '✓'} ${f.text}`);
    if (status === 'blocked') details.unshift(`blocked: depends on ${failedDeps.map((d) => BARS[d - 1]!.name).join(', ')}, which did not pass`);
    return { id: b.id, name: b.name, status, blocking: isBlocking(tier, b.id), details };
  });

  const reasons: string[] = [];
  const warnings: string[] = [];
  for (const bar of bars) {
    const own = findings[bar.id as BarId];
    if (bar.status === 'fail') for (const f of own.filter((x) => !x.ok)) reasons.push(`${bar.name}: ${f.text}`);
    else if (bar.status === 'blocked' && bar.blocking) reasons.push(`${bar.name}: ${bar.details[0]}`);
    else if (bar.status === 'warn') for (const f of own.filter((x) => !x.ok)) warnings.push(`${bar.name} (warn only at tier ${tier}): ${f.text}`);
    if (bar.status !== 'blocked') for (const f of own.filter((x) => x.ok && x.warn)) warnings.push(`${bar.name}: ${f.text}`);
  }

  const decision = bars.some((b) => b.blocking && (b.status === 'fail' || b.status === 'blocked')) ? 'block' : 'allow';
  const t = run?.all;
  return {
    schema: 1,
    decision,
    readiness: { passed: bars.filter((b) => b.status === 'pass').length, total: bars.length },
    reasons,
    warnings,
    notices: [],
    bars,
    metrics,
    samples: { total: t?.total ?? 0, passed: t?.passed ?? 0, failed: t?.failed ?? 0, errors: t?.errors ?? 0, skipped: t?.skipped ?? 0 },
    inputs: { ...inputs, format: run?.format ?? inputs.format },
    service: config.service,
    tier,
    confidence: opts.confidence,
    run: run ? { ...run.meta } : null,
    failing: {
      shown: (run?.failing ?? []).map((s) => ({ id: s.id, outcome: s.outcome as 'fail' | 'error', message: s.message, file: s.file, line: s.line })),
      total: run?.failingTotal ?? 0,
    },
    errors: [...(loadError?.problems ?? []), ...(baselineError?.problems ?? [])],
    comparison: pairing
      ? {
          baseline: { files: pairing.base.files, format: pairing.base.format },
          paired: pairing.candRows.length,
          added: pairing.added,
          removed: pairing.removed,
          newly_failing: pairing.newlyFailing,
          newly_passing: pairing.newlyPassing,
          dataset_change: pairing.datasetChange ?? null,
        }
      : null,
  };
}

/** A run narrowed to one slice's cases (for comparing a slice's margins). */
function sliceView(run: Run, tag: string): Run | undefined {
  const all = run.slices.get(tag);
  const cases = run.sliceCases?.get(tag);
  return all && cases ? { ...run, all, cases, ids: undefined, aggregates: new Map() } : undefined;
}

/** What bar 2 says about the baseline: what was paired, what changed. */
function baselineFindings(pairing: Pairing | undefined, base: Run): Finding[] {
  if (!pairing) {
    return [{ ok: true, warn: true, text: `baseline ${base.files.join(', ')} (${base.format}) is aggregate-only or the candidate is: compared on reported aggregates, not per case` }];
  }
  const out: Finding[] = [
    {
      ok: true,
      text: `baseline ${base.files.join(', ')} (${base.format}): ${pairing.candRows.length} cases paired${pairing.added.total ? `, ${pairing.added.total} added` : ''}${pairing.removed.total ? `, ${pairing.removed.total} removed` : ''} (added and removed cases are left out of paired tests)`,
    },
  ];
  if (pairing.datasetChange) out.push({ ok: true, warn: true, text: `${pairing.datasetChange}: the comparison is only as good as the overlap` });
  if (pairing.newlyFailing.total > 0) out.push({ ok: true, warn: true, text: `${pairing.newlyFailing.total} case${pairing.newlyFailing.total === 1 ? '' : 's'} newly failing, ${pairing.newlyPassing.total} newly passing` });
  return out;
}

/** The verdict when the config itself cannot be read: block, with the problems as the reasons. */
export function configErrorVerdict(configFile: string, summary: string, problems: Problem[], inputs: Verdict['inputs']): Verdict {
  return {
    schema: 1,
    decision: 'block',
    readiness: { passed: 0, total: BARS.length },
    reasons: [summary, ...problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}${p.path ? ` ${p.path}` : ''}: ${p.message}`)],
    warnings: [],
    notices: [],
    bars: BARS.map((b) => ({
      id: b.id,
      name: b.name,
      status: b.id === 1 ? ('fail' as const) : ('blocked' as const),
      blocking: true,
      details: b.id === 1 ? [`✗ the config ${configFile} could not be used: ${summary}`] : ['blocked: the config could not be read'],
    })),
    metrics: [],
    samples: { total: 0, passed: 0, failed: 0, errors: 0, skipped: 0 },
    inputs,
    service: null,
    tier: 'high',
    confidence: 0.95,
    run: null,
    failing: { shown: [], total: 0 },
    errors: problems,
    comparison: null,
  };
}

const pct = (x: number) => showValue('error_rate', x);
const usd = (x: number) => showValue('cost_per_sample_usd', x);
