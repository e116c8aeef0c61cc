import type { LoadedConfig } from '../config/load.js';
import { isExternalFailure } from '../errors.js';
import { effectiveTier } from '../gate/tiers.js';
import type { FlagProvider } from './flags/types.js';
import { stagesFrom } from './plan.js';
import { isLive, reconcile, step, type DeploymentRecord, type RolloutDecision } from './reconcile.js';
import { describeStatus, recordFrom, type StatusAction } from './record.js';
import type { MetricSource } from './sources/types.js';
import type { RolloutStore, StatusState } from './store.js';
import { ALERT_PENDING, retryPendingAlert, tryAlert } from './alert.js';
import { applyFlag, killSwitch, showFlag } from './flag-writes.js';

/** A deployment without statuses younger than this is another run starting; older, it is adopted. */
export const ADOPT_AFTER_MS = 5 * 60_000;

export interface TickContext {
  release: string;
  now: Date;
  metrics: MetricSource | undefined;
  /** promote / rollback: who asked (promote: must be an approver). */
  actor?: string;
  /** The flag provider, given the percentage the record last applied (webhooks cannot be read). */
  provider: (applied: number) => FlagProvider;
  /** Pause between kill-switch attempts (tests pass 0). */
  retryDelayMs?: number;
}

export interface TickResult {
  decision: RolloutDecision;
  /** What was recorded or alerted, for the summary. */
  log: string[];
  issueUrl?: string;
  /** What the flag was when this run read it. */
  flag: string;
}

export class PromoteRefused extends Error {}

/**
 * One rollout tick: read (record, flag, the gate's verdict, metrics), decide (pure), then write at
 * most one step: the flag first (compare-and-set, read back), then the record. Any single failed
 * write is repaired by the next tick (see reconcile); the kill switch verifies or fails loudly.
 */
export async function tick(
  loaded: LoadedConfig,
  store: RolloutStore,
  ctx: TickContext,
  command: 'rollout' | 'promote' | 'rollback',
): Promise<TickResult> {
  const rollout = loaded.config.rollout!;
  const stages = stagesFrom(rollout, effectiveTier(loaded.config));
  const log: string[] = [];
  const describe = (action: StatusAction, stage: number, percent: number, why: string, extra = {}) =>
    describeStatus(action, stage, stages.length, percent, why, extra);

  if (command === 'rollback') {
    // The kill switch needs nothing but the flag: the record is read best effort (a webhook's
    // percentage comes from it), and written after the flag is at 0%.
    const latest = await store.latest().catch((err: Error) => {
      log.push(`the rollout record could not be read (${err.message}); the flag is set to 0% regardless`);
      return undefined;
    });
    const record = latest?.statuses.length ? recordFrom(latest.id, latest.release, latest.statuses) : undefined;
    return killSwitch(loaded, store, ctx.provider(appliedBy(record, stages)), record, ctx, stages.length, log);
  }

  const latest = await store.latest();
  if (latest && latest.statuses.length === 0) {
    if (ctx.now.getTime() - Date.parse(latest.createdAt) < ADOPT_AFTER_MS) {
      const reason = `another run is starting the rollout of ${latest.release.slice(0, 12)}`;
      const decision = step('hold', stages[0]!.percent, 0, reason, 'the next tick reads its record');
      return { decision, log, flag: '' };
    }
    // A run created the deployment (after writing the flag) and died before its first status: adopt it.
    await store.status(
      latest.id,
      'in_progress',
      describe('start', 0, stages[0]!.percent, 'adopted: its first status was never written'),
    );
    latest.statuses.push({
      state: 'in_progress',
      description: describe('start', 0, stages[0]!.percent, ''),
      createdAt: latest.createdAt,
    });
    log.push(`deployment ${latest.id} had no status: adopted at stage 1`);
  }
  let record = latest ? recordFrom(latest.id, latest.release, latest.statuses) : undefined;
  if (record) await retryPendingAlert(store, loaded, record, latest!.statuses.at(-1)!, log);

  const provider = ctx.provider(appliedBy(record, stages));
  const flag = await provider.read().catch((err: Error) => ({ error: err.message }));

  if (command === 'promote' && record && record.release === ctx.release && isLive(record)) {
    const approvers = rollout.approvers.map((a) => a.replace(/^@/, '').toLowerCase());
    if (!ctx.actor || !approvers.includes(ctx.actor.toLowerCase()))
      throw new PromoteRefused(
        `@${ctx.actor ?? 'unknown'} is not in rollout.approvers (${rollout.approvers.join(', ') || 'none'})`,
      );
    const stage = stages[record.stage]!;
    const what = record.status === 'paused' ? 'the pause lifted' : `leaving ${stage.percent}% approved`;
    await store.status(
      record.id,
      'in_progress',
      describe('approve', record.stage, stage.percent, what, { by: ctx.actor }),
    );
    record = { ...record, approvedStage: record.stage };
    log.push(`approval of stage ${record.stage + 1} by @${ctx.actor} recorded (${what})`);
  }

  let gateAllowed: boolean | undefined;
  if (!record || record.release !== ctx.release) {
    const verdict = await store.gateVerdict(ctx.release);
    gateAllowed = verdict.allowed;
    log.push(verdict.note);
  }
  const metrics = ctx.metrics
    ? await ctx.metrics.read().catch((err: Error) => ({ error: err.message }))
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
  const result: TickResult = { decision, log, flag: `${provider.describe()}: ${showFlag(flag)}` };
  const status = (id: number, state: StatusState, action: StatusAction, extra: object = {}) =>
    store.status(id, state, describe(action, decision.stage, decision.percent, decision.reason, extra));
  const write = async () =>
    decision.recordOnly || (await applyFlag(provider, decision.percent, decision.expected ?? 0));
  /**
   * Once the flag is written, a record that cannot be written does not make this run look as if it
   * changed nothing: the step is reported as done, with a warning; the next tick repairs the record.
   */
  const recorded = async (what: () => Promise<unknown>) => {
    try {
      await what();
    } catch (err) {
      if (!isExternalFailure(err)) throw err;
      const why = err instanceof Error ? err.message : String(err);
      decision.warnings.push(
        `The flag is at ${decision.percent}%, but recording the step failed (${why}); the next run records it.`,
      );
    }
  };

  switch (decision.action) {
    case 'start': {
      if (!(await write())) return conflict(result);
      // Another run may have started this release between our reads: the first deployment wins.
      if ((await store.latest())?.id !== latest?.id) return conflict(result);
      await recorded(async () => {
        if (decision.supersedes !== undefined)
          await store.status(
            decision.supersedes,
            'inactive',
            describe('supersede', record!.stage, decision.percent, `superseded by ${ctx.release.slice(0, 12)}`),
          );
        const id = await store.create(ctx.release);
        await status(id, 'in_progress', 'start');
        log.push(`deployment ${id} created; flag at ${decision.percent}%`);
      });
      break;
    }
    case 'advance':
      if (!(await write())) return conflict(result);
      await recorded(() => status(record!.id, 'in_progress', 'advance'));
      break;
    case 'complete':
      await status(record!.id, 'success', 'complete');
      break;
    case 'rollback': {
      if (!(await write())) return conflict(result);
      // Safety first: the flag is at 0. Then the owner (a refused issue is said in the status and
      // retried next tick), then the record.
      const issue = await tryAlert(store, loaded, ctx.release, record, decision);
      result.issueUrl = issue?.url;
      const why = decision.reason.slice(0, 90) + (issue === null ? ` ${ALERT_PENDING}` : '');
      await recorded(() =>
        store.status(record!.id, 'failure', describe('rollback', decision.stage, 0, why, { alert: issue?.number })),
      );
      break;
    }
    case 'hold':
    case 'none': {
      const live = isLive(record);
      const issue = decision.alert ? await tryAlert(store, loaded, ctx.release, record, decision) : undefined;
      result.issueUrl = issue?.url ?? undefined;
      // A refused alert writes nothing, so the next tick decides (and alerts) the same again.
      if (!live || issue === null) break;
      const extra = { errors: decision.errors, alert: issue?.number };
      // A status only when the rollout's state changes: an anomaly reported, a pause, an error count.
      if (decision.report)
        await store.status(
          record!.id,
          'in_progress',
          describe(decision.report, record!.stage, decision.percent, decision.reason, extra),
        );
      else if (decision.release === record!.release && decision.errors !== record!.errors)
        await status(record!.id, 'in_progress', 'hold', extra);
      break;
    }
  }
  return result;
}

/** The percentage the record says the rollout applied (what a provider that cannot be read serves). */
function appliedBy(record: DeploymentRecord | undefined, stages: readonly { percent: number }[]): number {
  if (record && isLive(record)) return stages[record.stage]?.percent ?? 0;
  return record?.status === 'complete' ? 100 : 0;
}

function conflict(result: TickResult): TickResult {
  const d = result.decision;
  return {
    ...result,
    decision: {
      ...d,
      action: 'hold',
      reason: `another run changed the flag first (${d.reason})`,
      next: 'the next tick reads the new state',
    },
    log: [...result.log, 'the flag changed under this run: nothing was written'],
  };
}
