import { formatDuration } from '../config/duration.js';
import { analyse, type AnalysisMetric, type MetricEvidence, type OnlineMetrics } from './analysis.js';
import type { FlagState } from './flags/types.js';
import type { Stage } from './plan.js';

export type RolloutAction = 'start' | 'advance' | 'hold' | 'rollback' | 'complete' | 'none';

/** The rollout of one release as its deployment record tells it. */
export interface DeploymentRecord {
  id: number;
  release: string;
  /** Index of the current stage. */
  stage: number;
  stageStartedAt: Date;
  status: 'active' | 'paused' | 'rolled_back' | 'complete';
  /** Consecutive ticks whose analysis could not be done (saturates past max_errors). */
  errors: number;
  /** The stage an approver has approved leaving (promote). */
  approvedStage?: number;
  /** The anomaly already reported to the owner at this stage ("hand:25", "off:10"): said once. */
  reported?: string;
  /** The alert issue of this deployment: later alerts are added to it. */
  alertIssue?: number;
}

export interface ObservedState {
  /** The commit being rolled out. */
  release: string;
  /** The latest deployment of this environment, whatever its release. */
  deployment?: DeploymentRecord;
  /** What the flag provider serves, or why it could not be read. */
  flag: FlagState | { error: string };
  /** Did the gate allow the release? undefined: it could not be told. */
  gateAllowed: boolean | undefined;
  metrics: OnlineMetrics | { error: string };
  now: Date;
}

export interface RolloutPolicy {
  stages: Stage[];
  metrics: AnalysisMetric[];
  maxErrors: number;
  onRegression: 'rollback' | 'pause';
}

export interface RolloutDecision {
  action: RolloutAction;
  /** The release this step is about (the live rollout's, when a newer release is not allowed yet). */
  release?: string;
  /** The flag percentage after this step. */
  percent: number;
  /** The stage after this step (-1 when none). */
  stage: number;
  /** Why, in one sentence. */
  reason: string;
  /** What happens next, in one sentence. */
  next: string;
  evidence: MetricEvidence[];
  warnings: string[];
  /** Errors counted toward max_errors after this tick. */
  errors: number;
  /** Set when someone must look: a rollback, a pause, errors over budget, a hand change. */
  alert?: string;
  /** A deployment of an older release to mark inactive (a newer release starts over). */
  supersedes?: number;
  /**
   * The step is already live and only its record is missing (an earlier run wrote the flag, then
   * failed to record it): record it, do not write the flag.
   */
  recordOnly?: boolean;
  /** The flag percentage this step's write expects to find (compare-and-set). */
  expected?: number;
  /** A state to record once, with the owner told: a hand change, a flag switched off, a pause. */
  report?: 'hand' | 'off' | 'pause';
}

/**
 * One tick of the rollout: observed state + metrics + clock + policy → at most one step.
 * Repair first: a flag found exactly at the next planned percentage, or at 0, is a step an earlier
 * run applied but could not record. Safety before bookkeeping: a regressed canary is rolled back
 * whatever the record says. A percentage changed by hand holds the rollout (never a fight) and is
 * reported once; missing or broken metric data holds and counts against max_errors (never a
 * promotion, never a rollback on its own).
 */
/** A rollout still in progress (active or paused), as opposed to done, rolled back or superseded. */
export function isLive(d: DeploymentRecord | undefined): boolean {
  return d !== undefined && (d.status === 'active' || d.status === 'paused');
}

export function reconcile(s: ObservedState, p: RolloutPolicy): RolloutDecision {
  const d = s.deployment;
  // A newer release the gate has not allowed does not stop the watch over the live one: it is still
  // judged (and rolled back on a regression) until a release that is allowed replaces it.
  if (d && isLive(d) && d.release !== s.release && s.gateAllowed !== true) {
    const decision = decideFor({ ...s, release: d.release, gateAllowed: true }, p);
    decision.warnings.unshift(
      `Release ${short(s.release)} ${s.gateAllowed === false ? 'was blocked by the gate' : 'has no gate verdict yet'}: the rollout of ${short(d.release)} goes on.`,
    );
    return { ...decision, release: d.release };
  }
  return { ...decideFor(s, p), release: s.release };
}

function decideFor(s: ObservedState, p: RolloutPolicy): RolloutDecision {
  const first = p.stages[0]!;
  const d = s.deployment;
  const flag = 'error' in s.flag ? undefined : s.flag;
  const none = (reason: string, next: string, extra: Partial<RolloutDecision> = {}) =>
    step('none', flag?.percent ?? 0, -1, reason, next, extra);
  const live = isLive(d);
  const expectedPercent = !d ? 0 : live ? (p.stages[d.stage]?.percent ?? 0) : d.status === 'complete' ? 100 : 0;

  if (!d || d.release !== s.release) {
    if (s.gateAllowed !== true) {
      return none(
        s.gateAllowed === false
          ? `release ${short(s.release)} was blocked by the gate`
          : `the gate's verdict on ${short(s.release)} could not be found`,
        'the rollout starts once the gate allows this release',
      );
    }
    if (!flag)
      return {
        ...none(`the flag could not be read (${(s.flag as { error: string }).error})`, 'the next tick tries again'),
        action: 'hold',
        errors: 1,
      };
    const supersedes = live ? d!.id : undefined;
    const replaces =
      supersedes !== undefined ? `; it replaces ${short(d!.release)} mid-rollout, which starts over` : '';
    const next = `stage 1 (${first.percent}%) bakes for ${formatDuration(first.minDurationMs)} and ${first.minSamples} canary requests`;
    // A start written to the flag but never recorded: record it.
    if (flag.percent === first.percent && flag.percent !== expectedPercent)
      return step(
        'start',
        first.percent,
        0,
        `release ${short(s.release)} is allowed by the gate and the flag is already at ${first.percent}% (an earlier run started it; now recorded)${replaces}`,
        next,
        { supersedes, recordOnly: true },
      );
    // Compare-and-set on the record too: the flag must be where the last record left it. Otherwise
    // a hand (or another run that just started this release) moved it: hold, never fight.
    if (flag.percent !== expectedPercent) {
      return handChange(
        none,
        d,
        flag.percent,
        `the flag is at ${flag.percent}%, but ${d ? `the last rollout (${short(d.release)}) left it at ${expectedPercent}%` : 'no rollout has set it yet'}`,
        `the rollout starts once the flag is back at ${expectedPercent}% (or run rollback)`,
        expectedPercent,
      );
    }
    return step('start', first.percent, 0, `release ${short(s.release)} is allowed by the gate${replaces}`, next, {
      supersedes,
      expected: flag.percent,
    });
  }

  if (d.status === 'rolled_back')
    return none(
      `release ${short(d.release)} was rolled back`,
      'it stays at 0% until a different release is allowed by the gate',
      flag && flag.percent > 0
        ? { warnings: [`The flag is at ${flag.percent}% although ${short(d.release)} was rolled back.`] }
        : {},
    );
  if (d.status === 'complete')
    return none(`release ${short(d.release)} is fully rolled out`, 'nothing to do until the next release', {
      percent: 100,
      stage: d.stage,
    });

  const stage = p.stages[d.stage];
  if (!stage)
    return none(
      `the deployment is at stage ${d.stage + 1}, but the plan has ${p.stages.length} stages`,
      'fix rollout.stages or roll back',
    );
  const hold = (reason: string, next: string, extra: Partial<RolloutDecision> = {}) =>
    step('hold', stage.percent, d.stage, reason, next, extra);

  if (!flag) return countError(hold, d, p, `the flag could not be read (${(s.flag as { error: string }).error})`, []);

  const nextStage = p.stages[d.stage + 1];
  // Switched off in the provider (an Unleash environment, a LaunchDarkly flag): hold and tell, never a fight.
  if (flag.off)
    return handChange(
      hold,
      d,
      flag.percent,
      `the flag serves nobody: ${flag.off}`,
      `the rollout waits until it is switched back on at ${stage.percent}% (or run rollback)`,
      stage.percent,
      'off',
    );
  if (flag.percent !== stage.percent) {
    // Repair: an advance or a rollback an earlier run wrote to the flag but could not record.
    if (nextStage && flag.percent === nextStage.percent)
      return step(
        'advance',
        nextStage.percent,
        d.stage + 1,
        `the flag is already at ${nextStage.percent}%: an earlier run advanced it (now recorded)`,
        `stage ${d.stage + 2} (${nextStage.percent}%) bakes for ${formatDuration(nextStage.minDurationMs)} from now`,
        { recordOnly: true },
      );
    if (flag.percent === 0)
      return step(
        'rollback',
        0,
        d.stage,
        `the flag was found at 0% (rolled back by an earlier run or by hand; now recorded)`,
        'the release stays at 0%; ship a new release to start again',
        {
          recordOnly: true,
          alert: `Rollout of ${short(d.release)} found at 0% at stage ${d.stage + 1}: recorded as rolled back`,
        },
      );
  }

  // Safety before bookkeeping: whatever share the canary has, a clear regression rolls it back.
  const evidence =
    'error' in s.metrics
      ? undefined
      : analyse(p.metrics, s.metrics, {
          noControl: flag.percent >= 100,
          baked:
            s.now.getTime() - d.stageStartedAt.getTime() >= stage.minDurationMs &&
            (s.metrics.canary?.requests ?? 0) >= stage.minSamples,
        });
  const failed = (evidence ?? []).filter((e) => e.status === 'fail');
  const waived = d.status === 'paused' && d.approvedStage === d.stage;
  if (failed.length > 0 && flag.percent > 0 && !waived) {
    const why = failed.map((e) => `${e.name}: ${e.detail}`).join('; ');
    if (p.onRegression === 'pause') {
      return hold(
        `the canary regressed (${why})`,
        'paused: on_regression is pause; promote to go on or rollback to revert',
        {
          percent: flag.percent,
          evidence,
          ...(d.status === 'paused'
            ? {}
            : { report: 'pause' as const, alert: `Rollout of ${short(d.release)} paused at ${flag.percent}%: ${why}` }),
        },
      );
    }
    return step(
      'rollback',
      0,
      d.stage,
      `the canary regressed (${why})`,
      'the flag is at 0%; fix and ship a new release',
      {
        evidence,
        expected: flag.percent,
        alert: `Rolled back ${short(d.release)} from ${flag.percent}%: ${why}`,
      },
    );
  }

  if (flag.percent !== stage.percent)
    return handChange(
      hold,
      d,
      flag.percent,
      `the flag is at ${flag.percent}%, but stage ${d.stage + 1} of the plan is ${stage.percent}%`,
      `the rollout waits until the flag is back at ${stage.percent}% (or run rollback)`,
      stage.percent,
    );

  if (!evidence)
    return countError(hold, d, p, `the metrics could not be read (${(s.metrics as { error: string }).error})`, []);
  const warnings =
    waived && failed.length > 0
      ? [`Regression waived by an approver's promote: ${failed.map((e) => e.name).join(', ')}.`]
      : [];
  const broken = evidence.filter((e) => e.status === 'error');
  if (broken.length > 0)
    return countError(hold, d, p, broken.map((e) => `${e.name}: ${e.detail}`).join('; '), evidence);

  const waiting: string[] = [];
  const baked = s.now.getTime() - d.stageStartedAt.getTime();
  if (baked < stage.minDurationMs)
    waiting.push(
      `it has baked ${formatDuration(Math.max(0, Math.floor(baked / 60_000) * 60_000))} of ${formatDuration(stage.minDurationMs)}`,
    );
  const requests = (s.metrics as OnlineMetrics).canary?.requests ?? 0;
  if (requests < stage.minSamples) waiting.push(`the canary has ${requests} of ${stage.minSamples} requests`);
  const open = evidence.filter((e) => e.status === 'inconclusive');
  if (open.length > 0 && !waived) waiting.push(`not yet conclusive: ${open.map((e) => e.name).join(', ')}`);
  if (waiting.length > 0)
    return hold(
      `stage ${d.stage + 1} (${stage.percent}%) is not ready: ${waiting.join('; ')}`,
      'the next tick looks again',
      { evidence, warnings },
    );

  if (!nextStage) {
    return step(
      'complete',
      stage.percent,
      d.stage,
      `${stage.percent}% has baked with healthy metrics`,
      'the rollout is done',
      { evidence, warnings },
    );
  }
  if ((stage.approval || d.status === 'paused') && d.approvedStage !== d.stage) {
    return hold(
      `stage ${d.stage + 1} (${stage.percent}%) is healthy and waits for an approval`,
      'an approver runs promote to go on',
      { evidence },
    );
  }
  return step(
    'advance',
    nextStage.percent,
    d.stage + 1,
    `stage ${d.stage + 1} (${stage.percent}%) baked with ${waived ? 'an approver’s promote' : 'healthy metrics'}`,
    `stage ${d.stage + 2} (${nextStage.percent}%) bakes for ${formatDuration(nextStage.minDurationMs)}`,
    { evidence, warnings, expected: stage.percent },
  );
}

/** A flag moved outside the plan (or switched off): hold, never fight; tell the owner once. */
function handChange(
  make: (reason: string, next: string, extra?: Partial<RolloutDecision>) => RolloutDecision,
  d: DeploymentRecord | undefined,
  percent: number,
  reason: string,
  next: string,
  planned: number,
  kind: 'hand' | 'off' = 'hand',
): RolloutDecision {
  const warning =
    kind === 'off'
      ? `The flag was switched off outside the plan; the rollout holds at ${planned}% rather than fight it.`
      : `The flag was changed outside the plan (${planned}% → ${percent}%); the rollout holds rather than fight it.`;
  // Told once, by a status on the live deployment; with none to record it on, a warning each tick.
  const first = d !== undefined && isLive(d) && d.reported !== `${kind}:${percent}`;
  return make(reason, next, {
    action: 'hold',
    percent,
    warnings: [warning],
    ...(first ? { report: kind, alert: `${warning} ${reason}.` } : {}),
  });
}

/** A decision with nothing but its action, percentage, stage and words (the rest empty). */
export function step(
  action: RolloutAction,
  percent: number,
  stage: number,
  reason: string,
  next: string,
  extra: Partial<RolloutDecision> = {},
): RolloutDecision {
  return { action, percent, stage, reason, next, evidence: [], warnings: [], errors: 0, ...extra };
}

/**
 * Missing data holds and counts; past max_errors it alerts once (still never promotes or rolls back).
 * The count saturates at max_errors + 1, so an outage of any length writes at most that many statuses.
 */
function countError(
  hold: (reason: string, next: string, extra?: Partial<RolloutDecision>) => RolloutDecision,
  d: DeploymentRecord,
  p: RolloutPolicy,
  why: string,
  evidence: MetricEvidence[],
): RolloutDecision {
  const errors = Math.min(d.errors + 1, p.maxErrors + 1);
  const over = errors > p.maxErrors;
  return hold(
    `the analysis could not be done: ${why}`,
    over
      ? 'someone must look: the metric source keeps failing'
      : `the next tick tries again (${errors} of ${p.maxErrors} errors allowed)`,
    {
      evidence,
      errors,
      alert:
        over && d.errors <= p.maxErrors
          ? `Rollout of ${short(d.release)} is stuck: more than ${p.maxErrors} ticks without usable metrics (${why})`
          : undefined,
    },
  );
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
