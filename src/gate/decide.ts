import type { LoadedConfig } from '../config/load.js';
import { TIER_STATISTICS } from './tiers.js';
import { formatProblem, type Problem } from '../errors.js';
import type { Run } from '../results/model.js';
import { judgeCost } from './bars/cost.js';
import type { BarContext, LoadFailure, RepoFacts } from './bars/context.js';
import { judgeDeploy } from './bars/deploy.js';
import { judgeEvals } from './bars/evals.js';
import { judgeGuardrails } from './bars/guardrails.js';
import { judgeObservability } from './bars/observability.js';
import { judgeOwner } from './bars/owner.js';
import { judgeTarget } from './bars/target.js';
import { judgeThresholds, pairingOf, type BaselineState } from './thresholds.js';
import { effectiveTier, isBlocking, resolveStatuses, type BarId } from './tiers.js';
import type { BarResult, Finding, Verdict } from './verdict.js';

export type { GitHubFacts, LoadFailure, RepoFacts } from './bars/context.js';

/** The seven bars, in order, each judged by its own module; `deps` must pass before a bar can. */
export const BARS = [
  { id: 1, name: 'target', deps: [], judge: judgeTarget },
  { id: 2, name: 'evals', deps: [1], judge: judgeEvals },
  { id: 3, name: 'deploy', deps: [2], judge: judgeDeploy },
  { id: 4, name: 'observability', deps: [3], judge: judgeObservability },
  { id: 5, name: 'guardrails', deps: [1, 4], judge: judgeGuardrails },
  { id: 6, name: 'cost', deps: [3], judge: judgeCost },
  { id: 7, name: 'owner', deps: [3, 4, 5, 6], judge: judgeOwner },
] as const satisfies readonly {
  id: BarId;
  name: string;
  deps: readonly BarId[];
  judge: (ctx: BarContext) => Finding[];
}[];

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

/** The pure decision: (config, run, repo facts) -> Verdict. Judging is in the bars; this wires them. */
export function decide({
  config: loaded,
  run: runOrError,
  baseline: baselineInput,
  facts,
  inputs,
}: GateInput): Verdict {
  const config = loaded.config;
  const tier = effectiveTier(config);
  const stats = config.evals?.statistics;
  const opts = {
    confidence: stats?.confidence ?? 0.95,
    thresholdOn: stats?.threshold_on ?? ('interval' as const),
    onInconclusive: stats?.on_inconclusive ?? TIER_STATISTICS[tier].onInconclusive,
    baselineRequired: config.evals?.baseline_required ?? false,
    explicit: stats?.on_inconclusive !== undefined,
  };
  const run = 'all' in runOrError ? runOrError : undefined;
  const loadError = 'all' in runOrError ? undefined : runOrError;
  const baseline: BaselineState =
    baselineInput && 'all' in baselineInput
      ? { run: baselineInput, pairing: pairingOf(run, baselineInput) }
      : baselineInput && 'problems' in baselineInput
        ? { error: baselineInput }
        : { missing: baselineInput?.missing ?? 'no baseline is configured (set evals.baseline)' };
  const metrics = judgeThresholds(config, run, baseline, opts);
  const ctx: BarContext = { config, tier, run, loadError, baseline, metrics, facts };

  const findings = Object.fromEntries(BARS.map((b) => [b.id, b.judge(ctx)])) as Record<BarId, Finding[]>;
  const statuses = resolveStatuses(tier, BARS, findings);
  const bars: BarResult[] = BARS.map((b) => {
    const status = statuses[b.id];
    const blockedBy =
      status === 'blocked'
        ? b.deps.filter((d) => statuses[d] === 'fail' || statuses[d] === 'blocked').map((d) => BARS[d - 1]!.name)
        : [];
    return {
      id: b.id,
      name: b.name,
      status,
      blocking: isBlocking(tier, b.id),
      findings: findings[b.id],
      blocked_by: blockedBy,
      details: detailsOf(findings[b.id], blockedBy, status === 'blocked' ? blockedNote(b.id, statuses) : ''),
    };
  });

  const reasons: string[] = [];
  const warnings: string[] = [];
  for (const bar of bars) {
    const failing = bar.findings.filter((f) => f.status === 'fail');
    if (bar.status === 'fail') for (const f of failing) reasons.push(`${bar.name}: ${f.text}`);
    else if (bar.status === 'blocked' && bar.blocking) reasons.push(`${bar.name}: ${bar.details[0]}`);
    else if (bar.status === 'warn')
      for (const f of failing) warnings.push(`${bar.name} (warn only at tier ${tier}): ${f.text}`);
    if (bar.status !== 'blocked')
      for (const f of bar.findings.filter((x) => x.status === 'warn')) warnings.push(`${bar.name}: ${f.text}`);
  }

  const decision = bars.some((b) => b.blocking && (b.status === 'fail' || b.status === 'blocked')) ? 'block' : 'allow';
  const t = run?.all;
  const pairing = 'run' in baseline ? baseline.pairing : undefined;
  return {
    schema: 1,
    decision,
    readiness: { passed: bars.filter((b) => b.status === 'pass').length, total: bars.length },
    reasons,
    warnings,
    notices: [],
    bars,
    metrics,
    samples: {
      total: t?.total ?? 0,
      passed: t?.passed ?? 0,
      failed: t?.failed ?? 0,
      errors: t?.errors ?? 0,
      skipped: t?.skipped ?? 0,
    },
    inputs: { ...inputs, format: run?.format ?? inputs.format },
    service: config.service,
    tier,
    confidence: opts.confidence,
    run: run ? { ...run.meta } : null,
    failing: {
      shown: (run?.failing ?? []).map((s) => ({
        id: s.id,
        outcome: s.outcome as 'fail' | 'error',
        message: s.message,
        file: s.file,
        line: s.line,
      })),
      total: run?.failingTotal ?? 0,
    },
    errors: [...(loadError?.problems ?? []), ...('error' in baseline ? baseline.error.problems : [])],
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

/** The findings as the lines of verdict schema 1 (✓ pass, ⚠ warn, ✗ fail), after why a bar is blocked. */
function detailsOf(findings: readonly Finding[], blockedBy: readonly string[], note = ''): string[] {
  const lines = findings.map((f) => `${f.status === 'fail' ? '✗' : f.status === 'warn' ? '⚠' : '✓'} ${f.text}`);
  if (blockedBy.length > 0) lines.unshift(`blocked: depends on ${blockedBy.join(', ')}, which did not pass${note}`);
  return lines;
}

/**
 * Why a blocked bar waits, in the article's terms: the readiness path goes in order, so a bar is
 * judged done only once the steps before it are; the failing steps it waits for come first.
 */
function blockedNote(id: BarId, statuses: Record<BarId, string>): string {
  const before = new Set<BarId>();
  const visit = (b: BarId) => {
    for (const d of BARS[b - 1]!.deps)
      if (!before.has(d)) {
        before.add(d);
        visit(d);
      }
  };
  visit(id);
  const failing = [...before].filter((d) => statuses[d] === 'fail').sort((a, b) => a - b);
  if (failing.length === 0) return '';
  const names = failing.map((d) => BARS[d - 1]!.name);
  return ` (the readiness path goes in order: fix ${names.join(' and ')} first; this bar's own checks are below)`;
}

/** The verdict when the config itself cannot be read: block, with the problems as the reasons. */
export function configErrorVerdict(
  configFile: string,
  summary: string,
  problems: Problem[],
  inputs: Verdict['inputs'],
): Verdict {
  return unjudgedVerdict(
    `the config ${configFile} could not be used: ${summary}`,
    'the config',
    'blocked: the config could not be read',
    [summary, ...problems.map(formatProblem)],
    problems,
    inputs,
  );
}

/** The verdict of a run that stopped before it could judge (a crash, out of memory, a kill): block. */
export function stoppedVerdict(reason: string, inputs: Verdict['inputs']): Verdict {
  return unjudgedVerdict(
    `the gate stopped before a verdict: ${reason}`,
    'the run',
    'blocked: the gate stopped before a verdict',
    [reason],
    [],
    inputs,
  );
}

/** Block, nothing judged: bar 1 fails with `finding`, every other bar is blocked by `cause` (`detail`). */
function unjudgedVerdict(
  finding: string,
  cause: string,
  detail: string,
  reasons: string[],
  problems: Problem[],
  inputs: Verdict['inputs'],
): Verdict {
  return {
    schema: 1,
    decision: 'block',
    readiness: { passed: 0, total: BARS.length },
    reasons,
    warnings: [],
    notices: [],
    bars: BARS.map((b) => {
      const findings: Finding[] = b.id === 1 ? [{ status: 'fail', text: finding, config_path: '' }] : [];
      return {
        id: b.id,
        name: b.name,
        status: b.id === 1 ? ('fail' as const) : ('blocked' as const),
        blocking: true,
        findings,
        blocked_by: b.id === 1 ? [] : [cause],
        details: b.id === 1 ? detailsOf(findings, []) : [detail],
      };
    }),
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
