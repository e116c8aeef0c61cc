import type { LoadedConfig } from '../config/load.js';
import { effectiveTier } from '../gate/tiers.js';
import type { RolloutApi } from '../github/rollout-api.js';
import { stagesFrom } from './plan.js';
import { reconcile, type RolloutDecision } from './reconcile.js';
import { describeStatus, recordFrom } from './record.js';
import { ConflictError, type FlagProvider } from './flags/types.js';
import type { MetricSource } from './sources/types.js';

export const DEPLOYMENT_TASK = 'deploy:llm-release-gate';

export interface TickContext {
  release: string;
  /** The branch the flag file is committed to. */
  branch: string;
  now: Date;
  /** The gate's verdict on the release when no check run tells it (the gate run in place). */
  gateInPlace: () => Promise<boolean>;
  checkName: string;
  metrics: MetricSource | undefined;
  runUrl?: string;
  /** promote: who asked (must be an approver). */
  actor?: string;
  /** The flag provider, given the percentage the deployment record last applied (webhooks cannot be read). */
  provider: (applied: number) => FlagProvider;
}

export interface TickResult {
  decision: RolloutDecision;
  /** What was recorded or alerted, for the summary. */
  log: string[];
  issueUrl?: string;
}

/**
 * One rollout tick through GitHub: read (deployment record, flag file, metrics, the gate's check run),
 * decide (pure), then write at most one step: the flag first (with the file's sha as precondition,
 * so two ticks at once never both step), then the deployment status.
 */
export async function githubTick(
  loaded: LoadedConfig,
  gh: RolloutApi,
  ctx: TickContext,
  command: 'rollout' | 'promote' | 'rollback',
): Promise<TickResult> {
  const rollout = loaded.config.rollout!;
  const stages = stagesFrom(rollout, effectiveTier(loaded.config));
  const env = rollout.environment;
  const log: string[] = [];

  const latest = await gh.latestDeployment(env, DEPLOYMENT_TASK);
  if (latest && latest.statuses.length === 0) {
    // Created but not yet given its first status: another run is starting this rollout right now.
    const decision: RolloutDecision = {
      action: 'hold',
      percent: stages[0]!.percent,
      stage: 0,
      reason: `another run is starting the rollout of ${latest.sha.slice(0, 12)}`,
      next: 'the next tick reads its record',
      evidence: [],
      warnings: [],
      errors: 0,
    };
    return { decision, log };
  }
  let record = latest ? recordFrom(latest.id, latest.sha, latest.statuses) : undefined;
  // A rollback whose alert issue GitHub refused: open it now (the owner must hear of it).
  const lastStatus = latest?.statuses[latest.statuses.length - 1];
  if (record?.status === 'rolled_back' && lastStatus?.description.includes(ALERT_PENDING)) {
    const d: RolloutDecision = {
      action: 'none',
      percent: 0,
      stage: record.stage,
      reason: 'the rollback alert was pending',
      next: '',
      evidence: [],
      warnings: [],
      errors: 0,
      alert: `Rolled back ${rollout.flag.key}: ${lastStatus.description}`,
    };
    const url = await tryAlert(gh, loaded, { ...ctx, release: record.release }, d);
    if (url) {
      await gh.deploymentStatus(
        record.id,
        'failure',
        lastStatus.description.replace(ALERT_PENDING, '(alert opened)'),
        ctx.runUrl,
      );
      log.push(`the pending rollback alert was opened: ${url}`);
    }
  }
  const applied =
    record && (record.status === 'active' || record.status === 'paused')
      ? (stages[record.stage]?.percent ?? 0)
      : record?.status === 'complete'
        ? 100
        : 0;
  const provider = ctx.provider(applied);
  const flag: number | { error: string } = await provider.read().then(
    (p) => p,
    (err: Error) => ({ error: err.message }),
  );

  /** Compare-and-set: false when the flag moved under this run (another tick, or a hand). */
  const writeFlag = async (percent: number, expected: number): Promise<boolean> => {
    try {
      await provider.write(percent, expected);
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
  };

  if (command === 'rollback') {
    const current = typeof flag === 'number' ? flag : 0;
    const by = ctx.actor ? ` by @${ctx.actor}` : '';
    const decision: RolloutDecision = {
      action: 'rollback',
      percent: 0,
      stage: record?.stage ?? -1,
      reason: `kill switch${by}`,
      next: 'the flag is at 0%; ship a new release to start again',
      evidence: [],
      warnings: [],
      errors: 0,
      alert: `Rolled back ${rollout.flag.key} by hand${by}`,
    };
    if (current !== 0 && !(await writeFlag(0, current)))
      decision.warnings.push('The flag file changed while rolling back: run rollback again.');
    if (record && record.status !== 'rolled_back')
      await gh.deploymentStatus(
        record.id,
        'failure',
        describeStatus('rollback', record.stage, stages.length, 0, `kill switch${by}`),
        ctx.runUrl,
      );
    return { decision, log: [`${provider.describe()} set to 0%`], issueUrl: await tryAlert(gh, loaded, ctx, decision) };
  }

  if (
    command === 'promote' &&
    record &&
    record.release === ctx.release &&
    record.status !== 'rolled_back' &&
    record.status !== 'complete'
  ) {
    const approvers = rollout.approvers.map((a) => a.replace(/^@/, '').toLowerCase());
    if (!ctx.actor || !approvers.includes(ctx.actor.toLowerCase())) {
      throw new PromoteRefused(
        `@${ctx.actor ?? 'unknown'} is not in rollout.approvers (${rollout.approvers.join(', ') || 'none'})`,
      );
    }
    const stage = stages[record.stage]!;
    await gh.deploymentStatus(
      record.id,
      'in_progress',
      describeStatus('approve', record.stage, stages.length, stage.percent, `leaving ${stage.percent}% approved`, {
        by: ctx.actor,
      }),
      ctx.runUrl,
    );
    record = { ...record, approvedStage: record.stage, status: 'active' };
    log.push(`approval of stage ${record.stage + 1} by @${ctx.actor} recorded`);
  }

  // Did the gate allow this release? Its check run says; without one, the gate runs here.
  let gateAllowed: boolean | undefined;
  if (!record || record.release !== ctx.release) {
    const conclusion = await gh.checkConclusion(ctx.release, ctx.checkName);
    gateAllowed = conclusion === undefined ? await ctx.gateInPlace() : conclusion === 'success';
    log.push(
      conclusion === undefined
        ? `no "${ctx.checkName}" check run on ${ctx.release.slice(0, 12)}: the gate ran on the workspace`
        : `"${ctx.checkName}" concluded ${conclusion} on ${ctx.release.slice(0, 12)}`,
    );
  }
  const metrics = ctx.metrics
    ? await ctx.metrics.read().then(
        (m) => m,
        (err: Error) => ({ error: err.message }),
      )
    : { error: 'no rollout.analysis.source is configured' };
  const decision = reconcile(
    { release: ctx.release, deployment: record, flag, gateAllowed, metrics, now: ctx.now },
    {
      stages,
      metrics: rollout.analysis?.metrics ?? [],
      maxErrors: rollout.analysis?.max_errors ?? 3,
      onRegression: rollout.on_regression,
    },
  );

  const current = typeof flag === 'number' ? flag : 0;
  const status = (
    state: 'in_progress' | 'success' | 'failure',
    action: Parameters<typeof describeStatus>[0],
    id: number,
    extra: { errors?: number } = {},
  ) =>
    gh.deploymentStatus(
      id,
      state,
      describeStatus(action, decision.stage, stages.length, decision.percent, decision.reason, extra),
      ctx.runUrl,
    );

  switch (decision.action) {
    case 'start': {
      if (!(await writeFlag(decision.percent, current))) return conflict(decision, log);
      if (decision.supersedes !== undefined)
        await gh.deploymentStatus(
          decision.supersedes,
          'inactive',
          describeStatus(
            'supersede',
            record!.stage,
            stages.length,
            decision.percent,
            `superseded by ${ctx.release.slice(0, 12)}`,
          ),
          ctx.runUrl,
        );
      const id = await gh.createDeployment(
        ctx.release,
        rollout.environment,
        DEPLOYMENT_TASK,
        { flag: rollout.flag.key, stages: stages.map((s) => s.percent) },
        `staged rollout of ${rollout.flag.key}`,
      );
      await status('in_progress', 'start', id);
      log.push(`deployment ${id} created; flag at ${decision.percent}%`);
      break;
    }
    case 'advance':
      if (!(await writeFlag(decision.percent, current))) return conflict(decision, log);
      await status('in_progress', 'advance', record!.id);
      break;
    case 'complete':
      await status('success', 'complete', record!.id);
      break;
    case 'rollback': {
      if (current !== 0 && !(await writeFlag(0, current))) return conflict(decision, log);
      // Safety first: the flag is at 0. Then the alert; a refused issue is said in the status and retried next tick.
      const issueUrl = await tryAlert(gh, loaded, ctx, decision);
      const pending = issueUrl ? '' : ` ${ALERT_PENDING}`;
      await gh.deploymentStatus(
        record!.id,
        'failure',
        describeStatus('rollback', decision.stage, stages.length, 0, `${decision.reason}`.slice(0, 90) + pending),
        ctx.runUrl,
      );
      return { decision, log, issueUrl };
    }
    case 'hold':
      // A status only when the rollout's state changes: an error count, a pause on regression.
      if (record && decision.errors !== record.errors)
        await status('in_progress', 'hold', record.id, { errors: decision.errors });
      else if (record && decision.alert && record.status !== 'paused') await status('in_progress', 'pause', record.id);
      break;
  }
  return { decision, log };
}

export class PromoteRefused extends Error {}

function conflict(decision: RolloutDecision, log: string[]): TickResult {
  return {
    decision: {
      ...decision,
      action: 'hold',
      reason: `another run changed the flag file first (${decision.reason})`,
      next: 'the next tick reads the new state',
    },
    log: [...log, 'the flag file changed under this run: nothing was written'],
  };
}

/** Said in a rollback's deployment status when its alert issue could not be opened (the next tick retries). */
const ALERT_PENDING = '(alert pending)';

/** The alert issue, or undefined when GitHub refused it (said as a warning on the decision). */
async function tryAlert(
  gh: RolloutApi,
  loaded: LoadedConfig,
  ctx: TickContext,
  d: RolloutDecision,
): Promise<string | undefined> {
  try {
    return await alert(gh, loaded, ctx, d);
  } catch (err) {
    d.warnings.push(
      `The alert issue could not be opened (${err instanceof Error ? err.message : String(err)}); the next run tries again.`,
    );
    return undefined;
  }
}

/** One issue per rollback, @mentioning the owner, with the evidence. */
async function alert(
  gh: RolloutApi,
  loaded: LoadedConfig,
  ctx: TickContext,
  d: RolloutDecision,
): Promise<string | undefined> {
  const owner = loaded.config.owner?.name;
  const rows = d.evidence.map((e) => `| ${e.name} | ${e.status} | ${e.detail.replace(/\|/g, '\\|')} |`);
  const body = [
    `${owner ? `@${owner.replace(/^@/, '')} ` : ''}${d.alert ?? d.reason}`,
    '',
    `Release: ${ctx.release}${ctx.runUrl ? ` · [workflow run](${ctx.runUrl})` : ''}`,
    '',
    ...(rows.length ? ['| metric | status | evidence |', '| --- | --- | --- |', ...rows] : []),
    '',
    `Next: ${d.next}`,
  ].join('\n');
  return gh.createIssue(`Rollback: ${loaded.config.service} ${ctx.release.slice(0, 12)}`, body);
}
