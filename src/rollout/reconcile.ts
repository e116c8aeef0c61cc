import { formatDuration } from '../config/duration.js';
import { analyse, type AnalysisMetric, type MetricEvidence, type OnlineMetrics } from './analysis.js';
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
  /** Consecutive ticks whose analysis could not be done. */
  errors: number;
  /** The stage an approver has approved leaving (promote). */
  approvedStage?: number;
}

export interface ObservedState {
  /** The commit being rolled out. */
  release: string;
  /** The latest deployment of this environment, whatever its release. */
  deployment?: DeploymentRecord;
  /** The live percentage from the flag provider, or why it could not be read. */
  flag: number | { error: string };
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
  /** Set when someone must look: a rollback, a pause on regression, errors over budget. */
  alert?: string;
  /** A deployment of an older release to mark inactive (a newer release starts over). */
  supersedes?: number;
}

/**
 * One tick of the rollout: observed state + metrics + clock + policy → at most one step.
 * A percentage changed by hand holds the rollout (never a fight); missing or broken metric data
 * holds and counts against max_errors (never a promotion, never a rollback on its own).
 */
export function reconcile(s: ObservedState, p: RolloutPolicy): RolloutDecision {
  const first = p.stages[0]!;
  const d = s.deployment;
  const flagPercent = typeof s.flag === 'number' ? s.flag : undefined;
  const none = (reason: string, next: string, extra: Partial<RolloutDecision> = {}) =>
    step('none', flagPercent ?? 0, -1, reason, next, extra);

  if (!d || d.release !== s.release) {
    if (s.gateAllowed !== true) {
      return none(
        s.gateAllowed === false
          ? `release ${short(s.release)} was blocked by the gate`
          : `the gate's verdict on ${short(s.release)} could not be found`,
        'the rollout starts once the gate allows this release',
      );
    }
    if (typeof s.flag !== 'number')
      return {
        ...none(`the flag could not be read (${s.flag.error})`, 'the next tick tries again'),
        action: 'hold',
        errors: 1,
      };
    // Compare-and-set on the record too: the flag must be where the last record left it. Otherwise
    // a hand (or another run that just started this release) moved it: hold, never fight.
    const live = d && (d.status === 'active' || d.status === 'paused');
    const expected = live ? (p.stages[d.stage]?.percent ?? 0) : d?.status === 'complete' ? 100 : 0;
    if (s.flag !== expected) {
      return {
        ...none(
          `the flag is at ${s.flag}%, but ${d ? `the last rollout (${short(d.release)}) left it at ${expected}%` : 'no rollout has set it yet'}`,
          `the rollout starts once the flag is back at ${expected}% (or run rollback)`,
        ),
        action: 'hold',
        warnings: [
          `The flag was changed outside the plan (${expected}% → ${s.flag}%); the rollout holds rather than fight it.`,
        ],
      };
    }
    const supersedes = live ? d.id : undefined;
    return step(
      'start',
      first.percent,
      0,
      `release ${short(s.release)} is allowed by the gate${supersedes !== undefined ? `; it replaces ${short(d!.release)} mid-rollout, which starts over` : ''}`,
      `stage 1 (${first.percent}%) bakes for ${formatDuration(first.minDurationMs)} and ${first.minSamples} canary requests`,
      { supersedes },
    );
  }

  if (d.status === 'rolled_back')
    return none(`release ${short(d.release)} was rolled back`, 'a new release starts a new rollout');
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

  if (typeof s.flag !== 'number') return countError(hold, d, p, `the flag could not be read (${s.flag.error})`, []);
  if (s.flag !== stage.percent) {
    return hold(
      `the flag is at ${s.flag}%, but stage ${d.stage + 1} of the plan is ${stage.percent}%`,
      `the rollout waits until the flag is back at ${stage.percent}% (or run rollback)`,
      {
        percent: s.flag,
        warnings: [
          `The flag was changed outside the plan (${stage.percent}% → ${s.flag}%); the rollout holds rather than fight it.`,
        ],
      },
    );
  }

  if ('error' in s.metrics) return countError(hold, d, p, `the metrics could not be read (${s.metrics.error})`, []);
  const evidence = analyse(p.metrics, s.metrics);
  const failed = evidence.filter((e) => e.status === 'fail');
  if (failed.length > 0) {
    const why = failed.map((e) => `${e.name}: ${e.detail}`).join('; ');
    if (p.onRegression === 'pause') {
      return hold(
        `the canary regressed (${why})`,
        'paused: on_regression is pause; promote to go on or rollback to revert',
        { evidence, alert: `Rollout of ${short(d.release)} paused at ${stage.percent}%: ${why}` },
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
        alert: `Rolled back ${short(d.release)} from ${stage.percent}%: ${why}`,
      },
    );
  }
  const broken = evidence.filter((e) => e.status === 'error');
  if (broken.length > 0)
    return countError(hold, d, p, broken.map((e) => `${e.name}: ${e.detail}`).join('; '), evidence);

  const waiting: string[] = [];
  const baked = s.now.getTime() - d.stageStartedAt.getTime();
  if (baked < stage.minDurationMs)
    waiting.push(
      `it has baked ${formatDuration(Math.max(0, Math.floor(baked / 60_000) * 60_000))} of ${formatDuration(stage.minDurationMs)}`,
    );
  const requests = s.metrics.canary?.requests ?? 0;
  if (requests < stage.minSamples) waiting.push(`the canary has ${requests} of ${stage.minSamples} requests`);
  const open = evidence.filter((e) => e.status === 'inconclusive');
  if (open.length > 0) waiting.push(`not yet conclusive: ${open.map((e) => e.name).join(', ')}`);
  if (waiting.length > 0)
    return hold(
      `stage ${d.stage + 1} (${stage.percent}%) is not ready: ${waiting.join('; ')}`,
      'the next tick looks again',
      { evidence },
    );

  if (d.stage === p.stages.length - 1) {
    return step(
      'complete',
      stage.percent,
      d.stage,
      `${stage.percent}% has baked with healthy metrics`,
      'the rollout is done',
      { evidence },
    );
  }
  if (stage.approval && d.approvedStage !== d.stage) {
    return hold(
      `stage ${d.stage + 1} (${stage.percent}%) is healthy and waits for an approval`,
      'an approver runs promote to go on',
      { evidence },
    );
  }
  const next = p.stages[d.stage + 1]!;
  return step(
    'advance',
    next.percent,
    d.stage + 1,
    `stage ${d.stage + 1} (${stage.percent}%) baked with healthy metrics`,
    `stage ${d.stage + 2} (${next.percent}%) bakes for ${formatDuration(next.minDurationMs)}`,
    { evidence },
  );
}

function step(
  action: RolloutAction,
  percent: number,
  stage: number,
  reason: string,
  next: string,
  extra: Partial<RolloutDecision> = {},
): RolloutDecision {
  return { action, percent, stage, reason, next, evidence: [], warnings: [], errors: 0, ...extra };
}

/** Missing data holds and counts; over max_errors, it alerts (still never promotes or rolls back). */
function countError(
  hold: (reason: string, next: string, extra?: Partial<RolloutDecision>) => RolloutDecision,
  d: DeploymentRecord,
  p: RolloutPolicy,
  why: string,
  evidence: MetricEvidence[],
): RolloutDecision {
  const errors = d.errors + 1;
  const over = errors > p.maxErrors;
  return hold(
    `the analysis could not be done: ${why}`,
    over
      ? 'someone must look: the metric source keeps failing'
      : `the next tick tries again (${errors} of ${p.maxErrors} errors allowed)`,
    {
      evidence,
      errors,
      alert: over
        ? `Rollout of ${short(d.release)} is stuck: ${errors} ticks without usable metrics (${why})`
        : undefined,
    },
  );
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
